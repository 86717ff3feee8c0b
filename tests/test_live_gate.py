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
    gate.close_and_drain(timeout=1)


def test_a_shut_gate_answers_503_without_running_the_application() -> None:
    app = App()
    gate = Gate(app)
    gate.close_and_drain(timeout=1)
    statuses, body = call(gate)
    assert statuses == ["503 Service Unavailable"]
    assert b"database is being emptied" in b"".join(body)
    assert app.calls == 0
    gate.open()
    assert call(gate)[0] == ["200 OK"]


def test_draining_waits_for_the_request_inside_to_be_closed() -> None:
    gate = Gate(App())
    _, body = call(gate)
    drained = threading.Event()
    drainer = threading.Thread(
        target=lambda: (gate.close_and_drain(timeout=30), drained.set()), daemon=True
    )
    drainer.start()
    assert call(gate)[0] == ["503 Service Unavailable"]
    assert not drained.is_set()
    body.close()
    assert drained.wait(timeout=30)


def test_a_request_that_never_ends_fails_the_drain() -> None:
    gate = Gate(App())
    call(gate)
    with pytest.raises(AssertionError, match="still had requests"):
        gate.close_and_drain(timeout=0.01)


def test_an_application_that_raises_leaves_no_request_counted() -> None:
    def broken(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        raise RuntimeError("boom")

    gate = Gate(broken)
    with pytest.raises(RuntimeError):
        call(gate)
    gate.close_and_drain(timeout=1)
