"""A finished session's statistics, computed from its own records (the CSVs and the snapshot).

Money is summed exactly; every figure that needs a division or a square root is rounded
half-even to ``rounding.PLACES`` decimal places at the end (docs/ARTIFACTS.md, summary.json).
"""
