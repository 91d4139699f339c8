"""The floor: a bare Textual app, Header + DataTable + Footer, with ``--rows`` rows like the Endpoints table.

    python benchmarks/bare_app.py [--rows 7] [--rows-on-screen 18]

Nothing but Textual: the rows are made up in-process, the same columns and widths as the app's table.
Cold start and key latency measure the app against this one, through the same pty and emulator.
``--rows-on-screen`` gives the table as many lines for rows as the Endpoints table has (a blank Static
takes the rest, where the app shows its details), so ``down`` starts scrolling at the same press in both:
a scrolled frame redraws every row on screen, a cursor moved on screen only two.

``--fetch URL`` is the floor of our dependencies: the app imports httpx and pydantic first and shows its
rows only once an ``httpx.AsyncClient`` has read ``URL`` (with ``TOGETHER_API_KEY``) and a pydantic model
has validated its ``data`` list: what any Textual app that lists endpoints with them must do. It shows as
many rows as ``--rows`` whatever the list held (``benchmarks/cold_start.py`` prints it beside the bare app).
"""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

STATES = ("STARTED", "STOPPED", "STARTING", "PENDING", "ERROR", "STOPPED", "STARTED")
COLUMNS = ("Name", "Model", "Hardware", "Repl", "State", "$/hour", "Age")


def row(index: int) -> tuple[str, ...]:
    return (f"bare-endpoint-{index:05d}", "openai/gpt-oss-20b", "2x H100 SXM", "1/2", STATES[index % len(STATES)],
            f"${index % 50 + 0.99:.2f}", f"{index % 200}d")


class BareApp(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, rows: int, rows_on_screen: int | None = None, fetch: str | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.rows_on_screen = rows_on_screen
        self.fetch = fetch

    def compose(self) -> ComposeResult:
        yield Header()
        table = DataTable(cursor_type="row")
        if self.rows_on_screen is not None:
            table.styles.height = self.rows_on_screen + 1  # and its header
        yield table
        if self.rows_on_screen is not None:
            filler = Static()
            filler.styles.height = "1fr"
            yield filler
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        if self.fetch:
            self.run_worker(self._fetch_rows(self.fetch))
        else:
            table.add_rows(row(index) for index in range(self.rows))

    async def _fetch_rows(self, url: str) -> None:
        import os

        import httpx
        import pydantic

        class Listed(pydantic.BaseModel):
            model_config = pydantic.ConfigDict(extra="allow")
            id: str
            name: str | None = None

        class Page(pydantic.BaseModel):
            data: list[Listed]

        headers = {"Authorization": f"Bearer {os.environ.get('TOGETHER_API_KEY', '')}"}
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            response = await client.get(url)
            response.raise_for_status()
        Page.model_validate_json(response.content)
        self.query_one(DataTable).add_rows(row(index) for index in range(self.rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=7)
    parser.add_argument("--rows-on-screen", type=int, default=None,
                        help="lines for rows in the table (default: every line between the header and the footer)")
    parser.add_argument("--fetch", metavar="URL", default=None,
                        help="import httpx and pydantic and show the rows once this list is read and validated")
    args = parser.parse_args()
    if args.fetch:
        import os

        # As tui.cli.main does: no scan of installed packages for pydantic plugins.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        import httpx  # noqa: F401  (imported before the app runs, as an app that uses them would)
        import pydantic  # noqa: F401
    BareApp(args.rows, args.rows_on_screen, args.fetch).run()


if __name__ == "__main__":
    main()
