"""Text rules that every offset depends on: NFC, `\\n` line endings, code-point offsets."""

import hashlib
import unicodedata

CONTEXT_CHARS = 32


def normalize_text(raw: str) -> str:
    """NFC with `\\n` line endings: done once, at import, before any offset exists."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quote_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The prefix and suffix around [start, end), as a W3C TextQuoteSelector carries them."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]
