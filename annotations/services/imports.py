"""Import of articles: a job reads every row, normalises the text, stores new documents.

Each article's text becomes NFC with `\\n` line endings before any offset exists; spans
that came with it are moved onto the normalised text (`importers.offsets`) and go into the
document's pre-annotation layer (an assignment of kind `preannotation` with no annotator),
never into an annotator's, so they never count in agreement. A text already in the project
(same hash) is reported as a duplicate and skipped. A bad row is reported with its line and
reason while the good ones are stored; a whole file that cannot be read (binary, zip bomb,
too many rows) is refused with a message before anything is stored.

Rows are stored in batches, each in one transaction. If the worker dies, the job restarts
from scratch: documents that an earlier attempt of the same job stored are recognised by
`metadata._import.job` and counted, not stored twice.
"""

import json
import re
import shutil
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from annotations import importers
from annotations.errors import Invalid
from annotations.importers.base import ArticleIn, Row, SourceError, first_line_title
from annotations.importers.offsets import OffsetMap, SpanProblem, resolve_span
from annotations.importers.sources import SourceFile, check_size, check_upload, source_files
from annotations.models import (
    Assignment,
    AssignmentKind,
    AuditEvent,
    Document,
    Job,
    Membership,
    Project,
    Relation,
    Role,
    Span,
)
from annotations.schema import attribute_errors, relation_allowed, relation_definition
from annotations.services.documents import MAX_TEXT_CHARS, OPEN_STATUSES
from annotations.services.jobs import MAX_REPORTED, Progress, job_create, job_finish, media_path
from annotations.text import quote_context, text_hash

BATCH = 250
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_url_validator = URLValidator(schemes=["http", "https"])


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return SAFE_NAME.sub("_", base)[:100] or "upload"


def import_job_create(
    *,
    project: Project,
    actor: User,
    uploads: Iterable[UploadedFile] = (),
    urls: str = "",
    format: str | None = None,
    layer: str | None = None,
) -> Job:
    """Save the uploads, refuse what is unusable at once, and record the job."""
    uploads = list(uploads)
    url_lines = [line.strip() for line in urls.splitlines() if line.strip()]
    if not uploads and not url_lines:
        raise Invalid(
            "nothing_to_import", "Choose a file to upload or list some URLs.", field="file"
        )
    if len(url_lines) > settings.URL_IMPORT_MAX_URLS:
        raise Invalid(
            "too_many_urls",
            f"The list has {len(url_lines):,} URLs; an import takes at most "
            f"{settings.URL_IMPORT_MAX_URLS:,} (URL_IMPORT_MAX_URLS).",
            field="urls",
        )
    relative = f"imports/{uuid.uuid4().hex}"
    folder = media_path(relative)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, str]] = []
    try:
        for index, upload in enumerate(uploads):
            name = upload.name or f"upload-{index}"
            path = folder / f"{index}-{_safe_name(name)}"
            try:
                # The size first, before a byte is written; then what the bytes are.
                check_size(name, upload.size or 0)
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                check_upload(path, name, format)
            except SourceError as exc:
                raise Invalid(exc.code, exc.message, field="file") from exc
            files.append({"name": name, "path": f"{relative}/{path.name}", "format": format or ""})
        if url_lines:
            path = folder / "urls.txt"
            path.write_text("\n".join(url_lines) + "\n", encoding="utf-8")
            files.append({"name": "URL list", "path": f"{relative}/urls.txt", "format": "urls"})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_create(
        project=project,
        actor=actor,
        kind=Job.Kind.IMPORT,
        format=format or ("urls" if not uploads else "auto"),
        options={"files": files, "layer": layer or ""},
        input_file=relative,
    )


def _sources(job: Job) -> list[SourceFile]:
    found: list[SourceFile] = []
    for entry in job.options.get("files", []):
        path = Path(entry["path"])
        if not path.is_absolute():
            path = media_path(entry["path"])
        try:
            found.extend(source_files(path, entry["name"], entry.get("format") or None))
        except SourceError as exc:
            raise Invalid(exc.code, exc.message, field="file") from exc
        except FileNotFoundError as exc:
            raise Invalid(
                "file_missing", f"The uploaded file “{entry['name']}” is gone; upload it again."
            ) from exc
    return found


