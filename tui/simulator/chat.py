"""Chat completions: deterministic Markdown answers and Together-shaped SSE streams.

Wire decisions (together-api.md §6; UNVERIFIED where the recording cannot tell):

* Every chunk carries one token: `choices[0].text` duplicates `delta.content`, `delta.token_id`
  is set, `seed` is null until the final chunk, `usage` is null until the final chunk. There is
  no role-only first chunk (the recording has none).
* `delta` always has `role`, `content`, `reasoning` and `tool_calls` keys, null when unused,
  since Together serialises its optional fields as null (the recording's `seed: null`, a
  Together-only field, shows that).
* Reasoning tokens arrive in `delta.reasoning` with `content: null` and `text: ""` (so a client
  concatenating `text` gets only the answer), then the answer arrives in `delta.content`.
  Reasoning tokens count towards `max_tokens` and `completion_tokens`.
* The final chunk has `finish_reason` ("stop", or "length" when `max_tokens` cut the answer),
  empty content, a 63-bit `seed` and `usage` with `cached_tokens`; then `data: [DONE]`.
* An error after the stream started is a `data: {"error": {...}}` event, and the stream then
  ends without `[DONE]`.

Long answers for benchmarks: `SimulatorConfig(force_length=True)` makes every request run to
its `max_tokens`; a prompt containing `[sim:tokens=N]` asks for exactly N answer tokens (still
capped by `max_tokens`).
"""

from __future__ import annotations

import hashlib
import random
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tui.simulator.catalogue import Model

REASONING = "reasoning"
CONTENT = "content"
_TOKEN_RE = re.compile(r"\n+|[ \t]*[A-Za-z0-9']+|[ \t]*[^\sA-Za-z0-9']")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'-]{3,}")
_FORCE_RE = re.compile(r"\[sim:tokens=(\d+)\]")
_STOPWORDS = frozenset(
    {
        "what",
        "when",
        "where",
        "which",
        "while",
        "with",
        "would",
        "could",
        "should",
        "about",
        "after",
        "again",
        "their",
        "there",
        "these",
        "those",
        "this",
        "that",
        "have",
        "from",
        "into",
        "your",
        "yours",
        "please",
        "explain",
        "tell",
        "write",
        "give",
        "show",
        "make",
        "does",
        "like",
        "just",
        "some",
        "more",
        "most",
        "than",
        "then",
        "them",
        "they",
        "very",
        "will",
        "want",
        "need",
        "know",
    }
)
_EFFORT_TOKENS = {"low": (15, 40), "medium": (40, 110), "high": (110, 260)}


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def token_id(token: str) -> int:
    return zlib.crc32(token.encode()) % 128_000


