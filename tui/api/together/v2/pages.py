"""v2 lists at scale: every cursor page asked for once, parsed in loop-sized pieces, unchanged items reused.

A v2 list page is ``{"data": [...], "next_cursor": ...}``; 500 endpoints with 3 deployments each are ~1 MB,
and validating one costs ~0.15 ms (every string is cleaned as it is parsed). Read in one go, 1,000
endpoints held the event loop for ~360 ms. Here a page is decoded item by item (``json_items``), validated
``PARSE_SLICE`` items per call, and the loop gets a turn whenever a piece has had its budget (``Pacer``).

A list read every poll is mostly what it was: an item whose JSON text is exactly the one the previous read
of the same list had is the same wire model, reused without validating it again (one string comparison).
Only the last read of each reusing list is kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from tui.api import errors, json_items, slices
from tui.api.http import ApiSession
from tui.api.pacing import Pacer
from tui.api.together.v2.wire import OptionalText

M = TypeVar("M", bound=BaseModel)

#: A list longer than this many pages is a server handing out cursors forever.
MAX_PAGES = 200
#: Items per validation call: one call cannot be interrupted, and 10 endpoints of 3 deployments take ~1.5 ms
#: on a loaded machine. Between calls the pacer decides whether the loop gets a turn.
PARSE_SLICE = 8
_CURSOR: TypeAdapter[str | None] = TypeAdapter(OptionalText)

Request = Callable[[str, str, Mapping[str, str]], Awaitable[httpx.Response]]


class ListReader:
    def __init__(self, session: ApiSession, request: Request) -> None:
        self.session = session
        self._request = request
        #: path -> {item JSON text: its wire model}, from the last complete read of that list.
        self._known: dict[str, dict[str, Any]] = {}

    async def all_pages(
        self, path: str, model: type[M], params: Mapping[str, str], *, page_size: int, reuse: bool = False
    ) -> list[M]:
        """Every item, following ``next_cursor``; ``reuse`` keeps this read for the next one of ``path``."""
        items: list[M] = []
        seen: set[str] = set()
        cursor: str | None = None
        known: dict[str, Any] = self._known.get(path, {}) if reuse else {}
        fresh: dict[str, Any] | None = {} if reuse else None
        pacer = Pacer()
        # The first list of a model builds its validator (~5-11 ms in one piece, its schema deferred until
        # then): in a thread while the page is on its way, not on the loop once it has come.
        building = None
        if not slices.built(model):
            building = asyncio.ensure_future(asyncio.to_thread(slices.slice_adapter, model))
        for _ in range(MAX_PAGES):
            query = {**params, "limit": str(page_size), **({"after": cursor} if cursor else {})}
            response = await self._request("GET", path, query)
            if building is not None:
                await building
                building = None
            cursor = await self._parse_page(response, model, items, known, fresh, pacer)
            if not cursor:
                if fresh is not None:
                    self._known[path] = fresh
                return items
            if cursor in seen:
                raise self.session.invalid(response, f"the cursor {cursor} came back twice")
            seen.add(cursor)
        raise errors.InvalidResponseError(f"{path}: more than {MAX_PAGES} pages")

    async def _parse_page(
        self,
        response: httpx.Response,
        model: type[M],
        into: list[M],
        known: Mapping[str, Any],
        fresh: dict[str, Any] | None,
        pacer: Pacer,
    ) -> str | None:
        """Append the page's items to ``into`` and return its ``next_cursor``.

        Items reach ``into`` only once the whole page is valid; an error names the item (``data.417.id``),
        as validating the page in one call would.
        """
        parsed: list[Any] = []
        # Items not seen before: their texts, payloads and places in ``parsed``, validated PARSE_SLICE at once.
        texts: list[str] = []
        payloads: list[Any] = []
        places: list[int] = []
        others: dict[str, Any] = {}

        def validate() -> None:
            for place, text, item in zip(places, texts, self._validate(response, model, payloads, places),
                                         strict=True):
                parsed[place] = item
                if fresh is not None:
                    fresh[text] = item
            texts.clear()
            payloads.clear()
            places.clear()

        try:
            body = json_items.decode_text(self.session.body(response))
            for text, payload in json_items.list_entries(body, "data", others):
                item = known.get(text)
                if item is not None:
                    parsed.append(item)
                    if fresh is not None:
                        fresh[text] = item
                else:
                    places.append(len(parsed))
                    parsed.append(None)
                    texts.append(text)
                    payloads.append(payload)
                    if len(payloads) == PARSE_SLICE:
                        validate()
                await pacer.pause()
            validate()
        except json_items.NotAList as exc:
            shape = "not a JSON object" if exc.where == "body" else "not a list"
            raise self.session.invalid(response, f"unexpected page of {model.__name__} ({exc.where}: {shape})") \
                from None
        except (ValueError, RecursionError):
            raise self.session.invalid(response, "the body is not valid JSON") from None
        into.extend(parsed)
        return _CURSOR.validate_python(others.get("next_cursor"))

    def _validate(self, response: httpx.Response, model: type[M], payloads: list[Any], places: list[int]) -> list[M]:
        if not payloads:
            return []
        try:
            return slices.slice_adapter(model).validate_python(payloads)
        except ValidationError as exc:
            first = exc.errors()[0]
            index, *within = first["loc"] or (0,)
            where = ".".join(str(part) for part in ("data", places[int(index)], *within))
            what = f"unexpected page of {model.__name__} ({where}: {first['msg']})"
            raise self.session.invalid(response, what) from None
