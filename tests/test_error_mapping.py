"""Every APIError is display-safe and never holds the key, whatever the server put in its answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.hostile import HOSTILE_STRINGS, TERMINAL, echoed_key_message, html_error_page
from tui.api import errors
from tui.api.error_mapping import error_from_response, error_from_transport
from tui.api.http import ApiSession, RetryPolicy
from tui.api.safe_text import clean
from tui.api.sse import ServerSentEvent, SSEDecoder
from tui.keys.secret import ApiKey

KEY = "tg-mapping-key-0123456789abcdef"
URL = "https://api.together.ai/v1/endpoints"


def answer(status: int, body: Any = None, *, content: bytes | None = None, reason: bytes | None = None,
           **headers: str) -> httpx.Response:
    raw = content if content is not None else (json.dumps(body).encode() if body is not None else b"")
    extensions = {"reason_phrase": reason} if reason is not None else {}
    return httpx.Response(status, content=raw, headers=headers, extensions=extensions,
                          request=httpx.Request("GET", URL))


def assert_display_safe(text: str) -> None:
    assert KEY not in text
    assert clean(text) == text, repr(text)  # nothing left for the boundary to remove


@pytest.mark.parametrize("key", [KEY, ApiKey(KEY)], ids=["str key", "ApiKey"])
def test_an_echoed_key_is_masked_in_the_message(key: str | ApiKey) -> None:
    error = error_from_response(answer(401, {"error": {"message": echoed_key_message(KEY)}}), key=key)
    assert isinstance(error, errors.AuthenticationError)
    assert "…cdef" in error.message
    assert_display_safe(str(error))


def test_a_key_split_by_control_characters_is_still_masked() -> None:
    # Cleaning removes the ESC sequence and would join the two halves into the key again.
    split = KEY[:10] + "\x1b[0m" + KEY[10:]
    error = error_from_response(answer(400, {"error": {"message": f"got {split}"}}), key=KEY)
    assert_display_safe(str(error))


def test_an_html_page_becomes_a_short_sentence() -> None:
    page = html_error_page(KEY).encode()
    error = error_from_response(answer(502, content=page, **{"content-type": "text/html"}), key=KEY)
    assert isinstance(error, errors.ServerError)
    assert error.message == "the server answered with an HTML page (HTTP 502)"


def test_an_html_page_with_a_doctype_and_leading_space_is_recognised() -> None:
    page = b"\n  <!DOCTYPE html>\n<html><body>secret headers</body></html>"
    assert "HTML page" in error_from_response(answer(503, content=page)).message


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_hostile_messages_codes_and_ids_are_cleaned(text: str) -> None:
    body = {"id": text, "error": {"message": text, "code": text, "type": text, "param": text}}
    error = error_from_response(answer(400, body), key=KEY)
    for field in (str(error), error.code or "", error.error_type or "", error.param or "", error.request_id or ""):
        assert_display_safe(field)
    assert len(error.message) <= 300


@pytest.mark.parametrize("reason", [t.encode("latin-1", "ignore") for t in TERMINAL])
def test_reason_phrases_are_cleaned(reason: bytes) -> None:
    assert_display_safe(str(error_from_response(answer(503, reason=reason))))


def test_a_plain_text_body_is_cleaned_and_cut() -> None:
    error = error_from_response(answer(500, content=b"\x1b]52;c;eA==\x07boom " + b"x" * 5000))
    assert error.message.startswith("boom x") and len(error.message) == 300


def test_the_rpc_envelope_prefers_its_details() -> None:
    body = {"message": "invalid argument", "code": 3, "details": [{"detail": "min_replicas must be >= 0"}, {}]}
    error = error_from_response(answer(400, body))
    assert isinstance(error, errors.BadRequestError)
    assert (error.message, error.code) == ("min_replicas must be >= 0", "3")


def test_the_rpc_envelope_without_details_uses_its_message() -> None:
    error = error_from_response(answer(409, {"message": "ABORTED: etag mismatch", "code": 10}))
    assert isinstance(error, errors.ConflictError) and error.message == "ABORTED: etag mismatch"


# FastAPI's bodies (Nebius Token Factory), read by the shared mapping for every provider


def test_a_fastapi_422_detail_list_names_each_field_and_keeps_the_first_type_and_field() -> None:
    body = {"detail": [
        {"type": "enum", "loc": ["body", "gpu_type"], "msg": "Input should be 'gpu-h100-sxm'", "input": "x"},
        "not an item", {"loc": ["body", "name"]},
        {"type": "missing", "loc": ["body", "scaling", "min_replicas"], "msg": "Field required"},
        {"type": "value_error", "msg": "no location"},
    ]}
    error = error_from_response(answer(422, body))
    assert isinstance(error, errors.BadRequestError) and error.status == 422
    assert error.message == (
        "gpu_type: Input should be 'gpu-h100-sxm'; scaling.min_replicas: Field required; no location"
    )
    assert (error.error_type, error.param, error.code) == ("enum", "gpu_type", None)


def test_a_fastapi_item_located_only_in_the_query_has_no_field() -> None:
    error = error_from_response(answer(422, {"detail": [{"type": "int_parsing", "loc": ["query"], "msg": "bad"}]}))
    assert (error.message, error.param, error.error_type) == ("bad", None, "int_parsing")


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, errors.AuthenticationError), (404, errors.NotFoundError), (409, errors.ConflictError),
     (500, errors.ServerError), (400, errors.BadRequestError)],
)
def test_a_fastapi_detail_string_is_the_message_for_its_status(status: int, kind: type[errors.APIError]) -> None:
    error = error_from_response(answer(status, {"detail": f"bad key {KEY} \x1b]0;title\x07here"}), key=KEY)
    assert isinstance(error, kind)
    assert error.message.startswith("bad key") and error.message.endswith("here")
    assert_display_safe(str(error))


@pytest.mark.parametrize("detail", [[], [{"loc": ["body"]}], "", 42, {"msg": "a dict"}])
def test_a_detail_that_is_not_fastapis_falls_back_to_the_reason(detail: Any) -> None:
    error = error_from_response(answer(422, {"detail": detail}, reason=b"Unprocessable Entity"))
    assert error.message == "Unprocessable Entity" and error.param is None


def test_the_openai_envelope_wins_over_a_detail_beside_it() -> None:
    error = error_from_response(answer(400, {"error": {"message": "from error"}, "detail": "from detail"}))
    assert error.message == "from error"


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_hostile_fastapi_fields_are_cleaned(text: str) -> None:
    error = error_from_response(answer(422, {"detail": [{"type": text, "loc": ["body", text], "msg": text}]}), key=KEY)
    for field in (str(error), error.error_type or "", error.param or ""):
        assert_display_safe(field)


async def test_every_session_maps_fastapi_bodies() -> None:
    body = {"detail": [{"type": "missing", "loc": ["body", "name"], "msg": "Field required"}]}
    api = ApiSession(KEY, "https://api.together.ai/v1", retry=RetryPolicy(max_retries=0),
                     transport=httpx.MockTransport(lambda request: httpx.Response(422, json=body)))
    with pytest.raises(errors.BadRequestError) as caught:
        await api.request("POST", "/endpoints", json_body={})
    await api.aclose()
    assert (caught.value.message, caught.value.param) == ("name: Field required", "name")


def test_the_request_id_comes_from_a_header_else_the_body() -> None:
    assert error_from_response(answer(500, {"id": "body-id"}, **{"x-request-id": "hdr"})).request_id == "hdr"
    assert error_from_response(answer(500, {"id": "body-id", "error": {"message": "m"}})).request_id == "body-id"


def test_v1_retirement_is_its_own_error_not_a_key_problem() -> None:
    body = {"error": {"message": "Access denied", "code": "endpoints_v1_create_access_disabled"}}
    error = error_from_response(answer(403, body))
    assert isinstance(error, errors.V1RetiredError) and not isinstance(error, errors.AuthenticationError)
    assert error.kind == "v1 retired"
    assert error.message == "Together's v1 API no longer creates or restarts endpoints: redeploy on v2"
    assert error.service_message == "Access denied" and error.status == 403


def test_a_plain_403_is_still_an_authentication_error() -> None:
    assert isinstance(error_from_response(answer(403, {"error": {"message": "forbidden"}})), errors.AuthenticationError)


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf", "soon"])
def test_a_nonsense_retry_after_is_ignored(value: str) -> None:
    error = error_from_response(answer(429, {"error": {"message": "slow down"}}, **{"retry-after": value}))
    assert isinstance(error, errors.RateLimitError) and error.retry_after is None


def test_transport_errors_are_masked_and_cleaned() -> None:
    exc = httpx.ConnectError(f"refused for {KEY}\x1b]0;pwned\x07")
    assert_display_safe(str(error_from_transport(exc, URL, key=KEY)))


async def test_stream_errors_from_the_session_are_masked() -> None:
    page = html_error_page(KEY).encode()
    api = ApiSession(KEY, "https://api.together.ai/v1", retry=RetryPolicy(max_retries=0),
                     transport=httpx.MockTransport(lambda request: httpx.Response(502, content=page)))
    with pytest.raises(errors.ServerError, match="HTML page"):
        async for _ in api.stream_events("POST", "/chat/completions", json_body={}):
            pass
    await api.aclose()


# The event-stream decoder


def feed_all(decoder: SSEDecoder, *chunks: bytes) -> list[ServerSentEvent]:
    return [event for chunk in chunks for event in decoder.feed(chunk)]


def test_events_survive_any_split_between_chunks() -> None:
    stream = b"event: ping\r\ndata: a\r\ndata: b\r\n\r\n: comment\n\ndata: \xe6\x97\xa5\rdata:c\r\r"
    whole = feed_all(SSEDecoder(1024), stream)
    assert whole == [ServerSentEvent("ping", "a\nb"), ServerSentEvent("message", "日\nc")]
    for size in (1, 2, 3, 5):
        pieces = [stream[i : i + size] for i in range(0, len(stream), size)]
        assert feed_all(SSEDecoder(1024), *pieces) == whole


def test_an_event_of_many_small_lines_past_the_cap_is_refused() -> None:
    decoder = SSEDecoder(100)
    with pytest.raises(errors.ResponseTooLargeError, match="an event"):
        feed_all(decoder, *[b"data: xxxxxxxxxx\n"] * 20)


def test_a_line_just_under_the_cap_is_accepted() -> None:
    assert feed_all(SSEDecoder(100), b"data: " + b"x" * 94 + b"\n\n") == [ServerSentEvent("message", "x" * 94)]
