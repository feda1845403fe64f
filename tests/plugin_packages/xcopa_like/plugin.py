"""An XCOPA-style target: train on English, pick the cause or effect in 11 languages."""

import harness
from harness.families import MultipleChoiceTask

LANGUAGES = ("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh")
QUESTIONS = {"cause": "What was the cause?", "effect": "What happened as a result?"}


def xcopa_row(task, record, where):
    """XCOPA's JSON lines: premise, choice1, choice2, question (cause/effect), label 0/1."""
    context = f"{record['premise']} {QUESTIONS[record['question']]}"
    return task.row(context, [record["choice1"], record["choice2"]], record.get("label"), where)


XCOPA = MultipleChoiceTask(
    name="xcopa_like",  # the built-in task "xcopa" reads XTREME's own download
    description="XCOPA-style causal commonsense reasoning: 2 choices, 11 languages.",
    languages=LANGUAGES,
    roles=("target",),
    num_choices=2,
    local_layout={
        "train": "xcopa/en/train.en.jsonl",
        "dev": "xcopa/{lang}/val.{lang}.jsonl",
        "test": "xcopa/{lang}/test.{lang}.jsonl",
    },
    from_record=xcopa_row,
)


@harness.hookimpl
def register_tasks(register):
    register(XCOPA)
