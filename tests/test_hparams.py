"""The hyper-parameter declaration (``harness.hparams.HParams``) and what is derived from it:
defaults, ``harness run`` flags, the flag mapping, the JSON schema and the docs' key list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import hparams
from harness.cli import _parser, main
from harness.hparams import DEFAULT_HPARAMS, HParams
from harness.validation import errors

ROOT = Path(__file__).resolve().parent.parent

# The keys run.json stored for each phase when the declaration was introduced, in this order,
# with these defaults; a new hyper-parameter adds a key and leaves these as they are.
STORED = {
    "learning_rate": 2e-5,
    "batch_size": 32,
    "eval_batch_size": 128,
    "epochs": 2,
    "max_length": 128,
    "warmup_ratio": 0.1,
    "weight_decay": 0.01,
    "max_train_examples": None,
    "accumulate_grad_batches": 1,
    "bootstrap_samples": 0,
    "multitask_temperature": 1.0,
    "max_grad_norm": None,
    "val_every_steps": None,
    "val_max_examples": None,
    "early_stopping_patience": None,
}
# key -> (type, minimum, exclusiveMinimum, maximum, command-line flag), as suites, presets and
# flags were validated before the declaration
RULES = {
    "learning_rate": ("number", None, 0, None, "--learning-rate"),
    "batch_size": ("integer", 1, None, None, "--batch-size"),
    "eval_batch_size": ("integer", 1, None, None, "--eval-batch-size"),
    "epochs": ("integer", 1, None, None, "--epochs"),
    "max_length": ("integer", 8, None, None, "--max-length"),
    "warmup_ratio": ("number", 0, None, 1, "--warmup-ratio"),
    "weight_decay": ("number", 0, None, None, "--weight-decay"),
    "max_train_examples": (["integer", "null"], 1, None, None, "--max-train-examples"),
    "accumulate_grad_batches": ("integer", 1, None, None, "--accumulate-grad-batches"),
    "bootstrap_samples": ("integer", 0, None, None, "--bootstrap-samples"),
    "multitask_temperature": ("number", None, 0, None, None),
    "max_grad_norm": (["number", "null"], None, 0, None, None),
    "val_every_steps": (["integer", "null"], 1, None, None, "--val-every-steps"),
    "val_max_examples": (["integer", "null"], 1, None, None, "--val-max-examples"),
    "early_stopping_patience": (["integer", "null"], 1, None, None, "--early-stopping-patience"),
}


def test_defaults_are_the_stored_keys_in_order():
    from harness.planning import DEFAULT_HPARAMS as from_planning

    assert from_planning is DEFAULT_HPARAMS
    assert [(k, v) for k, v in DEFAULT_HPARAMS.items() if k in STORED] == list(STORED.items())
    assert HParams().to_dict() == DEFAULT_HPARAMS
    assert errors({k: v for k, v in DEFAULT_HPARAMS.items() if v is not None}, "hparams") == []


def test_committed_schema_and_docs_table_are_the_generated_ones():
    committed = (ROOT / "schemas" / "hparams.schema.json").read_text("utf-8")
    assert committed == hparams.schema_text()
    docs = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    assert hparams.docs_text(docs) == docs
    assert hparams.main(["--check"]) == 0


def test_check_finds_stale_files_and_write_regenerates_them(tmp_path, monkeypatch, capsys):
    schema, docs = tmp_path / "hparams.schema.json", tmp_path / "plugins.md"
    schema.write_text("{}\n")
    docs.write_text(f"intro\n{hparams.DOCS_BEGIN}\n| old |\n{hparams.DOCS_END}\nrest\n")
    monkeypatch.setattr(hparams, "SCHEMA_PATH", schema)
    monkeypatch.setattr(hparams, "DOCS_PATH", docs)
    assert hparams.main(["--check"]) == 1
    assert capsys.readouterr().out.count("is out of date") == 2
    assert hparams.main(["--write"]) == 0
    assert hparams.main(["--check"]) == 0
    assert schema.read_text("utf-8") == hparams.schema_text()
    text = docs.read_text("utf-8")
    assert text.startswith("intro\n") and text.endswith(f"{hparams.DOCS_END}\nrest\n")
    assert "| old |" not in text and "| `early_stopping_patience` | integer or `null` |" in text


def test_schema_states_each_rule():
    properties = json.loads(hparams.schema_text())["properties"]
    assert [k for k in properties if k in RULES] == list(RULES)
    assert list(properties) == list(DEFAULT_HPARAMS)
    for key, (kind, low, above, high, _) in RULES.items():
        prop = properties[key]
        got = (prop["type"], prop.get("minimum"), prop.get("exclusiveMinimum"), prop.get("maximum"))
        assert got == (kind, low, above, high), key
        assert prop["description"].endswith("."), key


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"epochs": 0}, "epochs: 0 is less than the minimum of 1"),
        ({"learning_rate": 0}, "learning_rate: 0 is less than or equal to the minimum of 0"),
        ({"warmup_ratio": 1.5}, "warmup_ratio: 1.5 is greater than the maximum of 1"),
        ({"max_length": 7}, "max_length: 7 is less than the minimum of 8"),
        ({"batch_size": "big"}, "batch_size: 'big' is not of type 'integer'"),
        ({"batch_size": 2.5}, "batch_size: 2.5 is not of type 'integer'"),
        ({"max_grad_norm": 0}, "max_grad_norm: 0 is less than or equal to the minimum of 0"),
        ({"lr": 1e-3}, "Additional properties are not allowed ('lr' was unexpected)"),
    ],
)
def test_schema_refuses_what_it_refused_before(values, problem):
    assert any(problem in e for e in errors(values, "hparams")), errors(values, "hparams")


def test_schema_accepts_nulls_only_where_declared():
    for key, (kind, *_) in RULES.items():
        problems = errors({key: None}, "hparams")
        assert (problems == []) == isinstance(kind, list), key


def test_flags_and_their_mapping():
    flagged = {k: rule[4] for k, rule in RULES.items() if rule[4]}
    argv = ["run"]
    for key, flag in flagged.items():
        argv += [flag, "0.5" if RULES[key][0] == "number" else "3"]
    args = _parser().parse_args(argv)
    expected = {k: 0.5 if RULES[k][0] == "number" else 3 for k in flagged}
    assert {k: v for k, v in hparams.from_args(args).items() if k in RULES} == expected
    unset = hparams.from_args(_parser().parse_args(["run"]))
    assert set(flagged) <= set(unset) and set(unset.values()) == {None}
    for missing in ["--multitask-temperature", "--max-grad-norm"]:
        with pytest.raises(SystemExit):
            _parser().parse_args(["run", missing, "1"])


def test_help_shows_each_flag_with_its_range(capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--max-length N most tokens in one encoded input" in text
    assert "(N >= 8)" in text and "(X > 0)" in text and "(X >= 0; X <= 1)" in text
    assert "(N >= 1; needs --val-every-steps)" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--epochs", "0"], "epochs: 0 is less than the minimum of 1"),
        (["--max-length", "4"], "max_length: 4 is less than the minimum of 8"),
        (["--batch-size", "x"], "argument --batch-size: invalid int value: 'x'"),
        (["--learning-rate", "nan"], "argument --learning-rate: expected a finite number"),
        (
            ["--early-stopping-patience", "2"],
            "hyper-parameters of xnli: early_stopping_patience needs val_every_steps; "
            "add --val-every-steps N",
        ),
    ],
)
def test_bad_flag_values_are_one_error_line(capsys, args, needle):
    try:
        code = main(["run", "--targets", "xnli", *args])
    except SystemExit as exc:  # argparse refuses a value at parse time
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ")
    assert needle in err[0], err[0]


def test_whole_numbers_come_back_as_int():
    typed = HParams.from_dict({"batch_size": 16.0, "learning_rate": 1})
    assert typed.batch_size == 16 and type(typed.batch_size) is int
    assert typed.epochs == STORED["epochs"]  # missing keys take their defaults


def test_plan_keeps_stored_keys_and_gives_the_typed_object():
    from harness.planning import Planner, RunConfig
    from harness.registry import load_registry

    config = RunConfig(targets=["xnli"], hparams={"batch_size": 7, "epochs": None})
    plan = Planner(load_registry(), config).plan()
    assert list(plan.hparams["xnli"]) == list(DEFAULT_HPARAMS)
    typed = plan.typed_hparams("xnli")
    assert isinstance(typed, HParams) and typed.batch_size == 7
    assert typed.to_dict() == plan.hparams["xnli"]


def test_unmet_requirement_names_the_flag():
    assert hparams.unmet_requirement({"early_stopping_patience": 2}) == (
        "early_stopping_patience needs val_every_steps; add --val-every-steps N"
    )
    assert hparams.unmet_requirement({"early_stopping_patience": 2, "val_every_steps": 5}) is None


def test_docs_table_has_a_row_per_key_in_declaration_order():
    table = hparams.docs_table().splitlines()[2:]
    rows = {row.split(" | ")[0].strip("|` "): row for row in table}
    assert list(rows) == list(DEFAULT_HPARAMS)
    for key, (kind, *_, flag) in RULES.items():
        row = rows[key]
        assert ("or `null`" in row) == isinstance(kind, list), key
        assert (f"`{flag}`" if flag else "(suites and presets only)") in row, key
