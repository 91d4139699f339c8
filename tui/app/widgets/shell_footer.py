"""Textual's footer with the way out always in view, and without its last-column residue.

On a narrow terminal the footer shows the focused pane's keys first and cuts the rest, the app's
``^q Quit`` among them; here the quit key sits at the right beside the palette key, where nothing cuts it.

The residue (``▏^p palettee``): in the compact footer every key has ``margin-right: 1``, the palette key
too. A docked widget's region is shrunk by its margin, so the terminal's last column belongs to no key
and shows whichever scrolled-off key lies beneath it; when the keys change, that cell changes with them.
No margin on the keys at the right (padding instead, which the key paints) covers the column.
"""

from __future__ import annotations

from collections.abc import Awaitable

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.app.widgets.footer_keys import follow_bindings, keys_of


class ShellFooter(Footer):
    DEFAULT_CSS = """
    ShellFooter {
        #footer-right {
            dock: right;
            width: auto;
            height: 1;
        }
        #footer-right FooterKey {
            margin: 0;
            padding: 0 1 0 0;
            border-left: vkey $foreground 20%;
            dock: none;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        right: list[FooterKey] = []
        for widget in super().compose():
            for key in keys_of(widget):
                # Compact before its first styles: Textual's key takes the class from a watcher once its
                # messages start, and a key laid out before that kept its wide size and look (the
                # Hardware pane's keys, in one start of three).
                key.set_class(self.compact, "-compact", update=False)
            if isinstance(widget, FooterKey) and (widget.action == "quit" or widget.has_class("-command-palette")):
                right.append(widget)
            else:
                yield widget
        if right:
            # Quit first, then the palette: the order Textual gives them, the palette key last.
            yield HorizontalGroup(*right, id="footer-right")

    def keys_now(self) -> list[Awaitable[object]]:
        """The keys of the bindings in force now, placed at once; returns their mounts, for a screen that
        holds its first frame until they are done. Textual refreshes the bindings after the next frame
        when the focus moves: the focused widget's keys, and the quit and palette keys in their group,
        came one and two frames after the first one, each with a layout of the whole screen."""
        self._bindings_ready = True
        return follow_bindings(self)

    def bindings_changed(self, screen: Screen) -> None:
        # Only the keys that changed, not a recompose: a chat turn refreshes the bindings as its first
        # token arrives and again after its last (see footer_keys).
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            if not self.children:
                # The first keys at once: after a refresh they would miss the first frame, whose rows are
                # there when the first list came in before it, and cost a screen layout of their own.
                follow_bindings(self)
            else:
                self.call_after_refresh(follow_bindings, self)
