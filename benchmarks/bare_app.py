"""The floor: a bare Textual app, Header + DataTable + Footer, with ``--rows`` rows like the Endpoints table.

    python benchmarks/bare_app.py [--rows 7] [--rows-on-screen 18]

Nothing but Textual: the rows are made up in-process, the same columns and widths as the app's table.
Cold start and key latency measure the app against this one, through the same pty and emulator.
``--rows-on-screen`` gives the table as many lines for rows as the Endpoints table has (a blank Static
takes the rest, where the app shows its details), so ``down`` starts scrolling at the same press in both:
a scrolled frame redraws every row on screen, a cursor moved on screen only two.
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

    def __init__(self, rows: int, rows_on_screen: int | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.rows_on_screen = rows_on_screen

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
        table.add_rows(row(index) for index in range(self.rows))
        table.focus()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=7)
    parser.add_argument("--rows-on-screen", type=int, default=None,
                        help="lines for rows in the table (default: every line between the header and the footer)")
    args = parser.parse_args()
    BareApp(args.rows, args.rows_on_screen).run()


if __name__ == "__main__":
    main()
