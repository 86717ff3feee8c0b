"""Script injection: payloads in every field a person can write never run on our pages.

Each payload would run if it were parsed as HTML. The pages' Content-Security-Policy would
block an inline handler or script anyway, so besides "nothing ran" the test also asserts
that the policy was never even tested (no `securitypolicyviolation` event): the payloads
arrive as text, not as markup. And they are shown, literally, where they belong.
"""

from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from annotations.models import (
    Assignment,
    AssignmentStatus,
    Comment,
    Document,
    DocumentStatus,
    Job,
    Role,
)
from annotations.schema import default_schema
from annotations.text import normalize_text, text_hash
from tests.browser.conftest import sign_in
from tests.factories import (
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    SpanFactory,
    UserFactory,
)
from tests.processes import wait_until

pytestmark = pytest.mark.browser

HANDLER = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'
SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>"
BREAKOUT = '"><svg onload="window.__xss=(window.__xss||0)+1">'
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
    (event) => window.__violations.push(event.violatedDirective));
"""


@pytest.fixture
def hostile(transactional_db: None) -> dict[str, Any]:
    """A project where every free-text field carries a payload."""
    schema = default_schema()
    claim = schema["labels"][0]
    claim["attributes"][1]["values"].append(HANDLER)
    project = ProjectFactory(
        name=f"Desk {SCRIPT}",
        label_schema=schema,
        guidelines=f"Mark claims. {SCRIPT} {HANDLER} [link](javascript:window.__xss=1)",
    )
    alice = UserFactory(username="alice")
    erin = UserFactory(username="erin")
    adam = UserFactory(username="adam")
    MembershipFactory(project=project, user=alice, role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=erin, role=Role.EDITOR)
    MembershipFactory(project=project, user=adam, role=Role.ADMIN)
    Job.objects.create(
        project=project,
        kind=Job.Kind.IMPORT,
        format="jsonl",
        status=Job.Status.FAILED,
        options={"files": [{"name": f"{HANDLER}.jsonl", "path": "imports/1/a", "format": ""}]},
        errors=[{"code": "bad_row", "message": f"line 3: {SCRIPT}"}],
        report={"warning_rows": [{"message": BREAKOUT}]},
    )
    text = normalize_text(f"The minister said {SCRIPT} unemployment fell {HANDLER}.")
    document = DocumentFactory(
        project=project,
        title=f"Jobs {HANDLER}",
        text=text,
        text_hash=text_hash(text),
        outlet=BREAKOUT,
        author=SCRIPT,
        metadata={"desk": HANDLER},
    )
    assignment = AssignmentFactory(document=document, annotator=alice)
    start = text.index("The minister")
    SpanFactory(
        assignment=assignment,
        start=start,
        end=start + len("The minister"),
        note=f"Check {HANDLER} {SCRIPT}",
        attributes={"quote_type": HANDLER},
    )
    return {
        "project": project,
        "document": document,
        "alice": alice,
        "erin": erin,
        "adam": adam,
    }


def assert_nothing_ran(page: Page) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__violations") == []


def test_payloads_in_articles_spans_and_schema_are_shown_as_text_and_never_run(
    page: Page, context: BrowserContext, live_server: Any, hostile: dict[str, Any]
) -> None:
    context.add_init_script(WATCH)
    sign_in(context, live_server, hostile["alice"])

    page.goto(f"{live_server.url}/")
    expect(page.get_by_text(f"Jobs {HANDLER}").first).to_be_visible()
    assert_nothing_ran(page)

    page.goto(f"{live_server.url}/documents/{hostile['document'].pk}/annotate/")
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator("#doc-text")).to_contain_text(SCRIPT)
    expect(page.locator("#doc-text")).to_contain_text(HANDLER)
    page.locator("#span-list [role=option]").first.click()
    expect(page.locator("#span-note")).to_have_value(f"Check {HANDLER} {SCRIPT}")
    expect(page.locator("#span-panel")).to_contain_text(HANDLER)
    assert_nothing_ran(page)
    # The watch works: the same payload, injected as markup, is caught (and blocked).
    page.evaluate(f"document.body.insertAdjacentHTML('beforeend', {HANDLER!r})")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__xss") is None


def test_payloads_on_the_editors_agreement_page_never_run(
    page: Page, context: BrowserContext, live_server: Any, hostile: dict[str, Any]
) -> None:
    context.add_init_script(WATCH)
    sign_in(context, live_server, hostile["erin"])
    page.goto(f"{live_server.url}/projects/{hostile['project'].pk}/agreement/")
    expect(page.get_by_text(f"Desk {SCRIPT}").first).to_be_visible()
    assert_nothing_ran(page)


def test_payloads_on_the_admins_set_up_import_and_export_pages_never_run(
    page: Page, context: BrowserContext, live_server: Any, hostile: dict[str, Any]
) -> None:
    context.add_init_script(WATCH)
    sign_in(context, live_server, hostile["adam"])
    project = hostile["project"].pk
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_text(f"Desk {SCRIPT}").first).to_be_visible()
    page.goto(f"{live_server.url}/projects/{project}/settings/")
    expect(page.locator("body")).to_contain_text(f"Desk {SCRIPT}")
    assert_nothing_ran(page)
    page.goto(f"{live_server.url}/projects/{project}/import/")
    expect(page.locator("#jobs")).to_contain_text(f"{HANDLER}.jsonl")
    page.locator("#jobs summary").first.click()
    expect(page.locator("#jobs .problem-error")).to_have_text(f"line 3: {SCRIPT}")
    expect(page.locator("#jobs .problem-warning")).to_have_text(BREAKOUT)
    assert_nothing_ran(page)
    page.goto(f"{live_server.url}/projects/{project}/export/")
    assert_nothing_ran(page)


def test_payloads_on_the_editors_review_pages_never_run(
    page: Page, context: BrowserContext, live_server: Any, hostile: dict[str, Any]
) -> None:
    document = hostile["document"]
    Assignment.objects.filter(document=document).update(
        status=AssignmentStatus.SUBMITTED, review_comment=BREAKOUT
    )
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.SUBMITTED)
    Comment.objects.create(document=document, author=hostile["alice"], body=f"See {HANDLER}")
    context.add_init_script(WATCH)
    sign_in(context, live_server, hostile["erin"])

    page.goto(f"{live_server.url}/review/")
    expect(page.get_by_text(f"Jobs {HANDLER}").first).to_be_visible()
    assert_nothing_ran(page)
    page.goto(f"{live_server.url}/review/documents/{document.pk}/")
    expect(page.locator("#comment-list")).to_contain_text(f"See {HANDLER}")
    expect(page.locator("#doc-text")).to_contain_text(SCRIPT)
    page.locator("#history summary").click()
    assert_nothing_ran(page)
    # Leaving releases the review lease; wait for that, so it cannot race the teardown.
    expect(page.locator("html")).to_have_attribute("data-lease", "held")
    page.goto("about:blank")
    released = Document.objects.filter(pk=document.pk, lease_holder__isnull=True)
    wait_until(released.exists, what="the review lease to be released")