def message_text(messages: list[Any]) -> str:
    parts: list[str] = []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def last_user_text(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            return message_text([message])
    return message_text(messages[-1:])


def count_prompt_tokens(messages: list[Any]) -> int:
    # A chat template adds a few tokens per message around the text itself.
    return len(tokenize(message_text(messages))) + 4 * len(messages) + 3


# -- text ----------------------------------------------------------------------------------------

_OPENERS = (
    "Here is a short overview of {topic}.",
    "Good question: {topic} comes up a lot, so let's break it down.",
    "In short, {topic} depends on a few moving parts.",
    "Let's look at {topic} step by step.",
)
_SENTENCES = (
    "The key idea is to keep the **hot path** small and measure before optimising.",
    "Most of the latency comes from the first token, not from the tokens that follow.",
    "A dedicated endpoint keeps the model warm, so there is no cold start between requests.",
    "Autoscaling adds replicas when the queue grows and removes them when traffic drops.",
    "Batching several requests together raises throughput at a small cost in latency.",
    "Streaming lets the client render the answer while it is still being generated.",
    "Caching the prompt prefix saves work when many requests share the same system prompt.",
    "Quantised weights need less memory, which lets a larger model fit on fewer GPUs.",
    "It is worth setting an inactivity timeout so that idle endpoints stop billing.",
    "Keep an eye on `max_tokens`: a reply that hits it ends with `finish_reason: length`.",
    "Errors are easier to handle when every response carries a request id.",
    "Retries should back off exponentially and respect the `Retry-After` header.",
)
_LIST_ITEMS = (
    ("Latency", "time to first token and the time between tokens"),
    ("Throughput", "tokens per second across all concurrent requests"),
    ("Cost", "GPU minutes multiplied by the number of running replicas"),
    ("Reliability", "how often requests fail and how quickly they recover"),
    ("Context", "how much of the conversation the model can see at once"),
    ("Hardware", "GPU type, count and memory per replica"),
    ("Scaling", "minimum and maximum replicas for the expected load"),
)
_CODE_BLOCKS = (
    (
        "python",
        "from together import Together\n\nclient = Together()\nreply = client.chat.completions.create(\n"
        '    model="openai/gpt-oss-20b",\n    messages=[{"role": "user", "content": "Hi"}],\n)\n'
        "print(reply.choices[0].message.content)",
    ),
    ("bash", 'curl https://api.together.ai/v1/endpoints \\\n  -H "Authorization: Bearer $TOGETHER_API_KEY"'),
    (
        "python",
        "def tokens_per_second(tokens: int, seconds: float) -> float:\n    return tokens / seconds if seconds else 0.0",
    ),
)
_CLOSERS = (
    "Let me know if you want more detail on any of these points.",
    "I hope this helps; happy to go deeper on any part.",
    "That should be enough to get started.",
)
_THOUGHTS = (
    "The user is asking about {topic}.",
    "I should give a concise answer with a short example.",
    "Let me recall what matters most here: latency, cost and reliability.",
    "Maybe a list would make this easier to scan.",
    "I need to be careful not to overcomplicate the explanation.",
    "A code snippet could help, but only if it is short.",
    "Let me double-check the numbers before answering.",
    "Okay, I think the structure is clear now.",
)


def _topic(prompt: str) -> str:
    words = [w.lower() for w in _WORD_RE.findall(prompt) if w.lower() not in _STOPWORDS]
    if not words:
        return "this topic"
    return " ".join(words[:3])


def _sections(rng: random.Random, topic: str, wants_code: bool) -> Iterator[str]:
    """An endless sequence of Markdown blocks; a natural answer takes the first few."""
    yield rng.choice(_OPENERS).format(topic=topic) + " " + " ".join(rng.sample(_SENTENCES, 2))
    if wants_code or rng.random() < 0.3:
        lang, code = rng.choice(_CODE_BLOCKS)
        yield f"```{lang}\n{code}\n```"
    last = ""
    while True:
        roll = rng.random()
        kind = "list" if roll < 0.4 else "code" if roll < 0.5 else "prose"
        if kind == last and kind != "prose":
            kind = "prose"  # two lists or two code blocks in a row read like a glitch
        last = kind
        if kind == "list":
            items = rng.sample(_LIST_ITEMS, rng.randint(3, 5))
            yield "\n".join(f"- **{name}**: {text}." for name, text in items)
        elif kind == "code":
            lang, code = rng.choice(_CODE_BLOCKS)
            yield f"```{lang}\n{code}\n```"
        else:
            yield " ".join(rng.sample(_SENTENCES, rng.randint(2, 4)))


@dataclass
class Completion:
    tokens: list[tuple[str, str]]
    """(kind, text) in order: reasoning tokens first, then content tokens."""
    finish_reason: str
    prompt_tokens: int
    seed: int

    @property
    def completion_tokens(self) -> int:
        return len(self.tokens)

    @property
    def content(self) -> str:
        return "".join(text for kind, text in self.tokens if kind == CONTENT)

    @property
    def reasoning_tokens(self) -> int:
        return sum(1 for kind, _ in self.tokens if kind == REASONING)

    @property
    def reasoning(self) -> str:
        return "".join(text for kind, text in self.tokens if kind == REASONING)

    def usage(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "cached_tokens": 0,
        }


def uses_reasoning(model: Model, request: dict[str, Any]) -> bool:
    if model.reasoning == "always":
        return True
    if model.reasoning == "hybrid":
        option = request.get("reasoning")
        return isinstance(option, dict) and option.get("enabled") is True
    return False


def generate(
    *,
    seed: int,
    model: Model,
    messages: list[Any],
    request: dict[str, Any],
    max_tokens: int | None,
    force_length: bool,
) -> Completion:
    prompt = message_text(messages)
    user = last_user_text(messages)
    request_seed = request.get("seed")
    digest = hashlib.sha256(f"{seed}|{model.id}|{request_seed}|{prompt}".encode()).hexdigest()
    rng = random.Random(digest)
    topic = _topic(user)

    tokens: list[tuple[str, str]] = []
    if uses_reasoning(model, request):
        effort = request.get("reasoning_effort") or "medium"
        low, high = _EFFORT_TOKENS.get(effort, _EFFORT_TOKENS["medium"])
        target = rng.randint(low, high)
        order = [_THOUGHTS[0], *rng.sample(_THOUGHTS[1:], len(_THOUGHTS) - 1)]
        thought: list[str] = []
        index = 0
        while len(thought) < target:
            thought.extend(tokenize((" " if thought else "") + order[index % len(order)].format(topic=topic)))
            index += 1
        tokens.extend((REASONING, t) for t in thought)

    forced = _FORCE_RE.search(user)
    wanted: int | None = None
    if forced:
        wanted = int(forced.group(1))
    elif force_length and max_tokens is not None:
        wanted = max_tokens  # the answer alone would overshoot; the cap below cuts it

    wants_code = any(word in user.lower() for word in ("code", "python", "function", "script", "curl"))
    sections = _sections(rng, topic, wants_code)
    content: list[str] = []
    if wanted is None:
        blocks = [next(sections) for _ in range(rng.randint(2, 4))]
        blocks.append(rng.choice(_CLOSERS))
        content = tokenize("\n\n".join(blocks))
    else:
        text = next(sections)
        content = tokenize(text)
        while len(content) < wanted:
            content.extend(tokenize("\n\n" + next(sections)))
        content = content[:wanted]
    tokens.extend((CONTENT, t) for t in content)

    finish = "stop"
    if max_tokens is not None and len(tokens) > max_tokens:
        tokens = tokens[:max_tokens]
        finish = "length"
    elif forced is None and force_length and max_tokens is not None and len(tokens) >= max_tokens:
        finish = "length"
    return Completion(
        tokens=tokens,
        finish_reason=finish,
        prompt_tokens=count_prompt_tokens(messages),
        seed=rng.getrandbits(63),
    )


# -- wire shapes ----------------------------------------------------------------------------------


def chunk(
    *,
    completion_id: str,
    created: int,
    model: str,
    kind: str,
    text: str,
    token: int,
    finish_reason: str | None = None,
    seed: int | None = None,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "text": text if kind == CONTENT else "",
                "logprobs": None,
                "finish_reason": finish_reason,
                "seed": seed,
                "delta": {
                    "token_id": token,
                    "role": "assistant",
                    "content": text if kind == CONTENT else None,
                    "reasoning": text if kind == REASONING else None,
                    "tool_calls": None,
                },
            }
        ],
        "usage": usage,
    }


def final_chunk(completion: Completion, *, completion_id: str, created: int, model: Model, name: str):
    return chunk(
        completion_id=completion_id,
        created=created,
        model=name,
        kind=CONTENT,
        text="",
        token=model.eos_token_id,
        finish_reason=completion.finish_reason,
        seed=completion.seed,
        usage=completion.usage(),
    )


def response_body(completion: Completion, *, completion_id: str, created: int, model: Model, name: str):
    message: dict[str, Any] = {"role": "assistant", "content": completion.content, "tool_calls": []}
    if model.reasoning:
        message["reasoning"] = completion.reasoning or None
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": name,
        "prompt": [],
        "choices": [
            {
                "index": 0,
                "finish_reason": completion.finish_reason,
                "seed": completion.seed,
                "logprobs": None,
                "message": message,
            }
        ],
        "usage": completion.usage(),
    }
