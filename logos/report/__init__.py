"""``logos report``: one self-contained HTML page of a session's equity, drawdown, prices,
fills, guard trips and statistics. Needs the ``report`` extra (plotly)."""
