"""scripts/make_rehearsal_data.py: files every task reads, with round(real size x fraction) rows."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from harness import DataSource
from harness.registry import load_registry

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_rehearsal_data.py"
FRACTION = 0.002  # MNLI: 785 pairs; PAN-X jv dev: 0.2 -> the floor of 1
NOT_GENERATED = {"mlm", "ccg"}  # no release to rehearse: user text / licensed CCGbank


def _generator():
    spec = importlib.util.spec_from_file_location("make_rehearsal_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory) -> tuple[Path, dict]:
    gen = _generator()
    root = tmp_path_factory.mktemp("rehearsal")
    gen.generate(root, FRACTION)
    return root, gen.load_sizes()


def _n(size: int) -> int:
    return max(1, round(size * FRACTION))


def expected_rows(sizes: dict, task: str, split: str, lang: str) -> int:
    """Rows the harness should read, from the sizes file alone (independent of the generator)."""
    if task in ("xquad", "mlqa", "lareqa") and split == "train":  # SQuAD v1.1
        return _n(sizes["squad"]["counts"]["train"]["en"])
    if task in ("anli", "anli+"):
        rows = sum(_n(n) for n in sizes["anli"]["counts"][split].values())
        if task == "anli+" and split == "train":
            rows += _n(sizes["mnli"]["counts"]["train"]["en"])
            rows += _n(sizes["snli"]["counts"]["train"]["en"])
        return rows
    entry = sizes[task]["counts"][split][lang]
    if task == "bucc2018":
        return _n(entry["source"]) + _n(entry["english"])
    return _n(entry)


def test_sizes_file_names_a_source_for_every_release():
    sizes = _generator().load_sizes()
    for name, spec in sizes.items():
        assert spec["source"].strip(), name
        for split, langs in spec["counts"].items():
            assert langs, (name, split)
            for lang in spec.get("unverified", {}).get(split, []):
                assert lang == "*" or lang in langs, (name, split, lang)
    assert sizes["mnli"]["counts"]["train"]["en"] == 392702
    anli_plus = sum(sizes["anli"]["counts"]["train"].values()) + 392702 + 549367
    assert anli_plus == 1104934


def test_every_task_reads_the_generated_files_at_the_scaled_sizes(rehearsal):
    root, sizes = rehearsal
    source = DataSource("local", root)
    checked = 0
    for name, task in load_registry().tasks.items():
        if name in NOT_GENERATED:
            continue
        points = [(task.train_split, task.train_language)] if task.trains else []
        points += [(s, lang) for lang in task.languages for s in task.splits_for(lang)]
        for split, lang in points:
            rows = task.load(split, lang, source)
            assert len(rows) == expected_rows(sizes, name, split, lang), (name, split, lang)
            if split != task.train_split:  # every evaluation is scored: gold labels are there
                assert None not in task.references(rows), (name, split, lang)
            checked += 1
    assert checked > 250  # every split of every language of 20 tasks


def test_xtreme_test_files_hide_their_labels_as_the_download_does(rehearsal):
    root, _ = rehearsal
    assert len((root / "xnli" / "test-de.tsv").read_text("utf-8").splitlines()[0].split("\t")) == 2
    assert "\t" not in (root / "panx" / "test-de.tsv").read_text("utf-8").splitlines()[0]
    stripped = json.loads((root / "xquad" / "xquad.de.json").read_text("utf-8"))
    answers = [qa["answers"] for a in stripped["data"] for p in a["paragraphs"] for qa in p["qas"]]
    assert answers and all(a == [{"answer_start": 0, "text": ""}] for a in answers)
    english = (root / "tatoeba" / "de-en.en").read_text("utf-8").splitlines()
    assert english == sorted(english)


def test_same_seed_same_bytes_and_unknown_tasks_refused(tmp_path):
    gen = _generator()
    for run in ("a", "b"):
        gen.generate(tmp_path / run, 0.001, ["xnli", "squad_v2"])
    for path in (tmp_path / "a").rglob("*.*"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    with pytest.raises(SystemExit, match="unknown task 'nope'"):
        gen.generate(tmp_path / "c", 0.01, ["nope"])
