"""A multilingual NLI target: train on English pairs, evaluate in German and French."""

import harness
from harness.families import PairClassificationTask


def nli_row(task, fields, where):
    """premise<TAB>hypothesis<TAB>label; test files may leave the label out."""
    return task.row(fields[0], fields[1], fields[2] if len(fields) > 2 else None, where)


TINYNLI = PairClassificationTask(
    name="tinynli",
    description="Tiny NLI: English training pairs, zero-shot German and French.",
    languages=("en", "de", "fr"),
    roles=("target",),
    labels=("contradiction", "entailment", "neutral"),
    label_aliases=(("c", "contradiction"), ("e", "entailment"), ("n", "neutral")),
    local_layout="tinynli/{split}-{lang}.tsv",
    from_fields=nli_row,
)


@harness.hookimpl
def register_tasks(register):
    register(TINYNLI)
