"""Agreement: the metrics library, the command, and submit-to-visible with a real worker.

Data: 1,000 synthetic documents × 3 annotators × ~25 spans each × 3,000 characters,
3 labels (annotations.agreement.synthetic, fixed seed). Reports, in one run:

1. full recompute: every document's statistics and metrics plus the project figures,
   in one process and on a 2-process pool (this machine has 2 cores);
2. one document recomputed plus the project total updated and re-evaluated (what a
   worker does per submission);
3. character-level alpha alone, ours against the `krippendorff` package computing the
   same values document by document and label by label (values checked equal);
4. `manage.py agreement FILE` on the whole input, as a process (start-up included);
5. submit-to-visible: an annotator submits through the API, a real Celery worker on
   Redis recomputes, an editor polls GET /api/documents/{id}/agreement/ until the new
   figures show; 100 documents, sequential.

Targets (issue 4): full recompute <= 2 s; one document <= 5 ms; character-level alpha
>= 5x faster than the package; the command no slower than the package computing
character-level alpha alone; submit-to-visible p95 <= 1 s.

    .venv/bin/python bench/agreement.py
"""

import json
import multiprocessing
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

# This benchmark's worker must not share a Redis database (and so a queue) with the
# other benchmarks' workers, which would take its tasks against their own databases.
os.environ.setdefault("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")

from common import BIN, ROOT, bench_env, fresh_database, machine_speed, summary, use_database

sys.path.insert(0, str(ROOT))

import krippendorff
import numpy as np

from annotations.agreement import (
    DocumentInput,
    combine_statistics,
    document_statistics,
    documents_statistics,
    metrics_from_statistics,
    replace_document,
)
from annotations.agreement.io import spans_input_json
from annotations.agreement.statistics import char_alpha_by_label
from annotations.agreement.synthetic import synthetic_documents

DOCUMENTS = 1_000
ONE_DOCUMENT_SAMPLES = 300
LATENCY_SAMPLES = 100
DOCS: list[DocumentInput] = []
T = TypeVar("T")


