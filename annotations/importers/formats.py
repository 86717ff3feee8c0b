"""Readers for files: plain text, JSONL (native and doccano), CSV and HTML."""

import csv
import io
import json
import warnings
from collections.abc import Iterator
from typing import Any

from annotations.importers.base import (
    ArticleIn,
    RelationIn,
    Row,
    Rows,
    SpanIn,
    as_dict,
    first_line_title,
    row_error,
)
from annotations.importers.sources import SourceFile

CSV_FIELD_LIMIT = 10_000_000
# Fields of a native JSONL line that describe the article, and their aliases elsewhere.
ALIASES = {
    "title": ("title", "headline"),
    "source_url": ("source_url", "url", "link", "canonical_url"),
    "outlet": ("outlet", "site", "sitename", "publisher"),
    "author": ("author", "byline"),
    "published_at": ("published_at", "date", "published", "published_date"),
    "language": ("language", "lang"),
}
TEXT_KEYS = ("text", "body", "content", "article")
# Keys read into the article's own fields; every other key goes into its metadata.
ARTICLE_KEYS = frozenset(TEXT_KEYS).union(*ALIASES.values())
# Keys of our own export (and doccano's) that are structure, not metadata.
STRUCTURE_KEYS = frozenset(
    {
        "spans",
        "relations",
        "layers",
        "label",
        "labels",
        "entities",
        "agreement",
        "schema_version",
        "status",
        "accepted_at",
        "text_hash",
        "metadata",
        "id",
        "created_at",
        "retrieved_at",
        "retrieved_from",
        "comments",
        "cats",
    }
)


def _decode(data: bytes, source: str, where: str, line: int) -> str | Row:
    try:
        return data.decode("utf-8-sig") if line <= 1 else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return row_error(
            source,
            where,
            line,
            "not_utf8",
            f"{source}, {where}: is not UTF-8 (byte {data[exc.start]:#04x} at position "
            f"{exc.start}); save the file as UTF-8.",
        )


def _field(obj: dict[str, Any], name: str) -> str:
    for key in ALIASES[name]:
        value = obj.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(obj["metadata"]) if isinstance(obj.get("metadata"), dict) else {}
    if obj.get("id") is not None:
        metadata.setdefault("source_id", obj["id"])
    for key, value in obj.items():
        if key not in ARTICLE_KEYS and key not in STRUCTURE_KEYS and value not in (None, ""):
            metadata.setdefault(key, value)
    return metadata


def article_fields(obj: dict[str, Any], text: str) -> ArticleIn:
    return ArticleIn(
        text=text,
        title=_field(obj, "title") or first_line_title(text),
        source_url=_field(obj, "source_url"),
        outlet=_field(obj, "outlet"),
        author=_field(obj, "author"),
        published_at=_field(obj, "published_at"),
        language=_field(obj, "language"),
        metadata=_metadata(obj),
    )


def _spans_native(items: Any, article: ArticleIn) -> None:
    if not isinstance(items, list):
        article.warnings.append("“spans” is not a list; no span was imported")
        return
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            article.warnings.append(f"span {index} is not an object; skipped")
            continue
        quote = item.get("quote", item.get("text"))
        attributes = item.get("attributes") or {}
        article.spans.append(
            SpanIn(
                label=str(item.get("label", "")),
                start=item.get("start"),  # type: ignore[arg-type]
                end=item.get("end"),  # type: ignore[arg-type]
                quote=quote if isinstance(quote, str) else None,
                attributes=attributes if isinstance(attributes, dict) else {},
                note=str(item.get("note") or ""),
                key=str(item["id"]) if item.get("id") is not None else f"#{index}",
            )
        )


def _relations_native(items: Any, article: ArticleIn) -> None:
    if not isinstance(items, list):
        article.warnings.append("“relations” is not a list; no relation was imported")
        return
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            article.warnings.append(f"relation {index} is not an object; skipped")
            continue
        source = item.get("from", item.get("from_span", item.get("from_id")))
        target = item.get("to", item.get("to_span", item.get("to_id")))
        article.relations.append(
            RelationIn(type=str(item.get("type", "")), from_key=str(source), to_key=str(target))
        )


