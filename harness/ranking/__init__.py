"""Choosing intermediate tasks cheaply: rank candidates for a target before training.

``harness rank`` (``ranker.rank``) embeds each task from a sample of its data with the
run's model and ranks candidates by similarity to the target (``methods``);
``harness rank --evaluate`` scores those rankings against a grid's measured results
(``scoring``); ``--intermediate auto:K`` trains only each target's top K (``auto``).
See docs/ranking.md for what each method computes and how it departs from its paper.
"""

from harness.ranking.methods import METHODS
from harness.ranking.ranker import RankConfig, Ranking, rank, write_ranking

__all__ = ["METHODS", "RankConfig", "Ranking", "rank", "write_ranking"]
