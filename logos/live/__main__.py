"""``python -m logos.live trade ...`` is the same command line as ``logos``."""

from logos.cli import main

main()
