"""Label Studio JSON tasks: annotator and gold layers as annotations, imports as predictions.

Regions use Label Studio's `labels` results (from_name `label`, to_name `text`, offsets in
code points as Label Studio has stored them since 1.4); attributes are per-region `choices`
(enum) or `textarea` (text) results sharing the region's id; relations are `relation`
results. A matching labelling config is in the README.
"""

from typing import Any

from annotations.exporters.base import Exporter, JsonArray, attribute_kinds, iso
from annotations.exporters.records import DocumentRecord, LayerRecord
from annotations.models import AssignmentKind


def results(layer: LayerRecord, kinds: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for span in layer.spans:
        region = f"s{span.id}"
        items.append(
            {
                "id": region,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": span.start,
                    "end": span.end,
                    "text": span.quote,
                    "labels": [span.label],
                },
            }
        )
        for name, value in span.attributes.items():
            if value in (None, ""):
                continue
            if kinds.get(span.label, {}).get(name) == "enum":
                items.append(
                    {
                        "id": region,
                        "from_name": name,
                        "to_name": "text",
                        "type": "choices",
                        "value": {"start": span.start, "end": span.end, "choices": [value]},
                    }
                )
            else:
                items.append(
                    {
                        "id": region,
                        "from_name": name,
                        "to_name": "text",
                        "type": "textarea",
                        "value": {"start": span.start, "end": span.end, "text": [value]},
                    }
                )
    for relation in layer.relations:
        items.append(
            {
                "from_id": f"s{relation.from_id}",
                "to_id": f"s{relation.to_id}",
                "type": "relation",
                "direction": "right",
                "labels": [relation.type],
            }
        )
    return items


class LabelStudioExporter(Exporter):
    extension = "json"
    content_type = "application/json; charset=utf-8"

    def begin(self) -> None:
        self.kinds = attribute_kinds(self.context.project.label_schema)
        self.tasks = JsonArray(self.out)

    def write(self, documents: list[DocumentRecord]) -> None:
        for document in documents:
            task: dict[str, Any] = {
                "id": document.id,
                "data": {
                    "text": document.text,
                    "title": document.title,
                    "source_url": document.source_url,
                    "outlet": document.outlet,
                    "author": document.author,
                    "published_at": iso(document.published_at),
                    "language": document.language,
                },
                "meta": {"status": document.status, "agreement": document.agreement},
                "annotations": [],
                "predictions": [],
            }
            for layer in document.layers:
                entry = {
                    "id": layer.id,
                    "result": results(layer, self.kinds),
                }
                if layer.kind == AssignmentKind.PREANNOTATION:
                    task["predictions"].append({**entry, "model_version": "import"})
                else:
                    task["annotations"].append(
                        {
                            **entry,
                            "created_username": layer.annotator,
                            "ground_truth": layer.kind == AssignmentKind.GOLD,
                            "created_at": iso(layer.submitted_at),
                        }
                    )
            self.tasks.add(task)

    def end(self) -> None:
        self.tasks.close()
