"""Span creation through the real stack: gunicorn (2 workers) on PostgreSQL, Redis broker.

Reports 500 sequential creates (median, p95, p99) and 20 s at 16 concurrent clients
(creates/s, p99, errors). Compared against (issue 2, same 2-core machine): doccano 1.8.4
takes a median 19 ms per sequential create and ~120 creates/s at 8 clients; Label Studio
1.23 takes 110 ms and ~18/s. Targets: median <= 8 ms, >= 250 creates/s at 16 clients, 0
errors.

    .venv/bin/python bench/api_spans.py
"""

import http.client
import json
import threading
import time

from common import (
    free_port,
    fresh_database,
    gunicorn,
    machine_speed,
    percentile,
    summary,
    use_database,
)

PORT = free_port()

CLIENTS = 16
DURATION = 20.0
SEQUENTIAL = 500
WORD = "claim "


def setup() -> tuple[str, list[tuple[str, int]]]:
    url = fresh_database("factcheck_bench_spans")
    use_database(url)
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotations.models import Membership, Role
    from annotations.services.documents import document_create
    from annotations.services.projects import project_create

    users = get_user_model().objects
    admin = users.create_superuser("bench-admin", password="x")
    project = project_create(actor=admin, name="bench", annotators_per_document=CLIENTS + 1)
    annotators = []
    for index in range(CLIENTS + 1):
        user = users.create_user(f"annotator{index}", password="x")
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
    document = document_create(
        project=project, actor=admin, title="Bench article", text=WORD * 20_000
    )
    tokens = [(Token.objects.create(user=u).key, document.pk) for u in annotators]
    return url, tokens


def create(conn: http.client.HTTPConnection, token: str, document_id: int, n: int) -> int:
    start = (n % 20_000) * len(WORD)
    body = json.dumps({"label": "claim", "start": start, "end": start + 5, "quote": "claim"})
    conn.request(
        "POST",
        f"/api/documents/{document_id}/spans/",
        body=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = conn.getresponse()
    response.read()
    return response.status


def main() -> None:
    print(machine_speed())
    url, tokens = setup()
    with gunicorn(url, PORT):
        token, document_id = tokens[0]
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        for n in range(20):  # warm-up: connections, caches
            create(conn, token, document_id, 100_000 + n)
        latencies, errors = [], 0
        for n in range(SEQUENTIAL):
            t0 = time.perf_counter()
            status = create(conn, token, document_id, n)
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += status != 201
        print(f"sequential creates: {summary(latencies)}, errors {errors}")

        results: list[list[float]] = [[] for _ in range(CLIENTS)]
        failures = [0] * CLIENTS
        stop_at = time.monotonic() + DURATION

        def client(index: int) -> None:
            token, document_id = tokens[index + 1]
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            n = 0
            while time.monotonic() < stop_at:
                t0 = time.perf_counter()
                try:
                    status = create(conn, token, document_id, n)
                except (OSError, http.client.HTTPException):
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                    status = 0
                results[index].append((time.perf_counter() - t0) * 1000)
                failures[index] += status != 201
                n += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        done = [v for r in results for v in r]
        print(
            f"{CLIENTS} concurrent clients for {elapsed:.1f} s: {len(done) / elapsed:.0f} "
            f"creates/s, p50 {percentile(done, 50):.1f} ms, p99 {percentile(done, 99):.1f} ms, "
            f"errors {sum(failures)}"
        )
        print("targets: sequential median <= 8 ms; >= 250 creates/s at 16 clients, 0 errors")
        print(
            "peers (same machine, issue 2): doccano 1.8.4 19 ms / ~120 per s at 8 clients; "
            "Label Studio 1.23 110 ms / ~18 per s"
        )


if __name__ == "__main__":
    main()
