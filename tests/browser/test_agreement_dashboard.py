"""The project agreement dashboard in real headless Chromium (issue 4, API and pages)."""

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from annotations.models import AgreementResult, Assignment, AssignmentStatus, Role
from annotations.services import agreement
from annotations.services.work import document_mark_dirty
from tests.browser.conftest import sign_in
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    SpanFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def project_with_figures(transactional_db: None) -> dict[str, Any]:
    """Three documents annotated by alice and bob: perfect, shifted, and nothing marked."""
    project = ProjectFactory(name="Newsroom")
    erin = UserFactory(username="erin")
    MembershipFactory(project=project, user=erin, role=Role.EDITOR)
    users = [UserFactory(username=name) for name in ("alice", "bob")]
    for user in users:
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
    titles = {}
    for title, shift in (("Perfect", 0), ("Shifted", 3), ("Blank", None)):
        document = DocumentFactory(project=project, title=title)
        titles[title] = document.pk
        for user in users:
            layer = Assignment.objects.create(
                document=document, annotator=user, status=AssignmentStatus.SUBMITTED
            )
            if shift is not None:
                offset = shift if user.username == "bob" else 0
                SpanFactory(assignment=layer, start=offset, end=12)
                SpanFactory(assignment=layer, label="denial", start=50, end=66)
        document_mark_dirty(document_id=document.pk)
        agreement.document_agreement_recompute(document_id=document.pk)
    return {"project": project, "editor": erin, "titles": titles}


def test_dashboard_draws_figures_heatmap_distribution_and_lowest_documents(
    page: Page, context: BrowserContext, live_server: Any, project_with_figures: dict[str, Any]
) -> None:
    problems: list[str] = []
    # The browser asks for /favicon.ico on its own; no page of ours has one.
    page.on(
        "console",
        lambda m: (
            None
            if m.location.get("url", "").endswith("/favicon.ico")
            else problems.append(f"{m.text} ({m.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(context, live_server, project_with_figures["editor"])

    response = page.goto(
        f"{live_server.url}/projects/{project_with_figures['project'].pk}/agreement/"
    )

    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    stored = AgreementResult.objects.get(
        project=project_with_figures["project"], document=None, metric="u_alpha", label=""
    ).value
    headline = page.locator('.figure-card[data-metric="u_alpha"]')
    expect(headline.locator(".figure-value")).to_have_text(f"{stored:.2f}")
    expect(headline.locator(".figure-basis")).to_contain_text("over 3 documents")
    expect(page.locator("#label-table tbody tr")).to_have_count(2)
    expect(page.locator("#label-table tbody tr").first.locator("th")).to_have_text("claim")
    # Two annotators: a 2 × 2 grid, the pair's cells coloured, the diagonal left blank.
    # Every span overlaps its partner (F1 overlap 1); 3 of the 4 span pairs are identical
    # (F1 exact 2·3/8).
    expect(page.locator("#pair-heatmap svg rect")).to_have_count(4)
    expect(page.locator("#pair-heatmap svg text.cell").nth(1)).to_have_text("1.00")
    page.locator("#pair-metric").select_option("f1_exact")
    expect(page.locator("#pair-heatmap svg text.cell").nth(1)).to_have_text("0.75")
    expect(page.locator("#distribution svg")).to_have_attribute(
        "aria-label", "Histogram of per-document uα over 3 documents; 1 undefined"
    )
    lowest = page.locator("#lowest li")
    expect(lowest).to_have_count(3)
    expect(lowest.nth(0)).to_contain_text("Shifted")
    expect(lowest.nth(0).get_by_role("link", name="Shifted")).to_have_attribute(
        "href", re.compile(r"^/review/documents/\d+/$")
    )
    expect(lowest.nth(1)).to_contain_text("Perfect")
    expect(lowest.nth(2)).to_contain_text("n/a")
    expect(lowest.nth(2)).to_contain_text("Blank")
    assert problems == []
