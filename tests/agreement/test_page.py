"""The project agreement dashboard page as the server renders it (drawn in tests/browser)."""

from typing import Any

import pytest
from django.test import Client

from annotations.models import AssignmentStatus
from annotations.selectors.agreement import LOWEST_SHOWN
from annotations.services import agreement
from annotations.services.work import document_mark_dirty
from tests.conftest import World
from tests.factories import AssignmentFactory, DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db


def test_the_page_links_the_documents_it_lists_and_no_others(world: World) -> None:
    """Only the lowest documents are drawn as links; the distribution needs no address,
    and reversing one per document of a large project would cost most of the page."""
    for number in range(LOWEST_SHOWN + 2):
        document = DocumentFactory(project=world.project, title=f"Document {number}")
        for annotator, shift in ((world.annotator, 0), (world.other_annotator, number % 3)):
            layer = AssignmentFactory(
                document=document, annotator=annotator, status=AssignmentStatus.SUBMITTED
            )
            SpanFactory(assignment=layer, start=shift, end=12)
        document_mark_dirty(document_id=document.pk)
        agreement.document_agreement_recompute(document_id=document.pk)
    client = Client()
    client.force_login(world.editor)
    response = client.get(f"/projects/{world.project.pk}/agreement/")
    assert response.status_code == 200
    data: dict[str, Any] = response.context["data"]
    assert len(data["documents"]) == LOWEST_SHOWN + 2
    assert all("url" not in document for document in data["documents"])
    assert [document["url"] for document in data["lowest"]] == [
        f"/review/documents/{document['id']}/" for document in data["documents"][:LOWEST_SHOWN]
    ]
    assert [{**document, "url": None} for document in data["lowest"]] == [
        {**document, "url": None} for document in data["documents"][:LOWEST_SHOWN]
    ]
