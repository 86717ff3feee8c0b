"""Verdicts on gold claims: editor-only ratings on the project's scale, for ClaimReview."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from annotations.errors import ConflictError, Invalid
from annotations.models import AssignmentKind, Relation, Span, Verdict
from annotations.services.audit import audit_record
from annotations.services.review import adjudicating
from annotations.services.versions import check_version

CLAIM_LABEL = "claim"
VERDICT_FIELDS = (
    "rating",
    "summary",
    "explanation",
    "evidence_links",
    "fact_check_url",
    "claimant",
)
SUMMARY_MAX = 75


def rating_value(scale: list[dict[str, Any]], rating: str) -> float | int | None:
    """The number a rating exports as (None for ratings without one, like Unverifiable)."""
    return next((entry.get("value") for entry in scale if entry["name"] == rating), None)


def default_claimant(span: Span) -> str:
    """Who made the claim: the attribution the gold claim is `attributed_to`, by the
    speaker's name when the attribution carries one, else by its words."""
    relation = (
        Relation.objects.filter(from_span=span, type="attributed_to")
        .select_related("to_span")
        .order_by("id")
        .first()
    )
    if relation is None:
        return ""
    source = relation.to_span
    name = source.attributes.get("speaker_name") if isinstance(source.attributes, dict) else None
    return str(name).strip() if name and str(name).strip() else source.quote.strip()


def verdict_snapshot(verdict: Verdict) -> dict[str, Any]:
    return {
        "document": verdict.span.assignment.document_id,
        "span": verdict.span_id,
        **{name: getattr(verdict, name) for name in VERDICT_FIELDS},
        "version": verdict.version,
    }


def _check_gold_claim(span: Span) -> None:
    if span.assignment.kind != AssignmentKind.GOLD or span.label != CLAIM_LABEL:
        raise Invalid(
            "not_a_gold_claim",
            f"Verdicts rate claims of the gold layer; this is a {span.label} span of "
            f"{'the gold' if span.assignment.kind == AssignmentKind.GOLD else 'an annotator’s'} "
            "layer.",
            field="span",
        )


def _check_fields(span: Span, fields: dict[str, Any]) -> None:
    scale = span.assignment.document.project.rating_scale
    if "rating" in fields:
        names = [entry["name"] for entry in scale]
        if fields["rating"] not in names:
            raise Invalid(
                "unknown_rating",
                f"“{fields['rating']}” is not on this project's rating scale ({', '.join(names)}).",
                field="rating",
            )
    if len(fields.get("summary", "")) > SUMMARY_MAX:
        raise Invalid(
            "summary_too_long",
            f"The claim summary has {len(fields['summary'])} characters; keep it to {SUMMARY_MAX}.",
            field="summary",
        )


def verdict_create(
    *, span: Span, actor: User, now: datetime | None = None, **fields: Any
) -> Verdict:
    """Rate a gold claim. Without a claimant, the attribution it is attributed to names one."""
    _check_gold_claim(span)
    if "rating" not in fields:
        raise Invalid("missing_field", "rating: This field is required.", field="rating")
    _check_fields(span, fields)
    document = span.assignment.document
    with transaction.atomic():
        adjudicating(document=document, actor=actor, now=now)
        existing = Verdict.objects.filter(span=span).select_related("updated_by").first()
        if existing is not None:
            existing.span = span  # loaded with the project whose rating scale the API shows
            raise ConflictError(
                "verdict_exists",
                "This claim already has a verdict; change it with PATCH.",
                details={"current": existing},
            )
        if fields.get("claimant") is None:
            fields["claimant"] = default_claimant(span)
        verdict = Verdict.objects.create(span=span, updated_by_id=actor.pk, **fields)
        audit_record(
            actor=actor,
            project=document.project,
            action="verdict.create",
            object_type="verdict",
            object_id=verdict.pk,
            after=verdict_snapshot(verdict),
        )
    return verdict


def _locked_at(verdict: Verdict, version: int | None) -> tuple[Verdict, dict[str, Any]]:
    """The verdict, locked, if the writer sent its current version; and its snapshot."""
    current = Verdict.objects.select_for_update(of=("self",)).get(pk=verdict.pk)
    current.span = verdict.span  # the caller's, loaded with its document and project
    check_version(current, version, "verdict")
    return current, verdict_snapshot(current)


def verdict_update(
    *,
    verdict: Verdict,
    actor: User,
    version: int | None,
    now: datetime | None = None,
    **changes: Any,
) -> Verdict:
    document = verdict.span.assignment.document
    _check_fields(verdict.span, changes)
    with transaction.atomic():
        adjudicating(document=document, actor=actor, now=now)
        current, before = _locked_at(verdict, version)
        for name in VERDICT_FIELDS:
            if name in changes:
                setattr(current, name, changes[name] if changes[name] is not None else "")
        current.version += 1
        current.updated_by_id = actor.pk
        current.save()
        audit_record(
            actor=actor,
            project=document.project,
            action="verdict.update",
            object_type="verdict",
            object_id=current.pk,
            before=before,
            after=verdict_snapshot(current),
        )
    return current


def verdict_delete(
    *, verdict: Verdict, actor: User, version: int | None, now: datetime | None = None
) -> None:
    document = verdict.span.assignment.document
    with transaction.atomic():
        adjudicating(document=document, actor=actor, now=now)
        current, before = _locked_at(verdict, version)
        verdict_id = current.pk
        current.delete()
        audit_record(
            actor=actor,
            project=document.project,
            action="verdict.delete",
            object_type="verdict",
            object_id=verdict_id,
            before=before,
        )
