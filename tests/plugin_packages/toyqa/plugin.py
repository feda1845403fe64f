"""A toy extractive QA target in JSON lines: train on English, answer in German and Swahili."""

import harness
from harness.families import ExtractiveQATask


def read_questions(task, split, lang, root):
    """One question per line: id, question, context and answers [{"text", "start"}]."""
    rows = []
    for path in task.local_files(split, lang, root):
        for n, record in harness.read_jsonl(path):
            answers = [(a["text"], a["start"]) for a in record.get("answers", [])]
            where = f"{path}:{n}"
            rows.append(
                task.row(record["id"], record["context"], record["question"], answers, where)
            )
    return rows


TOYQA = ExtractiveQATask(
    name="toyqa",
    description="Toy extractive QA: English training questions, zero-shot German and Swahili.",
    languages=("en", "de", "sw"),
    roles=("target",),
    local_layout="toyqa/{lang}/{split}.jsonl",
    local_reader=read_questions,
    settings={"doc_stride": 64},
)


@harness.hookimpl
def register_tasks(register):
    register(TOYQA)
