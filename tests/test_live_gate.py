"""The gate that keeps a live_server test's requests away from its flush."""

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests.live_gate import Gate


class App:
    """A WSGI application that records its calls and answers with a closable body."""

    def __init__(self) -> None:
        self.calls = 0
        self.closed = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        self.calls += 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body(self)


class Body:
    def __init__(self, app: App) -> None:
        self.app = app

    def __iter__(self) -> Iterable[bytes]:
        return iter([b"ok"])

    def close(self) -> None:
        self.app.closed += 1


def call(gate: Gate) -> tuple[list[str], Any]:
    statuses: list[str] = []
    body = gate({}, lambda status, headers: statuses.append(status))
    return statuses, body


def test_an_open_gate_passes_requests_through_and_closes_their_bodies() -> None:
    app = App()
    gate = Gate(app)
    statuses, body = call(gate)
    assert statuses == ["200 OK"]
    assert list(body) == [b"ok"]
    body.close()
    assert app.closed == 1
    gate.drain(timeout=1)


def test_a_shut_gate_answers_503_without_running_the_application() -> None:
    app = App()
    gate = Gate(app)
    gate.shut()
    statuses, body = call(gate)
    assert statuses == ["503 Service Unavailable"]
    assert b"database is being emptied" in b"".join(body)
    assert app.calls == 0
    gate.open()
    assert call(gate)[0] == ["200 OK"]


def test_draining_waits_for_the_request_inside_to_be_closed() -> None:
    gate = Gate(App())
    _, body = call(gate)
    gate.shut()
    assert call(gate)[0] == ["503 Service Unavailable"]
    drainer = threading.Thread(target=gate.drain, kwargs={"timeout": 30}, daemon=True)
    drainer.start()
    # Still waiting: a drain that did not wait would have ended by now.
    drainer.join(timeout=0.2)
    assert drainer.is_alive()
    body.close()
    drainer.join(timeout=30)
    assert not drainer.is_alive()


def test_a_request_that_never_ends_fails_the_drain() -> None:
    gate = Gate(App())
    call(gate)
    gate.shut()
    with pytest.raises(AssertionError, match="still had requests"):
        gate.drain(timeout=0.01)


def test_an_application_that_raises_leaves_no_request_counted() -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        raise RuntimeError("boom")

    gate = Gate(broken)
    with pytest.raises(RuntimeError):
        call(gate)
    gate.drain(timeout=1)
