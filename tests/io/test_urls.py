"""URL import against a local HTTP server: pages, per-URL errors, and the address guard."""

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from annotations.importers.urls import CHUNK, address_refusal
from annotations.models import Document, Role
from annotations.services.imports import import_job_create
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.io.builders import HTML
from tests.io.conftest import run

pytestmark = pytest.mark.django_db


# Set when a test's server stops: until then a request for /slow is never answered.
RELEASE = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        if self.path == "/article":
            self._send(200, "text/html; charset=utf-8", HTML.encode())
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/article")
            self.end_headers()
        elif self.path == "/image":
            self._send(200, "image/png", b"\x89PNG....")
        elif self.path == "/huge":
            self._send(200, "text/html", b"<p>" + b"x" * 50_000 + b"</p>")
        elif self.path == "/bad-length":
            # A header no client can parse: the page is read to the end of the connection.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "many")
            self.end_headers()
            self.wfile.write(HTML.encode())
        elif self.path == "/trickle":
            # Answers at once and keeps sending, a chunk every 0.1 s, each well within the
            # read timeout: only the whole download's deadline can end it.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                while not RELEASE.wait(timeout=0.1):
                    self.wfile.write(b" " * CHUNK)
                    self.wfile.flush()
        elif self.path == "/slow":
            # No answer at all: the client's timeout is what ends the request, not a sleep.
            RELEASE.wait(timeout=30)
        else:
            self._send(404, "text/plain", b"no such page")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    RELEASE.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        RELEASE.set()
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def project() -> Any:
    project = ProjectFactory(name="Web")
    admin = UserFactory(username="adam")
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    project.admin = admin
    return project


def test_urls_are_fetched_with_a_clear_error_for_each_bad_one(
    project: Any, server: str, settings: Any
) -> None:
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    settings.URL_IMPORT_MAX_BYTES = 20_000
    urls = "\n".join(
        [
            f"{server}/article",
            f"{server}/missing",
            f"{server}/image",
            f"{server}/huge",
            "ftp://example.org/file",
            f"{server}/moved",
        ]
    )
    job = run(import_job_create(project=project, actor=project.admin, urls=urls))
    assert job.status == "done"
    assert [e["message"] for e in job.errors] == [
        f"URL list, line 2: {server}/missing answered HTTP 404.",
        f"URL list, line 3: {server}/image is image/png, not an HTML page or plain text.",
        f"URL list, line 4: {server}/huge is 50.0 KB, more than the 20.0 KB limit.",
        "URL list, line 5: ftp://example.org/file is not an http:// or https:// URL.",
    ]
    # The redirect leads to the same article: a duplicate, reported as such.
    assert [d["line"] for d in job.report["duplicate_rows"]] == [6]
    document = Document.objects.get(project=project)
    assert document.title == "Minister claims jobs record"
    assert document.retrieved_from == f"{server}/article"
    assert document.source_url == "https://news.example.org/a/1"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        # No answer at all: the read timeout ends it.
        ("/slow", "did not answer within 0.2 s"),
        # An answer that trickles, each chunk in time: the whole download's deadline ends it.
        ("/trickle", "took longer than 0.6 s to download"),
    ],
)
def test_a_page_too_slow_to_fetch_is_reported_and_the_rest_imported(
    project: Any, server: str, settings: Any, path: str, problem: str
) -> None:
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    settings.URL_IMPORT_TIMEOUT_SECONDS = 0.2
    job = run(
        import_job_create(
            project=project, actor=project.admin, urls=f"{server}{path}\n{server}/article"
        )
    )
    assert (job.status, job.report["imported"]) == ("done", 1)
    assert [e["message"] for e in job.errors] == [f"URL list, line 1: {server}{path} {problem}."]


def test_a_page_with_an_unreadable_content_length_is_still_imported(
    project: Any, server: str, settings: Any
) -> None:
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    job = run(import_job_create(project=project, actor=project.admin, urls=f"{server}/bad-length"))
    assert (job.status, job.errors, job.report["imported"]) == ("done", [], 1)


def test_the_guard_refuses_loopback_addresses_unless_the_setting_allows_them(
    project: Any, server: str
) -> None:
    host_url = server.replace("127.0.0.1", "localhost")
    job = run(
        import_job_create(
            project=project, actor=project.admin, urls=f"{server}/article\n{host_url}/article"
        )
    )
    assert [e["message"] for e in job.errors] == [
        f"URL list, line 1: {server}/article was refused: 127.0.0.1 is a loopback address, "
        "and importing from private, loopback and link-local addresses is turned off.",
        f"URL list, line 2: {host_url}/article was refused: localhost resolves to 127.0.0.1 "
        "(a loopback address), and importing from private, loopback and link-local addresses "
        "is turned off.",
    ]
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("0.0.0.0", "a private address"),  # noqa: S104 - an address refused, not bound
        ("100.64.0.1", "a reserved address"),
        ("93.184.216.34", None),
    ],
)
def test_address_refusals(address: str, why: str | None) -> None:
    assert address_refusal(address) == why
