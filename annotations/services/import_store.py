"""Storing imported rows: normalised text, duplicates, spans onto the stored text, and the
pre-annotation layer, a batch of documents at a time (see `annotations.services.imports`)."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from annotations.importers.base import ArticleIn, Row, first_line_title
from annotations.importers.offsets import OffsetMap, SpanProblem, resolve_span
from annotations.models import (
    Assignment,
    AssignmentKind,
    AuditEvent,
    Document,
    Job,
    Relation,
    Span,
)
from annotations.schema import attribute_errors, relation_allowed, relation_definition
from annotations.services.bulk import copy_insert
from annotations.services.documents import MAX_TEXT_CHARS, annotator_loads
from annotations.services.jobs import MAX_REPORTED
from annotations.text import quote_context, text_hash

BATCH = 250
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class _Prepared:
    row: Row
    fields: dict[str, Any]
    hash: str
    spans: list[dict[str, Any]]
    relations: list[tuple[str, int, int]]


@dataclass
class ImportReport:
    imported: int = 0
    resumed: int = 0
    spans: int = 0
    relations: int = 0
    # Every problem is counted; the first MAX_REPORTED of each kind are kept to show.
    counts: Counter[str] = field(default_factory=Counter)
    rows: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"errors": [], "duplicates": [], "warnings": []}
    )

    def note(self, kind: str, row: Row, code: str, message: str, **extra: Any) -> None:
        self.counts[kind] += 1
        if len(self.rows[kind]) < MAX_REPORTED:
            self.rows[kind].append(
                {
                    "source": row.source,
                    "where": row.where,
                    "line": row.line,
                    "code": code,
                    "message": message,
                    **extra,
                }
            )

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.rows["errors"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported + self.resumed,
            "duplicates": self.counts["duplicates"],
            "errors": self.counts["errors"],
            "warnings": self.counts["warnings"],
            "spans": self.spans,
            "relations": self.relations,
            # Duplicates of stored documents are found when a batch is stored, after those
            # within the file: put them back in file order.
            "duplicate_rows": sorted(
                self.rows["duplicates"], key=lambda d: (d["source"], d["line"])
            ),
            "warning_rows": self.rows["warnings"],
        }


def _parse_date(raw: str) -> date | None:
    match = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", raw or "")
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


class Importer:
    def __init__(self, job: Job, report: ImportReport) -> None:
        self.job = job
        self.project = job.project
        self.schema = self.project.label_schema
        self.labels = {label["name"]: label for label in self.schema["labels"]}
        self.folded = {name.lower(): name for name in self.labels}
        self.report = report
        self.seen: dict[str, str] = {}
        self.resumed_ids: set[int] = set()
        self.pending: list[_Prepared] = []
        self.loads: dict[int, int] = dict(
            annotator_loads(project=self.project).values_list("user_id", "load")
        )
        self.now = timezone.now()

    # Reading one row -------------------------------------------------------------------

    def add(self, row: Row) -> None:
        if row.article is None:
            self.report.note("errors", row, row.code, row.message)
            return
        prepared = self._prepare(row, row.article)
        if prepared is None:
            return
        self.pending.append(prepared)
        if len(self.pending) >= BATCH:
            self.flush()

    def _warn(self, row: Row, message: str) -> None:
        self.report.note("warnings", row, "warning", f"{row.source}, {row.where}: {message}.")

    def _prepare(self, row: Row, article: ArticleIn) -> _Prepared | None:
        offsets = OffsetMap(article.text)
        text = offsets.normalized
        if not text.strip():
            self.report.note(
                "errors",
                row,
                "empty_text",
                f"{row.source}, {row.where}: the article text is empty.",
            )
            return None
        if len(text) > MAX_TEXT_CHARS:
            self.report.note(
                "errors",
                row,
                "text_too_long",
                f"{row.source}, {row.where}: the article has {len(text):,} characters; the "
                f"limit is {MAX_TEXT_CHARS:,}.",
            )
            return None
        digest = text_hash(text)
        if digest in self.seen:
            self.report.note(
                "duplicates",
                row,
                "duplicate",
                f"{row.source}, {row.where}: the same text as {self.seen[digest]}; skipped.",
            )
            return None
        self.seen[digest] = f"{row.source}, {row.where}"
        for message in article.warnings:
            self._warn(row, message)
        published = _parse_date(article.published_at)
        if article.published_at and published is None:
            self._warn(row, f"the date “{article.published_at}” is not YYYY-MM-DD; left empty")
        source_url = article.source_url
        if source_url:
            try:
                _url_validator(source_url)
            except ValidationError:
                self._warn(row, f"“{source_url[:80]}” is not an http(s) URL; left empty")
                source_url = ""
        title = (article.title.strip() or first_line_title(text))[:500]
        metadata = dict(article.metadata)
        metadata["_import"] = {"job": self.job.pk, "source": row.source, "where": row.where}
        fields = {
            "title": title,
            "text": text,
            "text_hash": digest,
            "source_url": source_url[:2000],
            "outlet": article.outlet[:300],
            "author": article.author[:300],
            "published_at": published,
            "language": article.language[:35],
            "retrieved_at": self.now,
            "retrieved_from": (article.retrieved_from or row.source)[:2000],
            "metadata": metadata,
        }
        spans, keys = self._spans(row, article, offsets)
        relations = self._relations(row, article, spans, keys)
        return _Prepared(row, fields, digest, spans, relations)

    def _spans(
        self, row: Row, article: ArticleIn, offsets: OffsetMap
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        spans: list[dict[str, Any]] = []
        keys: dict[str, int] = {}
        text = offsets.normalized
        for index, span in enumerate(article.spans, start=1):
            what = f"span {index} ({span.label} [{span.start}, {span.end}))"
            name = span.label if span.label in self.labels else self.folded.get(span.label.lower())
            definition = self.labels.get(name or "")
            if definition is None or not definition.get("enabled", True):
                allowed = ", ".join(n for n, d in self.labels.items() if d.get("enabled", True))
                self._warn(
                    row,
                    f"{what}: “{span.label}” is not a label of this project "
                    f"(allowed: {allowed}); skipped",
                )
                continue
            try:
                start, end, quote = resolve_span(offsets, span, article.offsets)
            except SpanProblem as exc:
                self._warn(row, f"{what}: {exc}; skipped")
                continue
            attributes = dict(span.attributes)
            for field_name, message in attribute_errors(definition, attributes):
                self._warn(row, f"{what}: {field_name} {message}; the attribute was dropped")
                attributes.pop(field_name.removeprefix("attributes."), None)
            if not self.project.allow_overlap and any(
                s["start"] < end and start < s["end"] for s in spans
            ):
                self._warn(
                    row,
                    f"{what}: overlaps another span, and this project does not "
                    "allow overlapping spans; skipped",
                )
                continue
            prefix, suffix = quote_context(text, start, end)
            if span.key is not None:
                keys.setdefault(span.key, len(spans))
            spans.append(
                {
                    "label": name,
                    "start": start,
                    "end": end,
                    "quote": quote,
                    "prefix": prefix,
                    "suffix": suffix,
                    "attributes": attributes,
                    "note": span.note[:10_000],
                }
            )
        return spans, keys

    def _relations(
        self, row: Row, article: ArticleIn, spans: list[dict[str, Any]], keys: dict[str, int]
    ) -> list[tuple[str, int, int]]:
        relations: list[tuple[str, int, int]] = []
        for index, relation in enumerate(article.relations, start=1):
            what = f"relation {index} ({relation.type})"
            source, target = keys.get(relation.from_key), keys.get(relation.to_key)
            if source is None or target is None:
                missing = relation.from_key if source is None else relation.to_key
                self._warn(row, f"{what}: its span “{missing}” was not imported; skipped")
                continue
            definition = relation_definition(self.schema, relation.type)
            if definition is None:
                self._warn(
                    row,
                    f"{what}: “{relation.type}” is not a relation type of this project; skipped",
                )
                continue
            from_label, to_label = spans[source]["label"], spans[target]["label"]
            if source == target or not relation_allowed(definition, from_label, to_label):
                self._warn(row, f"{what}: does not go from {from_label} to {to_label}; skipped")
                continue
            edge = (relation.type, source, target)
            if edge not in relations:
                relations.append(edge)
        return relations

    # Storing a batch ---------------------------------------------------------------------

    def _pick_annotators(self) -> list[int]:
        wanted = self.project.annotators_per_document
        chosen = sorted(self.loads, key=lambda user: (self.loads[user], user))[:wanted]
        for user in chosen:
            self.loads[user] += 1
        return chosen

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        existing = {
            digest: (pk, title, (metadata or {}).get("_import", {}).get("job"))
            for pk, digest, title, metadata in Document.objects.filter(
                project=self.project,
                deleted_at__isnull=True,
                text_hash__in=[p.hash for p in batch],
            ).values_list("pk", "text_hash", "title", "metadata")
        }
        fresh: list[_Prepared] = []
        for prepared in batch:
            found = existing.get(prepared.hash)
            if found is None:
                fresh.append(prepared)
            elif found[2] == self.job.pk and found[0] not in self.resumed_ids:
                self.resumed_ids.add(found[0])
                self.report.resumed += 1
            else:
                row = prepared.row
                self.report.note(
                    "duplicates",
                    row,
                    "duplicate",
                    f"{row.source}, {row.where}: the same text as document {found[0]} "
                    f"“{found[1]}”; skipped.",
                    document=found[0],
                )
        if fresh:
            self._store(fresh)

    def _store(self, batch: list[_Prepared]) -> None:
        actor_id = self.job.created_by_id
        project_id = self.project.pk
        with transaction.atomic():
            document_ids = copy_insert(
                Document, [{"project_id": project_id, **p.fields} for p in batch]
            )
            annotated = [(d, p) for d, p in zip(document_ids, batch, strict=True) if p.spans]
            layer_ids = copy_insert(
                Assignment,
                [{"document_id": d, "kind": AssignmentKind.PREANNOTATION} for d, _ in annotated],
            )
            span_ids = copy_insert(
                Span,
                [
                    {"assignment_id": layer, **span}
                    for layer, (_, p) in zip(layer_ids, annotated, strict=True)
                    for span in p.spans
                ],
            )
            relations: list[dict[str, Any]] = []
            position = 0
            for layer, (_, prepared) in zip(layer_ids, annotated, strict=True):
                mine = span_ids[position : position + len(prepared.spans)]
                position += len(prepared.spans)
                relations.extend(
                    {
                        "assignment_id": layer,
                        "type": kind,
                        "from_span_id": mine[a],
                        "to_span_id": mine[b],
                    }
                    for kind, a, b in prepared.relations
                )
            copy_insert(Relation, relations)
            assignments: list[dict[str, Any]] = []
            audits: list[dict[str, Any]] = []
            for document_id, prepared in zip(document_ids, batch, strict=True):
                chosen = self._pick_annotators()
                assignments.extend({"document_id": document_id, "annotator_id": u} for u in chosen)
                fields = prepared.fields
                audits.append(
                    {
                        "actor_id": actor_id,
                        "project_id": project_id,
                        "action": "document.import",
                        "object_type": "document",
                        "object_id": document_id,
                        "after": {
                            "title": fields["title"],
                            "text_hash": fields["text_hash"],
                            "length": len(fields["text"]),
                            "job": self.job.pk,
                            "source": f"{prepared.row.source}, {prepared.row.where}",
                            "spans": len(prepared.spans),
                            "assigned_to": chosen,
                        },
                    }
                )
            copy_insert(Assignment, assignments)
            copy_insert(AuditEvent, audits)
        self.report.imported += len(document_ids)
        self.report.spans += len(span_ids)
        self.report.relations += len(relations)
