"""Faults survived, with services each test starts itself: its own PostgreSQL cluster (one
per module, a fresh database per test) and its own redis-server, never the machine's.

- Redis stopped while annotators save and submit: every write succeeds, and the counts
  and agreement catch up through the sweep once Redis is back.
- PostgreSQL restarted under a running gunicorn: requests fail in the error shape (503)
  while it is down, succeed after, and no row is half-written.
- A worker SIGKILLed in the middle of a task, at a pause point the test holds: the work
  is still recorded as dirty in the database (label counts, agreement) or as a job whose
  claim goes stale (export), and the sweep has it redone, once.
"""

import itertools
import json
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.processes import (
    free_port,
    gunicorn_args,
    process,
    wait_until,
    worker_args,
)
from tests.reliability.clusters import (
    PostgresCluster,
    app_env,
    beat_args,
    migrate,
    postgres_cluster,
    seed,
)
from tests.reliability.clusters import redis_server as start_redis
from tests.reliability.seed import word_bounds

pytestmark = pytest.mark.integration

UNAVAILABLE = "The database is unavailable right now; nothing was saved. Try again shortly."
_databases = itertools.count()


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        cluster.execute("postgres", "CREATE DATABASE app_template")
        migrate(app_env(cluster.url("app_template"), "redis://127.0.0.1:1/0"))
        yield cluster


def fresh_database(cluster: PostgresCluster) -> str:
    name = f"app_{next(_databases)}"
    cluster.execute("postgres", f"CREATE DATABASE {name} TEMPLATE app_template")
    return name


