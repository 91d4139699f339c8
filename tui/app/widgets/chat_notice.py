"""What an answer says about itself while it is not (or not yet) an answer: the offers, the wait, the failure.

Each state is a glyph and a word, so it reads the same in 16 colours or none; every name in a notice is
the service's text, so notices are built as ``Content`` from data, never from markup.
"""

from __future__ import annotations

from textual.content import Content

from tui.core.chat import Turn, TurnState
from tui.core.chat_routing import state_word

STATE_BADGES: dict[TurnState, tuple[str, str, str]] = {
    TurnState.NEEDS_START: ("◇", "endpoint not running", "$text-warning"),
    TurnState.NOT_SENT: ("◇", "not sent", "$text-warning"),
    TurnState.WAITING: ("…", "waiting for the endpoint", "$text-warning"),
    TurnState.STREAMING: ("▸", "answering", "$text-accent"),
    TurnState.DONE: ("✓", "done", "$text-success"),
    TurnState.STOPPED: ("■", "stopped", "$text-warning"),
    TurnState.FAILED: ("✗", "failed", "$text-error"),
}

_RETRY = ("ctrl+r retry", "bold")


def notice_text(turn: Turn, *, read_only: bool) -> Content | None:
    # The service's word, as the CLI labels it ("Provisioning", not DEPLOYMENT_STATE_PROVISIONING).
    state = state_word(turn.endpoint_state) if turn.endpoint_state else "not running"
    if turn.state is TurnState.NEEDS_START:
        parts: list[str | tuple[str, str]] = []
        if turn.advice is not None:
            parts += [(f"{turn.advice.title}: ", "bold"), turn.advice.detail + "\n"]
        parts.append((f"{turn.target.label} is {state}. ", "bold"))
        if read_only:
            parts.append("Read-only mode: it cannot be started from here. Pick another target (ctrl+t).")
            return Content.assemble(*parts)
        # The offer is the confirmation: it says what billing will begin at before ctrl+g accepts.
        cost = turn.start_cost.words if turn.start_cost is not None else "checking its $/hour…"
        parts += [
            "Start it (", ("ctrl+g", "bold"), "): billing begins at ", (cost, "bold"),
            ". The prompt is sent once it is ready; or pick another target (ctrl+t).",
        ]
        return Content.assemble(*parts)
    if turn.state is TurnState.NOT_SENT:
        advice = turn.advice
        if advice is None:
            return Content.assemble(("◇ Not sent", "bold"), ".  ", _RETRY)
        hint = advice.hint
        if advice.offer_redeploy and read_only:
            hint = "Read-only mode: nothing can be deployed from here. Pick another target (ctrl+t)."
        elif advice.offer_traffic and read_only:
            hint = "Read-only mode: the traffic split cannot be changed from here. Pin a deployment (ctrl+t)."
        return Content.assemble(
            ("◇ Not sent: ", "bold"), (advice.title, "bold"), f". {advice.detail}\n", hint, "  ", _RETRY
        )
    if turn.state is TurnState.WAITING:
        return Content.assemble(
            (f"{turn.target.label} is {state}. ", "bold"),
            "Your prompt is queued and is sent as soon as it is ready (esc drops it).",
        )
    if turn.state is TurnState.FAILED and turn.advice is not None:
        advice = turn.advice
        return Content.assemble(
            ("✗ ", "bold"), (advice.title, "bold"), f": {advice.detail}\n", advice.hint, "  ", _RETRY
        )
    if turn.state is TurnState.STOPPED:
        if turn.has_answer or turn.reasoning:
            return Content.assemble(("■ Stopped", "bold"), ": the answer above is partial.  ", _RETRY)
        return Content.assemble(("■ Not sent", "bold"), ".  ", _RETRY)
    return None


def offers_redeploy(turn: Turn) -> bool:
    return turn.state is TurnState.NOT_SENT and turn.advice is not None and turn.advice.offer_redeploy


def offers_traffic(turn: Turn) -> bool:
    return turn.state is TurnState.NOT_SENT and turn.advice is not None and turn.advice.offer_traffic


def next_step_label(turn: Turn) -> str | None:
    """The button under a prompt that was not sent, when one key can fix why (ctrl+g)."""
    if offers_redeploy(turn):
        return "Redeploy on v2…"
    if offers_traffic(turn):
        return "Edit traffic split…"
    return None
