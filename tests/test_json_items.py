"""The item-by-item list decoder answers exactly what ``json.loads`` would, and refuses what it refuses."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.api import errors
from tui.api.json_items import NotAList, decode_text, list_entries, list_items
from tui.api.together import TogetherClient

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def as_text(value: Any, spaced: bool) -> str:
    return json.dumps(value, indent=2 if spaced else None, ensure_ascii=not spaced)


@given(
    items=st.lists(JSON_VALUES, max_size=30),
    before=st.dictionaries(st.text(max_size=8).filter(lambda key: key != "data"), JSON_VALUES, max_size=3),
    after=st.dictionaries(st.text(max_size=8).filter(lambda key: key != "data"), JSON_VALUES, max_size=3),
    spaced=st.booleans(),
)
def test_items_are_those_json_loads_reads(items: list[Any], before: dict[str, Any], after: dict[str, Any],
                                          spaced: bool) -> None:
    body = {**before, "data": items, **{k: v for k, v in after.items() if k not in before}}
    text = as_text(body, spaced)
    assert list(list_items(text, "data")) == json.loads(text)["data"]


@given(
    items=st.lists(JSON_VALUES, max_size=30),
    before=st.dictionaries(st.text(max_size=8).filter(lambda key: key != "data"), JSON_VALUES, max_size=3),
    after=st.dictionaries(st.text(max_size=8).filter(lambda key: key != "data"), JSON_VALUES, max_size=3),
    spaced=st.booleans(),
)
def test_each_entry_is_its_item_exactly_as_sent_and_the_other_members_are_kept(
    items: list[Any], before: dict[str, Any], after: dict[str, Any], spaced: bool
) -> None:
    body = {**before, "data": items, **{k: v for k, v in after.items() if k not in before}}
    text = as_text(body, spaced)
    others: dict[str, Any] = {}
    entries = list(list_entries(text, "data", others))
    assert [item for _, item in entries] == json.loads(text)["data"]
    assert all(json.loads(raw) == item and raw in text and raw == raw.strip() for raw, item in entries)
    assert others == {k: v for k, v in json.loads(text).items() if k != "data"}


def test_an_object_without_the_key_has_no_items() -> None:
    assert list(list_items(' { "object" : "list" } ', "data")) == []
    assert list(list_items("{}", "data")) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        '{"data": [1, 2',
        '{"data": [1 2]}',
        '{"data": [1,]}',
        '{"data": [1]',
        '{"data": [1]} x',
        '{"data" [1]}',
        "{data: [1]}",
        '{"a": 1 "data": []}',
        '{"data": [{"id": "a"}], }',
    ],
)
def test_malformed_json_is_refused(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        list(list_items(text, "data"))
    with pytest.raises(ValueError):
        json.loads(text)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[1, 2]", "body"),
        ('"data"', "body"),
        ('{"data": "nope"}', "data"),
        ('{"data": {"id": 1}}', "data"),
        ('{"data": [1], "data": [2]}', "data"),
    ],
)
def test_a_body_that_is_no_list_says_where(text: str, where: str) -> None:
    with pytest.raises(NotAList) as caught:
        list(list_items(text, "data"))
    assert caught.value.where == where


def test_bodies_decode_as_json_loads_detects_them() -> None:
    body = {"data": [{"name": "é ✓"}]}
    for encoding in ("utf-8", "utf-16", "utf-32"):
        content = json.dumps(body, ensure_ascii=False).encode(encoding)
        assert list(list_items(decode_text(content), "data")) == json.loads(content)["data"]


async def test_a_large_list_parses_in_slices_and_keeps_every_item() -> None:
    listed = [{"id": f"endpoint-{i}", "name": f"user/model-{i}", "model": "m", "state": "STARTED"}
              for i in range(1234)]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"object": "list", "data": listed})

    client = TogetherClient("key-1234", "https://api.together.ai/v1", transport=httpx.MockTransport(handler))
    try:
        endpoints = await client.list_endpoints()
    finally:
        await client.aclose()
    assert [e.id for e in endpoints] == [e["id"] for e in listed]


async def test_a_bad_item_deep_in_the_list_is_named() -> None:
    listed: list[Any] = [{"id": f"e-{i}", "name": f"n-{i}"} for i in range(450)]
    listed[417] = {"name": "no id"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": listed})

    client = TogetherClient("key-1234", "https://api.together.ai/v1", transport=httpx.MockTransport(handler))
    try:
        with pytest.raises(errors.InvalidResponseError) as caught:
            await client.list_endpoints()
    finally:
        await client.aclose()
    assert "EndpointList (data.417.id" in caught.value.message
