"""The current inference engine's wire shape (together-v2-api.md §0.1, header `X-Inference-Version: v2`).

Compared with the older shape that `chat` builds: an empty first chunk; `token_id` always null and no
`seed` key; `content: ""` rather than null while reasoning streams; the finish chunk has `usage: null`
and usage arrives in a trailing chunk with `choices: []`, holding `reasoning_tokens` and no
`cached_tokens`. Non-stream bodies have `seed: null`, `metadata.weight_version` and `reasoning_tokens`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.simulator.chat import Completion


def usage(completion: Completion) -> dict[str, int]:
    return {
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        "reasoning_tokens": completion.reasoning_tokens,
    }


def chunk(payload: dict[str, Any]) -> dict[str, Any]:
    """An older-shape chunk rewritten to the current shape (in place; returned for convenience)."""
    for choice in payload["choices"]:
        choice.pop("seed", None)
        delta = choice["delta"]
        delta["token_id"] = None
        if delta.get("content") is None:
            delta["content"] = ""
    payload["usage"] = None
    return payload


def first_chunk(template: dict[str, Any]) -> dict[str, Any]:
    first = chunk(template)
    for choice in first["choices"]:
        choice["text"] = ""
        choice["delta"].update({"content": "", "reasoning": None})
    first.pop("usage")
    return first


def usage_chunk(template: dict[str, Any], completion: Completion) -> dict[str, Any]:
    return {key: template[key] for key in ("id", "object", "created", "model")} | {
        "choices": [],
        "usage": usage(completion),
    }


def current_body(payload: dict[str, Any], completion: Completion) -> None:
    for choice in payload["choices"]:
        choice["seed"] = None
    payload["metadata"] = {"weight_version": "default"}
    payload["usage"] = usage(completion)
