"""Readers for every import format. Each yields `Row`s: an article, or an error with its line.

The formats: plain text (one article a file, first line the title), JSONL (native, with
optional pre-annotated spans, and doccano's), CSV, HTML (trafilatura), a list of URLs and
Label Studio JSON tasks. A `.zip` of such files is read member by member. Everything here is
pure parsing: what happens to an article (normalisation, duplicates, the pre-annotation
layer) is `annotations.services.imports`' business.
"""

from annotations.importers import formats, labelstudio
from annotations.importers.base import Row, Rows, row_error
from annotations.importers.sources import SourceFile


def read(source: SourceFile, *, layer: str | None = None) -> Rows:
    """The rows of one source file, whatever its format."""
    fmt = source.format
    if fmt in ("jsonl", "doccano"):
        return formats.read_jsonl(source, layer)
    if fmt == "csv":
        return formats.read_csv(source)
    if fmt == "txt":
        return formats.read_txt(source)
    if fmt == "html":
        return formats.read_html(source)
    if fmt == "labelstudio":
        return labelstudio.read_labelstudio(source)
    if fmt == "urls":
        from annotations.importers.urls import read_urls

        return read_urls(formats.read_urls_file(source), source.name)
    return iter(
        [
            row_error(
                source.name,
                "file",
                1,
                "unknown_format",
                f"{source.name}: cannot tell its format from its name; it was skipped.",
            )
        ]
    )


def count(source: SourceFile) -> int:
    """How many rows a source has, for progress and the row limit (a cheap first pass)."""
    fmt = source.format
    if fmt in ("jsonl", "doccano"):
        return formats.count_jsonl(source)
    if fmt == "csv":
        return formats.count_csv(source)
    if fmt == "labelstudio":
        return labelstudio.count_labelstudio(source)
    if fmt == "urls":
        return len(formats.read_urls_file(source))
    return 1


__all__ = ["Row", "SourceFile", "count", "read"]
