"""The Logos version: the one place it is written (pyproject.toml reads it from here).

Its own module, not only ``logos/__init__.py``: a home holds a ``logos/logs/`` folder, and a
process started there with the current folder on its path (``python -m logos``) can see
``logos`` as that folder, where submodules still resolve but package attributes do not.
"""

__version__ = "0.1.0"
