"""The floor: a bare Textual app, Header + DataTable + Footer, with ``--rows`` rows like the Endpoints table.

    python benchmarks/bare_app.py [--rows 7]

Nothing but Textual: the rows are made up in-process, the same columns and widths as the app's table.
Cold start and key latency measure the app against this one, through the same pty and emulator.
"""

from __future__ import annotations

import argparse

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

STATES = ("STARTED", "STOPPED", "STARTING", "PENDING", "ERROR", "STOPPED", "STARTED")
COLUMNS = ("Name", "Model", "Hardware", "Repl", "State", "$/hour", "Age")


def row(index: int) -> tuple[str, ...]:
    return (f"bare-endpoint-{index:05d}", "openai/gpt-oss-20b", "2x H100 SXM", "1/2", STATES[index % len(STATES)],
            f"${index % 50 + 0.99:.2f}", f"{index % 200}d")


class BareApp(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.add_rows(row(index) for index in range(self.rows))
        table.focus()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=7)
    BareApp(parser.parse_args().rows).run()


if __name__ == "__main__":
    main()
