"""What the exporters read: documents with their layers, fetched a batch at a time.

`document_batches` walks the selected documents in id order, a batch at a time (keyset
pagination, so memory stays flat whatever the project's size), and for each batch fetches
the layers, spans, relations, verdicts and agreement figures with one query each. Rows come
as tuples, not model instances: an export of 600,000 spans builds no Span object.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Exists,
    Field,
    ForeignKey,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    TextField,
)
from django.db.models.functions import Cast

from annotations.errors import Invalid
from annotations.models import (
    DONE_STATUSES,
    AgreementResult,
    Assignment,
    AssignmentKind,
    Document,
    DocumentStatus,
    Project,
    Relation,
    Span,
    Verdict,
)
from annotations.selectors.projects import project_annotators

BATCH = 500
SPECIAL_LAYERS = ("gold", "all", "preannotation")
DATE_FIELDS = {"imported": "created_at", "published": "published_at", "accepted": "accepted_at"}


@dataclass(slots=True)
class SpanRecord:
    id: int
    label: str
    start: int
    end: int
    quote: str
    note: str
    attributes: dict[str, Any]
    # Read only for formats that carry them (see `document_batches`).
    prefix: str = ""
    suffix: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    verdict: dict[str, Any] | None = None


@dataclass(slots=True)
class RelationRecord:
    id: int
    type: str
    from_id: int
    to_id: int


@dataclass(slots=True)
class LayerRecord:
    id: int
    kind: str
    annotator: str | None
    status: str
    submitted_at: datetime | None
    reviewed_at: datetime | None
    spans: list[SpanRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)

    @property
    def name(self) -> str:
        """How a file names the layer: the annotator, or the kind for gold and imports."""
        if self.kind == AssignmentKind.ANNOTATOR:
            return self.annotator or "unknown"
        return self.kind


@dataclass(slots=True)
class DocumentRecord:
    id: int
    title: str
    text: str
    source_url: str
    outlet: str
    author: str
    published_at: date | None
    language: str
    metadata: dict[str, Any]
    status: str
    accepted_at: datetime | None
    created_at: datetime
    layers: list[LayerRecord] = field(default_factory=list)
    agreement: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return self.source_url or f"urn:factcheck:document:{self.id}"


@dataclass(frozen=True)
class ExportOptions:
    format: str
    layer: str = "gold"
    statuses: tuple[str, ...] = ()
    date_field: str = "imported"
    date_from: date | None = None
    date_to: date | None = None
    pseudonymize: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "statuses": list(self.statuses),
            "date_field": self.date_field,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "pseudonymize": self.pseudonymize,
        }


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(
            "invalid_field", f"{name} must be a date like 2024-05-31, not “{value}”.", field=name
        ) from exc


def export_options(*, project: Project, format: str, raw: dict[str, Any]) -> ExportOptions:
    """Validate an export request's options, naming the wrong field."""
    from annotations.exporters import EXPORTERS

    if format not in EXPORTERS:
        raise Invalid(
            "invalid_field",
            f"format must be one of {', '.join(EXPORTERS)}, not “{format}”.",
            field="format",
        )
    layer = str(raw.get("layer") or "gold")
    if format == "claimreview":
        layer = "gold"
    if (
        layer not in SPECIAL_LAYERS
        and not project_annotators(project=project).filter(annotator__username=layer).exists()
    ):
        raise Invalid(
            "invalid_field",
            f"layer must be gold, all, preannotation or the username of an annotator of this "
            f"project; “{layer}” has no assignment here.",
            field="layer",
        )
    statuses = raw.get("statuses") or []
    if isinstance(statuses, str):
        statuses = [s for s in statuses.split(",") if s]
    unknown = [s for s in statuses if s not in DocumentStatus.values]
    if unknown:
        raise Invalid(
            "invalid_field",
            f"statuses may hold {', '.join(DocumentStatus.values)}; “{unknown[0]}” is not one.",
            field="statuses",
        )
    date_field = str(raw.get("date_field") or "imported")
    if date_field not in DATE_FIELDS:
        raise Invalid(
            "invalid_field",
            f"date_field must be one of {', '.join(DATE_FIELDS)}, not “{date_field}”.",
            field="date_field",
        )
    date_from = _date(raw.get("date_from"), "date_from")
    date_to = _date(raw.get("date_to"), "date_to")
    if date_from and date_to and date_from > date_to:
        raise Invalid("invalid_field", "date_from must not be after date_to.", field="date_from")
    return ExportOptions(
        format=format,
        layer=layer,
        statuses=tuple(statuses),
        date_field=date_field,
        date_from=date_from,
        date_to=date_to,
        pseudonymize=bool(raw.get("pseudonymize")),
    )


