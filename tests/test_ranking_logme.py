"""LogME: the evidence against direct computations, and `harness rank --method logme`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from harness.cli import main
from harness.ranking.logme import Spectrum, logme
from harness.validation import errors


# --------------------------------------------------------------------------- the evidence
def _gaussian_log_density(y: np.ndarray, covariance: np.ndarray) -> float:
    """log N(y; 0, covariance), straight from the density's definition."""
    sign, log_det = np.linalg.slogdet(covariance)
    assert sign > 0
    quadratic = float(y @ np.linalg.solve(covariance, y))
    return -0.5 * (len(y) * math.log(2 * math.pi) + log_det + quadratic)


@pytest.mark.parametrize("dims", [3, 8])  # fewer and more features than examples
def test_closed_form_evidence_is_the_gaussian_marginal_likelihood(dims):
    rng = np.random.default_rng(dims)
    features, y = rng.normal(size=(5, dims)), rng.normal(size=5)
    spectrum = Spectrum(features)
    for alpha, beta in [(1.0, 1.0), (0.3, 4.0), (7.0, 0.05)]:
        # w ~ N(0, I/alpha), y = F w + noise of precision beta: y ~ N(0, F F^T/alpha + I/beta)
        covariance = features @ features.T / alpha + np.eye(5) / beta
        assert spectrum.evidence(y, alpha, beta) * 5 == pytest.approx(
            _gaussian_log_density(y, covariance), rel=1e-9
        )


@pytest.mark.parametrize("shape", [(60, 4), (12, 30)])
def test_fixed_point_is_not_beaten_by_any_point_of_a_grid(shape):
    rng = np.random.default_rng(1)
    features = rng.normal(size=shape)
    y = features @ rng.normal(size=shape[1]) + 0.5 * rng.normal(size=shape[0])
    spectrum = Spectrum(features)
    best, alpha, beta = spectrum.logme(y)
    assert best == pytest.approx(spectrum.evidence(y, alpha, beta))
    grid = np.logspace(-4, 4, 65)
    on_grid = max(spectrum.evidence(y, a, b) for a in grid for b in grid)
    assert on_grid <= best + 1e-6
    assert on_grid > best - 0.05  # and the grid's best is close: the optimum is interior


def test_features_that_predict_the_labels_score_higher_than_random_ones():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 120)
    one_hot = np.eye(3)[labels]
    informative = np.hstack([one_hot * 2.0, rng.normal(size=(120, 5))])
    noise = rng.normal(size=(120, 8))
    assert logme(informative, one_hot) > logme(noise, one_hot) + 1.0
    # a class absent from the sample is left out rather than rewarded
    padded = np.hstack([one_hot, np.zeros((120, 1))])
    assert logme(informative, padded) == pytest.approx(logme(informative, one_hot))
    with pytest.raises(ValueError):
        logme(noise, np.zeros((120, 2)))


