"""Projects, schemas and memberships through the API."""

from typing import Any

import pytest

from annotations.models import AuditEvent, Membership, Project, Role
from annotations.schema import default_schema
from tests.conftest import World, assert_error

pytestmark = pytest.mark.django_db


def test_staff_creates_a_project_with_the_default_schema_and_becomes_admin(
    world: World, api: Any
) -> None:
    response = api(world.site_admin).post("/api/projects/", {"name": "Elections"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [label["name"] for label in data["label_schema"]["labels"]] == [
        "claim",
        "denial",
        "attribution",
        "cue",
    ]
    assert data["annotators_per_document"] == 2
    assert data["role"] == "admin"
    assert Membership.objects.get(project_id=data["id"], user=world.site_admin).role == Role.ADMIN


def test_projects_list_shows_only_my_projects_with_my_role(world: World, api: Any) -> None:
    data = api(world.annotator).get("/api/projects/").json()
    assert data["count"] == 1
    assert [(p["name"], p["role"]) for p in data["results"]] == [("Newsroom", "annotator")]


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (
            lambda s: s["labels"][0].update(hotkey="j"),
            "label_schema.labels[0].hotkey",
            'The label schema is invalid: label_schema.labels[0].hotkey: "j" is reserved by '
            "the annotation page (reserved: j k l r u [ ] { } ?)",
        ),
        (
            lambda s: s["labels"][1].update(hotkey="c"),
            "label_schema.labels[1].hotkey",
            'The label schema is invalid: label_schema.labels[1].hotkey: "c" is already the '
            'hotkey of "claim"',
        ),
        (
            lambda s: s["labels"][0].update(color="red"),
            "label_schema.labels[0].color",
            "The label schema is invalid: label_schema.labels[0].color: must be a colour like "
            "#1c7ed6",
        ),
        (
            lambda s: s["relations"][0].update(to=["source"]),
            "label_schema.relations[0].to",
            'The label schema is invalid: label_schema.relations[0].to: "source" is not a '
            "label of this schema",
        ),
        (
            lambda s: s["labels"].extend(
                {"name": f"label_{n}", "color": "#1c7ed6", "hotkey": chr(0x100 + n)}
                for n in range(60)
            ),
            "label_schema.labels",
            "The label schema is invalid: label_schema.labels: has 64 labels; a schema has at "
            "most 62 (agreement names a stretch of text by the set of labels covering it)",
        ),
        (
            lambda s: s["labels"][0]["attributes"][0].update(type="number"),
            "label_schema.labels[0].attributes[0].type",
            "The label schema is invalid: label_schema.labels[0].attributes[0].type: must be "
            '"enum" or "text"',
        ),
    ],
)
def test_invalid_schema_is_refused_naming_the_field(
    world: World, api: Any, mutate: Any, field: str, message: str
) -> None:
    schema = default_schema()
    mutate(schema)
    response = api(world.admin).patch(
        f"/api/projects/{world.project.pk}/", {"label_schema": schema, "version": 1}, format="json"
    )
    error = assert_error(response, 400, "invalid_schema", message)
    assert error["field"] == field


def test_schema_change_that_orphans_spans_is_refused(world: World, api: Any) -> None:
    schema = default_schema()
    schema["labels"] = [label for label in schema["labels"] if label["name"] != "claim"]
    schema["relations"] = [r for r in schema["relations"] if "claim" not in r["from"] + r["to"]]
    response = api(world.admin).patch(
        f"/api/projects/{world.project.pk}/", {"label_schema": schema, "version": 1}, format="json"
    )
    assert_error(
        response,
        400,
        "label_in_use",
        "The schema removes label(s) claim that existing spans use; disable the label instead "
        "(enabled: false) or delete those spans first.",
    )


def test_project_update_bumps_version_and_schema_version_and_audits(world: World, api: Any) -> None:
    schema = default_schema()
    schema["labels"][3]["enabled"] = True
    response = api(world.admin).patch(
        f"/api/projects/{world.project.pk}/",
        {"label_schema": schema, "allow_overlap": False, "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["version"], data["schema_version"], data["allow_overlap"]) == (2, 2, False)
    event = AuditEvent.objects.get(action="project.update", object_id=world.project.pk)
    assert event.before["allow_overlap"] is True
    assert event.after["allow_overlap"] is False
    stale = api(world.admin).patch(
        f"/api/projects/{world.project.pk}/", {"name": "x", "version": 1}, format="json"
    )
    error = assert_error(stale, 409, "stale_version")
    # The current project as the project endpoint shows it, not an audit snapshot.
    assert error["details"]["current"] == data


def test_deleted_project_is_soft_deleted_and_disappears(world: World, api: Any) -> None:
    client = api(world.admin)
    assert client.delete(f"/api/projects/{world.project.pk}/").status_code == 204
    assert Project.objects.filter(pk=world.project.pk, deleted_at__isnull=False).exists()
    assert_error(client.get(f"/api/projects/{world.project.pk}/"), 404, "not_found")
    assert_error(
        api(world.annotator).get(f"/api/documents/{world.document.pk}/spans/"), 404, "not_found"
    )


class TestMembers:
    def url(self, world: World, username: str = "") -> str:
        suffix = f"{username}/" if username else ""
        return f"/api/projects/{world.project.pk}/members/{suffix}"

    def test_add_change_and_remove_a_member(self, world: World, api: Any) -> None:
        client = api(world.admin)
        added = client.post(self.url(world), {"username": "nina", "role": "editor"}, format="json")
        assert added.status_code == 201
        assert added.json()["role"] == "editor"
        changed = client.patch(
            self.url(world, "nina"), {"role": "annotator", "version": 1}, format="json"
        )
        assert changed.json() == {**changed.json(), "role": "annotator", "version": 2}
        assert client.delete(self.url(world, "nina")).status_code == 204
        assert not Membership.objects.filter(project=world.project, user=world.non_member).exists()

    def test_a_stale_role_change_is_refused_with_the_current_membership(
        self, world: World, api: Any
    ) -> None:
        client = api(world.admin)
        changed = client.patch(
            self.url(world, "bob"), {"role": "editor", "version": 1}, format="json"
        )
        assert changed.status_code == 200, changed.content
        stale = client.patch(self.url(world, "bob"), {"role": "admin", "version": 1}, format="json")
        error = assert_error(stale, 409, "stale_version")
        assert error["details"]["current"] == changed.json()
        assert Membership.objects.get(project=world.project, user__username="bob").role == "editor"

    def test_unknown_user_and_duplicate_member(self, world: World, api: Any) -> None:
        client = api(world.admin)
        assert_error(
            client.post(self.url(world), {"username": "ghost", "role": "editor"}, format="json"),
            400,
            "unknown_user",
            "There is no active user “ghost”.",
        )
        assert_error(
            client.post(self.url(world), {"username": "bob", "role": "editor"}, format="json"),
            409,
            "already_member",
            "“bob” is already a member of this project; change their role with PATCH instead.",
        )

    def test_the_last_admin_cannot_leave(self, world: World, api: Any) -> None:
        assert_error(
            api(world.admin).delete(self.url(world, "adam")),
            409,
            "last_admin",
            "This is the project's last admin; make someone else admin first.",
        )

    def test_invalid_role_is_refused(self, world: World, api: Any) -> None:
        response = api(world.admin).post(
            self.url(world), {"username": "nina", "role": "owner"}, format="json"
        )
        assert_error(response, 400, "invalid_field", 'role: "owner" is not a valid choice.')
