"""The admin pages: set-up forms call the project services and show their messages next to
the field they name; import and export pages start jobs and list them."""

import json
import re
from typing import Any

import pytest
from django.test import Client

from annotations.models import Job, Membership, Project
from tests.factories import UserFactory
from tests.io.builders import annotated_project
from tests.io.conftest import run, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> dict[str, Any]:
    return annotated_project(documents=1)


@pytest.fixture
def admin(data: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(data["adam"])
    return client


def url(data: dict[str, Any], page: str) -> str:
    return f"/projects/{data['project'].pk}/{page}/"


def post(client: Client, data: dict[str, Any], form: str, **fields: Any) -> Any:
    project = Project.objects.get(pk=data["project"].pk)
    return client.post(url(data, "settings"), {"form": form, "version": project.version, **fields})


def error_of(response: Any) -> str:
    found = re.search(r'<p class="form-error"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert found, response.content.decode()[:2000]
    import html

    return html.unescape(found.group(1))


def label_fields(project: Project) -> dict[str, str]:
    fields: dict[str, str] = {}
    for index, label in enumerate(project.label_schema["labels"]):
        fields.update(
            {
                f"label-{index}-name": label["name"],
                f"label-{index}-original": label["name"],
                f"label-{index}-color": label["color"],
                f"label-{index}-hotkey": label["hotkey"],
                f"label-{index}-underline": label["underline"],
            }
        )
        if label["enabled"]:
            fields[f"label-{index}-enabled"] = "on"
    return fields


def test_the_settings_page_renders_guidelines_safely(admin: Client, data: dict[str, Any]) -> None:
    project = data["project"]
    project.guidelines = "Mark **claims**.\n\n<script>alert(1)</script><img src=x onerror=alert(1)>"
    project.save()
    page = admin.get(url(data, "settings")).content.decode()
    preview = page.split('id="guidelines-preview">')[1].split("</div>")[0]
    assert "<strong>claims</strong>" in preview
    assert "<script" not in preview
    assert "onerror" not in preview
    for section in ("general", "members", "guidelines", "schema", "rating", "organization"):
        assert f'id="{section}"' in page


def test_general_settings_are_saved_through_the_service(
    admin: Client, data: dict[str, Any]
) -> None:
    response = post(admin, data, "general", name="Renamed", annotators_per_document=3)
    assert response.status_code == 302
    project = Project.objects.get(pk=data["project"].pk)
    assert (project.name, project.annotators_per_document, project.allow_overlap) == (
        "Renamed",
        3,
        False,
    )


def test_a_stale_form_is_refused_with_the_conflict_message(
    admin: Client, data: dict[str, Any]
) -> None:
    response = admin.post(url(data, "settings"), {"form": "general", "version": 99, "name": "X"})
    assert response.status_code == 400
    assert error_of(response).startswith("This project was changed elsewhere (you sent version 99")


def test_the_label_form_names_the_wrong_field(admin: Client, data: dict[str, Any]) -> None:
    fields = label_fields(data["project"])
    fields["label-1-hotkey"] = "j"
    response = post(admin, data, "schema-form", **fields)
    assert response.status_code == 400
    assert error_of(response) == (
        'The label schema is invalid: label_schema.labels[1].hotkey: "j" is reserved by the '
        "annotation page (reserved: j k l r u [ ] { } ?)"
    )
    page = response.content.decode()
    assert re.search(r'name="label-1-hotkey" value="j"[^>]*aria-invalid="true"', page)


def test_the_label_form_adds_renames_and_keeps_attributes(
    admin: Client, data: dict[str, Any]
) -> None:
    fields = label_fields(data["project"])
    fields.update(
        {
            "label-4-name": "source_claim",
            "label-4-original": "",
            "label-4-color": "#123456",
            "label-4-hotkey": "s",
            "label-4-underline": "wavy",
            "label-4-enabled": "on",
        }
    )
    fields["label-3-name"] = "hedge"  # the unused "cue" label, renamed
    response = post(admin, data, "schema-form", **fields)
    assert response.status_code == 302, error_of(response)
    schema = Project.objects.get(pk=data["project"].pk).label_schema
    names = [label["name"] for label in schema["labels"]]
    assert names == ["claim", "denial", "attribution", "hedge", "source_claim"]
    assert schema["labels"][0]["attributes"][0]["name"] == "check_worthiness"


def test_removing_a_label_in_use_is_refused_with_the_message(
    admin: Client, data: dict[str, Any]
) -> None:
    fields = label_fields(data["project"])
    fields["label-1-name"] = ""
    response = post(admin, data, "schema-form", **fields)
    assert response.status_code == 400
    assert error_of(response) == (
        "The schema removes label(s) denial that existing spans use; disable the label "
        "instead (enabled: false) or delete those spans first."
    )


def test_the_schema_as_json_with_bad_json_and_with_a_wrong_field(
    admin: Client, data: dict[str, Any]
) -> None:
    response = post(admin, data, "schema-json", label_schema='{"labels": [')
    assert error_of(response) == (
        "The schema is not valid JSON: Expecting value (line 1, column 13)."
    )
    schema = dict(data["project"].label_schema)
    schema["labels"] = [dict(schema["labels"][0], color="red"), *schema["labels"][1:]]
    response = post(admin, data, "schema-json", label_schema=json.dumps(schema))
    assert error_of(response) == (
        "The label schema is invalid: label_schema.labels[0].color: must be a colour like #1c7ed6"
    )
    assert "&quot;red&quot;" in response.content.decode()


def test_the_rating_scale_rows(admin: Client, data: dict[str, Any]) -> None:
    response = post(
        admin,
        data,
        "rating",
        **{
            "rating-0-name": "False",
            "rating-0-value": "0",
            "rating-1-name": "True",
            "rating-1-value": "1",
            "rating-2-name": "Satire",
            "rating-2-value": "",
            "rating-3-name": "",
            "rating-3-value": "",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=data["project"].pk).rating_scale == [
        {"name": "False", "value": 0},
        {"name": "True", "value": 1},
        {"name": "Satire", "value": None},
    ]
    response = post(admin, data, "rating", **{"rating-0-name": "False", "rating-0-value": "x"})
    assert error_of(response) == (
        "rating_scale[0]: “x” is not a number (leave it empty for a verdict without one)."
    )


def test_the_organisation_is_validated(admin: Client, data: dict[str, Any]) -> None:
    response = post(admin, data, "organization", name="Desk", url="ftp://desk", logo="")
    assert error_of(response) == "organization.url: “ftp://desk” is not an http(s) URL."
    response = post(
        admin,
        data,
        "organization",
        name="Desk",
        url="https://desk.example",
        logo="https://desk.example/l.png",
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=data["project"].pk).organization == {
        "name": "Desk",
        "url": "https://desk.example",
        "logo": "https://desk.example/l.png",
    }


def test_members_and_roles(admin: Client, data: dict[str, Any]) -> None:
    UserFactory(username="nina")
    assert post(admin, data, "member-add", username="nina", role="annotator").status_code == 302
    nina = Membership.objects.get(project=data["project"], user__username="nina")
    response = admin.post(
        url(data, "settings"),
        {"form": "member-role", "username": "nina", "role": "editor", "version": nina.version},
    )
    assert response.status_code == 302
    nina.refresh_from_db()
    assert nina.role == "editor"
    assert post(admin, data, "member-remove", username="nina").status_code == 302
    assert not Membership.objects.filter(user__username="nina").exists()
    response = post(admin, data, "member-add", username="ghost", role="annotator")
    assert error_of(response) == "There is no active user “ghost”."
    response = post(admin, data, "member-remove", username="adam")
    assert error_of(response) == (
        "This is the project's last admin; make someone else admin first."
    )


def test_a_staff_user_creates_a_project(data: dict[str, Any]) -> None:
    staff = UserFactory(username="stan", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.post("/projects/new/", {"name": ""}).status_code == 400
    response = client.post("/projects/new/", {"name": "Elections", "annotators_per_document": 3})
    project = Project.objects.get(name="Elections")
    assert response["Location"] == f"/projects/{project.pk}/settings/"
    assert project.annotators_per_document == 3
    assert Membership.objects.get(project=project).role == "admin"
    listed = client.get("/projects/").content.decode()
    assert "Elections" in listed
    assert "Newsroom" not in listed


def test_the_import_page_uploads_and_lists_the_job(admin: Client, data: dict[str, Any]) -> None:
    content = json.dumps({"text": "A brand new article.", "title": "New"})
    response = admin.post(url(data, "import"), {"file": upload("new.jsonl", content)})
    assert response.status_code == 302
    job = Job.objects.get(kind="import")
    page = admin.get(url(data, "import")).content.decode()
    assert f'data-job-url="/api/projects/{data["project"].pk}/imports/{job.pk}/"' in page
    assert 'data-status="queued"' in page
    run(job)
    page = admin.get(url(data, "import")).content.decode()
    assert "1 imported, 0 duplicates, 0 refused, 0 spans" in page


def test_the_import_page_shows_a_refusal(admin: Client, data: dict[str, Any]) -> None:
    response = admin.post(url(data, "import"), {"file": upload("x.pdf.txt", b"%PDF-1.4")})
    assert response.status_code == 400
    assert error_of(response).startswith("“x.pdf.txt” is a PDF document, not text.")


def test_the_export_page_starts_a_job_and_offers_the_download(
    admin: Client, data: dict[str, Any]
) -> None:
    response = admin.post(
        url(data, "export"), {"format": "csv", "layer": "alice", "statuses": ["accepted"]}
    )
    assert response.status_code == 302
    job = run(Job.objects.get(kind="export"))
    assert job.options["statuses"] == ["accepted"]
    page = admin.get(url(data, "export")).content.decode()
    download = f"/api/projects/{data['project'].pk}/exports/{job.pk}/download/"
    assert f'href="{download}"' in page
    assert admin.get(download).status_code == 200
    assert '<option value="alice">alice</option>' in page
    response = admin.post(url(data, "export"), {"format": "jsonl", "layer": "zed"})
    assert error_of(response).startswith("layer must be gold, all, preannotation")
