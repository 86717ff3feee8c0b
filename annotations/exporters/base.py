"""The exporter interface: begin, write batches of documents, end; streamed to a file."""

import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from annotations.exporters.records import DocumentRecord, ExportOptions
from annotations.models import Project


@dataclass
class ExportContext:
    project: Project
    options: ExportOptions
    job_id: int | None = None
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"documents": 0, "layers": 0, "spans": 0, "relations": 0}
    )

    def count(self, documents: list[DocumentRecord]) -> None:
        self.counts["documents"] += len(documents)
        for document in documents:
            self.counts["layers"] += len(document.layers)
            for layer in document.layers:
                self.counts["spans"] += len(layer.spans)
                self.counts["relations"] += len(layer.relations)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class JsonArray:
    """A JSON array written an item at a time, one item a line: an export may be too large
    to hold whole. ``closing`` ends the array and whatever encloses it."""

    def __init__(self, out: IO[str], closing: str = "]\n") -> None:
        self.out, self.closing, self.count = out, closing, 0
        out.write("[")

    def add(self, item: Any) -> None:
        self.out.write(",\n" if self.count else "\n")
        self.out.write(dumps(item))
        self.count += 1

    def close(self) -> None:
        self.out.write("\n" + self.closing if self.count else self.closing)


def attribute_kinds(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each label's attributes with their type ("enum" or "text"), by label and name."""
    return {
        label["name"]: {a["name"]: a["type"] for a in label.get("attributes", [])}
        for label in schema["labels"]
    }


class Exporter:
    """One output format. Subclasses set the names and write; the file is binary."""

    extension = "txt"
    content_type = "text/plain; charset=utf-8"
    text = True
    # Whether the format carries each span's context and created/modified times (costly
    # to read).
    full_spans = False

    def __init__(self, context: ExportContext, out: IO[bytes]) -> None:
        self.context = context
        self.binary = out
        self.out: IO[str] = (
            io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
            if self.text
            else io.StringIO()
        )

    def begin(self) -> None:
        return None

    def write(self, documents: list[DocumentRecord]) -> None:
        raise NotImplementedError

    def end(self) -> None:
        return None

    def close(self) -> None:
        if self.text:
            self.out.flush()
            self.out.detach()  # type: ignore[attr-defined]
