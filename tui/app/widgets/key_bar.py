"""The keys in force, drawn as one line: what Textual's compact footer shows, without a widget per key.

Textual's Footer is a container of one ``FooterKey`` widget per binding. Each key is mounted, styled and
laid out, so the first frame paid for a dozen widgets (a start without any key was 120-145 ms faster of
~700 on a 2-core machine; this bar, 26-131 ms faster in 6 of 7 interleaved pairs: ``docs/benchmarks.md``,
session 13), and every change of the keys in force (a first selection enables the Endpoints pane's keys;
a chat turn brings esc Stop) mounted, removed or restyled keys, 13-18 ms in the second the first details
stream in. Here the keys are a list of spans on one line: a change of the bindings is a repaint of that
line, never a layout.

It looks as the app's footer did (Textual's compact footer, the quit and palette keys at the right, where a narrow
terminal never cuts them) and acts as Textual's keys do: a click presses the key (a disabled key rings
the bell), the key under the pointer is highlighted and its tooltip shown. Bindings in a
``Binding.Group`` are shown one by one (the app declares none). A key's name and description are shown
as text: a key map from the settings file names keys, and no markup or control character in it reaches
the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from tui.api.safe_text import clean

__all__ = ["KeyBar", "Shown", "follow_now"]


@dataclass(frozen=True, slots=True)
class Shown:
    """One key as the bar shows it."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    #: At the right, beside the palette key (the way out is never cut).
    right: bool


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    shown: Shown


class KeyBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--separator",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.keys: tuple[Shown, ...] = ()
        self._spans: tuple[_Span, ...] = ()
        self._hovered: Shown | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.follow()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        # As Textual's footer: a screen whose app lost the focus keeps the keys it showed.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.follow()

    def follow(self) -> bool:
        """Show the keys in force now; True if they changed (the line is then repainted, nothing laid out)."""
        if not self.is_attached:  # a screen on its way out keeps what it showed
            return False
        keys = self.keys_in_force()
        if keys == self.keys:
            return False
        self.keys = keys
        if self._hovered is not None and self._hovered not in keys:
            self._hover(None)
        self.refresh()
        return True

    def keys_in_force(self) -> tuple[Shown, ...]:
        """The keys Textual's footer would show for the screen's bindings in force, in its order: one per
        action (its first binding), the quit key then the palette key last, at the right."""
        app = self.app
        active = self.screen.active_bindings
        seen: set[str] = set()
        left: list[Shown] = []
        right: list[Shown] = []
        for _node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            quit_key = binding.action == "quit"
            shown = Shown(binding.key, clean(app.get_key_display(binding)), clean(binding.description),
                          binding.action, enabled, tooltip or "", quit_key)
            (right if quit_key else left).append(shown)
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            right.append(Shown(binding.key, clean(app.get_key_display(binding)), clean(binding.description),
                               binding.action, enabled, binding.tooltip or binding.description, True))
        return (*left, *right)

    def render(self) -> Text:
        width = self.size.width
        key_style = self._over("key-bar--key")
        description_style = self._over("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover")
        separator_style = self.get_component_rich_style("key-bar--separator")
        base = self.rich_style
        dim = Style(dim=True)

        def entry(shown: Shown) -> Text:
            under = hover_style if shown == self._hovered else base
            faded = Style() if shown.enabled else dim
            text = Text()
            text.append(shown.display, style=under + key_style + faded)
            if shown.description:
                text.append(" " + shown.description, style=under + description_style + faded)
            return text

        right = Text()
        right_spans: list[tuple[int, int, Shown]] = []
        for shown in (k for k in self.keys if k.right):
            # A separator, the key, and a blank the key paints (no margin: the last column is the key's).
            right.append("▏", style=under_separator(base, separator_style))
            start = len(right)
            right.append_text(entry(shown))
            right.append(" ", style=hover_style if shown == self._hovered else base)
            right_spans.append((start, len(right), shown))
        room = max(0, width - right.cell_len)
        left = Text()
        spans: list[_Span] = []
        for shown in (k for k in self.keys if not k.right):
            if left.cell_len >= room:
                break
            start = left.cell_len
            left.append_text(entry(shown))
            spans.append(_Span(start, min(left.cell_len, room), shown))
            left.append(" ", style=base)  # the compact footer's margin between keys
        left.truncate(room, pad=True)
        left.stylize_before(base)
        spans += [_Span(room + start, room + end, shown) for start, end, shown in right_spans]
        self._spans = tuple(spans)
        left.append_text(right)
        left.no_wrap = True
        return left

    def _over(self, name: str) -> Style:
        """A component's style laid over what is beneath it: its background only where it has one of its own
        (the keys' are transparent, so the highlight of the key under the pointer shows through)."""
        style = self.get_component_rich_style(name)
        if self.get_component_styles(name).background.a > 0:
            return style
        return Style(color=style.color, bold=style.bold, dim=style.dim, italic=style.italic,
                     underline=style.underline, reverse=style.reverse, strike=style.strike)

    def shown_at(self, x: int) -> Shown | None:
        """The key drawn at column ``x``, if any."""
        return next((span.shown for span in self._spans if span.start <= x < span.end), None)

    def _hover(self, shown: Shown | None) -> None:
        if shown == self._hovered:
            return
        self._hovered = shown
        self.tooltip = (shown.tooltip or None) if shown is not None else None
        self.refresh()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self.shown_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._hover(None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self.shown_at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()


def under_separator(base: Style, separator: Style) -> Style:
    """The separator's colour on the bar's own background (Textual's ``vkey`` border, as the keys had)."""
    return base + Style(color=separator.color)


def follow_now(screen: Screen[Any]) -> None:
    """The screen's key bar shows the keys in force now, not when Textual next publishes the bindings: keys
    that come or go with a change of the screen (a chat turn's esc Stop) are in the frame that shows it."""
    for child in screen.children:  # the bar is docked on the screen itself
        if isinstance(child, KeyBar) and screen.app.app_focus:
            child.follow()
