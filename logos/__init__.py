"""Logos: a deterministic paper-trading execution engine."""

__version__ = "0.1.0"