def _layer_of(obj: dict[str, Any], wanted: str | None, article: ArticleIn) -> dict[str, Any] | None:
    """The layer of a native export line to import as pre-annotations."""
    layers = [layer for layer in obj.get("layers") or [] if isinstance(layer, dict)]
    if not layers:
        return None
    if wanted:
        for layer in layers:
            if wanted in (layer.get("annotator"), layer.get("kind")):
                return layer
        article.warnings.append(f"has no layer “{wanted}”; no span was imported")
        return None
    for kind in ("gold", "preannotation"):
        for layer in layers:
            if layer.get("kind") == kind:
                return layer
    if len(layers) == 1:
        return layers[0]
    names = ", ".join(str(layer.get("annotator")) for layer in layers)
    article.warnings.append(
        f"has {len(layers)} annotator layers ({names}); choose the one to import as "
        "pre-annotations with the layer option. No span was imported"
    )
    return None


def _doccano(obj: dict[str, Any], article: ArticleIn) -> None:
    """doccano's sequence-labelling JSONL: `label` triples, or `entities` and `relations`."""
    entities = obj.get("entities")
    if isinstance(entities, list):
        for index, item in enumerate(entities, start=1):
            if not isinstance(item, dict):
                article.warnings.append(f"entity {index} is not an object; skipped")
                continue
            article.spans.append(
                SpanIn(
                    label=str(item.get("label", "")),
                    start=item.get("start_offset"),  # type: ignore[arg-type]
                    end=item.get("end_offset"),  # type: ignore[arg-type]
                    key=str(item.get("id", f"#{index}")),
                )
            )
        relations = obj.get("relations")
        if isinstance(relations, list):
            _relations_native(relations, article)
        return
    labels = obj.get("label", obj.get("labels"))
    if not isinstance(labels, list):
        return
    for index, item in enumerate(labels, start=1):
        if isinstance(item, list | tuple) and len(item) == 3:
            start, end, label = item
            article.spans.append(SpanIn(label=str(label), start=start, end=end, key=f"#{index}"))
        elif isinstance(item, str):
            article.metadata.setdefault("document_labels", []).append(item)
        else:
            article.warnings.append(f"label {index} is not [start, end, label]; skipped")


def article_from_json(obj: Any, where: str, source: str, line: int, layer: str | None) -> Row:
    """A native JSONL line, a line of our own export, or a doccano line."""
    if not isinstance(obj, dict):
        return row_error(
            source,
            where,
            line,
            "not_an_object",
            f"{source}, {where}: is not a JSON object with a “text” field.",
        )
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return row_error(
            source,
            where,
            line,
            "missing_text",
            f"{source}, {where}: has no “text” field with the article (a non-empty string).",
        )
    article = article_fields(obj, text)
    if "spans" in obj:
        _spans_native(obj["spans"], article)
        _relations_native(obj.get("relations", []), article)
    elif "layers" in obj:
        chosen = _layer_of(obj, layer, article)
        if chosen is not None:
            _spans_native(chosen.get("spans", []), article)
            _relations_native(chosen.get("relations", []), article)
    else:
        _doccano(obj, article)
    return Row(source=source, where=where, line=line, article=article)


def read_jsonl(source: SourceFile, layer: str | None = None) -> Rows:
    with source.opener() as stream:
        for line_number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            where = f"line {line_number}"
            decoded = _decode(raw, source.name, where, line_number)
            if isinstance(decoded, Row):
                yield decoded
                continue
            try:
                obj = json.loads(decoded)
            except json.JSONDecodeError as exc:
                yield row_error(
                    source.name,
                    where,
                    line_number,
                    "invalid_json",
                    f"{source.name}, {where}: is not valid JSON ({exc.msg} at column {exc.colno}).",
                )
                continue
            yield article_from_json(obj, where, source.name, line_number, layer)


def count_jsonl(source: SourceFile) -> int:
    with source.opener() as stream:
        return sum(1 for raw in stream if raw.strip())


