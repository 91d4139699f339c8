"""``together-tui`` and ``python -m tui``: the head start first (``tui.head_start``), then the command line.

Forked before the command line's own imports (argparse, asyncio: ~50 ms), the child reads the settings and
the first list beside them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The command line, parsed as the app parses it (imported in the head start's child only)."""
    from tui.cli import parse_args

    return parse_args(argv)


def main() -> int:
    from tui.head_start import early

    early(sys.argv[1:], parse)
    from tui.cli import main as command_line

    return command_line()
