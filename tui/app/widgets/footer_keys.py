"""Bring a Footer's keys in line with the bindings in force by touching only the keys that changed.

Textual's Footer recomposes on every bindings refresh: it removes every key and mounts them all again,
each restyled and laid out. A chat turn refreshes the bindings as it starts and as it ends (esc Stop
comes and goes), so that rebuild was paid just as the first token arrived and again right after the
last one. Usually one key appears or goes, or a key changes only whether it is enabled: here the footer
composes its keys as usual but without mounting them, compares them with the mounted ones, and
only mounts, removes or re-flags what differs (the same keys in the same order as a recompose).
"""

from __future__ import annotations

from collections.abc import Awaitable
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from textual.compose import compose
from textual.widgets._footer import FooterKey

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.widgets import Footer

#: Classes a key gets from its state or from the footer, not from what it is.
_STATE_CLASSES = frozenset({"-disabled", "-compact"})


def _children(widget: Widget) -> list[Widget]:
    # A group placed but not mounted yet holds its keys as pending; once its compose takes them they are
    # its children, before it counts as mounted.
    return list(widget._pending_children) if widget._pending_children else list(widget.children)


def signature(widget: Widget) -> tuple[object, ...]:
    """What a footer entry shows and does, whether it is enabled aside."""
    classes = tuple(sorted(set(widget.classes) - _STATE_CLASSES))
    if isinstance(widget, FooterKey):
        tooltip = widget.tooltip if isinstance(widget.tooltip, str) else repr(widget.tooltip)
        return ("key", widget.key, widget.key_display, widget.description, widget.action, tooltip, classes)
    rendered = getattr(widget, "content", None)
    return (type(widget).__name__, widget.id, classes, str(rendered) if rendered is not None else None,
            tuple(signature(child) for child in _children(widget)))


def keys_of(widget: Widget) -> list[FooterKey]:
    """The keys in a footer entry: the entry itself, or those of a group, mounted or not."""
    if isinstance(widget, FooterKey):
        return [widget]
    return [key for child in _children(widget) for key in keys_of(child)]


def _copy_states(shown: list[Widget], wanted: list[Widget]) -> None:
    changed: list[Widget] = []
    for old, new in zip((k for w in shown for k in keys_of(w)), (k for w in wanted for k in keys_of(w)), strict=True):
        if old._disabled != new._disabled:
            old._disabled = new._disabled
            old.set_class(new._disabled, "-disabled", update=False)
            changed.append(old)
    if changed:
        # Restyled together: the stylesheet matches its rules once for keys alike (one cache for the call),
        # where a class set on each key restyled it alone: 2-3 ms a key, 15-20 ms when a first selection
        # enables the Endpoints pane's keys.
        changed[0].app.stylesheet.update_nodes(changed, animate=True)


def follow_bindings(footer: Footer) -> list[Awaitable[object]]:
    """Update ``footer`` to the bindings in force: as a recompose would leave it, at the cost of the change.

    Not awaited: the keys are placed in the footer at once and mount on their own. A callback after a
    refresh that waited for its mounts would hold back every callback queued behind it (the chat's
    first token on screen among them). Returns the mounts and removals under way, for a caller that
    holds its frame until they are done (``follow_now``).
    """
    if not footer.is_attached or footer._pruning:
        return []
    pending: list[Awaitable[object]] = []
    shown = [child for child in footer.children if not child.has_class("-textual-system")]
    with footer._context():  # its keys bind to the footer's own reactives
        wanted = compose(footer)
    matcher = SequenceMatcher(a=[signature(w) for w in shown], b=[signature(w) for w in wanted], autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            _copy_states(shown[a1:a2], wanted[b1:b2])
            continue
        if b2 > b1:
            # Before the next entry that stays: the order is the bindings' order.
            following = next((w for w in shown[a2:] if w.parent is footer), None)
            if following is not None:
                pending.append(footer.mount_all(wanted[b1:b2], before=following))
            else:
                pending.append(footer.mount_all(wanted[b1:b2]))
        if a2 > a1:
            pending.append(footer.remove_children(shown[a1:a2]))
    return pending


def follow_now(screen: Screen) -> list[Awaitable[object]]:
    """The screen's footer follows the bindings in force now, not after the next refresh: keys that come or
    go with a change of the screen (a chat turn's esc Stop and ^r Retry at its start and end) are then laid
    out with it, in the same layout, not in one more of their own. The footer's own follow, after the
    refresh, then finds nothing to change. Keys mount (and go) in a turn of the loop of their own: the
    caller holds its frame until what is returned is done, else the frame lays out without them and
    the next one again with them."""
    from textual.widgets import Footer

    pending: list[Awaitable[object]] = []
    for child in screen.children:  # the footer is docked on the screen itself
        if isinstance(child, Footer) and child._bindings_ready and screen.app.app_focus:
            pending += follow_bindings(child)
    return pending
