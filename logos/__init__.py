"""Logos: a deterministic paper-trading execution engine."""

from logos.version import __version__

__all__ = ["__version__"]
