"""The editors' review in real headless Chromium (issue 5, "What must be shown" §1)."""

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from annotations.models import (
    Assignment,
    AssignmentStatus,
    CandidateDecision,
    Document,
    Relation,
    Role,
    Span,
    Verdict,
)
from annotations.services.documents import document_refresh_status
from annotations.services.work import document_label_counts_record, document_mark_dirty
from annotations.text import normalize_text, text_hash
from tests.browser.conftest import sign_in
from tests.browser.helpers import drag, wait_saved
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.browser

TEXT = (
    "The minister said unemployment fell to four percent.\n"
    "A spokesman for the union called that claim false.\n"
    "Critics say the figures were massaged before the election."
)
CLAIM = "unemployment fell to four percent"
CLAIM_LONGER = "unemployment fell to four percent."
SOURCE = "The minister"
DENIAL = "called that claim false"
NEW_CLAIM = "the figures were massaged"


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def layer(document: Document, user: Any, spans: list[tuple[Any, ...]], link: bool = False) -> None:
    assignment = Assignment.objects.create(
        document=document, annotator=user, status=AssignmentStatus.SUBMITTED
    )
    made = []
    for label, phrase, *attributes in spans:
        start, end = at(phrase)
        made.append(
            Span.objects.create(
                assignment=assignment,
                label=label,
                start=start,
                end=end,
                quote=phrase,
                attributes=attributes[0] if attributes else {},
            )
        )
    if link:
        Relation.objects.create(
            assignment=assignment, type="attributed_to", from_span=made[0], to_span=made[1]
        )
    document_refresh_status(document=document)


@pytest.fixture
def desk(transactional_db: None) -> dict[str, Any]:
    """Three documents under review; "Unemployment" has the lowest agreement and three
    annotators who disagree on the claim's end and on a denial."""
    project = ProjectFactory(name="Newsroom", annotators_per_document=3)
    people = {n: UserFactory(username=n) for n in ("alice", "bob", "carol", "erin", "ed")}
    for name in ("alice", "bob", "carol"):
        MembershipFactory(project=project, user=people[name], role=Role.ANNOTATOR)
    for name in ("erin", "ed"):
        MembershipFactory(project=project, user=people[name], role=Role.EDITOR)
    documents = {}
    for title, agreement in (("Budget", 0.8), ("Unemployment", 0.2), ("Weather", None)):
        text = normalize_text(TEXT)
        document = DocumentFactory(
            project=project, title=title, text=text, text_hash=text_hash(text)
        )
        layer(
            document,
            people["alice"],
            [("claim", CLAIM), ("attribution", SOURCE), ("denial", DENIAL)],
            link=True,
        )
        layer(document, people["bob"], [("claim", CLAIM), ("attribution", SOURCE)], link=True)
        layer(document, people["carol"], [("claim", CLAIM_LONGER), ("attribution", SOURCE)])
        Document.objects.filter(pk=document.pk).update(agreement_value=agreement)
        # What the worker does after a submission: count each layer's labels for the queue.
        document_mark_dirty(document_id=document.pk)
        document_label_counts_record(document_id=document.pk)
        documents[title] = document
    return {"project": project, **people, **documents}


def ready(page: Page) -> None:
    page.wait_for_selector("html[data-review-ready=true]")


def candidate(page: Page, label: str, phrase: str) -> Any:
    start, end = at(phrase)
    return page.locator(f'#candidate-list li[data-key="{label}:{start}:{end}"]')


def gold(document: Document) -> list[tuple[str, str]]:
    return [
        (s.label, s.quote)
        for s in Span.objects.filter(
            assignment__document=document, assignment__kind="gold"
        ).order_by("start", "end")
    ]


