"""Writes to projects and memberships."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.errors import ConflictError, Invalid, PermissionDeniedError
from annotations.models import Membership, Project, Role, Span
from annotations.schema import SchemaError, default_rating_scale, default_schema, validate_schema
from annotations.services.audit import audit_record
from annotations.services.versions import check_version

PROJECT_FIELDS = (
    "name",
    "guidelines",
    "annotators_per_document",
    "allow_overlap",
    "rating_scale",
    "organization",
)


def project_snapshot(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "guidelines": project.guidelines,
        "label_schema": project.label_schema,
        "annotators_per_document": project.annotators_per_document,
        "allow_overlap": project.allow_overlap,
        "rating_scale": project.rating_scale,
        "organization": project.organization,
        "version": project.version,
    }


def _schema_or_invalid(schema: Any) -> dict[str, Any]:
    try:
        return validate_schema(schema)
    except SchemaError as exc:
        raise Invalid(
            "invalid_schema", f"The label schema is invalid: {exc}", field=exc.field
        ) from exc


def _rating_scale_or_invalid(scale: Any) -> list[dict[str, Any]]:
    if not isinstance(scale, list) or not scale:
        raise Invalid(
            "invalid_rating_scale",
            "The rating scale must be a non-empty list of {name, value} entries.",
            field="rating_scale",
        )
    names: set[str] = set()
    for index, entry in enumerate(scale):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("name"), str)
            or not entry["name"].strip()
            or not (entry.get("value") is None or isinstance(entry.get("value"), int | float))
        ):
            raise Invalid(
                "invalid_rating_scale",
                f"rating_scale[{index}] must be {{name: text, value: number or null}}.",
                field=f"rating_scale[{index}]",
            )
        if entry["name"] in names:
            raise Invalid(
                "invalid_rating_scale",
                f"rating_scale[{index}]: “{entry['name']}” appears twice.",
                field=f"rating_scale[{index}]",
            )
        names.add(entry["name"])
    return [{"name": e["name"], "value": e.get("value")} for e in scale]


ORGANIZATION_KEYS = ("name", "url", "logo")


def _organization_or_invalid(organization: Any) -> dict[str, str]:
    """The publisher of the fact-checks (ClaimReview's author): a name, a URL, a logo URL."""
    if not isinstance(organization, dict):
        raise Invalid(
            "invalid_organization",
            "organization must be an object with name, url and logo.",
            field="organization",
        )
    cleaned: dict[str, str] = {}
    for key, value in organization.items():
        field = f"organization.{key}"
        if key not in ORGANIZATION_KEYS:
            raise Invalid(
                "invalid_organization",
                f"{field}: unknown; the organisation has name, url and logo.",
                field=field,
            )
        if value in (None, ""):
            continue
        if not isinstance(value, str) or len(value) > 2000:
            raise Invalid("invalid_organization", f"{field} must be text.", field=field)
        value = value.strip()
        if key in ("url", "logo"):
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError as exc:
                raise Invalid(
                    "invalid_organization",
                    f"{field}: “{value[:80]}” is not an http(s) URL.",
                    field=field,
                ) from exc
        cleaned[key] = value
    return cleaned


def project_create(
    *,
    actor: User,
    name: str,
    guidelines: str = "",
    label_schema: dict[str, Any] | None = None,
    annotators_per_document: int = 2,
    allow_overlap: bool = True,
    rating_scale: list[dict[str, Any]] | None = None,
    organization: dict[str, Any] | None = None,
) -> Project:
    if not (getattr(actor, "is_staff", False) or getattr(actor, "is_superuser", False)):
        raise PermissionDeniedError(
            "permission_denied", "Only staff users may create projects; ask a site admin."
        )
    schema = _schema_or_invalid(label_schema if label_schema is not None else default_schema())
    scale = _rating_scale_or_invalid(
        rating_scale if rating_scale is not None else default_rating_scale()
    )
    with transaction.atomic():
        project = Project.objects.create(
            name=name,
            guidelines=guidelines,
            label_schema=schema,
            annotators_per_document=annotators_per_document,
            allow_overlap=allow_overlap,
            rating_scale=scale,
            organization=_organization_or_invalid(organization or {}),
            created_by=actor,
        )
        Membership.objects.create(project=project, user=actor, role=Role.ADMIN)
        audit_record(
            actor=actor,
            project=project,
            action="project.create",
            object_type="project",
            object_id=project.pk,
            after=project_snapshot(project),
        )
    return project


def project_update(
    *, project: Project, actor: User, version: int | None, **changes: Any
) -> Project:
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        check_version(project, version, "project")
        before = project_snapshot(project)
        if "label_schema" in changes:
            schema = _schema_or_invalid(changes.pop("label_schema"))
            _check_schema_keeps_spans(project, schema)
            if schema != project.label_schema:
                project.label_schema = schema
                project.schema_version += 1
        if "rating_scale" in changes:
            changes["rating_scale"] = _rating_scale_or_invalid(changes["rating_scale"])
        if "organization" in changes:
            changes["organization"] = _organization_or_invalid(changes["organization"])
        for field in PROJECT_FIELDS:
            if field in changes:
                setattr(project, field, changes[field])
        project.version = F("version") + 1
        project.save()
        project.refresh_from_db()
        audit_record(
            actor=actor,
            project=project,
            action="project.update",
            object_type="project",
            object_id=project.pk,
            before=before,
            after=project_snapshot(project),
        )
    return project


def _check_schema_keeps_spans(project: Project, schema: dict[str, Any]) -> None:
    """Refuse a schema change that would orphan existing spans (a removed label in use)."""
    kept = {label["name"] for label in schema["labels"]}
    in_use = (
        Span.objects.filter(assignment__document__project=project)
        .exclude(label__in=kept)
        .values_list("label", flat=True)
        .distinct()
    )
    orphaned = sorted(set(in_use))
    if orphaned:
        raise Invalid(
            "label_in_use",
            f"The schema removes label(s) {', '.join(orphaned)} that existing spans use; "
            "disable the label instead (enabled: false) or delete those spans first.",
            field="label_schema.labels",
            details={"labels": orphaned},
        )


def project_delete(*, project: Project, actor: User) -> None:
    with transaction.atomic():
        Project.objects.filter(pk=project.pk).update(deleted_at=timezone.now())
        audit_record(
            actor=actor,
            project=project,
            action="project.delete",
            object_type="project",
            object_id=project.pk,
            before=project_snapshot(project),
        )


def membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {
        "username": membership.user.get_username(),
        "role": membership.role,
        "version": membership.version,
    }


def membership_create(*, project: Project, actor: User, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Invalid("unknown_user", f"There is no active user “{username}”.", field="username")
    with transaction.atomic():
        if Membership.objects.filter(project=project, user=user).exists():
            raise ConflictError(
                "already_member",
                f"“{username}” is already a member of this project; change their role "
                "with PATCH instead.",
                field="username",
            )
        membership = Membership.objects.create(project=project, user=user, role=role)
        audit_record(
            actor=actor,
            project=project,
            action="membership.create",
            object_type="membership",
            object_id=membership.pk,
            after=membership_snapshot(membership),
        )
    return membership


def _ensure_an_admin_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.ADMIN or new_role == Role.ADMIN:
        return
    admins = Membership.objects.filter(project=membership.project, role=Role.ADMIN).count()
    if admins <= 1:
        raise ConflictError(
            "last_admin",
            "This is the project's last admin; make someone else admin first.",
        )


def membership_update(
    *, membership: Membership, actor: User, role: str, version: int | None
) -> Membership:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("user", "project")
            .get(pk=membership.pk)
        )
        check_version(membership, version, "membership")
        _ensure_an_admin_remains(membership, role)
        before = membership_snapshot(membership)
        membership.role = role
        membership.version += 1
        membership.save(update_fields=["role", "version"])
        audit_record(
            actor=actor,
            project=membership.project,
            action="membership.update",
            object_type="membership",
            object_id=membership.pk,
            before=before,
            after=membership_snapshot(membership),
        )
    return membership


def membership_delete(*, membership: Membership, actor: User) -> None:
    with transaction.atomic():
        _ensure_an_admin_remains(membership, None)
        before = membership_snapshot(membership)
        membership_id = membership.pk
        membership.delete()
        audit_record(
            actor=actor,
            project=membership.project,
            action="membership.delete",
            object_type="membership",
            object_id=membership_id,
            before=before,
        )