def read_txt(source: SourceFile) -> Rows:
    decoded = _decode(source.read_bytes(), source.name, "line 1", 1)
    if isinstance(decoded, Row):
        yield decoded
        return
    title, _, body = decoded.lstrip("\ufeff").lstrip().partition("\n")
    body = body.lstrip("\r\n")
    if not body.strip():
        yield row_error(
            source.name,
            "line 1",
            1,
            "missing_text",
            f"{source.name}: has a title line but no article text after it (the first line "
            "is the title, the rest is the article).",
        )
        return
    yield Row(
        source=source.name,
        where="line 1",
        line=1,
        article=ArticleIn(text=body, title=title.strip(), retrieved_from=source.name),
    )


def _delimiter(header: str) -> str:
    return max(",;\t", key=header.count)


def _csv_rows(source: SourceFile) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line where the record starts, its cells, error) for each record after the header."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with source.opener() as binary:
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        first = stream.readline()
        # The extension is matched as `detect_format` matches it: "A.TSV" is a .tsv file.
        tab_separated = source.name.lower().endswith(".tsv")
        reader = csv.reader([first], delimiter="\t" if tab_separated else _delimiter(first))
        yield 1, next(reader, []), ""
        reader = csv.reader(stream, delimiter=reader.dialect.delimiter)
        previous_end = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield previous_end + 1, None, str(exc)
                previous_end = reader.line_num + 1
                continue
            except UnicodeDecodeError as exc:
                yield previous_end + 1, None, f"is not UTF-8 ({exc.reason}); save it as UTF-8"
                return
            start = previous_end + 1
            previous_end = reader.line_num + 1
            yield start, cells, ""


def read_csv(source: SourceFile) -> Rows:
    records = _csv_rows(source)
    _, header_cells, _ = next(records, (1, None, ""))
    header = [cell.strip().lower() for cell in header_cells or []]
    text_column = next((key for key in TEXT_KEYS if key in header), None)
    if text_column is None:
        yield row_error(
            source.name,
            "line 1",
            1,
            "missing_text_column",
            f"{source.name}: the header has no “text” column (found: "
            f"{', '.join(header) or 'nothing'}); name the column with the article “text”.",
        )
        return
    for line, cells, error in records:
        where = f"line {line}"
        if cells is None:
            yield row_error(
                source.name, where, line, "invalid_csv", f"{source.name}, {where}: {error}."
            )
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield row_error(
                source.name,
                where,
                line,
                "wrong_field_count",
                f"{source.name}, {where}: has {len(cells)} fields; the header has {len(header)}.",
            )
            continue
        obj = dict(zip(header, cells, strict=True))
        row = article_from_json({**obj, "text": obj[text_column]}, where, source.name, line, None)
        if row.article is not None:
            row.article.metadata.pop(text_column, None)
        yield row


def count_csv(source: SourceFile) -> int:
    return sum(1 for _ in _csv_rows(source)) - 1


def read_html(source: SourceFile) -> Rows:
    import trafilatura

    with warnings.catch_warnings():
        # lxml's element truth-testing warning, from inside trafilatura.
        warnings.simplefilter("ignore", FutureWarning)
        document = trafilatura.bare_extraction(
            source.read_bytes(), with_metadata=True, include_comments=False
        )
    found = as_dict(document)
    text = found.get("text") or ""
    if not text.strip():
        yield row_error(
            source.name,
            "file",
            1,
            "no_article_text",
            f"{source.name}: no article text was found in this HTML page.",
        )
        return
    metadata = {
        key: found[key]
        for key in ("hostname", "description", "categories", "tags", "sitename")
        if found.get(key)
    }
    yield Row(
        source=source.name,
        where="file",
        line=1,
        article=ArticleIn(
            text=text,
            title=(found.get("title") or "").strip() or first_line_title(text),
            source_url=found.get("url") or "",
            outlet=found.get("sitename") or "",
            author=found.get("author") or "",
            published_at=found.get("date") or "",
            language=found.get("language") or "",
            retrieved_from=source.name,
            metadata=metadata,
        ),
    )


def read_urls_file(source: SourceFile) -> list[tuple[int, str]]:
    text = source.read_bytes().decode("utf-8-sig", errors="replace")
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
