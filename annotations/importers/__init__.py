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


@dataclass
class OpenSource:
    """A source ready to read: its row count (for progress and the row limit) and its rows.

    The rows are read lazily, except for the formats that must be read whole to be counted
    (Label Studio's JSON, a URL list): those are read once, and their rows come from that.
    """

    total: int
    rows: Rows


def _jsonl(source: SourceFile, layer: str | None) -> OpenSource:
    return OpenSource(formats.count_jsonl(source), formats.read_jsonl(source, layer))


def _csv(source: SourceFile, layer: str | None) -> OpenSource:
    return OpenSource(formats.count_csv(source), formats.read_csv(source))


def _txt(source: SourceFile, layer: str | None) -> OpenSource:
    return OpenSource(1, formats.read_txt(source))


def _html(source: SourceFile, layer: str | None) -> OpenSource:
    return OpenSource(1, formats.read_html(source))


def _labelstudio(source: SourceFile, layer: str | None) -> OpenSource:
    tasks = labelstudio.labelstudio_tasks(source)
    total = 1 if isinstance(tasks, Row) else len(tasks)
    return OpenSource(total, labelstudio.read_labelstudio(tasks, source.name))


def _urls(source: SourceFile, layer: str | None) -> OpenSource:
    # The fetching machinery (urllib3, the address guard) loads only for a URL list.
    from annotations.importers.urls import read_urls

    urls = formats.read_urls_file(source)
    return OpenSource(len(urls), read_urls(urls, source.name))


OPENERS: dict[str, Callable[[SourceFile, str | None], OpenSource]] = {
    "jsonl": _jsonl,
    "doccano": _jsonl,
    "csv": _csv,
    "txt": _txt,
    "html": _html,
    "labelstudio": _labelstudio,
    "urls": _urls,
}


def open_source(source: SourceFile, *, layer: str | None = None) -> OpenSource:
    """One source file, whatever its format, ready to count and read."""
    opener = OPENERS.get(source.format)
    if opener is None:
        error = row_error(
            source.name,
            "file",
            1,
            "unknown_format",
            f"{source.name}: cannot tell its format from its name; it was skipped.",
        )
        return OpenSource(1, iter([error]))
    return opener(source, layer)


__all__ = ["OpenSource", "Row", "SourceFile", "open_source"]
