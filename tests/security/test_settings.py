"""Security settings as deployed: headers on every response; HTTPS hardening when the HTTPS
setting is on; no debug pages or secrets with DEBUG off; no start with a default SECRET_KEY.

Settings are read once per process, so each configuration runs in a fresh interpreter.
"""

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from tests.conftest import World
from tests.factories import PASSWORD
from tests.processes import ROOT

STRONG_KEY = "a-long-random-value-for-these-tests-only-0123456789abcdefghijklmnop"
DEV_KEY = "dev-only-insecure-key-do-not-use-in-production"
REFUSAL = "SECRET_KEY must be set to a long random value when DEBUG is off"

PROBE = """
import json
from unittest import mock

import django

django.setup()
from django.conf import settings
from django.test import Client

client = Client(raise_request_exception=False)
out = {"session_cookie_secure": settings.SESSION_COOKIE_SECURE}
plain = client.get("/accounts/login/")
out["http"] = [plain.status_code, plain.headers.get("Location")]
forwarded = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
out["forwarded"] = forwarded.status_code
secure = client.get("/accounts/login/", secure=True)
cookie = secure.cookies.get("csrftoken")
out["https"] = [
    secure.status_code,
    secure.headers.get("Strict-Transport-Security"),
    bool(cookie and cookie["secure"]),
]
with mock.patch(
    "annotations.api.health.health_report", side_effect=RuntimeError("internal detail 42")
):
    crash = client.get("/healthz", secure=True)
out["crash"] = [crash.status_code, crash.content.decode()]
missing = client.get("/no/such/page/", secure=True)
out["missing"] = [missing.status_code, missing.content.decode()]
print(json.dumps(out))
"""


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run Python in a fresh interpreter with these settings in its environment."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        # The browser tests allow async-unsafe ORM calls in this process, never in these.
        if k not in {"DEBUG", "HTTPS", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "factcheck.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(**env: str) -> dict[str, Any]:
    done = run_python(["-c", PROBE], **env)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.integration
def test_https_setting_redirects_and_sends_hsts_and_secure_cookies() -> None:
    seen = probe(HTTPS="true", DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert seen["http"] == [301, "https://testserver/accounts/login/"]
    assert seen["forwarded"] == 200
    assert seen["https"] == [200, "max-age=31536000; includeSubDomains", True]
    assert seen["session_cookie_secure"] is True


@pytest.mark.integration
def test_without_the_https_setting_nothing_is_forced() -> None:
    seen = probe(DEBUG="false", SECRET_KEY=STRONG_KEY)
    assert seen["http"] == [200, None]
    assert seen["https"] == [200, None, False]
    assert seen["session_cookie_secure"] is False


@pytest.mark.integration
def test_with_debug_off_errors_show_no_traceback_or_setting() -> None:
    seen = probe(DEBUG="false", SECRET_KEY=STRONG_KEY)
    status, body = seen["crash"]
    assert status == 500
    assert json.loads(body) == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side; it has been logged.",
            "field": None,
            "details": {},
        }
    }
    status, page = seen["missing"]
    assert status == 404
    for leak in ("internal detail 42", "Traceback", "URLconf", "DEBUG", STRONG_KEY):
        assert leak not in body
        assert leak not in page


@pytest.mark.integration
@pytest.mark.parametrize(
    "env",
    [
        {"DEBUG": "false"},
        {"DEBUG": "false", "SECRET_KEY": DEV_KEY},
        {"DEBUG": "false", "SECRET_KEY": ""},
        # With a database configured, DEBUG is off unless asked for.
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/fc_rel"},
    ],
    ids=["unset", "the-development-key", "empty", "debug-off-by-default"],
)
def test_startup_refuses_a_default_secret_key(env: dict[str, str]) -> None:
    done = run_python(["manage.py", "check"], **env)
    assert done.returncode != 0
    assert REFUSAL in done.stderr


@pytest.mark.integration
def test_empty_service_variables_mean_the_embedded_default() -> None:
    """`DATABASE_URL= REDIS_URL= make run` is the embedded default, not a traceback."""
    done = run_python(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)",
        ],
        DATABASE_URL="",
        REDIS_URL="",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["django.db.backends.sqlite3", "True"]


@pytest.mark.integration
def test_the_deployment_checks_pass_with_https_on() -> None:
    done = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        HTTPS="true",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
    )
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/projects/", "/healthz", "/api/schema/"])
def test_every_response_carries_the_security_headers(world: World, path: str) -> None:
    response = Client().get(path)
    assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_session_cookie_is_out_of_reach_of_scripts(world: World) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"
