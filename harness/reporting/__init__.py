"""One reporting model under ``harness leaderboard`` and ``harness analyze``.

``records``: the typed score record (``Record``) and what a row compares (``Setup``);
``sources``: reading records from run folders and result files, in one place;
``tables``: Markdown tables and cell formats; ``heatmaps``: the one heat-map renderer;
``html``: the static leaderboard page; ``bootstrap`` and ``effects``: the statistics and
the comparisons behind the analysis. Importing this package imports none of them.
"""
