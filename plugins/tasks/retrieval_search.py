"""Exact nearest neighbours and margin-based bitext mining: moved to the public
:mod:`harness.families.retrieval_search`; this module keeps the old import path working."""

from harness.families.retrieval_search import *  # noqa: F403
from harness.families.retrieval_search import __all__  # noqa: F401
