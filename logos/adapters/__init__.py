"""Broker adapters: dry-run health checks only; no code path here sends an order."""