def timed(function: Callable[..., T], *args: Any) -> tuple[float, float, T]:
    """Wall-clock and CPU seconds of one call (CPU time is what other load cannot inflate)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return time.perf_counter() - start, time.process_time() - cpu, result


def recompute_all(docs: list[DocumentInput]) -> dict:
    stats = documents_statistics(docs)
    for item in stats:
        metrics_from_statistics(item)
    return metrics_from_statistics(combine_statistics(stats))


def _chunk_statistics(bounds: tuple[int, int]) -> list[dict]:
    stats = documents_statistics(DOCS[bounds[0] : bounds[1]])
    for item in stats:
        metrics_from_statistics(item)
    return stats


def recompute_all_parallel(workers: int) -> dict:
    step = len(DOCS) // workers + 1
    chunks = [(i, min(len(DOCS), i + step)) for i in range(0, len(DOCS), step)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_chunk_statistics, chunks)
    return metrics_from_statistics(combine_statistics(s for part in parts for s in part))


def one_document(docs: list[DocumentInput]) -> tuple[list[float], list[float]]:
    """Per sample: recompute one document, update the project total, re-evaluate it."""
    stats = documents_statistics(docs)
    total = combine_statistics(stats)
    wall, cpu = [], []
    for index in range(ONE_DOCUMENT_SAMPLES):
        position = (index * 7) % len(docs)
        start, start_cpu = time.perf_counter(), time.process_time()
        new = document_statistics(docs[position])
        metrics_from_statistics(new)
        replace_document(total, stats[position], new)
        metrics_from_statistics(total)
        stats[position] = new
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def package_char_alpha(docs: list[DocumentInput]) -> list[float | None]:
    values: list[float | None] = []
    for doc in docs:
        names = sorted(doc.annotators)
        for label in sorted({s.label for s in doc.spans}):
            matrix = np.zeros((len(names), doc.length))
            for span in doc.spans:
                if span.label == label:
                    matrix[names.index(span.annotator), span.start : span.end] = 1
            values.append(
                krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
            )
    return values


def our_char_alpha(docs: list[DocumentInput]) -> list[float | None]:
    values: list[float | None] = []
    for doc in docs:
        by_label = char_alpha_by_label(doc)
        values.extend(by_label[label] for label in sorted(by_label))
    return values


def command_process(path: str, database_url: str, processes: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (all its processes) of the command on `path`."""
    walls, cpus = [], []
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "agreement", path, "--indent", "0",
             "--processes", str(processes)],
            cwd=ROOT, env=bench_env(database_url), stdout=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def submit_to_visible(database_url: str) -> list[float]:
    """Submit through the API with a real worker running; poll until the figures show."""
    use_database(database_url)
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from annotations.models import Assignment, Membership, Role, Span
    from annotations.services.documents import assignment_submit, document_create
    from annotations.services.projects import project_create

    users = get_user_model().objects
    admin = users.create_superuser("bench-admin", password="x")
    project = project_create(actor=admin, name="bench", annotators_per_document=2)
    alice, bob, erin = (users.create_user(name, password="x") for name in ("alice", "bob", "erin"))
    for user, role in ((alice, Role.ANNOTATOR), (bob, Role.ANNOTATOR), (erin, Role.EDITOR)):
        Membership.objects.create(project=project, user=user, role=role)
    sample = synthetic_documents(LATENCY_SAMPLES, seed=7, annotators=("alice", "bob"))
    documents = []
    for doc in sample:
        text = "".join(chr(0x61 + (i * 7) % 26) if i % 9 else " " for i in range(doc.length))
        document = document_create(project=project, actor=admin, title=doc.id, text=text)
        layers = {a.annotator.username: a for a in Assignment.objects.filter(document=document)}
        Span.objects.bulk_create(
            Span(
                assignment=layers[s.annotator],
                label=s.label,
                start=s.start,
                end=s.end,
                quote=text[s.start : s.end],
            )
            for s in doc.spans
        )
        assignment_submit(assignment=layers["alice"], actor=alice)
        documents.append(document.pk)
    submitter = APIClient()
    submitter.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=bob).key}")
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=erin).key}")
    log = Path(tempfile.gettempdir()) / "bench-agreement-worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "factcheck", "worker", "--concurrency=2",
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=bench_env(database_url), stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        latencies = []
        for pk in documents:

            def computed(pk: int = pk) -> bool:
                return not reader.get(f"/api/documents/{pk}/agreement/").json()["pending"]

            # Alice's submission alone is computed first (one layer: undefined figures).
            wait(computed, log)
            start = time.perf_counter()
            response = submitter.post(f"/api/documents/{pk}/submit/")
            assert response.status_code == 200, response.content

            def visible(pk: int = pk) -> bool:
                body = reader.get(f"/api/documents/{pk}/agreement/").json()
                return not body["pending"] and body["metrics"]["documents"] == 1

            wait(visible, log)
            latencies.append((time.perf_counter() - start) * 1000)
        return latencies
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def wait(condition: Callable[[], bool], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after {timeout} s; the worker's log is {log}")
        time.sleep(0.005)


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    global DOCS
    DOCS = synthetic_documents(DOCUMENTS, seed=2026)
    spans = sum(len(d.spans) for d in DOCS) / len(DOCS) / 3
    print(f"data: {len(DOCS)} documents × 3 annotators × {spans:.1f} spans × 3,000 characters")
    print(f"machine: {os.cpu_count()} CPUs, {load()} (shared: wall times include others' load)")
    print(machine_speed())

    serial_wall, serial_cpu, _ = min(
        (timed(recompute_all, DOCS) for _ in range(3)), key=lambda run: run[0]
    )
    parallel_wall = min(timed(recompute_all_parallel, 2)[0] for _ in range(3))
    print(f"full recompute, all metrics: {serial_wall:.2f} s wall ({serial_cpu:.2f} s CPU) in one "
          f"process; {parallel_wall:.2f} s wall on 2 processes (target <= 2 s)")  # fmt: skip

    wall, cpu = one_document(DOCS)
    print(f"one document + project total: wall {summary(wall)}; CPU {summary(cpu)} "
          "(target <= 5 ms)")  # fmt: skip

    package_wall, package_cpu, theirs = timed(package_char_alpha, DOCS)
    ours_wall, ours_cpu, ours = min(
        (timed(our_char_alpha, DOCS) for _ in range(3)), key=lambda run: run[0]
    )
    difference = max(abs(a - b) for a, b in zip(ours, theirs, strict=True) if a is not None)
    print(f"character-level alpha, {len(ours)} document × label values: ours {ours_wall:.3f} s "
          f"wall ({ours_cpu:.3f} s CPU), krippendorff package {package_wall:.2f} s wall "
          f"({package_cpu:.2f} s CPU): {package_wall / ours_wall:.0f}x wall, "
          f"{package_cpu / ours_cpu:.0f}x CPU (target >= 5x); largest difference "
          f"{difference:.1e}")  # fmt: skip

    url = fresh_database("factcheck_bench_agreement")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spans_input_json(DOCS), handle)
    size = Path(handle.name).stat().st_size / 1e6
    for processes in (1, 2):
        command_wall, command_cpu = command_process(handle.name, url, processes)
        print(f"manage.py agreement --processes {processes}, {size:.1f} MB, 1,000 documents, all "
              f"metrics, as a process: {command_wall:.2f} s wall ({command_cpu:.2f} s CPU); "
              f"target <= the package's {package_wall:.2f} s wall ({package_cpu:.2f} s CPU) "
              "for character alpha alone")  # fmt: skip
    Path(handle.name).unlink()

    latencies = submit_to_visible(url)
    print(f"submit-to-visible with a real worker: {summary(latencies)} (target p95 <= 1,000 ms)")
    print(f"machine at the end: {load()}")


if __name__ == "__main__":
    main()
