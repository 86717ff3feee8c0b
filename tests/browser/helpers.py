"""Driving the annotate page like a person: real mouse drags over real characters."""

from typing import Any

from playwright.sync_api import Page, expect


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def locate(text: str, cp: int) -> tuple[int, int]:
    """(paragraph index, UTF-16 offset in it) of a code-point offset in the document text."""
    paragraph = text.count("\n", 0, cp)
    line_start = text.rfind("\n", 0, cp) + 1
    return paragraph, utf16_len(text[line_start:cp])


def char_box(page: Page, text: str, cp: int) -> dict[str, Any]:
    """The on-screen box of the grapheme (as the browser segments it) at a code-point
    offset, and whether its paragraph runs right to left."""
    paragraph, offset = locate(text, cp)
    box: dict[str, Any] = page.evaluate(
        """([p, o]) => {
            const el = document.querySelector(`#doc-text p[data-p="${p}"]`);
            const node = el.firstChild;
            const g = new Intl.Segmenter(undefined, {granularity: "grapheme"})
                .segment(node.data).containing(o);
            const r = document.createRange();
            r.setStart(node, g.index);
            r.setEnd(node, g.index + g.segment.length);
            const b = r.getClientRects()[0];
            return {x: b.x, y: b.y, width: b.width, height: b.height,
                    rtl: getComputedStyle(el).direction === "rtl"};
        }""",
        [paragraph, offset],
    )
    return box


def drag(page: Page, text: str, start_cp: int, end_cp: int) -> None:
    """Press the mouse just inside the leading edge of the character at start_cp and release
    it just inside the trailing edge of the one at end_cp - 1, as a person selecting those
    characters would, in either writing direction (word snapping does the rest)."""
    a = char_box(page, text, start_cp)
    b = char_box(page, text, end_cp - 1)
    inset = 0.2
    ax = a["x"] + a["width"] * (1 - inset if a["rtl"] else inset)
    bx = b["x"] + b["width"] * (inset if b["rtl"] else 1 - inset)
    page.mouse.move(ax, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(bx, b["y"] + b["height"] / 2, steps=8)
    page.mouse.up()


def highlighted(page: Page, name: str) -> list[str]:
    """The text under each range of a named CSS highlight, as drawn."""
    texts: list[str] = page.evaluate(
        """(name) => [...CSS.highlights.get(name)].map(r =>
            r.startContainer.data.slice(r.startOffset, r.endOffset))""",
        name,
    )
    return texts


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")


def spans_of(assignment: Any) -> list[tuple[str, int, int, str]]:
    return [(s.label, s.start, s.end, s.quote) for s in assignment.spans.order_by("start", "end")]
