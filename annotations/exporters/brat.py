"""brat standoff: a zip with one folder per layer, and a `.txt` and `.ann` per document.

`.ann` lines: `T` for spans (a span that crosses a line break is split into fragments, as
brat requires), `R` for relations, `A` for enum attributes, and `#` AnnotatorNotes for the
note and text attributes (`name: value`). `annotation.conf` and `visual.conf` at the root
describe the project's schema, so the folder opens in brat as it is.
"""

import re
import zipfile

from annotations.exporters.base import Exporter, attribute_kinds
from annotations.exporters.records import DocumentRecord, LayerRecord

UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) cut at line breaks, without empty pieces."""
    pieces = []
    position = start
    for index in range(start, end):
        if text[index] == "\n":
            if index > position:
                pieces.append((position, index))
            position = index + 1
    if end > position:
        pieces.append((position, end))
    return pieces or [(start, end)]


def one_line(value: str) -> str:
    return " ".join(value.split())


class BratExporter(Exporter):
    extension = "zip"
    content_type = "application/zip"
    text = False

    def begin(self) -> None:
        self.zip = zipfile.ZipFile(self.binary, "w", compression=zipfile.ZIP_DEFLATED)
        self.kinds = attribute_kinds(self.context.project.label_schema)

    def write(self, documents: list[DocumentRecord]) -> None:
        for document in documents:
            for layer in document.layers:
                folder = UNSAFE.sub("_", layer.name)
                base = f"{folder}/{document.id}"
                self.zip.writestr(f"{base}.txt", document.text)
                self.zip.writestr(f"{base}.ann", self._ann(document, layer))

    def _ann(self, document: DocumentRecord, layer: LayerRecord) -> str:
        lines: list[str] = []
        ids: dict[int, str] = {}
        attribute_number = note_number = 0
        for number, span in enumerate(layer.spans, start=1):
            tag = f"T{number}"
            ids[span.id] = tag
            pieces = fragments(document.text, span.start, span.end)
            where = ";".join(f"{a} {b}" for a, b in pieces)
            covered = " ".join(document.text[a:b] for a, b in pieces)
            lines.append(f"{tag}\t{span.label} {where}\t{covered}")
            for name, value in span.attributes.items():
                if value in (None, ""):
                    continue
                if self.kinds.get(span.label, {}).get(name) == "enum":
                    attribute_number += 1
                    lines.append(f"A{attribute_number}\t{name} {tag} {UNSAFE.sub('_', str(value))}")
                else:
                    note_number += 1
                    lines.append(
                        f"#{note_number}\tAnnotatorNotes {tag}\t{name}: {one_line(str(value))}"
                    )
            if span.note:
                note_number += 1
                lines.append(f"#{note_number}\tAnnotatorNotes {tag}\t{one_line(span.note)}")
        for number, relation in enumerate(layer.relations, start=1):
            lines.append(
                f"R{number}\t{relation.type} Arg1:{ids[relation.from_id]} "
                f"Arg2:{ids[relation.to_id]}"
            )
        return "\n".join(lines) + ("\n" if lines else "")

    def end(self) -> None:
        schema = self.context.project.label_schema
        entities = [label["name"] for label in schema["labels"]]
        relations = [
            f"{r['name']}\tArg1:{'|'.join(r['from'])}, Arg2:{'|'.join(r['to'])}"
            for r in schema.get("relations", [])
        ]
        attributes = [
            f"{a['name']}\tArg:{label['name']}, Value:"
            + "|".join(UNSAFE.sub("_", v) for v in a["values"])
            for label in schema["labels"]
            for a in label.get("attributes", [])
            if a["type"] == "enum"
        ]
        self.zip.writestr(
            "annotation.conf",
            "[entities]\n"
            + "\n".join(entities)
            + "\n\n[relations]\n"
            + "\n".join(relations)
            + "\n\n[events]\n\n[attributes]\n"
            + "\n".join(attributes)
            + "\n",
        )
        self.zip.writestr(
            "visual.conf",
            "[labels]\n\n[drawing]\n"
            + "".join(f"{label['name']}\tbgColor:{label['color']}\n" for label in schema["labels"]),
        )
        self.zip.close()
