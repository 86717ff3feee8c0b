"""Shared set-up for benchmarks: a database of their own, migrated, and server processes."""

import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


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
