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


def char_box(page: Page, text: str, cp: int) -> dict[str, float]:
    """The on-screen box of the character at a code-point offset."""
    paragraph, offset = locate(text, cp)
    width = utf16_len(text[cp])
    box: dict[str, float] = page.evaluate(
        """([p, o, w]) => {
            const node = document.querySelector(`#doc-text p[data-p="${p}"]`).firstChild;
            const r = document.createRange();
            r.setStart(node, o);
            r.setEnd(node, o + w);
            const b = r.getClientRects()[0];
            return {x: b.x, y: b.y, width: b.width, height: b.height};
        }""",
        [paragraph, offset, width],
    )
    return box


def drag(page: Page, text: str, start_cp: int, end_cp: int) -> None:
    """Press the mouse on the character at start_cp and release it on the one at end_cp - 1,
    both at their centres, as a hurried person would (word snapping does the rest)."""
    a = char_box(page, text, start_cp)
    b = char_box(page, text, end_cp - 1)
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=8)
    page.mouse.up()


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")


def spans_of(assignment: Any) -> list[tuple[str, int, int, str]]:
    return [
        (s.label, s.start, s.end, s.quote) for s in assignment.spans.order_by("start", "end")
    ]
