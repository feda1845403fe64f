"""A toy dual-encoder target: each question finds its answer in one pool per language."""

import harness
from harness.families.dual_encoder import DualEncoderTask, query_rows, training_row


def read_tsv(path):
    return [line.split("\t") for line in harness.read_text(path).splitlines() if line]


def read_toydual(task, split, lang, root):
    """train: question<TAB>answer; test: id<TAB>question<TAB>gold id, and id<TAB>answer."""
    files = task.local_files(split, lang, root)
    if split == task.train_split:
        return [training_row(question, answer) for question, answer in read_tsv(files[0])]
    queries = [(qid, text, [gold] if gold else None) for qid, text, gold in read_tsv(files[0])]
    return query_rows(queries, [(cid, text) for cid, text in read_tsv(files[1])])


TOYDUAL = DualEncoderTask(
    name="toydual",
    description="Toy answer retrieval: English training pairs, German and French answer pools.",
    languages=("de", "fr"),
    local_layout={
        "train": "toydual/train-en.tsv",
        "test": ("toydual/{lang}/questions.tsv", "toydual/{lang}/answers.tsv"),
    },
    local_reader=read_toydual,
)


@harness.hookimpl
def register_tasks(register):
    register(TOYDUAL)