def test_an_editor_adjudicates_the_lowest_agreement_document_to_gold(
    page: Page, context: BrowserContext, live_server: Any, desk: dict[str, Any]
) -> None:
    document = desk["Unemployment"]
    sign_in(context, live_server, desk["erin"])
    page.goto(f"{live_server.url}/review/")
    rows = page.locator("#review-queue tbody tr")
    expect(rows).to_have_count(3)
    # Lowest agreement first, undefined after every number.
    expect(rows.locator(".doc-link")).to_have_text(["Unemployment", "Budget", "Weather"])
    expect(rows.nth(2).locator(".agreement")).to_have_text("n/a")
    # Each row shows every annotator's labels.
    expect(rows.first.locator(".label-counts li")).to_have_text(
        [
            re.compile(r"alice Submitted\s+attribution 1\s+claim 1\s+denial 1"),
            re.compile(r"bob Submitted\s+attribution 1\s+claim 1"),
            re.compile(r"carol Submitted\s+attribution 1\s+claim 1"),
        ]
    )
    rows.first.locator(".doc-link").click()
    expect(page).to_have_url(re.compile(f"/review/documents/{document.pk}/$"))
    ready(page)
    expect(page.locator("html")).to_have_attribute("data-lease", "held")

    # Merge by majority: two of three annotators put the shorter claim, the source and
    # their link into gold; carol's longer claim and alice's denial stay open.
    page.get_by_label("Start gold by").select_option("majority")
    with page.expect_navigation():
        page.get_by_role("button", name="Merge").click()
    ready(page)
    expect(page.locator("html")).to_have_attribute("data-lease", "held")
    assert gold(document) == [("attribution", SOURCE), ("claim", CLAIM)]
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_attribute("data-status", "open")
    expect(candidate(page, "claim", CLAIM_LONGER).locator(".votes")).to_have_text("1/3")
    expect(candidate(page, "claim", CLAIM).locator(".votes")).to_have_text("2/3")
    expect(candidate(page, "claim", CLAIM_LONGER)).to_contain_text("Alternatives: claim")

    # By keyboard: j/k walk the disagreements first, in document order (the longer of two
    # spans that start together first). Reject the longer claim, and the focus moves on to
    # the next open candidate, the denial, which Enter accepts.
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(candidate(page, "claim", CLAIM)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("k")
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Delete")
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_attribute("data-status", "rejected")
    expect(candidate(page, "denial", DENIAL)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(candidate(page, "denial", DENIAL)).to_have_attribute("data-status", "accepted")
    expect(page.locator("#span-list [role=option]")).to_have_count(3)
    outcomes = dict(
        CandidateDecision.objects.filter(document=document).values_list("candidate", "outcome")
    )
    assert outcomes == {
        "claim:{}:{}".format(*at(CLAIM_LONGER)): "rejected",
        "denial:{}:{}".format(*at(DENIAL)): "accepted",
    }

    # Add a span with the annotators' widget: select words, press the label's key.
    start, end = at(NEW_CLAIM)
    drag(page, TEXT, start + 1, end - 1)
    page.keyboard.press("c")
    expect(page.locator("#span-list [role=option]")).to_have_count(4)
    wait_saved(page)
    assert ("claim", NEW_CLAIM) in gold(document)

    # A verdict on the merged claim: the claimant comes from its attribution.
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.get_by_role("option", name=f"claim: {CLAIM}", exact=True).click()
    verdict = page.locator("#verdict-panel")
    expect(verdict).to_be_visible()
    verdict.get_by_label("Rating").select_option("Mostly false")
    verdict.get_by_label("Claim summary").fill("Unemployment fell to 4%")
    verdict.get_by_role("button", name="Save verdict").click()
    expect(page.locator("#message")).to_contain_text(
        "Verdict saved: Mostly false, claimed by The minister."
    )
    saved = Verdict.objects.get(span__assignment__document=document)
    assert (saved.span.quote, saved.rating, saved.summary, saved.claimant) == (
        CLAIM,
        "Mostly false",
        "Unemployment fell to 4%",
        SOURCE,
    )

    # Accept the document: gold is final.
    page.get_by_role("button", name="Accept document…").click()
    expect(page.locator("#accept-dialog [data-summary]")).to_have_text(
        "Every candidate is decided."
    )
    page.locator("#accept-dialog").get_by_role("button", name="Accept", exact=True).click()
    expect(page.locator(".accepted-banner")).to_contain_text("Accepted by erin")
    document.refresh_from_db()
    assert document.status == "accepted"
    assert document.accepted_at is not None
    assert set(document.assignments.values_list("status", flat=True)) == {"accepted"}

    # Gold exists now: the project dashboard rates each annotator against it.
    page.goto(f"{live_server.url}/projects/{desk['project'].pk}/agreement/")
    quality = page.locator("#annotator-quality")
    expect(quality).to_contain_text("Span F1 against gold on 1 accepted document.")
    expect(quality.locator("tbody tr")).to_have_count(3)
    # bob marked exactly the merged claim and source; gold has a denial and a claim more.
    expect(quality.locator("tbody tr", has_text="bob").locator("td").nth(1)).to_have_text("0.67")


def test_a_second_editor_is_told_the_document_is_taken(
    page: Page, browser: Browser, context: BrowserContext, live_server: Any, desk: dict[str, Any]
) -> None:
    document = desk["Unemployment"]
    sign_in(context, live_server, desk["erin"])
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    ready(page)
    expect(page.locator("html")).to_have_attribute("data-lease", "held")

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        sign_in(other, live_server, desk["ed"])
        second = other.new_page()
        second.goto(f"{live_server.url}/review/documents/{document.pk}/")
        second.wait_for_selector("html[data-review-ready=true]")
        banner = second.locator("#lease-banner")
        expect(banner).to_contain_text(
            re.compile(r"erin is adjudicating this document until \d\d:\d\d UTC")
        )
        expect(second.get_by_role("button", name="Merge")).to_be_disabled()
        expect(second.get_by_role("button", name="Accept document…")).to_be_disabled()
        # The queue says so too.
        second.goto(f"{live_server.url}/review/")
        expect(second.locator(f'tr[data-document="{document.pk}"]')).to_contain_text("erin")
        # Taking over moves the lease, and erin's page is told at her next decision.
        second.goto(f"{live_server.url}/review/documents/{document.pk}/")
        second.wait_for_selector("html[data-review-ready=true]")
        second.locator("#lease-banner").get_by_role("button", name="Take over").click()
        expect(second.locator("#lease-banner")).to_contain_text(
            "You took this document over from erin"
        )
        expect(second.get_by_role("button", name="Merge")).to_be_enabled()
        page.bring_to_front()
        page.keyboard.press("j")
        page.keyboard.press("Enter")
        expect(page.locator("#lease-banner")).to_contain_text(
            "Another editor took this document over: ed is adjudicating this document"
        )
        expect(page.locator("#message")).to_contain_text("Not saved")
    finally:
        # Closing ed's page gives the lease back.
        other.close()
    assert not CandidateDecision.objects.exists()


def test_send_back_shows_the_comment_to_the_annotator_whose_resubmission_returns_it(
    page: Page, browser: Browser, context: BrowserContext, live_server: Any, desk: dict[str, Any]
) -> None:
    document = desk["Unemployment"]
    sign_in(context, live_server, desk["erin"])
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    ready(page)
    expect(page.locator("html")).to_have_attribute("data-lease", "held")
    page.locator('#annotator-list li[data-annotator="alice"]').get_by_role(
        "button", name="Send back…"
    ).click()
    dialog = page.locator("#send-back-dialog")
    dialog.get_by_label("Comment").fill(
        "The spokesman's words are a denial of the claim: link them."
    )
    with page.expect_navigation():
        dialog.get_by_role("button", name="Send back").click()
    ready(page)
    expect(page.locator('#annotator-list li[data-annotator="alice"]')).to_contain_text(
        "changes requested"
    )
    page.goto(f"{live_server.url}/review/")
    expect(page.locator(f'tr[data-document="{document.pk}"]')).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Changes requested 1"))).to_be_visible()

    annotator = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        sign_in(annotator, live_server, desk["alice"])
        mine = annotator.new_page()
        mine.goto(f"{live_server.url}/")
        row = mine.locator(f'tr[data-document="{document.pk}"]')
        expect(row).to_contain_text("The spokesman's words are a denial of the claim: link them.")
        row.get_by_role("link").click()
        mine.wait_for_selector("html[data-ready=true]")
        expect(mine.locator(".review-comment")).to_contain_text("link them")
        # The thread with the editors: the comment is there, and alice answers it.
        thread = mine.locator("#comment-thread")
        expect(thread.locator("li")).to_contain_text(["erin to alice"])
        thread.get_by_label("Comment to the editors").fill("Linked them, thanks.")
        thread.get_by_role("button", name="Send").click()
        expect(thread.locator("li")).to_have_count(2)
        mine.get_by_role("button", name="Submit…").click()
        mine.get_by_role("button", name="Submit", exact=True).click()
        expect(mine.locator("#mode-banner")).to_contain_text("read-only")
    finally:
        annotator.close()
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    expect(page.locator("#comment-list li").last).to_contain_text("alice to the editors")
    expect(page.locator("#comment-list li").last).to_contain_text("Linked them, thanks.")
    page.goto(f"{live_server.url}/review/")
    row = page.locator(f'tr[data-document="{document.pk}"]')
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("Submitted")
    expect(row.locator(".label-counts li").first).to_contain_text("alice Submitted")


def test_reassign_from_the_queue_and_toggle_an_annotator_on_the_compare_page(
    page: Page, context: BrowserContext, live_server: Any, desk: dict[str, Any]
) -> None:
    document = desk["Unemployment"]
    dave = UserFactory(username="dave")
    MembershipFactory(project=desk["project"], user=dave, role=Role.ANNOTATOR)
    sign_in(context, live_server, desk["erin"])
    page.goto(f"{live_server.url}/review/")
    row = page.locator(f'tr[data-document="{document.pk}"]')
    row.get_by_role("button", name="Assign…").click()
    dialog = page.locator("#assign-dialog")
    expect(dialog.locator("[data-assigned] li")).to_have_count(3)
    # The least-loaded annotator who does not have it yet: dave.
    with page.expect_navigation():
        dialog.get_by_role("button", name="Add the least-loaded annotator").click()
    assert set(document.assignments.values_list("annotator__username", flat=True)) == {
        "alice",
        "bob",
        "carol",
        "dave",
    }
    page.locator(f'tr[data-document="{document.pk}"]').get_by_role("button", name="Assign…").click()
    page.once("dialog", lambda prompt: prompt.accept())
    with page.expect_navigation():
        dialog.locator("[data-assigned] li", has_text="dave").get_by_role(
            "button", name="Remove"
        ).click()
    assert not document.assignments.filter(annotator=dave).exists()

    # On the compare page, hiding carol hides what only she proposed.
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    ready(page)
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_count(1)
    page.locator("#annotator-toggles").get_by_label("carol").uncheck()
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_count(0)
    expect(candidate(page, "claim", CLAIM).locator(".voters")).not_to_contain_text("carol")
    page.locator("#annotator-toggles").get_by_label("carol").check()
    expect(candidate(page, "claim", CLAIM_LONGER)).to_have_count(1)


def test_rejecting_a_gold_span_clears_its_relation_from_the_other_spans_item(
    page: Page, context: BrowserContext, live_server: Any, desk: dict[str, Any]
) -> None:
    document = desk["Unemployment"]
    sign_in(context, live_server, desk["erin"])
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    ready(page)
    page.get_by_label("Start gold by").select_option("majority")
    with page.expect_navigation():
        page.get_by_role("button", name="Merge").click()
    ready(page)
    expect(page.locator("html")).to_have_attribute("data-lease", "held")
    source = page.get_by_role("option", name=f"attribution: {SOURCE}", exact=True)
    expect(source.locator(".rels li")).to_have_text([f"← attributed_to {CLAIM}"])

    # Rejecting the merged claim takes it out of gold, and its relation with it.
    candidate(page, "claim", CLAIM).get_by_role("button", name="Reject").click()
    expect(page.locator("#message")).to_contain_text("(and 1 gold relation with it)")
    expect(page.locator("#span-list [role=option]")).to_have_count(1)
    expect(source.locator(".rels li")).to_have_count(0)
    assert gold(document) == [("attribution", SOURCE)]
