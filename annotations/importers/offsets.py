"""Offsets that a source counted on its own, un-normalised text, moved onto the stored text.

The stored text is NFC with `\\n` line endings (`annotations.text.normalize_text`). Both
steps can change lengths: CRLF becomes one character, and NFC composes `e` + U+0301 into
`é`. A source's span offsets count characters of the text as the source had it, so they are
mapped here through the normalisation, and every span's quote is checked again afterwards:
a span whose text changed under normalisation (it cut a composed character in two, say) is
reported, never silently moved.
"""

import bisect
import functools
import re
import unicodedata

from annotations.importers.base import CODE_POINTS_OR_UTF16, SpanIn
from annotations.text import normalize_text

# Characters other than ASCII without CR: only chunks holding one can change.
_NOT_PLAIN = re.compile(r"[^\x00-\x0c\x0e-\x7f]")
_HANGUL_VOWELS_AND_TRAILS = frozenset(
    chr(cp) for cp in (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))
)
PREVIEW = 60


@functools.cache
def _composing_seconds() -> frozenset[str]:
    """Characters that canonical composition may join onto the character before them."""
    seconds: set[str] = set(_HANGUL_VOWELS_AND_TRAILS)
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(chr(int(parts[1], 16)))
    return frozenset(seconds)


def _starts_chunk(text: str, index: int) -> bool:
    """Whether normalisation can never join text[index] to the character before it."""
    char = text[index]
    if char == "\n" and text[index - 1] == "\r":
        return False
    return unicodedata.combining(char) == 0 and char not in _composing_seconds()


class OffsetMap:
    """Maps offsets in a raw text onto its normalised form.

    Normalisation works chunk by chunk: a chunk starts at a character that nothing before
    it can combine with, so the text's normal form is its chunks' normal forms joined. Only
    chunks that hold a non-ASCII character or a CR can change; the map keeps those that do,
    with the running difference in length after each.
    """

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.normalized = normalize_text(raw)
        self.identity = self.normalized == raw
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._shift_before: list[int] = []
        self._shift_after: list[int] = []
        if not self.identity:
            self._build()

    def _build(self) -> None:
        raw = self.raw
        shift = 0
        covered = 0
        for match in _NOT_PLAIN.finditer(raw):
            position = match.start()
            if position < covered:
                continue
            start = position
            while start > 0 and not _starts_chunk(raw, start):
                start -= 1
            end = position + 1
            while end < len(raw) and not _starts_chunk(raw, end):
                end += 1
            covered = end
            chunk = raw[start:end]
            normalized = normalize_text(chunk)
            if normalized == chunk:
                continue
            self._starts.append(start)
            self._ends.append(end)
            self._shift_before.append(shift)
            shift += len(normalized) - len(chunk)
            self._shift_after.append(shift)

    def map(self, offset: int, *, end: bool) -> int:
        """The normalised offset of a raw one; inside a changed chunk, its near edge."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        chunk_start, chunk_end = self._starts[index], self._ends[index]
        if offset == chunk_start:
            return offset + self._shift_before[index]
        if offset >= chunk_end:
            return offset + self._shift_after[index]
        edge = chunk_end if end else chunk_start
        shift = self._shift_after[index] if end else self._shift_before[index]
        return edge + shift


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point offset of a UTF-16 offset into text, or None inside a surrogate pair."""
    encoded = text.encode("utf-16-le")
    if offset * 2 > len(encoded):
        return None
    try:
        return len(encoded[: offset * 2].decode("utf-16-le"))
    except UnicodeDecodeError:
        return None


class SpanProblem(ValueError):
    pass


def resolve_span(offset_map: OffsetMap, span: SpanIn, mode: str) -> tuple[int, int, str]:
    """The span's (start, end, quote) in the normalised text, or SpanProblem saying why not."""
    raw = offset_map.raw
    start, end = span.start, span.end
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
        raise SpanProblem(f"start and end must be whole numbers, not {start!r} and {end!r}")
    inside = 0 <= start < end <= len(raw)
    if (
        mode == CODE_POINTS_OR_UTF16
        and span.quote is not None
        and (not inside or raw[start:end] != span.quote)
    ):
        # The source may have counted UTF-16 units, as browsers do: an emoji counts two.
        cp_start = utf16_to_code_points(raw, start)
        cp_end = utf16_to_code_points(raw, end)
        if cp_start is not None and cp_end is not None and raw[cp_start:cp_end] == span.quote:
            start, end, inside = cp_start, cp_end, True
    if not inside:
        raise SpanProblem(
            f"[{start}, {end}) is not inside the text, which has {len(raw)} characters"
        )
    raw_quote = raw[start:end]
    if (
        span.quote is not None
        and span.quote != raw_quote
        and normalize_text(span.quote) != normalize_text(raw_quote)
    ):
        raise SpanProblem(
            f"the text at [{start}, {end}) is “{_preview(raw_quote)}” but the span's quote "
            f"is “{_preview(span.quote)}”"
        )
    new_start = offset_map.map(start, end=False)
    new_end = offset_map.map(end, end=True)
    quote = offset_map.normalized[new_start:new_end]
    if new_start >= new_end or quote != normalize_text(raw_quote):
        raise SpanProblem(
            f"the quote “{_preview(raw_quote)}” no longer matches the text after "
            f"normalisation (NFC, \\n line endings): the text there is now “{_preview(quote)}”"
        )
    return new_start, new_end, quote
