"""CSV: one span a row, every cell safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (or their
full-width forms) would be read by Excel, LibreOffice or Google Sheets as a formula; such a
cell is prefixed with an apostrophe, which the spreadsheet shows as text (OWASP's advice
on CSV injection).
"""

import csv
from typing import Any

from annotations.exporters.base import Exporter, dumps
from annotations.exporters.records import DocumentRecord

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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
        self.writer = csv.writer(self.out)
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

    def write(self, documents: list[DocumentRecord]) -> None:
        writerow = self.writer.writerow
        attributes = self.attributes
        for document in documents:
            title = neutralise(document.title)
            url = neutralise(document.source_url)
            for layer in document.layers:
                annotator = neutralise(layer.annotator or "")
                outgoing: dict[int, list[str]] = {}
                for relation in layer.relations:
                    outgoing.setdefault(relation.from_id, []).append(
                        f"{relation.type}:{relation.to_id}"
                    )
                for span in layer.spans:
                    values = span.attributes
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
                            neutralise(span.quote),
                            neutralise(span.note),
                            "; ".join(outgoing.get(span.id, ())),
                            neutralise(span.verdict["rating"]) if span.verdict else "",
                            *(
                                neutralise(
                                    v if isinstance(v := values.get(n, ""), str) else dumps(v)
                                )
                                for n in attributes
                            ),
                        ]
                    )
