"""The items of a large JSON list, decoded one at a time.

``json.loads`` decodes a whole body in one call that the event loop cannot interrupt: 5,000 endpoints
(1.3 MB) hold the loop for 10-50 ms on a busy machine, before any validation. Decoding the list item by
item (the standard library's own decoder, from each item's offset) lets a caller yield to the loop
between slices, so keys and redraws never wait for a large account's poll. The answer is the same as
``json.loads``'s for every valid body; a malformed one raises ``json.JSONDecodeError`` as it would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["NotAList", "decode_text", "list_entries", "list_items"]

_DECODER = json.JSONDecoder()
# JSON's whitespace, exactly (RFC 8259 §2).
_SPACE = re.compile(r"[ \t\n\r]*")


class NotAList(ValueError):
    """The body is valid JSON, but not an object whose ``key`` holds a list; ``where`` says what is not."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def decode_text(content: bytes) -> str:
    """The body as text, in the encoding ``json.loads`` would detect (UTF-8, -16 or -32)."""
    return content.decode(json.detect_encoding(content), "surrogatepass")


def _skip(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _expect(text: str, index: int, allowed: str, what: str) -> str:
    char = text[index : index + 1]
    if not char or char not in allowed:
        raise json.JSONDecodeError(f"Expecting {what}", text, index)
    return char


def list_items(text: str, key: str, others: dict[str, Any] | None = None) -> Iterator[Any]:
    """Each item of the list under ``key`` of the top-level object, in order (see ``list_entries``)."""
    for _, item in list_entries(text, key, others):
        yield item


def list_entries(text: str, key: str, others: dict[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
    """(its JSON text, the item) for each item of the list under ``key`` of the top-level object, in order;
    none if the key is absent. The text is the item exactly as sent: equal texts are equal items, which
    lets a caller reuse what it built from the same item in the previous answer.

    ``others``, when given, receives the object's other members as decoded (a page's ``next_cursor``): one
    pass over the body, the large list never decoded at once. It is complete once the iteration ends.

    Raises ``json.JSONDecodeError`` (a ValueError) for malformed JSON, ``NotAList`` for a body that is not
    an object, or whose ``key`` is not a list or appears twice. Items already yielded stand for nothing
    until the iteration ends without an error: a caller keeps them only then.
    """
    index = _skip(text, 0)
    if text[index : index + 1] != "{":
        json.loads(text)  # malformed JSON says so, as json.loads would
        raise NotAList("body")
    index = _skip(text, index + 1)
    seen = False
    if text[index : index + 1] == "}":
        index += 1
    else:
        while True:
            _expect(text, index, '"', "property name enclosed in double quotes")
            name, index = _DECODER.raw_decode(text, index)
            index = _skip(text, index)
            _expect(text, index, ":", "':' delimiter")
            index = _skip(text, index + 1)
            if name == key:
                if seen or text[index : index + 1] != "[":
                    # Not a list (json.loads would accept a second key and keep the last: refused here).
                    _DECODER.raw_decode(text, index)
                    raise NotAList(key)
                seen = True
                index = _skip(text, index + 1)
                if text[index : index + 1] == "]":
                    index += 1
                else:
                    while True:
                        item, end = _DECODER.raw_decode(text, index)
                        yield text[index:end], item
                        index = end
                        index = _skip(text, index)
                        if _expect(text, index, ",]", "',' delimiter") == "]":
                            index += 1
                            break
                        index = _skip(text, index + 1)
            else:
                value, index = _DECODER.raw_decode(text, index)
                if others is not None:
                    others[name] = value
            index = _skip(text, index)
            if _expect(text, index, ",}", "',' delimiter") == "}":
                index += 1
                break
            index = _skip(text, index + 1)
    if _skip(text, index) != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
