"""Toy translation retrieval: each English sentence finds its German or French translation."""

import harness
from harness.families import RetrievalTask

TOYRET = RetrievalTask(
    name="toyret",
    description="Toy sentence retrieval between English and German or French (no training).",
    languages=("de", "fr"),
    # line j of the English file and line j of the other language's file are translations
    local_layout={"test": ("toyret/{lang}/en.txt", "toyret/{lang}/{lang}.txt")},
)


@harness.hookimpl
def register_tasks(register):
    register(TOYRET)
