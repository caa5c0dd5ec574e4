"""``python -m logos ...`` is the same command line as ``logos``."""

from logos.cli import main

main()
