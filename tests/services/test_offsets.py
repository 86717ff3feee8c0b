"""Properties of the offset rule over text with emoji, ZWJ sequences, combining marks, CRLF."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import Invalid
from annotations.services.spans import check_offsets, span_create
from annotations.text import normalize_text, quote_context
from tests.factories import AssignmentFactory, DocumentFactory

PIECES = [
    "a",
    "Z",
    " ",
    "\u00a0",  # non-breaking space
    "é",
    "e\u0301",  # decomposed é: NFC composes it
    "n\u0308",  # n̈: no precomposed form, NFC keeps the mark
    "कि",  # Devanagari consonant + vowel sign
    "😀",  # outside the BMP: two UTF-16 units, one code point
    "👩\u200d👩\u200d👧",  # ZWJ family: five code points, one grapheme
    "🇺🇦",  # regional indicator pair
    "\r\n",
    "\r",
    "\n",
    "ش",
    "日本",
]
raw_texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)


@given(raw_texts)
def test_normalisation_is_nfc_with_newlines_and_idempotent(raw: str) -> None:
    text = normalize_text(raw)
    assert "\r" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert normalize_text(text) == text


@given(raw_texts, st.data())
def test_any_exact_slice_is_accepted(raw: str, data: st.DataObject) -> None:
    text = normalize_text(raw)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    check_offsets(text=text, start=start, end=end, quote=text[start:end])
    prefix, suffix = quote_context(text, start, end)
    assert text.find(prefix + text[start:end] + suffix) <= start


@given(raw_texts, st.data())
def test_a_quote_off_by_anything_is_refused(raw: str, data: st.DataObject) -> None:
    text = normalize_text(raw)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    shift = data.draw(st.integers(-3, 3).filter(lambda n: n != 0))
    other_start, other_end = start + shift, end + shift
    if other_start >= 0 and other_end <= len(text):
        wrong = text[other_start:other_end]
        if wrong != text[start:end]:
            with pytest.raises(Invalid) as caught:
                check_offsets(text=text, start=start, end=end, quote=wrong)
            assert caught.value.code == "quote_mismatch"
            assert caught.value.details == {"expected": text[start:end]}


@given(raw_texts, st.data())
def test_utf16_offsets_after_an_emoji_never_store_a_wrong_quote(
    raw: str, data: st.DataObject
) -> None:
    """UTF-16 offsets after an emoji are refused unless the text there is the very same quote."""
    text = normalize_text("😀" + raw)
    start = data.draw(st.integers(1, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    utf16_start = len(text[:start].encode("utf-16-le")) // 2
    utf16_end = len(text[:end].encode("utf-16-le")) // 2
    quote = text[start:end]
    if text[utf16_start:utf16_end] == quote:
        return  # Repetitive text: the shifted span quotes the same characters.
    with pytest.raises(Invalid) as caught:
        check_offsets(text=text, start=utf16_start, end=utf16_end, quote=quote)
    assert caught.value.code in {"quote_mismatch", "offset_out_of_range"}


@given(st.integers(-5, 200), st.integers(-5, 200))
def test_out_of_range_and_empty_spans_are_refused(start: int, end: int) -> None:
    text = "The minister said 😀 unemployment fell."
    if 0 <= start < end <= len(text):
        return
    with pytest.raises(Invalid) as caught:
        check_offsets(text=text, start=start, end=end, quote=text[max(start, 0) : max(end, 0)])
    assert caught.value.code in {"offset_out_of_range", "empty_span"}


@pytest.mark.django_db
@given(raw_texts, st.data())
def test_stored_span_quote_is_the_text_at_its_offsets(raw: str, data: st.DataObject) -> None:
    document = DocumentFactory(text=normalize_text(raw + " tail"))
    assignment = AssignmentFactory(document=document)
    text = document.text
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span, created = span_create(
        assignment=assignment,
        actor=assignment.annotator,
        label="claim",
        start=start,
        end=end,
        quote=text[start:end],
    )
    span.refresh_from_db()
    assert created
    assert text[span.start : span.end] == span.quote
