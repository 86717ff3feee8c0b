"""JSON bodies that PostgreSQL can store: no NUL characters, no unpaired surrogates.

JSON allows both ("\\u0000", "\\ud800"), but PostgreSQL refuses NUL in text and jsonb, and
an unpaired surrogate cannot be encoded as UTF-8. Refused here, with the path to the bad
value, they are a 400 the client can act on instead of a database error.
"""

import re
from collections.abc import Mapping
from typing import Any

from rest_framework.parsers import JSONParser

from annotations.errors import Invalid

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _escaped(key: str) -> str:
    """The key with its unstorable characters written as escapes, so the message can be sent."""
    return UNSTORABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", key)


def _unstorable_path(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if UNSTORABLE.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{_escaped(str(key))}" if path else _escaped(str(key))
            if UNSTORABLE.search(str(key)):
                return where
            found = _unstorable_path(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _unstorable_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class StorableJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        path = _unstorable_path(data, "")
        if path is not None:
            raise Invalid(
                "invalid_characters",
                f"{path or 'The body'} contains a NUL character (\\u0000) or an unpaired "
                "surrogate (\\ud800–\\udfff), which cannot be stored; remove it.",
                field=path or None,
            )
        return data
