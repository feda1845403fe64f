"""A toy NER target in CoNLL-style files: train on English, tag German and French zero-shot."""

import harness
from harness.families import TaggingTask


def read_conll(task, split, lang, root):
    """One ``token tag`` per line, a blank line between sentences; test files may omit tags."""
    (path,) = task.local_files(split, lang, root)
    rows, words, tags = [], [], []
    for n, line in enumerate([*harness.read_text(path).splitlines(), ""], 1):
        if line.strip():
            token, *tag = line.split()
            words.append(token)
            tags.append(tag[0] if tag else None)
        elif words:
            rows.append(task.row(words, tags, f"{path}:{n - len(words)}"))
            words, tags = [], []
    return rows


TOYNER = TaggingTask(
    name="toyner",
    description="Toy named entities (PER, LOC; IOB2) in English, German and French.",
    languages=("en", "de", "fr"),
    roles=("target",),
    tags=("O", "B-PER", "I-PER", "B-LOC", "I-LOC"),
    local_layout="toyner/{lang}/{split}.conll",
    local_reader=read_conll,
)


@harness.hookimpl
def register_tasks(register):
    register(TOYNER)
