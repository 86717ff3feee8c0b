"""The server-rendered pages: sign-in, the queue, the annotate page's embedded data."""

import json
from typing import Any

import pytest
from django.test import Client

from annotations.models import AssignmentStatus, Span
from annotations.selectors.queue import next_assignment
from tests.conftest import World
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def config_of(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('<script id="annotate-config" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    data: dict[str, Any] = json.loads(body)
    return data


def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(world: World) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_message(world: World) -> None:
    response = Client().post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_the_queue_lists_my_documents_with_status_counts_and_the_next_one(world: World) -> None:
    sent_back = DocumentFactory(project=world.project, title="Sent back to me")
    AssignmentFactory(
        document=sent_back,
        annotator=world.annotator,
        status=AssignmentStatus.CHANGES_REQUESTED,
        review_comment="The denial should cover the whole quote.",
    )
    done = DocumentFactory(project=world.project, title="Already submitted")
    AssignmentFactory(document=done, annotator=world.annotator, status=AssignmentStatus.SUBMITTED)
    not_mine = DocumentFactory(project=world.project, title="Only bob's")
    AssignmentFactory(document=not_mine, annotator=world.other_annotator)

    response = signed_in(world.annotator).get("/")
    html = response.content.decode()
    queue = response.context["queues"]
    assert [q.project.name for q in queue] == ["Newsroom"]
    titles = [a.document.title for a in queue[0].assignments]
    # Work sent back first, then started or new work, submitted work last.
    assert titles == ["Sent back to me", world.document.title, "Already submitted"]
    assert queue[0].to_do == 2
    assert response.context["next"].document == sent_back
    assert "The denial should cover the whole quote." in html
    assert "2 to do · 1 changes requested" in html
    assert "Only bob&#x27;s" not in html
    assert "Only bob's" not in html


def test_the_next_one_is_chosen_across_projects_as_the_annotate_page_chooses_it(
    world: World,
) -> None:
    other = ProjectFactory(name="Elections")
    MembershipFactory(project=other, user=world.annotator)
    sent_back = DocumentFactory(project=other, title="Sent back in another project")
    AssignmentFactory(
        document=sent_back, annotator=world.annotator, status=AssignmentStatus.CHANGES_REQUESTED
    )
    response = signed_in(world.annotator).get("/")
    assert [q.project.name for q in response.context["queues"]] == ["Newsroom", "Elections"]
    assert response.context["next"].document == sent_back
    assert response.context["next"] == next_assignment(user=world.annotator)


def test_the_queue_moves_on_when_everything_is_submitted(world: World) -> None:
    world.assignment.status = AssignmentStatus.SUBMITTED
    world.assignment.save()
    response = signed_in(world.annotator).get("/")
    assert response.context["next"] is None
    assert "Nothing left to do" in response.content.decode()


def test_the_annotate_page_embeds_my_layer_and_never_another_annotators(world: World) -> None:
    Span.objects.create(
        assignment=world.other_assignment, label="claim", start=0, end=3, quote="The"
    )
    response = signed_in(world.annotator).get(f"/documents/{world.document.pk}/annotate/")
    assert response.status_code == 200
    config = config_of(response)
    assert config["document"]["text"] == world.document.text
    assert config["project"]["label_schema"]["labels"][0]["name"] == "claim"
    assert config["read_only"] is False
    assert sorted((s["label"], s["start"], s["end"]) for s in config["spans"]) == [
        ("attribution", 39, 48),
        ("claim", 4, 12),
    ]
    assert [(r["type"], r["from_span"], r["to_span"]) for r in config["relations"]] == [
        ("attributed_to", world.span.pk, world.target.pk)
    ]
    assert response.cookies["csrftoken"].value


def test_a_submitted_assignment_opens_read_only(world: World) -> None:
    world.assignment.status = AssignmentStatus.SUBMITTED
    world.assignment.save()
    response = signed_in(world.annotator).get(f"/documents/{world.document.pk}/annotate/")
    assert config_of(response)["read_only"] is True


def test_the_annotate_page_renders_guidelines_markdown_without_scripts(world: World) -> None:
    world.project.guidelines = "Mark **claims**.<script>alert(1)</script>"
    world.project.save()
    html = signed_in(world.annotator).get(f"/documents/{world.document.pk}/annotate/")
    body = html.content.decode()
    assert "<strong>claims</strong>" in body
    assert "<script>alert(1)" not in body


def test_an_editor_without_an_assignment_gets_404_not_an_empty_workspace(world: World) -> None:
    response = signed_in(world.editor).get(f"/documents/{world.document.pk}/annotate/")
    assert response.status_code == 404
