"""The annotator's workspace in real headless Chromium (issue 3, "What must be shown" §1)."""

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from annotations.models import Assignment, AssignmentStatus, Project, Relation, Span
from tests.browser.conftest import article, open_document, sign_in
from tests.browser.helpers import drag, highlighted, spans_of, wait_saved
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CIA = (
    "WASHINGTON — Two former officials said the agency mishandled intelligence.\n"
    "\n"
    'A CIA spokeswoman, Liz Lyons, called the allegations "unfounded" on Tuesday.'
)
DEMO = (
    "Demo 😀 family 👩\u200d👩\u200d👧 at Spın̈al Health (हिन्दी पानी):\n"
    "Mayor\u00a0Ana\u00a0Petrova said the water is safe to drink."
)
ARABIC = "قال المتحدث باسم الوزارة إن الاتهامات لا أساس لها من الصحة.\nوأضاف أن التحقيق مستمر."
JAPANESE = "東京都の知事は、水道水は安全だと述べた。\n専門家は反論している。"
STORED_QUEUES = "Object.keys(localStorage).filter(k => k.startsWith('factcheck.outbox'))"


def assignment_of(document: Any, user: Any) -> Assignment:
    return Assignment.objects.get(document=document, annotator=user)


def two_tabs_on_one_span(
    context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> tuple[Span, Page, Page]:
    """Alice's claim on "mishandled intelligence", open in two tabs of the same session."""
    document = article(newsroom, CIA)
    phrase = "mishandled intelligence"
    begin = CIA.index(phrase)
    span = Span.objects.create(
        assignment=assignment_of(document, newsroom["alice"]),
        label="claim",
        start=begin,
        end=begin + len(phrase),
        quote=phrase,
    )
    sign_in(context, live_server, newsroom["alice"])
    first = context.new_page()
    second = context.new_page()
    open_document(first, live_server, document)
    open_document(second, live_server, document)
    return span, first, second


def test_sign_in_drag_and_hotkey_persist_exact_offsets(
    page: Page, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA, title="CIA denies mishandling")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="CIA denies mishandling").first.click()
    page.wait_for_selector("html[data-ready=true]")

    # From inside "called" to inside "allegations": the selection snaps to whole words.
    start = CIA.index("called") + 2
    end = CIA.index("allegations") + 4
    drag(page, CIA, start, end)
    page.keyboard.press("c")
    expect(page.locator("#span-list [role=option]")).to_have_count(1)
    wait_saved(page)

    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator("#span-list [role=option]")).to_contain_text("called the allegations")
    phrase = "called the allegations"
    begin = CIA.index(phrase)
    assert spans_of(assignment_of(document, newsroom["alice"])) == [
        ("claim", begin, begin + len(phrase), phrase)
    ]


def test_offsets_are_code_points_after_emoji_zwj_and_combining_marks(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, DEMO, title="Demo article")
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    phrase = "the water is safe"
    begin = DEMO.index(phrase)
    drag(page, DEMO, begin + 1, begin + len(phrase) - 1)
    page.keyboard.press("c")
    # An exact (Alt) selection of the family emoji: one grapheme, five code points.
    family = "👩\u200d👩\u200d👧"
    at = DEMO.index(family)
    drag(page, DEMO, at, at + len(family))
    page.keyboard.press("Alt+a")
    # The combining mark stays with its letter.
    word = "Spın̈al"
    w = DEMO.index(word)
    drag(page, DEMO, w + 3, w + 4)
    page.keyboard.press("d")
    expect(page.locator("#span-list [role=option]")).to_have_count(3)
    wait_saved(page)
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator("#span-list [role=option]")).to_have_count(3)
    assert spans_of(assignment_of(document, newsroom["alice"])) == [
        ("attribution", at, at + 5, family),
        ("denial", w, w + len(word), word),
        ("claim", begin, begin + len(phrase), phrase),
    ]
    assert len(family) == 5
    assert len(word) == 7


