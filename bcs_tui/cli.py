"""Command line entry point (placeholder until the config/CLI work lands)."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("bcs-tui", file=sys.stdout)
    return 0
