"""A newsroom under review: three annotators' submitted layers with constructed
disagreements, two editors, and a clock the tests move by hand."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from annotations import clock as clock_module
from annotations.models import (
    Assignment,
    AssignmentStatus,
    Document,
    Project,
    Relation,
    Role,
    Span,
)
from annotations.services.documents import document_refresh_status
from annotations.text import normalize_text, text_hash
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

# Offsets of the phrases below are computed, never typed by hand.
TEXT = (
    "The minister said unemployment fell to four percent. "
    "A spokesman for the union called that claim false. "
    "Critics say the figures were massaged before the election."
)


def at(phrase: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(phrase, start + 1)
    return start, start + len(phrase)


@dataclass
class Clock:
    """The time the services see; tests move it instead of waiting."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(clock_module, "now", lambda: fake.now)
    return fake


@dataclass
class Newsroom:
    project: Project
    editor: Any
    other_editor: Any
    admin: Any
    annotators: list[Any]
    outsider: Any

    def user(self, name: str) -> Any:
        return next(
            u
            for u in (self.editor, self.other_editor, self.admin, self.outsider, *self.annotators)
            if u.username == name
        )


@pytest.fixture
def newsroom(db: None) -> Newsroom:
    project = ProjectFactory(name="Newsroom", annotators_per_document=3)
    users = {n: UserFactory(username=n) for n in ("alice", "bob", "carol", "dave")}
    editor, other_editor = UserFactory(username="erin"), UserFactory(username="ed")
    admin, outsider = UserFactory(username="adam"), UserFactory(username="nina")
    for user in users.values():
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=editor, role=Role.EDITOR)
    MembershipFactory(project=project, user=other_editor, role=Role.EDITOR)
    MembershipFactory(project=project, user=admin, role=Role.ADMIN)
    return Newsroom(
        project=project,
        editor=editor,
        other_editor=other_editor,
        admin=admin,
        annotators=[users["alice"], users["bob"], users["carol"], users["dave"]],
        outsider=outsider,
    )


SpanSpec = tuple[str, str] | tuple[str, str, dict[str, str]] | tuple[str, tuple[int, int]]


def article(project: Project, text: str = TEXT, **fields: Any) -> Document:
    text = normalize_text(text)
    return DocumentFactory(project=project, text=text, text_hash=text_hash(text), **fields)


def layer(
    document: Document,
    user: Any,
    spans: list[tuple[Any, ...]],
    relations: list[tuple[str, int, int]] = (),  # type: ignore[assignment]
    *,
    status: str = AssignmentStatus.SUBMITTED,
    submitted_at: datetime | None = None,
) -> Assignment:
    """An annotator's layer: spans as (label, phrase or (start, end), attributes?), relations
    as (type, index of source span, index of target span)."""
    assignment = Assignment.objects.create(
        document=document,
        annotator=user,
        status=status,
        submitted_at=(submitted_at or datetime(2026, 3, 1, 12, tzinfo=UTC))
        if status in (AssignmentStatus.SUBMITTED, AssignmentStatus.ACCEPTED)
        else None,
    )
    made = []
    for spec in spans:
        label, where = spec[0], spec[1]
        attributes = spec[2] if len(spec) > 2 else {}
        start, end = at(where) if isinstance(where, str) else where
        made.append(
            Span.objects.create(
                assignment=assignment,
                label=label,
                start=start,
                end=end,
                quote=document.text[start:end],
                attributes=attributes,
            )
        )
    for kind, source, target in relations:
        Relation.objects.create(
            assignment=assignment, type=kind, from_span=made[source], to_span=made[target]
        )
    document_refresh_status(document=document)
    return assignment


CLAIM = "unemployment fell to four percent"
CLAIM_LONGER = "unemployment fell to four percent."
SOURCE = "The minister"
DENIAL = "called that claim false"


@pytest.fixture
def disputed(newsroom: Newsroom) -> Document:
    """alice, bob and carol submitted; they agree on the claim's boundaries only two to one,
    all three mark the source, and only alice and bob link the claim to it.

    candidate                          votes
    claim "unemployment … percent"     alice, bob          (majority, not unanimous)
    claim "unemployment … percent."    carol               (an alternative boundary)
    attribution "The minister"         alice, bob, carol   (unanimous)
    denial "called that claim false"   alice               (one vote)
    attributed_to claim → source       alice, bob
    """
    alice, bob, carol, _ = newsroom.annotators
    document = article(newsroom.project, title="Unemployment claim")
    layer(
        document,
        alice,
        [
            ("claim", CLAIM, {"check_worthiness": "check_worthy"}),
            ("attribution", SOURCE),
            ("denial", DENIAL),
        ],
        [("attributed_to", 0, 1)],
    )
    layer(
        document,
        bob,
        [("claim", CLAIM, {"check_worthiness": "check_worthy"}), ("attribution", SOURCE)],
        [("attributed_to", 0, 1)],
    )
    layer(
        document,
        carol,
        [
            ("claim", CLAIM_LONGER, {"check_worthiness": "not_check_worthy"}),
            ("attribution", SOURCE),
        ],
    )
    document.refresh_from_db()
    return document


def key(label: str, phrase: str) -> str:
    start, end = at(phrase)
    return f"{label}:{start}:{end}"
