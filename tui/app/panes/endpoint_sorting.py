"""The Endpoints pane's sorting, filtering and what it shows: a mixin of ``EndpointsPane``, kept apart so
the pane module stays about its widgets and the store; the attributes below are the pane's, named here for
the type checker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Input

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui.app.widgets.endpoint_detail import EndpointDetail
    from tui.app.widgets.endpoint_table import EndpointTable
    from tui.core.store import EndpointStore

    _PaneBase = Widget
else:
    _PaneBase = object

#: The order ``o`` steps through the columns to sort by.
SORT_CYCLE = ("name", "state", "cost", "age", "model", "hardware", "replicas")


class SortAndFilter(_PaneBase):
    if TYPE_CHECKING:
        store: EndpointStore
        _filter_text: str
        _kept: set[str]

        @property
        def _table(self) -> EndpointTable: ...

        @property
        def _detail(self) -> EndpointDetail: ...

        def _render_rows(self) -> None: ...

        def _update_title(self) -> None: ...

        def _say(self, message: str, *, title: str = "", severity: str = "information",
                 timeout: float | None = None) -> None: ...

    def _sort_by_header(self, column: str | None) -> None:
        """A click on a column's header sorts by it, and a second click reverses the order."""
        if column is None:
            return
        table = self._table
        reverse = not table.sort_reverse if column == table.sort_column else False
        table.set_sort(column, reverse=reverse)
        self._update_title()

    def action_cycle_sort(self) -> None:
        table = self._table
        index = SORT_CYCLE.index(table.sort_column) if table.sort_column in SORT_CYCLE else -1
        table.set_sort(SORT_CYCLE[(index + 1) % len(SORT_CYCLE)])
        self._update_title()

    def action_reverse_sort(self) -> None:
        table = self._table
        table.set_sort(table.sort_column, reverse=not table.sort_reverse)
        self._update_title()

    def action_filter(self) -> None:
        self.add_class("-filtering")
        # At once, not after the next refresh as focus() does: a key typed right after / belongs to the filter.
        self.screen.set_focus(self.query_one("#endpoints-filter", Input))

    def on_key(self, event: events.Key) -> None:
        # "/j" in one burst: both keys were sent to the table, and the "j" reached the app's bindings (moving
        # the cursor, or lost) before the "/" opened the filter. Acted on here, in the order they came, the
        # filter opens first and what follows is its text (the box stops the keys it gets itself). Not
        # ``box.has_focus``: that waits for the Focus event.
        box = self.query_one("#endpoints-filter", Input)
        if self.screen.focused is box and event.is_printable and event.character:
            event.stop()
            box.insert_text_at_cursor(event.character)
        elif any(binding.action == "filter" for binding in self._bindings.key_to_bindings.get(event.key, ())):
            event.stop()
            self.action_filter()

    def action_clear_filter(self) -> None:
        self._set_filter("")
        self._table.focus()

    def _set_filter(self, text: str) -> None:
        filter_input = self.query_one("#endpoints-filter", Input)
        if filter_input.value != text:
            with filter_input.prevent(Input.Changed):
                filter_input.value = text
        self._filter_text = text.strip()
        self._kept.clear()
        self.set_class(bool(text), "-filtering")
        self._render_rows()
        self.refresh_bindings()

    def _filter_typed(self, value: str) -> None:
        self._filter_text = value.strip()
        self._kept.clear()
        self._render_rows()

    def _filter_done(self, value: str) -> None:
        if not value.strip():
            self.remove_class("-filtering")
        self._table.focus()
        self.refresh_bindings()

    def action_toggle_serverless(self) -> None:
        store = self.store
        store.include_serverless = not store.include_serverless
        self._say(f"Serverless models {'shown' if store.include_serverless else 'hidden'}.", timeout=3)
        self._update_title()
        store.poll_now()

    def action_toggle_details(self) -> None:
        detail = self._detail
        detail.display = not detail.display
