"""W3C Web Annotation JSON-LD: one annotation per span, relations as linking annotations.

Spans carry both a TextQuoteSelector (exact, prefix, suffix) and a TextPositionSelector
(start, end in code points of the stored text). The file is one AnnotationCollection whose
first page holds every annotation.
"""

from typing import Any

from annotations.exporters.base import Exporter, JsonArray, dumps, iso
from annotations.exporters.records import DocumentRecord, LayerRecord, selected_layers
from annotations.models import Relation, Span

CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def creator(layer: LayerRecord) -> dict[str, Any]:
    if layer.annotator is None:
        return {"type": "Software", "name": "factcheck import (pre-annotation)"}
    return {
        "id": f"urn:factcheck:user:{layer.annotator}",
        "type": "Person",
        "nickname": layer.annotator,
    }


class W3cExporter(Exporter):
    extension = "jsonld"
    content_type = "application/ld+json; charset=utf-8"
    full_spans = True

    def begin(self) -> None:
        context = self.context
        layers = selected_layers(context.project, context.options)
        total = (
            Span.objects.filter(assignment__in=layers).count()
            + Relation.objects.filter(assignment__in=layers).count()
        )
        header = {
            "@context": CONTEXT,
            "id": f"urn:factcheck:project:{context.project.pk}:export:{context.job_id or 0}",
            "type": "AnnotationCollection",
            "label": f"{context.project.name} ({context.options.layer} layer)",
            "total": total,
        }
        text = dumps(header)
        self.out.write(text[:-1] + ',"first":{"type":"AnnotationPage","startIndex":0,"items":')
        self.items = JsonArray(self.out, closing="]}}\n")

    def write(self, documents: list[DocumentRecord]) -> None:
        for document in documents:
            for layer in document.layers:
                who = creator(layer)
                for span in layer.spans:
                    body: list[dict[str, Any]] = [
                        {"type": "TextualBody", "purpose": "tagging", "value": span.label}
                    ]
                    for name, value in span.attributes.items():
                        body.append(
                            {
                                "type": "TextualBody",
                                "purpose": "classifying",
                                "value": f"{name}={value}",
                            }
                        )
                    if span.note:
                        body.append(
                            {"type": "TextualBody", "purpose": "commenting", "value": span.note}
                        )
                    if span.verdict is not None:
                        body.append(
                            {
                                "type": "TextualBody",
                                "purpose": "assessing",
                                "value": span.verdict["rating"],
                            }
                        )
                    self.items.add(
                        {
                            "@context": CONTEXT,
                            "id": f"urn:factcheck:span:{span.id}",
                            "type": "Annotation",
                            "motivation": "tagging",
                            "creator": who,
                            "created": iso(span.created_at),
                            "modified": iso(span.updated_at),
                            "body": body,
                            "target": {
                                "source": document.uri,
                                "selector": [
                                    {
                                        "type": "TextQuoteSelector",
                                        "exact": span.quote,
                                        "prefix": span.prefix,
                                        "suffix": span.suffix,
                                    },
                                    {
                                        "type": "TextPositionSelector",
                                        "start": span.start,
                                        "end": span.end,
                                    },
                                ],
                            },
                        }
                    )
                for relation in layer.relations:
                    self.items.add(
                        {
                            "@context": CONTEXT,
                            "id": f"urn:factcheck:relation:{relation.id}",
                            "type": "Annotation",
                            "motivation": "linking",
                            "creator": who,
                            "body": {
                                "type": "TextualBody",
                                "purpose": "tagging",
                                "value": relation.type,
                            },
                            "target": [
                                f"urn:factcheck:span:{relation.from_id}",
                                f"urn:factcheck:span:{relation.to_id}",
                            ],
                        }
                    )

    def end(self) -> None:
        self.items.close()