@pytest.mark.parametrize(
    ("text", "language", "inside", "expected"),
    [
        (ARABIC, "ar", ("الاتهامات", "أساس"), "الاتهامات لا أساس"),
        (JAPANESE, "ja", ("水道", "安全"), "水道水は安全"),
    ],
    ids=["arabic-rtl", "japanese"],
)
def test_right_to_left_and_unspaced_scripts_snap_to_words(
    page: Page,
    context: BrowserContext,
    live_server: Any,
    newsroom: dict[str, Any],
    text: str,
    language: str,
    inside: tuple[str, str],
    expected: str,
) -> None:
    document = article(newsroom, text, language=language)
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    expect(page.locator("#doc-text p").first).to_have_attribute("dir", "auto")
    first, last = inside
    # Press on the second character of the first word, release on the first of the last one.
    start = text.index(first) + 1
    end = text.index(last) + 1
    drag(page, text, start, end)
    page.keyboard.press("c")
    expect(page.locator("#span-list [role=option]")).to_have_count(1)
    wait_saved(page)
    begin = text.index(expected)
    assert spans_of(assignment_of(document, newsroom["alice"])) == [
        ("claim", begin, begin + len(expected), expected)
    ]
    if language == "ar":
        direction = page.evaluate(
            "getComputedStyle(document.querySelector('#doc-text p')).direction"
        )
        assert direction == "rtl"


