"""Configuration: one idea per module, importing no adapter and no session code.

- ``settings``: every setting declared once (kind, default, help, layers), and their loading
  from the command line, the environment, ``.env`` and ``logos.toml``;
- ``options``: the one builder of the command-line options of every command that takes settings;
- ``validation``: the one function ``trade``, ``resume`` and ``validate-config`` run;
- ``secrets``: credentials that never print;
- ``symbols``: the symbol table (bundled, then the home's additions).
"""
