"""Test harness: real PostgreSQL and Redis, or a stop with instructions; shared fixtures."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Relation, Role
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    SpanFactory,
    UserFactory,
)
from tests.live_gate import gate_for

# CI profile: no deadline (a loaded 2-core machine is not a failure) and derandomised.
hypothesis_settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("dev", deadline=None, max_examples=300)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

START_HINT = (
    "Start it (on Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main "
    'start; redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""), or run '
    "`docker compose up -d postgres redis`, or point DATABASE_URL / REDIS_URL at servers "
    "you have."
)


def _check_services() -> None:
    """Stop the whole run at once if PostgreSQL or Redis is missing: never a silent skip."""
    import psycopg
    import redis

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        pytest.exit(
            "The tests run on PostgreSQL: set DATABASE_URL=postgresql://... (make test does).",
            returncode=3,
        )
    parts = urlsplit(database_url)
    try:
        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        pytest.exit(
            f"PostgreSQL at {parts.hostname}:{parts.port} is unreachable ({exc}). {START_HINT}",
            returncode=3,
        )
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.exit(
            "The tests need Redis: set REDIS_URL=redis://... (make test does).", returncode=3
        )
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis at {redis_url} is unreachable ({exc}). {START_HINT}", returncode=3)


def pytest_configure(config: pytest.Config) -> None:
    if not config.option.collectonly:
        _check_services()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Uploads and export files go to a temporary folder, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _fresh_redis_db() -> None:
    """Each test starts with an empty Redis database of the tests' own (never make run's)."""
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@pytest.fixture(autouse=True)
def _quiet_live_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """A live_server test's requests are over before its data is flushed (tests/live_gate.py).

    Torn down after the test's own fixtures (a browser page closes first) and before the
    flush: the gate shuts, the requests already inside finish, later ones get 503 without
    running Django. It opens again when the next live_server test starts.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    gate = gate_for(request.getfixturevalue("live_server"))
    gate.open()
    yield
    gate.shut()
    gate.drain(timeout=30)


@dataclass
class World:
    """A project with one user per role, a document assigned to two annotators, a span."""

    project: Any
    other_project: Any
    admin: Any
    editor: Any
    annotator: Any
    other_annotator: Any
    non_member: Any
    other_admin: Any
    site_admin: Any
    document: Any
    assignment: Any
    other_assignment: Any
    span: Any
    target: Any
    relation: Any
    other_document: Any

    def user(self, role: str) -> Any:
        return getattr(self, role)


@pytest.fixture
def world(db: None) -> World:
    project = ProjectFactory(name="Newsroom")
    other_project = ProjectFactory(name="Elsewhere")
    users = {
        name: UserFactory(username=name)
        for name in ("alice", "bob", "erin", "adam", "nina", "olga")
    }
    site_admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    MembershipFactory(project=project, user=users["alice"], role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=users["bob"], role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=users["erin"], role=Role.EDITOR)
    MembershipFactory(project=project, user=users["adam"], role=Role.ADMIN)
    MembershipFactory(project=other_project, user=users["olga"], role=Role.ADMIN)
    document = DocumentFactory(project=project)
    assignment = AssignmentFactory(document=document, annotator=users["alice"])
    other_assignment = AssignmentFactory(document=document, annotator=users["bob"])
    span = SpanFactory(assignment=assignment, start=4, end=12)
    target = SpanFactory(assignment=assignment, label="attribution", start=39, end=48)
    relation = Relation.objects.create(
        assignment=assignment, type="attributed_to", from_span=span, to_span=target
    )
    other_document = DocumentFactory(project=other_project)
    AssignmentFactory(document=other_document, annotator=users["olga"])
    return World(
        project=project,
        other_project=other_project,
        admin=users["adam"],
        editor=users["erin"],
        annotator=users["alice"],
        other_annotator=users["bob"],
        non_member=users["nina"],
        other_admin=users["olga"],
        site_admin=site_admin,
        document=document,
        assignment=assignment,
        other_assignment=other_assignment,
        span=span,
        target=target,
        relation=relation,
        other_document=other_document,
    )


def client_for(user: Any | None) -> APIClient:
    """An API client authenticated with the user's token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api() -> Any:
    return client_for


def assert_error(response: Any, status: int, code: str, message: str | None = None) -> dict:
    """The response is the one error shape with this status and code (and exact message)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field", "details"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    if message is not None:
        assert body["error"]["message"] == message
    return body["error"]
