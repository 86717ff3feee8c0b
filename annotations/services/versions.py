"""Optimistic concurrency: every mutable object carries an integer version."""

from collections.abc import Callable
from typing import Any

from annotations.errors import ConflictError, Invalid


def check_version(obj: Any, version: int | None, what: str, current: Callable[[], Any]) -> None:
    """Refuse a write whose version is missing (400) or stale (409, with the current object).

    `current` gives the object for the 409's details, only when the write is refused: a
    model instance, which the API shows as it shows that object anywhere else, or a dict.
    """
    if version is None:
        raise Invalid(
            "version_required",
            f"Send the {what}'s current version (in the body, as ?version=N, or an If-Match "
            "header) so that no one's change is overwritten.",
            field="version",
        )
    if version != obj.version:
        raise ConflictError(
            "stale_version",
            f"This {what} was changed elsewhere (you sent version {version}, the current one "
            f"is {obj.version}). Reload it, re-apply your change and send the current version.",
            field="version",
            details={"current": current()},
        )