# --------------------------------------------------------------------------- label columns
def test_each_target_head_gives_rows_and_label_columns_as_documented(tiny_model):
    from harness.planning import Planner, RunConfig
    from harness.ranking.logme import target_problem
    from harness.ranking.methods import sample_task
    from harness.registry import load_registry

    registry, model = load_registry(), str(tiny_model)
    plugin = registry.model(model)
    tokenizer, planner = plugin.tokenizer(model), Planner(registry, RunConfig(model=model))
    encoder = plugin.build(model, "encoder", 0, None).eval()
    for name in ("xnli", "udpos", "xquad", "hellaswag"):
        task = registry.task(name)
        batches, rows, _, _ = sample_task(task, planner._source(task), tokenizer, 6, 64, 4, 0)
        features, labels = target_problem(encoder, task, batches, "cpu")
        assert features.shape == (labels.shape[0], 32), name  # the tiny encoder's width
        sequences = sum(b["input_ids"].numel() // b["input_ids"].shape[-1] for b in batches)
        if name == "xnli":  # one pooled row per example, one-hot classes
            assert labels.shape == (rows, task.num_labels) and (labels.sum(1) == 1).all()
        elif name == "udpos":  # one row per labelled token, one-hot tags
            tagged = sum(int((b["labels"] != -100).sum()) for b in batches)
            assert labels.shape == (tagged, task.num_labels) and (labels.sum(1) == 1).all()
        elif name == "xquad":  # every real token; one start and one end per window
            tokens = sum(int(b["attention_mask"].sum()) for b in batches)
            assert labels.shape == (tokens, 2)
            assert labels.sum(0).tolist() == [sequences, sequences]
        else:  # a row per choice; one right choice per example
            assert labels.shape == (sequences, 1) and labels.sum() == rows


# --------------------------------------------------------------------------- harness rank
def _document(rank_id: str) -> dict:
    document = json.loads(Path(f"runs/{rank_id}/ranking.json").read_text())
    assert errors(document, "ranking") == []
    return document


def test_rank_logme_scores_every_label_family_and_explains_what_it_leaves_out(tiny_model, capsys):
    code = main(
        [
            "rank", "--method", "logme", "--target", "xnli", "udpos", "xquad", "tatoeba",
            "--candidates", "mnli", "ccg", "squad", "hellaswag", "mnli+squad", "tatoeba",
            "--model", str(tiny_model), "--max-examples", "8", "--taskemb-steps", "2",
            "--rank-id", "lg",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    document = _document("lg")
    entries = {e["target"]: e for e in document["rankings"]}
    assert {e["method"] for e in document["rankings"]} == {"logme"}
    trained = ["ccg", "hellaswag", "mnli", "mnli+squad", "squad"]
    for target in ("xnli", "udpos", "xquad"):  # sentence, token and span labels
        scores = [c["score"] for c in entries[target]["candidates"]]
        assert sorted(c["name"] for c in entries[target]["candidates"]) == trained
        assert all(math.isfinite(s) for s in scores) and scores == sorted(scores, reverse=True)
        assert "tatoeba" in entries[target]["note"]  # a candidate that does not train
    assert entries["tatoeba"]["candidates"] == [] and "does not train" in entries["tatoeba"]["note"]
    # the candidates' brief fine-tuning changes the encoder, so candidates score differently
    assert len({c["score"] for c in entries["xnli"]["candidates"]}) > 1
    assert document["seconds"]["logme"] > 0 and "xnli - logme" in out


def test_evaluate_scores_logme_rankings(tiny_model, capsys):
    from test_ranking import _grid_records

    grid = Path("grid/g")
    grid.mkdir(parents=True)
    gains = {"mnli": 4.0, "udpos": 2.0, "squad_v2": -1.0}
    (grid / "results.json").write_text(json.dumps(_grid_records(str(tiny_model), gains)))
    code = main(
        [
            "rank", "--evaluate", "grid", "--model", str(tiny_model), "--max-examples", "8",
            "--taskemb-steps", "1", "--method", "logme", "semb", "--rank-id", "ev",
            "--report", "ranking.md",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    ranked = {e["method"]: e for e in _document("ev")["rankings"]}
    assert len(ranked["logme"]["candidates"]) == 3
    order = [c["name"] for c in ranked["logme"]["candidates"]]
    report = Path("ranking.md").read_text()
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in report.splitlines()]
    cells = next(r for r in rows if r[:2] == ["xnli", "logme"])
    assert cells[2] == order[0] and cells[3] == "mnli"  # top-ranked by LogME, best measured
    assert report in out


def test_rank_logme_on_the_embedded_model(capsys):
    code = main(
        [
            "rank", "--method", "logme", "--target", "pawsx", "--candidates", "mnli", "qqp",
            "--max-examples", "16", "--taskemb-steps", "2", "--rank-id", "em",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    (entry,) = _document("em")["rankings"]
    assert [c["rank"] for c in entry["candidates"]] == [1, 2]
    assert all(math.isfinite(c["score"]) for c in entry["candidates"])
