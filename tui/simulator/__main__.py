"""`python -m tui.simulator`: the same as `together-tui simulate`."""

import argparse

from tui.simulator.cli import configure_parser, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.simulator", description=configure_parser.__doc__)
    configure_parser(parser)
    return run(parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