class Annotator:
    """One annotator talking to the web server with their token."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"

    def create(self, document: dict[str, Any], word: int, label: str) -> requests.Response:
        start, end = word_bounds(document["text"], word)
        return self.http.post(
            f"{self.base}/api/documents/{document['id']}/spans/",
            json={
                "client_id": str(uuid.uuid4()),
                "label": label,
                "start": start,
                "end": end,
                "quote": document["text"][start:end],
            },
            timeout=30,
        )


def web_ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def health(base: str) -> dict[str, Any]:
    return dict(requests.get(f"{base}/healthz", timeout=10).json())


def annotate_and_submit(annotator: Annotator, document: dict[str, Any], k: int) -> list[int]:
    """What an annotator does: create three spans, relabel one, delete one, submit."""
    statuses = []
    created = []
    for word, label in ((k, "claim"), (k + 4, "attribution"), (k + 8, "claim")):
        response = annotator.create(document, word, label)
        statuses.append(response.status_code)
        created.append(response.json())
    relabel = annotator.http.patch(
        f"{annotator.base}/api/spans/{created[0]['id']}/",
        json={"label": "denial", "version": created[0]["version"]},
        timeout=30,
    )
    delete = annotator.http.delete(
        f"{annotator.base}/api/spans/{created[2]['id']}/?version=1", timeout=30
    )
    submit = annotator.http.post(
        f"{annotator.base}/api/documents/{document['id']}/submit/", timeout=30
    )
    return [*statuses, relabel.status_code, delete.status_code, submit.status_code]


def documents_state(cluster: PostgresCluster, db: str) -> list[tuple[Any, ...]]:
    return cluster.execute(
        db,
        "SELECT id, work_seq, counts_done_seq, agreement_done_seq, label_counts "
        "FROM annotations_document ORDER BY id",
    )


def test_saves_and_submits_succeed_with_redis_stopped_and_the_sweep_catches_up(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    db = fresh_database(cluster)
    with start_redis(tmp_path) as broker:
        env = app_env(
            cluster.url(db), broker.url(), SWEEP_GRACE_SECONDS="0", SWEEP_INTERVAL_SECONDS="1"
        )
        world = seed(env, annotators=4, documents=2, per_document=4)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with (
            process(gunicorn_args(port), env, tmp_path / "web.log"),
            process(worker_args(), env, tmp_path / "worker.log"),
            process(beat_args(tmp_path), env, tmp_path / "beat.log"),
        ):
            wait_until(lambda: web_ready(base), what="gunicorn")
            assert health(base) == {"status": "ok", "database": "ok", "broker": "ok"}

            broker.stop()
            assert health(base) == {"status": "degraded", "database": "ok", "broker": "unreachable"}
            # Sign-in is throttled through Redis, yet still answers (here: wrong password).
            sign_in = requests.post(
                f"{base}/api/auth/token/",
                json={"username": "annotator00", "password": "not the password"},
                timeout=30,
            )
            assert (sign_in.status_code, sign_in.json()["error"]["code"]) == (
                400,
                "invalid_credentials",
            )
            jobs = [
                (Annotator(base, world["tokens"][username]), document, k)
                for document in world["documents"]
                for k, username in enumerate(document["annotators"])
            ]
            outcomes: list[list[int]] = [[] for _ in jobs]

            def work(index: int) -> None:
                outcomes[index] = annotate_and_submit(*jobs[index])

            threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)

            assert outcomes == [[201, 201, 201, 200, 200, 200]] * len(jobs)
            for _id, work_seq, counts_done, agreement_done, counts in documents_state(cluster, db):
                assert (work_seq, counts_done, agreement_done, counts) == (4, 0, 0, {})

            broker.start()
            expected = {
                username: {"attribution": 1, "denial": 1}
                for username in world["documents"][0]["annotators"]
            }
            wait_until(
                lambda: all(
                    row[1] == row[2] == row[3] and row[4] == expected
                    for row in documents_state(cluster, db)
                ),
                timeout=90,
                what="the sweep to bring counts and agreement up to date",
            )
    headline = cluster.execute(
        db,
        "SELECT document_id, count(*) FROM annotations_agreementresult "
        "WHERE metric = 'u_alpha' AND label = '' "
        "GROUP BY document_id ORDER BY document_id NULLS FIRST",
    )
    assert headline == [(None, 1), *((d["id"], 1) for d in world["documents"])]


def test_a_postgres_restart_under_gunicorn_fails_cleanly_and_leaves_no_half_written_rows(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    db = fresh_database(cluster)
    with start_redis(tmp_path) as broker:
        env = app_env(cluster.url(db), broker.url())
        world = seed(env, annotators=3, documents=1, per_document=3)
        document = world["documents"][0]
        url = f"/api/documents/{document['id']}/spans/"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        sessions = {}
        for username, token in world["tokens"].items():
            sessions[username] = requests.Session()
            sessions[username].headers["Authorization"] = f"Token {token}"
        results: list[tuple[str, dict[str, Any], requests.Response]] = []
        stop = threading.Event()

        def keep_saving(username: str) -> None:
            for n in itertools.count():
                if stop.is_set():
                    return
                start, end = word_bounds(document["text"], n % 100)
                body = {
                    "client_id": str(uuid.uuid4()),
                    "label": "claim",
                    "start": start,
                    "end": end,
                    "quote": document["text"][start:end],
                }
                response = sessions[username].post(base + url, json=body, timeout=30)
                results.append((username, body, response))

        def count(status: int) -> int:
            return sum(1 for _, _, response in results if response.status_code == status)

        with process(gunicorn_args(port, workers=3), env, tmp_path / "web.log"):
            wait_until(lambda: web_ready(base), what="gunicorn")
            threads = [
                threading.Thread(target=keep_saving, args=(u,)) for u in document["annotators"]
            ]
            for thread in threads:
                thread.start()
            wait_until(lambda: count(201) >= 10, what="saves before the restart")
            cluster.stop()
            wait_until(lambda: count(503) >= 10, what="503s while PostgreSQL is down")
            assert health(base)["database"] == "unreachable"
            cluster.start()
            created_before = count(201)
            wait_until(lambda: count(201) >= created_before + 10, what="saves after the restart")
            stop.set()
            for thread in threads:
                thread.join(timeout=60)

            assert {response.status_code for _, _, response in results} == {201, 503}
            for _, _, response in results:
                if response.status_code == 503:
                    assert response.json() == {
                        "error": {
                            "code": "service_unavailable",
                            "message": UNAVAILABLE,
                            "field": None,
                            "details": {},
                        }
                    }
                    assert response.headers["Retry-After"] == "2"
            # An autosave retries what failed with the same client_id: one span each.
            for username, body, response in results:
                if response.status_code == 503:
                    retried = sessions[username].post(base + url, json=body, timeout=30)
                    assert retried.status_code in (200, 201), retried.text

    sent = {body["client_id"] for _, body, _ in results}
    stored = [row[0] for row in cluster.execute(db, "SELECT client_id::text FROM annotations_span")]
    assert sorted(stored) == sorted(sent)
    spans_without_audit = cluster.execute(
        db,
        "SELECT count(*) FROM annotations_span s WHERE NOT EXISTS (SELECT 1 FROM "
        "annotations_auditevent a WHERE a.action = 'span.create' AND a.object_id = s.id)",
    )
    audit_without_span = cluster.execute(
        db,
        "SELECT count(*) FROM annotations_auditevent a WHERE a.action = 'span.create' AND "
        "NOT EXISTS (SELECT 1 FROM annotations_span s WHERE s.id = a.object_id)",
    )
    assert (spans_without_audit, audit_without_span) == ([(0,)], [(0,)])


@pytest.mark.parametrize(
    ("pause", "done_column"),
    [
        # Label counts: killed after reading its inputs, before writing its result.
        ("label_counts", 2),
        # Agreement: killed after claiming the work and writing half of its rows, inside
        # the transaction, so PostgreSQL must roll the claim back for the sweep to see it.
        ("agreement", 3),
    ],
)
def test_a_worker_killed_in_the_middle_of_a_task_is_recovered_through_the_sweep(
    cluster: PostgresCluster, tmp_path: Path, pause: str, done_column: int
) -> None:
    db = fresh_database(cluster)
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    with start_redis(tmp_path) as broker:
        env = app_env(
            cluster.url(db),
            broker.url(),
            SWEEP_GRACE_SECONDS="0",
            SWEEP_INTERVAL_SECONDS="1",
            TASK_CHECKPOINT_DIR=str(checkpoints),
        )
        world = seed(env, annotators=2, documents=1, per_document=2)
        document = world["documents"][0]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        (checkpoints / f"{pause}.hold").touch()
        with process(gunicorn_args(port), env, tmp_path / "web.log"):
            wait_until(lambda: web_ready(base), what="gunicorn")
            with process(worker_args(), env, tmp_path / "worker-killed.log") as doomed:
                for k, username in enumerate(document["annotators"]):
                    annotator = Annotator(base, world["tokens"][username])
                    assert annotate_and_submit(annotator, document, k)[-1] == 200
                wait_until(
                    lambda: (checkpoints / f"{pause}.reached").exists(),
                    what="the worker to reach the pause point",
                )
                os.killpg(doomed.pid, signal.SIGKILL)
                doomed.wait(timeout=10)
            (checkpoints / f"{pause}.hold").unlink()
            [state] = documents_state(cluster, db)
            assert (state[1], state[done_column]) == (2, 0)

            with (
                process(worker_args(), env, tmp_path / "worker.log"),
                process(beat_args(tmp_path), env, tmp_path / "beat.log"),
            ):
                wait_until(
                    lambda: documents_state(cluster, db)[0][2:4] == (2, 2),
                    timeout=60,
                    what="the sweep to have the work redone",
                )
    [(_id, work_seq, counts_done, agreement_done, counts)] = documents_state(cluster, db)
    assert (work_seq, counts_done, agreement_done) == (2, 2, 2)
    assert counts == {u: {"attribution": 1, "denial": 1} for u in document["annotators"]}
    figures = cluster.execute(
        db,
        "SELECT document_id, metric, label, count(*) FROM annotations_agreementresult "
        "GROUP BY document_id, metric, label HAVING count(*) > 1",
    )
    assert figures == []
    figures_of = (
        "SELECT metric, label, value FROM annotations_agreementresult "
        "WHERE document_id IS NOT DISTINCT FROM %s ORDER BY metric, label"
    )
    # The project's total holds its one document exactly once: the same figures.
    project_figures = cluster.execute(db, figures_of, None)
    assert project_figures
    assert project_figures == cluster.execute(db, figures_of, document["id"])


def job_ended(admin: requests.Session, url: str) -> dict[str, Any] | None:
    job = dict(admin.get(url, timeout=30).json())
    return job if job["status"] in ("done", "failed") else None


def test_an_export_worker_killed_mid_job_is_restarted_through_its_stale_claim(
    cluster: PostgresCluster, tmp_path: Path
) -> None:
    db = fresh_database(cluster)
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    media = tmp_path / "media"
    with start_redis(tmp_path) as broker:
        env = app_env(
            cluster.url(db),
            broker.url(),
            SWEEP_GRACE_SECONDS="0",
            SWEEP_INTERVAL_SECONDS="1",
            JOB_STALE_SECONDS="2",
            MEDIA_ROOT=str(media),
            TASK_CHECKPOINT_DIR=str(checkpoints),
        )
        world = seed(env, annotators=2, documents=3, per_document=2)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        admin = requests.Session()
        admin.headers["Authorization"] = f"Token {world['admin_token']}"
        exports = f"{base}/api/projects/{world['project']}/exports/"
        (checkpoints / "export.hold").touch()
        with process(gunicorn_args(port), env, tmp_path / "web.log"):
            wait_until(lambda: web_ready(base), what="gunicorn")
            for document in world["documents"]:
                for k, username in enumerate(document["annotators"]):
                    annotator = Annotator(base, world["tokens"][username])
                    assert annotate_and_submit(annotator, document, k)[-1] == 200
            with process(worker_args(), env, tmp_path / "worker-killed.log") as doomed:
                created = admin.post(exports, json={"format": "jsonl", "layer": "all"}, timeout=30)
                assert created.status_code == 202, created.text
                job = f"{exports}{created.json()['id']}/"
                wait_until(
                    lambda: (checkpoints / "export.reached").exists(),
                    what="the export to reach the pause point",
                )
                os.killpg(doomed.pid, signal.SIGKILL)
                doomed.wait(timeout=10)
            (checkpoints / "export.hold").unlink()
            killed = admin.get(job, timeout=30).json()
            assert (killed["status"], killed["attempts"]) == ("running", 1)

            with (
                process(worker_args(), env, tmp_path / "worker.log"),
                process(beat_args(tmp_path), env, tmp_path / "beat.log"),
            ):
                finished = wait_until(
                    lambda: job_ended(admin, job), timeout=60, what="the sweep to restart it"
                )
                download = admin.get(f"{job}download/", timeout=30)

    assert (finished["status"], finished["attempts"]) == ("done", 2), finished
    assert download.status_code == 200
    lines = [json.loads(line) for line in download.text.splitlines()]
    assert sorted(line["id"] for line in lines) == sorted(d["id"] for d in world["documents"])
    files = sorted(p.name for p in (media / "exports").rglob("*") if p.is_file())
    assert len(files) == 1, files
    finishes = cluster.execute(
        db, "SELECT count(*) FROM annotations_auditevent WHERE action = 'export.finish'"
    )
    assert finishes == [(1,)]
