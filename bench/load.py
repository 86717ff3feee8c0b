"""Load: simulated annotators against the production shape, for a fixed time.

Starts its own PostgreSQL cluster and redis-server on free ports (tests/reliability/
clusters.py), gunicorn, one Celery worker and beat, seeds N annotators with documents, then
runs N annotator threads for S seconds. Each annotator works through its documents the way
the annotate page does: open the document and its spans, create three spans (autosave,
with client_ids), relabel one, delete one, submit, next document; no think time.

Prints requests/s, p50 / p99 per endpoint and the error count (must be 0), and how long the
worker took to bring every submitted document's counts and agreement up to date after the
load stopped. Compared against the targets for an interactive annotate page on this 2-core
machine: p99 of every write under 500 ms at 50 annotators, 0 errors.

    .venv/bin/python bench/load.py [--annotators 50] [--seconds 60] [--web-workers 4]
                                   [--ramp-seconds 5] [--think-ms 0]
"""

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.processes import free_port, gunicorn_args, process, wait_until, worker_args
from tests.reliability.clusters import (
    app_env,
    beat_args,
    migrate,
    postgres_cluster,
    redis_server,
    seed,
)
from tests.reliability.seed import word_bounds

LABELS = ("claim", "attribution", "claim")


class Recorder:
    def __init__(self, think: float) -> None:
        self.think = think
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def call(
        self, name: str, http: requests.Session, method: str, url: str, **kwargs: Any
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = http.request(method, url, timeout=30, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.errors.append(f"{name}: {exc!r}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[name].append(elapsed)
            if response.status_code >= 400:
                self.errors.append(f"{name}: {response.status_code} {response.text[:200]}")
        # A person reads and selects between actions; outside the timed request.
        time.sleep(self.think)
        return response


def annotator(
    base: str,
    token: str,
    documents: list[dict[str, Any]],
    deadline: float,
    rec: Recorder,
    delay: float,
) -> int:
    """Work through the documents until the deadline; returns how many were submitted."""
    time.sleep(delay)
    http = requests.Session()
    http.headers["Authorization"] = f"Token {token}"
    submitted = 0
    for k, document in enumerate(documents):
        if time.monotonic() >= deadline:
            break
        doc = f"{base}/api/documents/{document['id']}/"
        rec.call("GET document", http, "GET", doc)
        rec.call("GET spans", http, "GET", doc + "spans/")
        created = []
        for n, label in enumerate(LABELS):
            start, end = word_bounds(document["text"], (k + 5 * n) % 100)
            body = {
                "client_id": str(uuid.uuid4()),
                "label": label,
                "start": start,
                "end": end,
                "quote": document["text"][start:end],
            }
            response = rec.call("POST span", http, "POST", doc + "spans/", json=body)
            if response is not None and response.status_code in (200, 201):
                created.append(response.json())
        if len(created) == len(LABELS):
            first, last = created[0], created[-1]
            rec.call(
                "PATCH span",
                http,
                "PATCH",
                f"{base}/api/spans/{first['id']}/",
                json={"label": "denial", "version": first["version"]},
            )
            rec.call(
                "DELETE span",
                http,
                "DELETE",
                f"{base}/api/spans/{last['id']}/?version={last['version']}",
            )
        response = rec.call("POST submit", http, "POST", doc + "submit/")
        if response is not None and response.status_code == 200:
            submitted += 1
    return submitted


def cpu_seconds(parent: int) -> float:
    """User + system CPU time of a process's children, living (their own utime and stime)
    and exited (the parent's cutime and cstime), from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
        if stat.parent.name == str(parent):
            total += int(fields[13]) + int(fields[14])
    return total / ticks


def caught_up(cluster: Any, db: str) -> bool:
    [(behind,)] = cluster.execute(
        db,
        "SELECT count(*) FROM annotations_document "
        "WHERE counts_done_seq < work_seq OR agreement_done_seq < work_seq",
    )
    return bool(behind == 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--documents-each", type=int, default=40)
    parser.add_argument(
        "--ramp-seconds",
        type=float,
        default=5.0,
        help="start the annotators one after another over this time, not all at once",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="pause after each request, as a person reads and selects (default: none)",
    )
    options = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="fc-load-") as scratch,
        postgres_cluster() as cluster,
        redis_server(Path(scratch)) as broker,
    ):
        directory = Path(scratch)
        cluster.execute("postgres", "CREATE DATABASE load")
        env = app_env(
            cluster.url("load"),
            broker.url(),
            LOG_LEVEL="WARNING",
            SWEEP_INTERVAL_SECONDS="5",
            SWEEP_GRACE_SECONDS="5",
        )
        migrate(env)
        documents = options.annotators * options.documents_each // 2
        world = seed(env, annotators=options.annotators, documents=documents, per_document=2)
        mine: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for document in world["documents"]:
            for username in document["annotators"]:
                mine[username].append(document)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with contextlib.ExitStack() as stack:
            gunicorn = [*gunicorn_args(port, workers=options.web_workers)]
            gunicorn.remove("--access-logfile")
            gunicorn.remove("-")
            web = stack.enter_context(process(gunicorn, env, directory / "web.log"))
            stack.enter_context(process(worker_args(), env, directory / "worker.log"))
            stack.enter_context(process(beat_args(directory), env, directory / "beat.log"))
            wait_until(lambda: _listening(base), what="gunicorn")
            rec = Recorder(think=options.think_ms / 1000)
            ramp = options.ramp_seconds / options.annotators
            deadline = time.monotonic() + options.seconds
            results: list[int] = []
            threads = [
                threading.Thread(
                    target=lambda u=username, delay=n * ramp: results.append(
                        annotator(base, world["tokens"][u], mine[u], deadline, rec, delay)
                    )
                )
                for n, username in enumerate(world["tokens"])
            ]
            assert cluster.proc is not None
            cpu_before = cpu_seconds(web.pid), cpu_seconds(cluster.proc.pid)
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            cpu = (
                cpu_seconds(web.pid) - cpu_before[0],
                cpu_seconds(cluster.proc.pid) - cpu_before[1],
            )
            load_stopped = time.monotonic()
            wait_until(lambda: caught_up(cluster, "load"), timeout=600, interval=0.5)
            lag = time.monotonic() - load_stopped
        report(options, rec, elapsed, sum(results), lag, cpu)


def _listening(base: str) -> bool:
    try:
        requests.get(f"{base}/healthz", timeout=2)
    except requests.RequestException:
        return False
    return True


def report(
    options: Any,
    rec: Recorder,
    elapsed: float,
    submitted: int,
    lag: float,
    cpu: tuple[float, float],
) -> None:
    total = sum(len(v) for v in rec.latencies.values())
    print(
        f"{options.annotators} annotators, think time {options.think_ms:.0f} ms, "
        f"{elapsed:.1f} s, gunicorn {options.web_workers} workers, 1 Celery worker, "
        "private PostgreSQL 15 and Redis"
    )
    print(f"requests: {total} ({total / elapsed:.0f}/s), documents submitted: {submitted}")
    print(f"errors: {len(rec.errors)}")
    for error in rec.errors[:10]:
        print(f"  {error}")
    print(f"{'endpoint':<14} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for name in ("GET document", "GET spans", "POST span", "PATCH span", "DELETE span"):
        _row(name, rec.latencies[name], elapsed)
    _row("POST submit", rec.latencies["POST submit"], elapsed)
    print(f"worker caught up with every submission {lag:.1f} s after the load stopped")
    print(
        f"server CPU per request: gunicorn {cpu[0] / total * 1000:.1f} ms, PostgreSQL "
        f"{cpu[1] / total * 1000:.1f} ms; load average during the run {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    print("targets: p99 of every write < 500 ms at 50 annotators, errors 0")


def _row(name: str, values: list[float], elapsed: float) -> None:
    if not values:
        print(f"{name:<14} {0:>7}")
        return
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    print(
        f"{name:<14} {len(values):>7} {len(values) / elapsed:>7.1f} "
        f"{statistics.median(values):>8.1f} {p99:>8.1f}"
    )


if __name__ == "__main__":
    main()
