"""Shared set-up for benchmarks: a database of their own, migrated, and server processes."""

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BENCH_PASSWORD = "bench-password"


def fresh_database(name: str) -> str:
    """Drop and create database `name`, migrate it, and return its URL."""
    import psycopg

    parts = urlsplit(BASE_URL)
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{BASE_URL.rstrip('/')}/{name}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=bench_env(url), check=True
    )
    return url


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-only-secret-key",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "SIGN_IN_THROTTLE": "100000/min",
        **extra,
    }


def use_database(database_url: str) -> None:
    """Point this process's Django at the benchmark database."""
    os.environ.update(bench_env(database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def machine_speed() -> str:
    """How fast this machine runs plain Python, so figures from different machines compare.

    The time of a fixed loop of ten million additions, best of three: about 0.4 s on a
    current desktop core; the 2-core machines these figures come from have measured
    0.4 s to 1.6 s from one session to the next.
    """
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for value in range(10_000_000):
            total += value
        best = min(best, time.perf_counter() - start)
    return f"machine speed: 10M Python additions in {best:.2f} s (best of 3)"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> str:
    return (
        f"median {statistics.median(values_ms):.2f} ms, p95 {percentile(values_ms, 95):.2f} ms, "
        f"p99 {percentile(values_ms, 99):.2f} ms (n={len(values_ms)})"
    )


# Resolves, once the page's script has marked its paint, to the time from navigation to that
# mark and to its phases. Marks are `${prefix}start`, `${prefix}ready`, `${prefix}painted`.
PAGE_TIMINGS_JS = """(prefix) => new Promise(resolve => {
    const at = (name) => performance.getEntriesByName(prefix + name)[0]?.startTime;
    const check = () => {
        if (at("painted") === undefined) return setTimeout(check, 5);
        const nav = performance.getEntriesByType("navigation")[0];
        resolve([at("painted"), {
            html: nav.responseEnd,
            parse: nav.domInteractive - nav.responseEnd,
            modules: at("start") - nav.domInteractive,
            render: at("ready") - at("start"),
            paint: at("painted") - at("ready"),
        }]);
    };
    check();
})"""


def page_timings(
    page: Any, url: str, *, ready: str, marks: str, loads: int
) -> tuple[list[float], list[dict[str, float]]]:
    """Load `url` `loads` times (after one warm-up load) and return, per load, the time from
    navigation to the page's painted mark and its phases: html, parse, modules, render, paint.

    `ready` is the selector the page sets when its script is done; `marks` the prefix of its
    performance marks.
    """
    totals: list[float] = []
    phases: list[dict[str, float]] = []
    for _ in range(loads + 1):  # the first load warms the server and the disk cache
        page.goto("about:blank")
        page.goto(url)
        page.wait_for_selector(ready, timeout=30_000)
        total, phase = page.evaluate(PAGE_TIMINGS_JS, marks)
        totals.append(total)
        phases.append(phase)
    return totals[1:], phases[1:]


@contextlib.contextmanager
def gunicorn(database_url: str, port: int, *, static: bool = False) -> Iterator[str]:
    """gunicorn (2 workers) on the benchmark database; yields its base URL once it is healthy.

    `static` collects the front end first, so whitenoise serves it as in production.
    """
    env = bench_env(database_url, ALLOWED_HOSTS="127.0.0.1")
    if static:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "factcheck.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


@contextlib.contextmanager
def signed_in_page(base: str, username: str) -> Iterator[Any]:
    """A headless Chromium page at 1280x900, signed in as `username` (whose password is
    BENCH_PASSWORD) through the sign-in form of the server at `base`; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", BENCH_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            yield page
        finally:
            browser.close()
