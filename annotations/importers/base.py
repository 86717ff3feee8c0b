"""What the readers produce: articles with their pre-annotated spans, or row errors."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Offsets in the source count Unicode code points unless a reader says otherwise.
CODE_POINTS = "code_points"
# Label Studio before 1.4 and some browser-made files count UTF-16 code units.
CODE_POINTS_OR_UTF16 = "code_points_or_utf16"


@dataclass
class SpanIn:
    """A pre-annotated span as the source has it: offsets into the source's own text."""

    label: str
    start: int
    end: int
    quote: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    key: str | None = None  # the source's id, for relations


@dataclass
class RelationIn:
    type: str
    from_key: str
    to_key: str


@dataclass
class ArticleIn:
    text: str
    title: str = ""
    source_url: str = ""
    outlet: str = ""
    author: str = ""
    published_at: str = ""
    language: str = ""
    retrieved_from: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanIn] = field(default_factory=list)
    relations: list[RelationIn] = field(default_factory=list)
    offsets: str = CODE_POINTS
    # Problems with this article that do not stop it being imported (a span dropped...).
    warnings: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One unit of a source: `where` says where a person finds it ("line 3", "task 2")."""

    source: str
    where: str
    line: int
    article: ArticleIn | None = None
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.article is not None


class ReadError(Exception):
    """A reason a reader gives up: `code` for programs, `message` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SourceError(ReadError):
    """The whole source is unusable (binary, a zip bomb, too many rows): nothing is read."""


Rows = Iterator[Row]


def row_error(source: str, where: str, line: int, code: str, message: str) -> Row:
    return Row(source=source, where=where, line=line, code=code, message=message)


def first_line_title(text: str, limit: int = 120) -> str:
    """A title for an article that has none: its first non-empty line, shortened."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def as_dict(extracted: Any) -> dict[str, Any]:
    """What trafilatura extracted (a Document, a dict or None), as a dict."""
    if extracted is None:
        return {}
    if isinstance(extracted, dict):
        return extracted
    found: dict[str, Any] = extracted.as_dict()
    return found
