"""The set-up page's forms: from posted fields to the project services' arguments."""

import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User

from annotations.errors import Invalid, NotFoundError
from annotations.models import Membership, Project, Role
from annotations.services import projects as services


def missing(field: str, what: str) -> str:
    raise Invalid("missing_field", f"{field}: give the project {what}.", field=field)


def whole_number(raw: Any, default: int, field: str = "annotators_per_document") -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise Invalid(
            "invalid_field", f"{field}: “{raw}” is not a whole number.", field=field
        ) from exc


def posted_label_rows(post: Any) -> list[dict[str, Any]]:
    """The label table's rows as posted, in order, empty rows included."""
    rows = []
    index = 0
    while f"label-{index}-name" in post:
        rows.append(
            {
                "name": post.get(f"label-{index}-name", "").strip(),
                "original": post.get(f"label-{index}-original", ""),
                "color": post.get(f"label-{index}-color", "").strip(),
                "hotkey": post.get(f"label-{index}-hotkey", ""),
                "enabled": post.get(f"label-{index}-enabled") == "on",
                "underline": post.get(f"label-{index}-underline", "solid"),
            }
        )
        index += 1
    return rows


def schema_from_rows(project: Project, post: Any) -> dict[str, Any]:
    """The label schema the label table describes; attributes and relations follow renames."""
    current = {label["name"]: label for label in project.label_schema["labels"]}
    labels: list[dict[str, Any]] = []
    renamed: dict[str, str] = {}
    for row in posted_label_rows(post):
        name, original = row["name"], row["original"]
        if not name:
            continue
        if original and original != name:
            renamed[original] = name
        labels.append(
            {
                "name": name,
                "color": row["color"],
                "hotkey": row["hotkey"],
                "enabled": row["enabled"],
                "underline": row["underline"],
                "attributes": current.get(original, {}).get("attributes", []),
            }
        )
    # A label removed from the table leaves the relation types that named it; a relation
    # type left without a label at either end goes too.
    kept = {label["name"] for label in labels}
    relations = []
    for relation in project.label_schema.get("relations", []):
        ends = {
            end: [renamed.get(n, n) for n in relation[end] if renamed.get(n, n) in kept]
            for end in ("from", "to")
        }
        if ends["from"] and ends["to"]:
            relations.append({**relation, **ends})
    return {
        "version": project.label_schema.get("version", 1),
        "labels": labels,
        "relations": relations,
    }


def rating_from_rows(post: Any) -> list[dict[str, Any]]:
    scale: list[dict[str, Any]] = []
    index = 0
    while f"rating-{index}-name" in post:
        name = post.get(f"rating-{index}-name", "").strip()
        raw = post.get(f"rating-{index}-value", "").strip()
        if name:
            try:
                value = float(raw) if raw else None
            except ValueError as exc:
                raise Invalid(
                    "invalid_rating_scale",
                    f"rating_scale[{len(scale)}]: “{raw}” is not a number (leave it empty for "
                    "a verdict without one).",
                    field=f"rating_scale[{len(scale)}]",
                ) from exc
            scale.append(
                {
                    "name": name,
                    "value": int(value) if value is not None and value.is_integer() else value,
                }
            )
        index += 1
    return scale


def _general(project: Project, post: Any) -> dict[str, Any]:
    return {
        "name": post.get("name", "").strip() or missing("name", "a name"),
        "annotators_per_document": whole_number(post.get("annotators_per_document"), 2),
        "allow_overlap": post.get("allow_overlap") == "on",
    }


def _schema_json(project: Project, post: Any) -> dict[str, Any]:
    try:
        return {"label_schema": json.loads(post.get("label_schema", ""))}
    except json.JSONDecodeError as exc:
        raise Invalid(
            "invalid_json",
            f"The schema is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
            field="label_schema",
        ) from exc


#: The forms that change the project itself: the changes each posts, and what to say after.
PROJECT_FORMS: dict[str, tuple[Callable[[Project, Any], dict[str, Any]], str]] = {
    "general": (_general, "Settings saved."),
    "guidelines": (
        lambda project, post: {"guidelines": post.get("guidelines", "")},
        "Guidelines saved.",
    ),
    "schema-form": (
        lambda project, post: {"label_schema": schema_from_rows(project, post)},
        "Label schema saved.",
    ),
    "schema-json": (_schema_json, "Label schema saved."),
    "rating": (
        lambda project, post: {"rating_scale": rating_from_rows(post)},
        "Rating scale saved.",
    ),
    "organization": (
        lambda project, post: {
            "organization": {key: post.get(key, "") for key in services.ORGANIZATION_KEYS}
        },
        "Organisation saved.",
    ),
}


def settings_change(project: Project, post: Any, user: User) -> str:
    """Apply the submitted set-up form; return what to tell the user."""
    form = post.get("form", "")
    version = whole_number(post.get("version"), 0, "version") or None
    if form in PROJECT_FORMS:
        changes, done = PROJECT_FORMS[form]
        services.project_update(
            project=project, actor=user, version=version, **changes(project, post)
        )
        return done
    if form == "member-add":
        services.membership_create(
            project=project,
            actor=user,
            username=post.get("username", "").strip(),
            role=role_of(post.get("role")),
        )
        return f"{post.get('username', '').strip()} added."
    if form in ("member-role", "member-remove"):
        membership = (
            Membership.objects.filter(project=project, user__username=post.get("username", ""))
            .select_related("user", "project")
            .first()
        )
        if membership is None:
            raise NotFoundError("not_found", "That user is not a member of this project.")
        if form == "member-remove":
            services.membership_delete(membership=membership, actor=user)
            return f"{membership.user.username} removed."
        services.membership_update(
            membership=membership,
            actor=user,
            role=role_of(post.get("role")),
            version=version,
        )
        return f"{membership.user.username} is now {post.get('role')}."
    raise Invalid("unknown_form", "The page sent a form this page does not know; reload it.")


def role_of(raw: Any) -> str:
    if raw not in Role.values:
        raise Invalid(
            "invalid_field", f"role must be one of {', '.join(Role.values)}.", field="role"
        )
    return str(raw)


def label_rows(schema: dict[str, Any], post: Any | None) -> list[dict[str, Any]]:
    """The label table to show: as posted after a refusal, else the schema and a blank row."""
    if post is not None and "label-0-name" in post:
        return [{**row, "color": row["color"] or "#888888"} for row in posted_label_rows(post)]
    rows = [{**label, "original": label["name"]} for label in schema["labels"]]
    rows.append(
        {
            "name": "",
            "original": "",
            "color": "#868e96",
            "hotkey": "",
            "enabled": True,
            "underline": "solid",
        }
    )
    return rows
