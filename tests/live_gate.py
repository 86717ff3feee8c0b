"""live_server's application behind a gate, so that no request races the per-test flush.

Closing a browser page runs its pagehide handlers (the review page releases its lease with a
keepalive request), and a client thread may still be finishing a request when a test ends.
Such a request's transaction racing live_server's TRUNCATE can deadlock it, and the flush
fails. tests/conftest.py shuts the gate after each live_server test, before the flush.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Gate:
    """The live server's WSGI application behind a gate that counts the requests in flight.

    A closed gate answers 503 without running Django, so nothing touches the database.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._state = threading.Condition()
        self._in_flight = 0
        self._open = True

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        with self._state:
            if not self._open:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"The test is over; its database is being emptied."]
            self._in_flight += 1
        try:
            return Closing(self.app(environ, start_response), self._leave)
        except BaseException:
            self._leave()
            raise

    def _leave(self) -> None:
        with self._state:
            self._in_flight -= 1
            self._state.notify_all()

    def open(self) -> None:
        with self._state:
            self._open = True

    def shut(self) -> None:
        """From now on, answer 503 without running Django."""
        with self._state:
            self._open = False

    def drain(self, timeout: float) -> None:
        """Wait for the requests already inside to be closed."""
        with self._state:
            if not self._state.wait_for(lambda: self._in_flight == 0, timeout):
                raise AssertionError(f"the live server still had requests after {timeout} s")


class Closing:
    """A WSGI response that tells the gate when the server has closed it (Django's
    request_finished, which ends the request's database work, runs in that close)."""

    def __init__(self, body: Iterable[bytes], done: Callable[[], None]) -> None:
        self.body = body
        self.done = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


def gate_for(live_server: Any) -> Gate:
    """The gate in front of this live server's application (put there on first use)."""
    httpd = live_server.thread.httpd
    app = httpd.get_app()
    if not isinstance(app, Gate):
        app = Gate(app)
        httpd.set_app(app)
    return app
