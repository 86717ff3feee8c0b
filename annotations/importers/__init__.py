"""Readers for every import format. Each yields `Row`s: an article, or an error with its line.

The formats: plain text (one article a file, first line the title), JSONL (native, with
optional pre-annotated spans, and doccano's), CSV, HTML (trafilatura), a list of URLs and
Label Studio JSON tasks. A `.zip` of such files is read member by member. Everything here is
pure parsing: what happens to an article (normalisation, duplicates, the pre-annotation
layer) is `annotations.services.imports`' business.
"""

from collections.abc import Callable
from dataclasses import dataclass

from annotations.importers import formats, labelstudio
from annotations.importers.base import Row, Rows, row_error
from annotations.importers.sources import SourceFile


@dataclass(frozen=True)
class Format:
    """How to count a source's rows (for progress and the row limit) and how to read them.

    Every source of an import is counted before any is read, so that an import over the
    row limit stores nothing; counting keeps nothing, so only the source being read is
    ever held in memory (a Label Studio file must be parsed whole to be counted, and is
    parsed again when its turn comes).
    """

    count: Callable[[SourceFile], int]
    read: Callable[[SourceFile, str | None], Rows]


def _one(source: SourceFile) -> int:
    return 1


def _labelstudio_count(source: SourceFile) -> int:
    tasks = labelstudio.labelstudio_tasks(source)
    return 1 if isinstance(tasks, Row) else len(tasks)


def _read_urls(source: SourceFile, layer: str | None) -> Rows:
    # The fetching machinery (urllib3, the address guard) loads only for a URL list.
    from annotations.importers.urls import read_urls

    return read_urls(formats.read_urls_file(source), source.name)


_JSONL = Format(formats.count_jsonl, formats.read_jsonl)
FORMATS: dict[str, Format] = {
    "jsonl": _JSONL,
    "doccano": _JSONL,
    "csv": Format(formats.count_csv, lambda source, layer: formats.read_csv(source)),
    "txt": Format(_one, lambda source, layer: formats.read_txt(source)),
    "html": Format(_one, lambda source, layer: formats.read_html(source)),
    "labelstudio": Format(
        _labelstudio_count,
        lambda source, layer: labelstudio.read_labelstudio(
            labelstudio.labelstudio_tasks(source), source.name
        ),
    ),
    "urls": Format(lambda source: len(formats.read_urls_file(source)), _read_urls),
}


def _unknown_format(source: SourceFile) -> Row:
    return row_error(
        source.name,
        "file",
        1,
        "unknown_format",
        f"{source.name}: cannot tell its format from its name; it was skipped.",
    )


def count_rows(source: SourceFile) -> int:
    """How many rows `read_rows` will give for this source (a skipped file is one)."""
    known = FORMATS.get(source.format)
    return known.count(source) if known else 1


def read_rows(source: SourceFile, *, layer: str | None = None) -> Rows:
    """The source's rows, whatever its format, read as they are consumed."""
    known = FORMATS.get(source.format)
    if known is None:
        return iter([_unknown_format(source)])
    return known.read(source, layer)


__all__ = ["Row", "SourceFile", "count_rows", "read_rows"]
