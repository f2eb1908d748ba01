"""Entry point for `make run`. For now: the parsed list and its lint report."""

from __future__ import annotations

import sys

from assistant.cli import main

if __name__ == "__main__":
    status = main(["items"])
    print()
    sys.exit(status or main(["lint"]))