@dataclass
class _Prepared:
    row: Row
    fields: dict[str, Any]
    hash: str
    spans: list[dict[str, Any]]
    relations: list[tuple[str, int, int]]


@dataclass
class _Report:
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


def _annotator_loads(project: Project) -> dict[int, int]:
    """Open assignments per active annotator of the project, for least-loaded assignment."""
    rows = (
        Membership.objects.filter(project=project, role=Role.ANNOTATOR, user__is_active=True)
        .annotate(
            load=Count(
                "user__assignments",
                filter=Q(
                    user__assignments__status__in=OPEN_STATUSES,
                    user__assignments__kind=AssignmentKind.ANNOTATOR,
                    user__assignments__document__deleted_at__isnull=True,
                ),
            )
        )
        .values_list("user_id", "load")
    )
    return dict(rows)


def _parse_date(raw: str) -> date | None:
    match = re.match(r"^\s*(\d{4}-\d{2}-\d{2})", raw or "")
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


class _Importer:
    def __init__(self, job: Job, report: _Report) -> None:
        self.job = job
        self.project = job.project
        self.schema = self.project.label_schema
        self.labels = {label["name"]: label for label in self.schema["labels"]}
        self.folded = {name.lower(): name for name in self.labels}
        self.report = report
        self.seen: dict[str, str] = {}
        self.resumed_ids: set[int] = set()
        self.pending: list[_Prepared] = []
        self.loads = _annotator_loads(self.project)
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


EMPTY_JSON: dict[type, str] = {dict: "{}", list: "[]"}


def copy_insert(model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    """Store rows of `model` (field attname to value); return their ids in order.

    On PostgreSQL the ids are drawn from the table's sequence first and the rows go in with
    COPY: an import of 100,000 spans through bulk_create spends most of its time building
    and adapting model instances. Fields a row leaves out take their model default; the
    auto_now ones take now.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        stored = model.objects.bulk_create(model(**row) for row in rows)
        return [item.pk for item in stored]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    # (attname, value when the row has none, whether the value is stored as JSON text)
    plan: list[tuple[str, Any, bool]] = []
    for model_field in fields:
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            default = now
        elif model_field.has_default():
            default = model_field.get_default()
        else:
            default = None
        plan.append((model_field.attname, default, model_field.get_internal_type() == "JSONField"))
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(f'"{f.column}"' for f in fields)
        with cursor.cursor.copy(f'COPY "{table}" ("id", {columns}) FROM STDIN') as copy:
            for pk, row in zip(ids, rows, strict=True):
                values: list[Any] = [pk]
                for attname, default, is_json in plan:
                    value = row.get(attname, default)
                    if is_json:
                        # Most attributes and metadata are empty: skip the encoder for them.
                        empty = EMPTY_JSON.get(type(value)) if not value else None
                        value = empty if empty is not None else json.dumps(value)
                    values.append(value)
                copy.write_row(values)
    return ids


def import_run(*, job: Job, progress: Progress) -> None:
    """Read every source of the job, store what is good, report the rest."""
    sources = _sources(job)
    total = sum(importers.count(source) for source in sources)
    if total > settings.IMPORT_MAX_ROWS:
        raise Invalid(
            "too_many_rows",
            f"The import has {total:,} rows; an import takes at most "
            f"{settings.IMPORT_MAX_ROWS:,} (IMPORT_MAX_ROWS). Split the file.",
            field="file",
        )
    progress(0, total, force=True)
    report = _Report()
    importer = _Importer(job, report)
    done = 0
    layer = job.options.get("layer") or None
    try:
        for source in sources:
            for row in importers.read(source, layer=layer):
                importer.add(row)
                done += 1
                progress(min(done, total), total)
    except SourceError as exc:
        raise Invalid(exc.code, exc.message, field="file") from exc
    except zipfile.BadZipFile as exc:
        raise Invalid(
            "bad_archive", f"A zip archive is damaged ({exc}); nothing more was read.", field="file"
        ) from exc
    importer.flush()
    job_finish(job=job, report=report.as_dict(), errors=report.errors, total=total)
