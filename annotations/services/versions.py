"""Optimistic concurrency: every mutable object carries an integer version."""

from typing import Any

from annotations.errors import ConflictError, Invalid


def check_version(obj: Any, version: int | None, what: str) -> None:
    """Refuse a write to the model instance `obj` whose version is missing (400) or stale
    (409, with `obj` as details.current, which the API shows as its own endpoints do)."""
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
            details={"current": obj},
        )
