"""What every page's header needs to know about the signed-in user."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from annotations.selectors.review import editable_projects


def navigation(request: HttpRequest) -> dict[str, Callable[[], Any]]:
    """Whether to link the review queue: the user edits a project. A callable, so the query
    runs only on pages that render the header."""

    def can_review() -> bool:
        user = request.user
        return bool(user.is_authenticated and editable_projects(user=user).exists())

    return {"can_review": can_review}
