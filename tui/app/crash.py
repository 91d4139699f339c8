"""Crash reports that cannot print the API key.

Textual's default crash report is a Rich traceback with the local variables of every frame. Deep in
httpx/httpcore, frames hold the request headers as plain bytes (``Authorization: Bearer …``), so a crash
there would print the key to the terminal, and from there into scrollback, logs and bug reports.
The report here keeps the frames and source lines and drops the locals.
"""

from __future__ import annotations

from textual.app import App


class SecretSafeCrashReports(App):
    def _fatal_error(self) -> None:
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()
