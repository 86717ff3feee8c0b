"""Browser tests: real headless Chromium through pytest-playwright, against live_server."""

import os
import subprocess
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page

from annotations.models import Role
from annotations.text import normalize_text, text_hash
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM_PATH):
        pytest.exit(
            f"Chromium is not at {CHROMIUM_PATH}. Install it (Debian, as root: apt-get install "
            "chromium fonts-noto-core fonts-noto-cjk) or set CHROMIUM_PATH.",
            returncode=3,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _log_versions(request: pytest.FixtureRequest) -> None:
    """Say which Chromium and Playwright ran, so a failure can be reproduced."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    chromium = subprocess.run(
        [CHROMIUM_PATH, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if reporter is not None:
        reporter.write_line(f"browser tests: {chromium}; Playwright {version('playwright')}")


@pytest.fixture(scope="session", autouse=True)
def _database_before_browser(django_db_setup: None) -> Iterator[None]:
    """Create the test database before Playwright starts its event loop in this thread, and
    let the ORM run next to that loop.

    Playwright's sync API keeps an event loop in the test thread, which makes Django's
    async-safety check refuse the tests' own ORM calls and live_server's per-test flush.
    This fixture is only reached by browser tests; it stays until the session ends because
    the flush of the last browser test runs after every function-scoped fixture is gone.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def sign_in(context: BrowserContext, live_server: Any, user: Any) -> None:
    """Put a signed-in session cookie in the browser (the sign-in form has its own test)."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def open_document(page: Page, live_server: Any, document: Any) -> None:
    page.goto(f"{live_server.url}/documents/{document.pk}/annotate/")
    page.wait_for_selector("html[data-ready=true]")


@pytest.fixture
def newsroom(transactional_db: None) -> dict[str, Any]:
    """A project with the default schema and an annotator, alice."""
    project = ProjectFactory(name="Newsroom", guidelines="Mark **claims**, denials, sources.")
    alice = UserFactory(username="alice")
    MembershipFactory(project=project, user=alice, role=Role.ANNOTATOR)
    return {"project": project, "alice": alice}


def article(newsroom: dict[str, Any], text: str, *, language: str = "en", title: str = "") -> Any:
    """A document assigned to alice; returns the document."""
    text = normalize_text(text)
    document = DocumentFactory(
        project=newsroom["project"],
        title=title or text[:40],
        text=text,
        text_hash=text_hash(text),
        language=language,
    )
    AssignmentFactory(document=document, annotator=newsroom["alice"])
    return document
