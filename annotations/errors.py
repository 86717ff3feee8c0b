"""Domain errors raised by services and selectors; the API turns them into the error shape."""

from typing import Any


class DomainError(Exception):
    """A refusal a person can act on: `code` for programs, `message` for people."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.details = details or {}


class Invalid(DomainError):
    status = 400


class PermissionDeniedError(DomainError):
    status = 403


class NotFoundError(DomainError):
    status = 404


class ConflictError(DomainError):
    status = 409


def not_found(what: str) -> NotFoundError:
    """The one 404 for anything a user may not see: it never tells "missing" from "hidden"."""
    project = "it" if what == "project" else "its project"
    return NotFoundError(
        "not_found", f"No {what} with that id exists, or you are not a member of {project}."
    )
