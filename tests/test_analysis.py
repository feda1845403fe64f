"""`harness analyze`: differences, bootstrap intervals, resource-class groups, best intermediate.

Synthetic result records and replicate files are written through RunDir / atomic_write_json,
so they validate against the schemas exactly like the runner's; no model is trained.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from harness import HarnessError, atomic_write_json
from harness.analysis import (
    Comparison,
    analyze,
    best_intermediates,
    class_grid,
    effects,
    interval,
    load,
    replicate_means,
    resource_class,
    t975,
)
from harness.languages import language
from harness.results import RunDir

SUITES = Path(__file__).resolve().parent.parent / "plugins" / "suites"


def record(inter, target, lang, value, *, split="test", seed=0, run_id="r", **extra):
    base = {
        "suite": "xtreme-intermediate",
        "model": "minilm",
        "intermediate": None if inter == "none" else inter,
        "intermediate_language": None if inter == "none" else (inter.partition("@")[2] or "en"),
        "target": target,
        "role": "target",
        "language": lang,
        "split": split,
        "metric": "accuracy",
        "value": float(value),
        "main": True,
        "seed": seed,
        "run_id": run_id,
        "n_examples": 50,
        "data": "sample",
    }
    return {**base, **extra}


def write_run(root: Path, run_id: str, records: list[dict], replicates: dict | None = None):
    """One run folder: results.json (validated) and bootstrap/<inter>/seed<S>/<target>/... files.

    ``replicates``: (intermediate, seed, target, split, lang) -> list of replicate scores.
    """
    run = RunDir(root, run_id)
    run.add_records([{**r, "run_id": run_id} for r in records])
    for (inter, seed, target, split, lang), reps in (replicates or {}).items():
        atomic_write_json(
            run.path / "bootstrap" / inter / f"seed{seed}" / target / f"{split}-{lang}.json",
            {"metric": "accuracy", "value": float(np.mean(reps)), "replicates": list(reps)},
        )
    return run.path


def reps(rng: np.random.Generator, centre: float, n: int = 200) -> list[float]:
    return [float(v) for v in rng.normal(centre, 3.0, n)]


def only(setups):
    assert len(setups) == 1
    return next(iter(setups.values()))


# --------------------------------------------------------------------------- statistics
def test_t_quantiles_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 3, 5, 10, 29, 30):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=6e-4)
    for df in (31, 45, 200, 5000):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=2e-4)


def test_single_seed_difference_and_interval_equal_a_brute_force_paired_bootstrap(tmp_path):
    rng = np.random.default_rng(1)
    a, b = reps(rng, 70.0), reps(rng, 66.0)
    runs = tmp_path / "runs"
    write_run(
        runs,
        "base",
        [record("none", "xnli", "de", 66.5)],
        {("none", 0, "xnli", "test", "de"): b},
    )
    write_run(
        runs,
        "mnli",
        [record("mnli", "xnli", "de", 71.25)],
        {("mnli", 0, "xnli", "test", "de"): a},
    )
    setups, loader, problems = load([runs])
    assert problems == []
    (effect,) = effects(only(setups), loader)
    assert effect.comparison.mean == pytest.approx(71.25 - 66.5)
    iv = interval([effect.comparison])
    diff = np.array(a) - np.array(b)
    low, high = np.percentile(diff, [2.5, 97.5])
    assert iv.method == "bootstrap"
    assert (iv.low, iv.high) == pytest.approx((low, high))
    text = analyze([runs])
    assert f"[{low:+.2f}, {high:+.2f}]" in text
    assert "+4.75" in text


def test_seeds_are_averaged_and_resampled_per_replicate(tmp_path):
    rng = np.random.default_rng(2)
    runs = tmp_path / "runs"
    base = {s: reps(rng, 60.0, 100) for s in (0, 1)}
    mine = {s: reps(rng, 62.0, 100) for s in (0, 1)}
    write_run(
        runs,
        "r",
        [record("none", "xnli", "en", 60 + s, seed=s) for s in (0, 1)]
        + [record("mnli", "xnli", "en", 63 + 2 * s, seed=s) for s in (0, 1)],
        {("none", s, "xnli", "test", "en"): base[s] for s in (0, 1)}
        | {("mnli", s, "xnli", "test", "en"): mine[s] for s in (0, 1)},
    )
    setups, loader, _ = load([runs])
    (effect,) = effects(only(setups), loader)
    c = effect.comparison
    assert c.diffs == {0: 3.0, 1: 4.0}
    assert c.mean == pytest.approx(3.5)
    per_seed = [np.array(mine[s]) - np.array(base[s]) for s in (0, 1)]
    means = replicate_means([c])
    # replicate i averages a resample (with replacement) of the two seeds' differences i
    options = np.stack([per_seed[0], per_seed[1], (per_seed[0] + per_seed[1]) / 2])
    assert len(means) == 100
    assert np.all(np.isclose(options, means).any(axis=0))
    assert not np.allclose(means, options[2])  # seeds really are drawn, not just averaged
    assert replicate_means([c]) == pytest.approx(means)  # deterministic

    # identical differences in both seeds: seed resampling changes nothing
    same = Comparison("s", {0: 1.0, 1: 1.0}, {0: per_seed[0], 1: per_seed[0].copy()})
    iv = interval([same])
    assert (iv.low, iv.high) == pytest.approx(tuple(np.percentile(per_seed[0], [2.5, 97.5])))


def test_without_replicates_the_interval_is_over_seeds_or_not_available(tmp_path):
    runs = tmp_path / "runs"
    values = {0: (60.0, 61.0), 1: (62.0, 66.0), 2: (61.0, 63.5)}  # seed: (none, mnli)
    write_run(
        runs,
        "r",
        [record("none", "pawsx", "fr", v[0], seed=s) for s, v in values.items()]
        + [record("mnli", "pawsx", "fr", v[1], seed=s) for s, v in values.items()]
        + [record("none", "pawsx", "ja", 50.0), record("mnli", "pawsx", "ja", 52.0)],
    )
    setups, loader, _ = load([runs])
    fr, ja = sorted(effects(only(setups), loader), key=lambda e: e.language)
    diffs = [1.0, 4.0, 2.5]
    iv = interval([fr.comparison])
    half = 4.303 * statistics.stdev(diffs) / math.sqrt(3)
    assert iv.method == "seeds"
    assert (iv.low, iv.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert interval([ja.comparison]) is None
    text = analyze([runs])
    assert f"[{2.5 - half:+.2f}, {2.5 + half:+.2f}] (seeds)" in text
    assert "n/a" in text


def test_replicates_of_different_example_sets_are_not_paired(tmp_path):
    rng = np.random.default_rng(3)
    runs = tmp_path / "runs"
    write_run(
        runs,
        "r",
        [record("none", "xnli", "en", 60.0), record("mnli", "xnli", "en", 61.0, n_examples=40)],
        {
            ("none", 0, "xnli", "test", "en"): reps(rng, 60),
            ("mnli", 0, "xnli", "test", "en"): reps(rng, 61),
        },
    )
    setups, loader, _ = load([runs])
    (effect,) = effects(only(setups), loader)
    assert effect.comparison.replicates == {}
    assert interval([effect.comparison]) is None


# --------------------------------------------------------------------------- resource classes
def test_groups_by_resource_class_of_intermediate_and_target_language(tmp_path):
    rng = np.random.default_rng(4)
    runs = tmp_path / "runs"
    langs = ["en", "de", "sw", "ur"]
    scores = (
        {("none", lg): 60.0 + i for i, lg in enumerate(langs)}
        | {("mnli", lg): 62.0 + 2 * i for i, lg in enumerate(langs)}
        | {("mnli@sw", lg): 59.0 + 3 * i for i, lg in enumerate(langs)}
    )
    replicates = {(inter, lg): reps(rng, v) for (inter, lg), v in scores.items()}
    write_run(
        runs,
        "r",
        [record(inter, "xnli", lg, v) for (inter, lg), v in scores.items()],
        {(inter, 0, "xnli", "test", lg): r for (inter, lg), r in replicates.items()},
    )
    setups, loader, _ = load([runs])
    found = effects(only(setups), loader)
    assert len(found) == 8
    klass = {lg: language(lg).resource_class for lg in [*langs]}
    assert resource_class("sw") == klass["sw"] and resource_class("xx") == -1
    for e in found:
        assert e.target_class == klass[e.language]
        assert e.intermediate_class == klass["sw" if e.intermediate == "mnli@sw" else "en"]
    rows, cols, groups = class_grid(found)
    assert set(groups) == {(klass[i], klass[t]) for i in ("en", "sw") for t in langs}
    assert rows == sorted({klass["en"], klass["sw"]}, reverse=True)
    assert cols == sorted({klass[t] for t in langs}, reverse=True)
    for (ci, ct), g in groups.items():
        members = [
            (inter, lg)
            for inter in ("mnli", "mnli@sw")
            for lg in langs
            if klass["sw" if inter == "mnli@sw" else "en"] == ci and klass[lg] == ct
        ]
        diffs = [scores[m] - scores[("none", m[1])] for m in members]
        assert g.count == len(members)
        assert g.mean == pytest.approx(statistics.fmean(diffs))
        # one seed: the cell's bootstrap is the mean over members of paired differences
        brute = np.mean(
            [np.array(replicates[m]) - np.array(replicates[("none", m[1])]) for m in members],
            axis=0,
        )
        assert (g.interval.low, g.interval.high) == pytest.approx(
            tuple(np.percentile(brute, [2.5, 97.5]))
        )
    # a group's interval depends on its members only, not on their order or where it is shown
    members = [e.comparison for e in found]
    assert interval(members) == interval(members[::-1])


# --------------------------------------------------------------------------- best intermediate
def test_best_intermediate_is_chosen_on_dev_and_reported_on_test(tmp_path):
    runs = tmp_path / "runs"
    dev = {"none": (70, 60), "mnli": (74, 66), "qqp": (75, 60), "hellaswag": (71, 64)}
    test = {"none": (69, 59), "mnli": (73, 65), "qqp": (70, 58), "hellaswag": (80, 70)}
    records = []
    for inter in dev:
        for i, lang in enumerate(("en", "fr")):
            records.append(record(inter, "pawsx", lang, dev[inter][i], split="dev"))
            records.append(record(inter, "pawsx", lang, test[inter][i]))
        records.append(record(inter, "xquad", "en", {"none": 50, "qqp": 49}.get(inter, 55)))
    # a candidate scored in one language only (an unfinished shard) is left out
    records.append(record("squad_v2", "pawsx", "en", 99, split="dev"))
    write_run(runs, "r", records)
    setups, loader, _ = load([runs])
    best = {b.target: b for b in best_intermediates(only(setups), loader)}
    pawsx = best["pawsx"]
    assert "not all languages: squad_v2" in pawsx.note
    assert pawsx.selected_on == "dev" and pawsx.languages_selection == 2
    assert pawsx.candidates == pytest.approx({"mnli": 70.0, "qqp": 67.5, "hellaswag": 67.5})
    assert pawsx.chosen == "mnli"  # best on dev, though hellaswag is best on test
    assert pawsx.baseline_selection == pytest.approx(65.0)
    assert pawsx.split == "test" and pawsx.languages == ["en", "fr"]
    assert pawsx.score == pytest.approx(69.0) and pawsx.baseline == pytest.approx(64.0)
    assert pawsx.delta == pytest.approx(5.0)
    xquad = best["xquad"]  # XQuAD has no dev split: chosen on test, and said so
    assert xquad.selected_on == "test" and "no dev split" in xquad.note
    assert xquad.chosen == "hellaswag"  # ties (55) go to the first name in order
    assert xquad.delta == pytest.approx(5.0)
    text = analyze([runs])
    assert "| pawsx " in text and "mnli" in text and "+5.00" in text


# --------------------------------------------------------------------------- files and errors
def test_writes_report_effects_and_heat_map_byte_identically(tmp_path):
    rng = np.random.default_rng(5)
    runs, out = tmp_path / "runs", tmp_path / "leaderboards" / "analysis"
    rows = [record(i, "xnli", lg, 60 + k) for k, i in enumerate(("none", "mnli", "mnli@sw"))
            for lg in ("en", "sw")]  # fmt: skip
    write_run(
        runs,
        "r",
        rows,
        {
            (r["intermediate"] or "none", 0, "xnli", "test", r["language"]): reps(rng, 60)
            for r in rows
        },  # fmt: skip
    )
    (out / "resource-classes-old-model-x.png").parent.mkdir(parents=True)
    (out / "resource-classes-old-model-x.png").write_bytes(b"stale")
    text = analyze([runs], out)
    files = sorted(p.name for p in out.iterdir())
    assert files == ["README.md", "effects.md", "resource-classes-minilm-sample.png"]
    assert (out / "README.md").read_text("utf-8") == text
    assert "![heat map" in text and "[effects.md](effects.md)" in text
    assert "| mnli@sw " in (out / "effects.md").read_text("utf-8")
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first["resource-classes-minilm-sample.png"].startswith(b"\x89PNG")
    analyze([runs], out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_warns_when_the_baseline_run_trained_the_target_differently(tmp_path):
    runs = tmp_path / "runs"
    hp = {"learning_rate": 2e-5, "epochs": 2, "bootstrap_samples": 0}
    for run_id, inter, lr, boot in (("a", "none", 2e-5, 0), ("b", "mnli", 2e-5, 200)):
        path = write_run(runs, run_id, [record(inter, "xnli", "en", 60.0)])
        config = {"hparams": {"xnli": {**hp, "learning_rate": lr, "bootstrap_samples": boot}}}
        atomic_write_json(path / "run.json", {"config": config})
    assert "Warning" not in analyze([runs])  # replicate counts do not change the model
    write_run(runs, "c", [record("mnli@sw", "xnli", "en", 61.0)])
    atomic_write_json(
        runs / "c" / "run.json", {"config": {"hparams": {"xnli": {**hp, "epochs": 3}}}}
    )
    text = analyze([runs])
    assert "## Warning: baselines trained with other hyper-parameters" in text
    assert "- xnli after mnli@sw: run c vs. baseline run a" in text
    assert "after mnli:" not in text


def test_clear_errors(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    with pytest.raises(HarnessError, match="no valid target result records"):
        analyze([runs])
    write_run(runs, "a", [record("mnli", "xnli", "en", 60.0)])
    with pytest.raises(HarnessError, match=r"no baseline records \(intermediate 'none'\)"):
        analyze([runs])
    write_run(runs, "b", [record("none", "xnli", "en", 60.0, model="other")])
    with pytest.raises(HarnessError, match="match a baseline record") as info:
        analyze([runs])
    assert "\n" not in str(info.value)
    write_run(runs, "c", [record("none", "xnli", "en", 59.0)])
    bad = runs / "c" / "bootstrap" / "none" / "seed0" / "xnli" / "test-en.json"
    bad.parent.mkdir(parents=True)
    bad.write_text(json.dumps({"metric": "accuracy", "value": 1, "replicates": ["x"]}))
    with pytest.raises(HarnessError, match="not a bootstrap file") as info:
        analyze([runs])
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


# --------------------------------------------------------------------------- suites and preset
def test_intermediate_suites_and_paper_preset_name_installed_tasks():
    from harness.registry import load_registry
    from harness.suites import load_preset, load_suite

    registry = load_registry()
    nine = ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"]
    grid = load_suite(SUITES / "xtreme-intermediate.json")
    lang = load_suite(SUITES / "xtreme-intermediate-lang.json")
    for suite in (grid, lang):
        assert list(suite.targets) == nine
        assert suite.intermediates[0] == "none"
        for name in suite.intermediates[1:]:
            assert name.partition("@")[0] in registry.tasks, name
    assert len(grid.intermediates) == 10  # baseline + Phang et al.'s nine
    assert {n.partition("@")[2] for n in lang.intermediates} >= {"", "de", "sw"}
    assert lang.hparams_for("xnli", sample=False)["bootstrap_samples"] == 200
    preset = load_preset(SUITES / "presets" / "paper.json")
    assert preset.name == "paper" and "Phang" in preset.source
    for task in preset.task_hparams:
        assert task in registry.tasks, task
    assert preset.hparams_for("xnli")["learning_rate"] == 1e-5
