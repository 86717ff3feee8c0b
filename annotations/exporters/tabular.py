"""CSV: one span a row, every cell safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or their
full-width forms) would be read by Excel, LibreOffice or Google Sheets as a formula; such a
cell is prefixed with an apostrophe, which the spreadsheet shows as text (OWASP's advice
on CSV injection).
"""

import csv
import io
from typing import Any

from annotations.exporters.base import Exporter, dumps
from annotations.exporters.records import DocumentRecord

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
FORMULA_FIRST = frozenset(FORMULA_STARTS)


def _cell(value: str) -> str:
    """A free-text cell (never a number), made safe."""
    return "'" + value if value[:1] in FORMULA_FIRST else value


def neutralise(value: Any) -> Any:
    """Any cell made safe: text through the same check the rows use, other values as they are."""
    return _cell(value) if isinstance(value, str) else value


class CsvExporter(Exporter):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def begin(self) -> None:
        schema = self.context.project.label_schema
        names: list[str] = []
        for label in schema["labels"]:
            for attribute in label.get("attributes", []):
                if attribute["name"] not in names:
                    names.append(attribute["name"])
        self.attributes = names
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.writer.writerow(
            [
                "document_id",
                "document_title",
                "source_url",
                "layer",
                "annotator",
                "assignment_status",
                "span_id",
                "label",
                "start",
                "end",
                "quote",
                "note",
                "relations",
                "verdict",
                *(f"attributes.{name}" for name in names),
            ]
        )
        self._flush()

    def _flush(self) -> None:
        # Rows are gathered a batch at a time and written at once: the file's text layer
        # costs per write, not per byte.
        self.out.write(self.buffer.getvalue())
        self.buffer.seek(0)
        self.buffer.truncate()

    def _attribute_cells(self, values: dict[str, Any]) -> list[Any]:
        return [
            _cell(v) if isinstance(v := values.get(name, ""), str) else _cell(dumps(v))
            for name in self.attributes
        ]

    def write(self, documents: list[DocumentRecord]) -> None:
        writerow = self.writer.writerow
        # Spans share their attribute dicts (one per distinct value, see records.py), so
        # their cells are worked out once per dict.
        cells: dict[int, list[Any]] = {}
        for document in documents:
            title = _cell(document.title)
            url = _cell(document.source_url)
            for layer in document.layers:
                annotator = _cell(layer.annotator or "")
                outgoing: dict[int, list[str]] = {}
                for relation in layer.relations:
                    outgoing.setdefault(relation.from_id, []).append(
                        f"{relation.type}:{relation.to_id}"
                    )
                for span in layer.spans:
                    values = span.attributes
                    attribute_cells = cells.get(id(values))
                    if attribute_cells is None:
                        attribute_cells = cells[id(values)] = self._attribute_cells(values)
                    writerow(
                        [
                            document.id,
                            title,
                            url,
                            layer.kind,
                            annotator,
                            layer.status,
                            span.id,
                            span.label,
                            span.start,
                            span.end,
                            _cell(span.quote),
                            _cell(span.note),
                            "; ".join(outgoing.get(span.id, ())),
                            _cell(span.verdict["rating"]) if span.verdict else "",
                            *attribute_cells,
                        ]
                    )
        self._flush()