def pseudonym(project_id: int, user_id: int) -> str:
    """A stable name for an annotator in one project's exports; not reversible without the
    server's SECRET_KEY, and different in every project."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"pseudonym:{project_id}:{user_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"annotator-{digest[:10]}"


def _layer_filter(options: ExportOptions) -> Q:
    if options.layer == "gold":
        return Q(kind=AssignmentKind.GOLD, document__accepted_at__isnull=False)
    if options.layer == "preannotation":
        return Q(kind=AssignmentKind.PREANNOTATION)
    counted = Q(kind=AssignmentKind.ANNOTATOR, status__in=DONE_STATUSES)
    if options.layer == "all":
        return counted
    return counted & Q(annotator__username=options.layer)


def selected_documents(project: Project, options: ExportOptions) -> QuerySet[Document]:
    documents = Document.objects.filter(project=project, deleted_at__isnull=True)
    if options.statuses:
        documents = documents.filter(status__in=options.statuses)
    column = DATE_FIELDS[options.date_field]
    lookup = column if column == "published_at" else f"{column}__date"
    if options.date_from:
        documents = documents.filter(**{f"{lookup}__gte": options.date_from})
    if options.date_to:
        documents = documents.filter(**{f"{lookup}__lte": options.date_to})
    layers = Assignment.objects.filter(_layer_filter(options), document_id=OuterRef("pk"))
    return documents.filter(Exists(layers))


def selected_layers(project: Project, options: ExportOptions) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        _layer_filter(options), document__in=selected_documents(project, options)
    )


DOCUMENT_COLUMNS = (
    "id",
    "title",
    "text",
    "source_url",
    "outlet",
    "author",
    "published_at",
    "language",
    "metadata",
    "status",
    "accepted_at",
    "created_at",
)
SPAN_COLUMNS = ("id", "assignment_id", "label", "start", "end", "quote", "note")
FULL_SPAN_COLUMNS = (*SPAN_COLUMNS, "prefix", "suffix", "created_at", "updated_at")


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`field__any_of=[ids]`: one array parameter on PostgreSQL (`= ANY(%s)`), not one
    placeholder per id, which psycopg would parse out of every batch's query."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        placeholders = ", ".join(["%s"] * len(values)) or "NULL"
        return f"{lhs} IN ({placeholders})", (*lhs_params, *values)


Field.register_lookup(AnyOf)
ForeignKey.register_lookup(AnyOf)


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """All rows of a values_list query at once, without the ORM's per-row iteration."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def document_batches(
    project: Project, options: ExportOptions, batch_size: int = BATCH, *, full_spans: bool = False
) -> Iterator[list[DocumentRecord]]:
    """The selected documents with their selected layers, `batch_size` at a time.

    Spans' context (prefix, suffix) and timestamps are read only when asked for
    (`full_spans`): for 600,000 spans they cost more than the rest of a JSONL export.
    """
    documents = selected_documents(project, options).order_by("id")
    layer_filter = _layer_filter(options)
    last_id = 0
    while True:
        rows = list(documents.filter(id__gt=last_id).values_list(*DOCUMENT_COLUMNS)[:batch_size])
        if not rows:
            return
        last_id = rows[-1][0]
        records = {row[0]: DocumentRecord(*row) for row in rows}
        _attach_layers(project, options, layer_filter, records, full_spans)
        _attach_agreement(records)
        yield list(records.values())


def _attach_layers(
    project: Project,
    options: ExportOptions,
    layer_filter: Q,
    records: dict[int, DocumentRecord],
    full_spans: bool,
) -> None:
    layers: dict[int, LayerRecord] = {}
    for pk, document_id, kind, status, user_id, username, submitted, reviewed in (
        Assignment.objects.filter(layer_filter, document_id__any_of=list(records))
        .order_by("document_id", "kind", "annotator__username", "id")
        .values_list(
            "id",
            "document_id",
            "kind",
            "status",
            "annotator_id",
            "annotator__username",
            "submitted_at",
            "reviewed_at",
        )
    ):
        name = username
        if options.pseudonymize and user_id is not None:
            name = pseudonym(project.pk, user_id)
        layer = LayerRecord(pk, kind, name, status, submitted, reviewed)
        layers[pk] = layer
        records[document_id].layers.append(layer)
    if not layers:
        return
    spans: dict[int, SpanRecord] = {}
    # Attributes come as JSON text (the last column) and are parsed once per distinct
    # value: a project's spans share a handful of attribute combinations.
    parsed: dict[str, dict[str, Any]] = {}
    columns = FULL_SPAN_COLUMNS if full_spans else SPAN_COLUMNS
    for row in _fetch(
        Span.objects.filter(assignment_id__any_of=list(layers))
        .annotate(attributes_text=Cast("attributes", TextField()))
        .order_by("assignment_id", "start", "end", "id")
        .values_list(*columns, "attributes_text")
    ):
        text = row[-1]
        attributes = parsed.get(text)
        if attributes is None:
            attributes = parsed[text] = json.loads(text)
        span = SpanRecord(row[0], row[2], row[3], row[4], row[5], row[6], attributes, *row[7:-1])
        spans[row[0]] = span
        layers[row[1]].spans.append(span)
    for pk, layer_id, kind, source, target in _fetch(
        Relation.objects.filter(assignment_id__any_of=list(layers))
        .order_by("assignment_id", "id")
        .values_list("id", "assignment_id", "type", "from_span_id", "to_span_id")
    ):
        layers[layer_id].relations.append(RelationRecord(pk, kind, source, target))
    gold = [pk for pk, layer in layers.items() if layer.kind == AssignmentKind.GOLD]
    if gold:
        fields = (
            "rating",
            "summary",
            "explanation",
            "evidence_links",
            "fact_check_url",
            "claimant",
            "updated_at",
        )
        for span_id, *values in Verdict.objects.filter(
            span__assignment_id__any_of=gold
        ).values_list("span_id", *fields):
            if span_id in spans:
                spans[span_id].verdict = dict(zip(fields, values, strict=True))


def _attach_agreement(records: dict[int, DocumentRecord]) -> None:
    for document_id, metric, label, value in AgreementResult.objects.filter(
        document_id__any_of=list(records), scope=AgreementResult.Scope.DOCUMENT
    ).values_list("document_id", "metric", "label", "value"):
        records[document_id].agreement.setdefault(metric, {})[label or "all"] = value
