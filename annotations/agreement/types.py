"""Plain input types for the agreement library: no Django, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

#: Agreement names a stretch of text by the set of labels covering it, as the bits of one
#: 64-bit integer, so a document (and a project's schema) has at most this many labels.
MOST_LABELS = 62

#: Shared by every span without attributes; typed read-only, and a plain dict so that
#: spans pickle (``--processes`` sends documents to other processes).
NO_ATTRIBUTES: Mapping[str, Any] = {}


# Spans and relations are named tuples rather than frozen dataclasses: a large input has
# tens of thousands of them, and a tuple is built several times faster.
class SpanUnit(NamedTuple):
    """One highlighted span of one annotator.

    ``start``/``end`` are code-point offsets, end exclusive. ``id`` lets relations name
    their endpoints; the input parser fills it with the span's index when absent.
    """

    annotator: str
    start: int
    end: int
    label: str
    attributes: Mapping[str, Any] = NO_ATTRIBUTES
    id: str = ""


class RelationUnit(NamedTuple):
    """A typed link between two spans of the same annotator, named by span ``id``."""

    annotator: str
    type: str
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """Everything agreement needs to know about one document.

    ``annotators`` lists every annotator whose layer counts, including those who
    marked nothing: an empty layer is a statement ("nothing here"), not missing data.
    """

    id: str
    length: int
    annotators: Sequence[str]
    spans: Sequence[SpanUnit]
    relations: Sequence[RelationUnit] = ()
