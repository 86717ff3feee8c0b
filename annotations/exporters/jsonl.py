"""Native JSONL: one document a line, with every selected layer and its agreement."""

from typing import Any

from annotations.exporters.base import Exporter, dumps, iso
from annotations.exporters.records import DocumentRecord, LayerRecord


def span_json(layer: LayerRecord) -> list[dict[str, Any]]:
    spans = []
    for span in layer.spans:
        item: dict[str, Any] = {
            "id": span.id,
            "label": span.label,
            "start": span.start,
            "end": span.end,
            "quote": span.quote,
            "attributes": span.attributes,
            "note": span.note,
        }
        if span.verdict is not None:
            item["verdict"] = {**span.verdict, "updated_at": iso(span.verdict["updated_at"])}
        spans.append(item)
    return spans


def layer_json(layer: LayerRecord) -> dict[str, Any]:
    return {
        "kind": layer.kind,
        "annotator": layer.annotator,
        "status": layer.status,
        "submitted_at": iso(layer.submitted_at),
        "spans": span_json(layer),
        "relations": [
            {"id": r.id, "type": r.type, "from": r.from_id, "to": r.to_id} for r in layer.relations
        ],
    }


class JsonlExporter(Exporter):
    extension = "jsonl"
    content_type = "application/x-ndjson; charset=utf-8"

    def write(self, documents: list[DocumentRecord]) -> None:
        schema_version = self.context.project.schema_version
        write = self.out.write
        for document in documents:
            line = {
                "id": document.id,
                "title": document.title,
                "text": document.text,
                "source_url": document.source_url,
                "outlet": document.outlet,
                "author": document.author,
                "published_at": iso(document.published_at),
                "language": document.language,
                "metadata": document.metadata,
                "status": document.status,
                "accepted_at": iso(document.accepted_at),
                "schema_version": schema_version,
                "layers": [layer_json(layer) for layer in document.layers],
                "agreement": document.agreement,
            }
            write(dumps(line))
            write("\n")