def test_keyboard_only_create_resize_relabel_relate_delete_and_undo(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    assignment = assignment_of(document, newsroom["alice"])
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    options = page.locator("#span-list [role=option]")

    # A label key with nothing selected labels the first word; } grows the end by words.
    page.keyboard.press("c")
    expect(options).to_have_count(1)
    page.keyboard.press("}")
    page.keyboard.press("}")
    page.keyboard.press("{")
    page.keyboard.press("}")
    expect(options.first).to_contain_text("WASHINGTON — Two former")
    # ] moves the start a word later, [ back again.
    page.keyboard.press("]")
    expect(options.first).to_contain_text("Two former")
    page.keyboard.press("[")
    expect(options.first).to_contain_text("WASHINGTON — Two former")
    # l then a label key relabels.
    page.keyboard.press("l")
    page.keyboard.press("d")
    expect(options.first).to_contain_text("denial")
    # Another span on the next word (after the focused one), as an attribution.
    page.keyboard.press("a")
    expect(options).to_have_count(2)
    expect(page.locator("#span-list [aria-selected=true]")).to_contain_text("officials")
    # Back to the denial, r, pick the attribution with j, Enter: attributed_to.
    page.keyboard.press("k")
    page.keyboard.press("r")
    expect(page.locator("#mode-banner")).to_contain_text("pick the target")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("attributed_to")
    wait_saved(page)
    relation = Relation.objects.get(assignment=assignment)
    assert relation.type == "attributed_to"
    assert (relation.from_span.label, relation.from_span.quote) == (
        "denial",
        "WASHINGTON — Two former",
    )
    assert (relation.to_span.label, relation.to_span.quote) == ("attribution", "officials")

    # Delete the focused denial: its relation goes with it, and the page says so.
    page.keyboard.press("Delete")
    expect(page.locator("#message")).to_contain_text("and 1 relation with it")
    expect(options).to_have_count(1)
    wait_saved(page)
    officials = CIA.index("officials")
    assert spans_of(assignment) == [("attribution", officials, officials + 9, "officials")]
    assert not Relation.objects.filter(assignment=assignment).exists()

    # u brings the span and its relation back.
    page.keyboard.press("u")
    expect(options).to_have_count(2)
    wait_saved(page)
    assert Relation.objects.filter(assignment=assignment, type="attributed_to").count() == 1
    assert spans_of(assignment) == [
        ("denial", 0, 23, "WASHINGTON — Two former"),
        ("attribution", officials, officials + 9, "officials"),
    ]

    # ? lists every shortcut.
    page.keyboard.press("?")
    help_dialog = page.locator("#help-dialog")
    expect(help_dialog).to_be_visible()
    for key in ["j", "k", "l", "r", "u", "[", "]", "{", "}", "Delete", "c", "d", "a"]:
        exactly = re.compile(f"^{re.escape(key)}$")
        expect(help_dialog.locator("kbd", has_text=exactly)).to_have_count(1)
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_overlapping_and_nested_spans_are_each_visible_and_selectable(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    assignment = assignment_of(document, newsroom["alice"])
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    sentence = 'A CIA spokeswoman, Liz Lyons, called the allegations "unfounded"'
    source = "A CIA spokeswoman, Liz Lyons"
    crossing = "Liz Lyons, called"
    for phrase, key in [(sentence, "c"), (source, "a"), (crossing, "d")]:
        begin = CIA.index(phrase)
        drag(page, CIA, begin, begin + len(phrase))
        page.keyboard.press(key)
    expect(page.locator("#span-list [role=option]")).to_have_count(3)
    wait_saved(page)
    assert {s[0] for s in spans_of(assignment)} == {"claim", "attribution", "denial"}
    # Each label has its own highlight, and nested ones add a depth layer.
    sizes = page.evaluate(
        "['fc-l0', 'fc-l1', 'fc-l2', 'fc-depth1', 'fc-depth2'].map(n => CSS.highlights.get(n).size)"
    )
    assert sizes == [1, 1, 1, 1, 1]
    # Clicking "Lyons" (inside all three) selects the innermost first, then the next out.
    page.keyboard.press("Escape")
    lyons = page.evaluate(
        """() => { const node = document.querySelector('#doc-text p[data-p="2"]').firstChild;
        const r = document.createRange(); const i = node.data.indexOf('Lyons') + 2;
        r.setStart(node, i); r.setEnd(node, i + 1); const b = r.getBoundingClientRect();
        return [b.x + b.width / 2, b.y + b.height / 2]; }"""
    )
    selected = page.locator("#span-list [aria-selected=true]")
    page.mouse.click(*lyons)
    expect(selected).to_contain_text("denial")
    page.mouse.click(*lyons)
    expect(selected).to_contain_text("attribution")
    page.mouse.click(*lyons)
    expect(selected).to_contain_text("claim")
    # The list is a listbox of options, with the focused one marked for assistive tech.
    listbox = page.get_by_role("listbox", name=re.compile("My spans"))
    expect(listbox).to_have_attribute("aria-activedescendant", re.compile("^opt-"))


class Network:
    """The page's connection to the API, switched by the test.

    Its one route is installed before the page loads and stays until the end, so turning
    the network off or on is a Python assignment, not a new route: no request can be sent
    between a route being asked for and Chromium applying it.
    """

    def __init__(self, page: Page) -> None:
        self.state = "online"
        self.held: list[Any] = []
        self.lost: list[str] = []
        page.route("**/api/**", self.handle)

    def handle(self, route: Any) -> None:
        write = route.request.method != "GET"
        if self.state == "offline" or (self.state == "reads only" and write):
            route.abort("internetdisconnected")
        elif self.state == "holding writes" and write:
            self.held.append(route)
        elif self.state == "losing one answer" and write and not self.lost:
            self.lost.append(route.request.url)
            route.fetch()  # reaches the server...
            route.abort("connectionreset")  # ...but the answer never arrives
        else:
            route.continue_()

    def release(self) -> None:
        self.state = "online"
        for route in self.held:
            route.continue_()


def test_autosave_while_offline_loses_nothing_and_duplicates_nothing(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    assignment = assignment_of(document, newsroom["alice"])
    sign_in(context, live_server, newsroom["alice"])
    page.clock.install()
    network = Network(page)
    open_document(page, live_server, document)

    # The network drops: every API call fails.
    network.state = "offline"
    phrase = "mishandled intelligence"
    begin = CIA.index(phrase)
    drag(page, CIA, begin, begin + len(phrase))
    page.keyboard.press("c")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "offline")
    page.clock.run_for(1_000)  # first retry, still offline
    page.clock.run_for(2_000)  # second retry, still offline
    assert Span.objects.filter(assignment=assignment).count() == 0
    assert len(page.evaluate(STORED_QUEUES)) == 1

    # The page is reloaded while writes still fail: the queue is still there.
    network.state = "reads only"
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator("#span-list [role=option]")).to_contain_text(phrase)

    # The server comes back, but the first answer is lost after the server saved the span.
    network.state = "losing one answer"
    page.clock.run_for(60_000)
    wait_saved(page)
    assert network.lost
    assert spans_of(assignment) == [("claim", begin, begin + len(phrase), phrase)]
    assert page.evaluate(STORED_QUEUES) == []


def test_submit_waits_for_the_last_change_to_be_saved(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    assignment = assignment_of(document, newsroom["alice"])
    sign_in(context, live_server, newsroom["alice"])
    network = Network(page)
    open_document(page, live_server, document)
    network.state = "holding writes"
    page.keyboard.press("c")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saving")
    page.get_by_role("button", name="Submit…").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#message")).to_have_text("Saving your last changes before submitting…")
    assert assignment_of(document, newsroom["alice"]).status != AssignmentStatus.SUBMITTED
    network.release()
    expect(page.locator("#mode-banner")).to_contain_text("read-only")
    assert assignment_of(document, newsroom["alice"]).status == AssignmentStatus.SUBMITTED
    assert Span.objects.filter(assignment=assignment).count() == 1


def test_submit_refuses_while_the_last_change_cannot_be_saved(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    sign_in(context, live_server, newsroom["alice"])
    network = Network(page)
    open_document(page, live_server, document)
    network.state = "reads only"
    page.keyboard.press("c")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "offline")
    page.get_by_role("button", name="Submit…").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#message")).to_have_text(
        "Cannot submit while changes are not saved; try again when you are back online."
    )
    assert assignment_of(document, newsroom["alice"]).status != AssignmentStatus.SUBMITTED


def test_a_conflict_from_a_second_tab_keeps_both_edits(
    context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    span, first, second = two_tabs_on_one_span(context, live_server, newsroom)

    # The second tab writes a note.
    second.keyboard.press("j")
    second.keyboard.press("Enter")
    second.locator("#span-note").fill("Check the officials' claim with the agency.")
    wait_saved(second)
    # The first tab, still on version 1, relabels the same span: the server says 409.
    first.keyboard.press("j")
    first.keyboard.press("l")
    first.keyboard.press("d")
    dialog = first.locator("#conflict-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".mine")).to_contain_text("denial")
    expect(dialog.locator(".theirs").first).to_contain_text("claim")
    dialog.get_by_role("button", name="Keep mine").click()
    # The choice is applied on the dialog's close event; the message says it was.
    expect(first.locator("#message")).to_have_text("Kept your version.")
    wait_saved(first)
    span.refresh_from_db()
    assert (span.label, span.note) == ("denial", "Check the officials' claim with the agency.")
    expect(first.locator("#span-note")).to_have_value("Check the officials' claim with the agency.")


def test_submit_makes_the_page_read_only_and_offers_the_next_document(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA, title="First article")
    following = article(newsroom, "Second article text.", title="Second article")
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    page.keyboard.press("c")
    wait_saved(page)
    page.get_by_role("button", name="Submit…").click()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.locator("#mode-banner")).to_contain_text("read-only")
    assert assignment_of(document, newsroom["alice"]).status == AssignmentStatus.SUBMITTED
    expect(page.locator("#label-bar button").first).to_be_disabled()
    page.keyboard.press("j")
    page.keyboard.press("Delete")
    page.keyboard.press("a")
    expect(page.locator("#span-list [role=option]")).to_have_count(1)
    page.reload()
    page.wait_for_selector("html[data-ready=true]")
    expect(page.locator("#submit-button")).to_be_hidden()
    assert Span.objects.filter(assignment__document=document).count() == 1
    page.get_by_role("link", name="Next document").click()
    expect(page).to_have_url(re.compile(f"/documents/{following.pk}/annotate/$"))


def test_article_html_is_shown_as_text_and_never_runs(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    text = (
        "Officials said <img src=x onerror=\"window.__xss='img'\"> nothing.\n"
        "<script>window.__xss='script'</script> The end."
    )
    document = article(newsroom, text, title="<b onmouseover=alert(1)>Headline</b>")
    sign_in(context, live_server, newsroom["alice"])
    dialogs: list[str] = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    open_document(page, live_server, document)
    expect(page.locator("#doc-text")).to_contain_text('<img src=x onerror="window.__xss=')
    expect(page.locator("#doc-text")).to_contain_text("<script>window.__xss='script'</script>")
    expect(page.locator("h1")).to_have_text("<b onmouseover=alert(1)>Headline</b>")
    assert page.locator("#doc-text img, #doc-text script, h1 b").count() == 0
    assert page.evaluate("window.__xss") is None
    assert dialogs == []


def test_pages_send_a_content_security_policy_without_inline_scripts(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    login = page.goto(f"{live_server.url}/accounts/login/")
    sign_in(context, live_server, newsroom["alice"])
    queue = page.goto(f"{live_server.url}/")
    annotate = page.goto(f"{live_server.url}/documents/{document.pk}/annotate/")
    for response in (login, queue, annotate):
        assert response is not None
        assert response.ok
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", policy
        assert "unsafe-inline" not in directives["script-src"]
    page.wait_for_selector("html[data-ready=true]")


def test_attributes_note_and_relation_removal_are_saved_from_the_side_panel(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    assignment = assignment_of(document, newsroom["alice"])
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    for phrase, key in [("mishandled intelligence", "c"), ("unfounded", "d")]:
        begin = CIA.index(phrase)
        drag(page, CIA, begin, begin + len(phrase))
        page.keyboard.press(key)
    # The denial is focused: link it to the claim, then open its panel.
    page.keyboard.press("r")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_contain_text("denies")
    page.keyboard.press("Enter")
    panel = page.locator("#span-panel")
    panel.get_by_label("flat_denial").check()
    panel.get_by_label("Note").fill("Lyons, on the record.")
    wait_saved(page)
    denial = Span.objects.get(assignment=assignment, label="denial")
    assert denial.attributes == {"denial_kind": "flat_denial"}
    assert denial.note == "Lyons, on the record."
    assert Relation.objects.filter(assignment=assignment, type="denies").count() == 1
    expect(page.locator("#span-list [aria-selected=true]")).to_contain_text("→ denies")
    # The claim it denies is marked in the text while the denial is focused.
    assert highlighted(page, "fc-related") == ["mishandled intelligence"]
    panel.get_by_role("button", name=re.compile("^Remove relation")).click()
    expect(page.locator("#message")).to_contain_text("Removed the denies relation")
    wait_saved(page)
    assert not Relation.objects.filter(assignment=assignment).exists()


def test_a_refused_change_shows_the_server_message_next_to_the_span(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    document = article(newsroom, CIA)
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    # An admin turns the claim label off while alice has the article open: her page still
    # offers it, and the server refuses the span with its own message.
    project = newsroom["project"]
    schema = project.label_schema
    for label in schema["labels"]:
        if label["name"] == "claim":
            label["enabled"] = False
    Project.objects.filter(pk=project.pk).update(label_schema=schema)
    message = "“claim” is not a label of this project (allowed: denial, attribution)."
    page.keyboard.press("c")
    item = page.locator("#span-list [role=option]")
    expect(item.locator(".span-error")).to_have_text(message)
    expect(page.locator("#message")).to_have_text(f"Not saved: {message}")
    wait_saved(page)
    assert not Span.objects.filter(assignment__document=document).exists()
    # A span the server never had is simply removed.
    page.keyboard.press("Delete")
    expect(item).to_have_count(0)


def test_a_mixed_direction_line_keeps_the_highlight_on_the_selected_characters(
    page: Page, context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    text = "قال مدير CIA Liz Lyons إن الاتهامات لا أساس لها."
    document = article(newsroom, text, language="ar")
    sign_in(context, live_server, newsroom["alice"])
    open_document(page, live_server, document)
    phrase = "Liz Lyons"
    begin = text.index(phrase)
    drag(page, text, begin, begin + len(phrase))
    page.keyboard.press("a")
    wait_saved(page)
    assert spans_of(assignment_of(document, newsroom["alice"])) == [
        ("attribution", begin, begin + len(phrase), phrase)
    ]
    # The drawn highlight covers exactly those characters of the text node.
    assert highlighted(page, "fc-l2") == [phrase]


def test_keeping_the_other_version_of_a_conflict_shows_it_and_sends_nothing(
    context: BrowserContext, live_server: Any, newsroom: dict[str, Any]
) -> None:
    span, first, second = two_tabs_on_one_span(context, live_server, newsroom)
    second.keyboard.press("j")
    second.keyboard.press("l")
    second.keyboard.press("a")
    wait_saved(second)
    first.keyboard.press("j")
    first.keyboard.press("l")
    first.keyboard.press("d")
    dialog = first.locator("#conflict-dialog")
    expect(dialog.locator(".theirs").first).to_contain_text("attribution")
    dialog.get_by_role("button", name="Keep theirs").click()
    expect(first.locator("#message")).to_have_text("Kept the other version.")
    expect(first.locator("#span-list [role=option]")).to_contain_text("attribution")
    wait_saved(first)
    span.refresh_from_db()
    assert (span.label, span.version) == ("attribution", 2)
