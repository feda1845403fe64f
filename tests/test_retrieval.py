"""BUCC 2018 and Tatoeba: blocked k-NN and margin mining against brute force, BUCC threshold
selection, XTREME-parity scorers, release-format readers, and the no-training plugin path."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import numpy as np
import pytest
import torch
from harness_builtins.evaluators.bucc_f1 import bucc_scores
from harness_builtins.tasks import retrieval_search as rs
from harness_builtins.tasks.retrieval import BUCC2018, TATOEBA, TATOEBA_LANGUAGES

from harness import DataSource, EvalContext, HarnessError
from harness.cli import main
from harness.registry import load_registry

try:
    import faiss  # noqa: F401

    HAVE_FAISS = True
except ImportError:
    HAVE_FAISS = False


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tie_heavy(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Small integer vectors: every inner product is exact in float32 and ties abound."""
    return rng.integers(-1, 2, size=(n, d)).astype(np.float32)


# --------------------------------------------------------------------------- brute force
def brute_knn(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Full similarity matrix; each row sorted by similarity, then by index."""
    sims = x @ y.T
    k = min(k, y.shape[0])
    index = np.array([sorted(range(y.shape[0]), key=lambda j: (-row[j], j))[:k] for row in sims])
    index = index.reshape(x.shape[0], k).astype(np.int64)
    return np.take_along_axis(sims, index, 1), index


def brute_mine(x: np.ndarray, y: np.ndarray, k: int) -> list[tuple[int, int, float]]:
    """XTREME's mine_bitext(retrieval='max', margin='ratio', threshold=0) on full matrices."""
    sims = x @ y.T
    kx, ky = min(k, y.shape[0]), min(k, x.shape[0])
    fwd_mean = np.array([np.sort(r)[::-1][:kx].mean() for r in sims], dtype=np.float32)
    bwd_mean = np.array([np.sort(c)[::-1][:ky].mean() for c in sims.T], dtype=np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = sims / ((fwd_mean[:, None] + bwd_mean[None, :]) / np.float32(2))
    _, fwd_nn = brute_knn(x, y, k)
    _, bwd_nn = brute_knn(y, x, k)
    proposals = []
    for i in range(x.shape[0]):
        scores = [margin[i, j] for j in fwd_nn[i]]
        proposals.append((i, int(fwd_nn[i][int(np.argmax(scores))]), float(max(scores))))
    for j in range(y.shape[0]):
        scores = [margin[i, j] for i in bwd_nn[j]]
        proposals.append((int(bwd_nn[j][int(np.argmax(scores))]), j, float(max(scores))))
    out, used_src, used_trg = [], set(), set()
    for i, j, s in sorted(proposals, key=lambda p: -p[2]):  # sorted() is stable
        if i in used_src or j in used_trg:
            continue
        used_src.add(i)
        used_trg.add(j)
        if s > 0:
            out.append((i, j, s))
    return out


def f1_of(extracted: set[str], gold: set[str]) -> float:
    correct = len(extracted & gold)
    if not correct:
        return 0.0
    p, r = correct / len(extracted), correct / len(gold)
    return 2 * p * r / (p + r)


# --------------------------------------------------------------------------- search
@pytest.mark.parametrize("seed", range(6))
def test_blocked_knn_equals_brute_force_with_ties_and_large_k(seed):
    rng = np.random.default_rng(seed)
    for _ in range(15):
        n, m, d = (int(v) for v in rng.integers(1, 30, 2)), None, int(rng.integers(1, 5))
        n, m = n
        x, y = tie_heavy(rng, n, d), tie_heavy(rng, m, d)
        k = int(rng.integers(1, 12))  # often larger than the other side
        block = int(rng.integers(1, 9))
        fwd, bwd = rs.knn_both(x, y, k, block_size=block, backend="torch")
        for got, (q, db) in ((fwd, (x, y)), (bwd, (y, x))):
            sims, index = brute_knn(q, db, k)
            assert got.index.shape == (q.shape[0], min(k, db.shape[0]))
            np.testing.assert_array_equal(got.index, index)
            np.testing.assert_array_equal(got.sims, sims)
        one_way = rs.knn(x, y, k, block_size=block, backend="torch")
        np.testing.assert_array_equal(one_way.index, fwd.index)


@pytest.mark.skipif(not HAVE_FAISS, reason="faiss-cpu not installed")
def test_faiss_backend_agrees_on_continuous_data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((300, 16)).astype(np.float32)
    y = rng.standard_normal((250, 16)).astype(np.float32)
    a_fwd, a_bwd = rs.knn_both(x, y, 4, block_size=64, backend="torch")
    b_fwd, b_bwd = rs.knn_both(x, y, 4, backend="faiss")
    for a, b in ((a_fwd, b_fwd), (a_bwd, b_bwd)):
        np.testing.assert_array_equal(a.index, b.index)
        np.testing.assert_allclose(a.sims, b.sims, rtol=0, atol=1e-5)


@pytest.mark.parametrize("seed", range(8))
def test_margin_scores_and_mining_equal_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(1, 25)), int(rng.integers(1, 25))
    d = int(rng.integers(2, 5))
    # positive integer vectors: ties everywhere, every margin > 0 so every pair is mined
    x = tie_heavy(rng, n, d) + np.float32(2)
    y = tie_heavy(rng, m, d) + np.float32(2)
    k = [1, 4, 50][seed % 3]  # 50: more neighbours than candidates
    fwd, bwd = rs.knn_both(x, y, k, block_size=int(rng.integers(1, 6)), backend="torch")
    sims = x @ y.T
    fwd_mean = np.array([np.sort(r)[::-1][: min(k, m)].mean() for r in sims], np.float32)
    bwd_mean = np.array([np.sort(c)[::-1][: min(k, n)].mean() for c in sims.T], np.float32)
    np.testing.assert_array_equal(fwd.mean(), fwd_mean)
    np.testing.assert_array_equal(bwd.mean(), bwd_mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = sims / ((fwd_mean[:, None] + bwd_mean[None, :]) / np.float32(2))
    np.testing.assert_array_equal(
        rs.ratio_margin(fwd, fwd_mean, bwd_mean), np.take_along_axis(margin, fwd.index, 1)
    )
    np.testing.assert_array_equal(
        rs.ratio_margin(bwd, bwd_mean, fwd_mean), np.take_along_axis(margin.T, bwd.index, 1)
    )
    got = [(c.source, c.target, c.score) for c in rs.mine(fwd, bwd)]
    assert got == brute_mine(x, y, k)
    assert got == [(c.source, c.target, c.score) for c in rs.mine_bitext(x, y, k, 3, "torch")]


def test_mining_is_one_to_one_and_finds_planted_pairs():
    rng = np.random.default_rng(7)
    base = rng.standard_normal((40, 32)).astype(np.float32)
    x = base[:30] + 0.05 * rng.standard_normal((30, 32)).astype(np.float32)
    y = np.concatenate([base[10:40], rng.standard_normal((5, 32)).astype(np.float32)])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    mined = rs.mine_bitext(x, y, k=4, block_size=8, backend="torch")
    assert len({c.source for c in mined}) == len(mined) == len({c.target for c in mined})
    best = {(c.source, c.target) for c in mined if c.score > 1.05}
    assert {(i, i - 10) for i in range(10, 30)} <= best


# --------------------------------------------------------------------------- threshold
def test_threshold_is_xtremes_midpoint_without_ties():
    scored = [("a", 0.9), ("b", 0.8), ("c", 0.7), ("d", 0.6)]
    # F1 after each: 2/3 (a), 1/2, 4/5 (a, c), 2/3 -> best after "c": halfway to 0.6
    assert rs.optimize_threshold(scored, {"a", "c"}) == (0.7 + 0.6) / 2
    assert rs.extract(scored, (0.7 + 0.6) / 2) == ["a", "b", "c"]
    # best F1 at the very end: threshold = last score (XTREME would index past the end)
    assert rs.optimize_threshold([("a", 2.0), ("b", 1.5)], {"a", "b"}) == 1.5
    # nothing correct: XTREME's initial threshold 0
    assert rs.optimize_threshold(scored, {"zzz"}) == 0.0
    assert rs.optimize_threshold([], {"a"}) == 0.0


def test_threshold_never_cuts_inside_a_tie():
    # cutting right after "c" (F1 1.0) is what XTREME's walk would pick, giving threshold 0.5;
    # but no threshold separates c from the other 0.5s, and keeping all of them (F1 4/7) is
    # worse than stopping before the tie (F1 2/3)
    scored = [("a", 0.9), ("c", 0.5), ("d", 0.5), ("d2", 0.5), ("d3", 0.5), ("e", 0.1)]
    threshold = rs.optimize_threshold(scored, {"a", "c"})
    assert threshold == (0.9 + 0.5) / 2
    assert rs.extract(scored, threshold) == ["a"]


@pytest.mark.parametrize("seed", range(20))
def test_threshold_maximises_f1_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    scores = rng.choice([0.2, 0.5, 0.5, 0.7, 1.1, 1.3, 1.3, 2.0], size=n)  # ties
    scored = [(f"s{i}\tt{i}", float(s)) for i, s in enumerate(scores)]
    gold = {p for p, _ in scored if rng.random() < 0.5} | {f"g{i}" for i in range(rng.integers(3))}
    threshold = rs.optimize_threshold(scored, gold)
    chosen = set(rs.extract(scored, threshold))
    by_threshold = {t: {p for p, s in scored if s >= t} for t in sorted(set(scores))}
    best = max(f1_of(e, gold) for e in by_threshold.values())
    if best == 0:
        assert threshold == 0.0
        return
    assert f1_of(chosen, gold) == best
    highest = max(t for t, e in by_threshold.items() if f1_of(e, gold) == best)
    assert chosen == by_threshold[highest]  # the strictest threshold reaching the best F1


# --------------------------------------------------------------------------- scorers
def test_bucc_f1_is_evaluate_py_arithmetic():
    gold = ["de-1\ten-1", "de-2\ten-2", "de-3\ten-3", "de-4\ten-4"]
    predicted = ["de-1\ten-1", "de-2\ten-9", "de-3\ten-3"]
    p, r = 2 / 3, 2 / 4
    assert bucc_scores(gold, predicted) == {
        "f1": 2 * p * r / (p + r) * 100,
        "precision": p * 100,
        "recall": r * 100,
    }
    assert bucc_scores(gold, []) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    # lines are sets of stripped tab-split tuples: duplicates and surrounding spaces vanish
    assert bucc_scores(["a\tb\n", "a\tb"], [" a\tb "])["f1"] == 100.0
    evaluator = load_registry().evaluator("bucc_f1")
    rows = evaluator.score([["de-1\ten-1"], [], ["de-3\ten-3", "de-2\ten-9"]], [[g] for g in gold])
    assert rows == bucc_scores(gold, predicted)


def test_tatoeba_uses_evaluate_py_accuracy():
    evaluator = load_registry().evaluator(TATOEBA.evaluator)
    assert evaluator.score(["3", "0", "2", "1"], ["3", "1", "2", "1"])["accuracy"] == 3 / 4 * 100


# --------------------------------------------------------------------------- readers
def test_bucc_release_layout_and_gold(tmp_path):
    write(tmp_path / "bucc2018/de-en.dev.de", "de-000000001\tEin Satz.\nde-000000002\tZwei.\n")
    write(tmp_path / "bucc2018/de-en.dev.en", "en-000000001\tTwo.\nen-000000002\tA sentence.\n")
    write(tmp_path / "bucc2018/de-en.dev.gold", "de-000000001\ten-000000002\n")
    rows = BUCC2018.load("dev", "de", DataSource("local", tmp_path))
    assert rows["side"] == ["de", "de", "en", "en"]
    assert rows["sentence_id"][0] == "de-000000001" and rows["text"][3] == "A sentence."
    assert BUCC2018.references(rows) == [["de-000000001\ten-000000002"], [], [], []]
    # test split: no gold in the download; evaluate.py's label folder provides it
    write(tmp_path / "bucc2018/de-en.test.de", "de-000000007\tDrei.\n")
    write(tmp_path / "bucc2018/de-en.test.en", "en-000000003\tThree.\n")
    test = BUCC2018.load("test", "de", DataSource("local", tmp_path))
    assert BUCC2018.references(test) == [None, None]
    write(tmp_path / "labels/bucc2018/test-de.tsv", "de-000000007\ten-000000003\n")
    test = BUCC2018.load("test", "de", DataSource("local", tmp_path))
    assert BUCC2018.references(test) == [["de-000000007\ten-000000003"], []]


@pytest.mark.parametrize(
    "relpath,content,message",
    [
        ("bucc2018/de-en.dev.de", "de-1 no tab here\n", "de-en.dev.de:1: expected 2 tab"),
        ("bucc2018/de-en.dev.en", "en-1\tA.\nen-1\tB.\n", "de-en.dev.en:2: sentence id en-1"),
        ("bucc2018/de-en.dev.gold", "de-1\ten-7\n", "de-en.dev.gold:1: id en-7 is not"),
    ],
)
def test_bucc_malformed_files_name_file_and_line(tmp_path, relpath, content, message):
    write(tmp_path / "bucc2018/de-en.dev.de", "de-1\tEins.\n")
    write(tmp_path / "bucc2018/de-en.dev.en", "en-1\tOne.\n")
    write(tmp_path / relpath, content)
    with pytest.raises(HarnessError, match=message):
        BUCC2018.load("dev", "de", DataSource("local", tmp_path))


def test_tatoeba_xtreme_and_laser_layouts(tmp_path):
    # XTREME: source as released, English sorted; gold index per English line in labels/
    write(tmp_path / "tatoeba/de-en.de", "Ich schlafe.\nDanke.\n")
    write(tmp_path / "tatoeba/de-en.en", "I sleep.\nThank you.\n")
    rows = TATOEBA.load("test", "de", DataSource("local", tmp_path))
    assert rows["en_text"] == ["I sleep.", "Thank you."]
    assert TATOEBA.references(rows) == [None, None]
    write(tmp_path / "labels/tatoeba/test-de.tsv", "0\n1\n")
    rows = TATOEBA.load("test", "de", DataSource("local", tmp_path))
    assert TATOEBA.references(rows) == ["0", "1"]
    # LASER v1 release: line-aligned, gold = line number; read when XTREME's files are absent
    write(tmp_path / "tatoeba/tatoeba.fra-eng.fra", "Merci.\nJe dors.\nBonjour.\n")
    write(tmp_path / "tatoeba/tatoeba.fra-eng.eng", "Thanks.\nI sleep.\nHello.\n")
    rows = TATOEBA.load("test", "fr", DataSource("local", tmp_path))
    assert rows["source_text"] == ["Merci.", "Je dors.", "Bonjour."]
    assert TATOEBA.references(rows) == ["0", "1", "2"]


@pytest.mark.parametrize(
    "labels,message",
    [("0\n", "test-de.tsv: 1 labels for 2 sentences"), ("0\n2\n", "test-de.tsv:2: expected")],
)
def test_tatoeba_bad_labels(tmp_path, labels, message):
    write(tmp_path / "tatoeba/de-en.de", "Ich schlafe.\nDanke.\n")
    write(tmp_path / "tatoeba/de-en.en", "I sleep.\nThank you.\n")
    write(tmp_path / "labels/tatoeba/test-de.tsv", labels)
    with pytest.raises(HarnessError, match=message):
        TATOEBA.load("test", "de", DataSource("local", tmp_path))


def test_tatoeba_unequal_files(tmp_path):
    write(tmp_path / "tatoeba/de-en.de", "Ich schlafe.\n")
    write(tmp_path / "tatoeba/de-en.en", "I sleep.\nThank you.\n")
    with pytest.raises(HarnessError, match="de-en.en: 2 sentences for 1"):
        TATOEBA.load("test", "de", DataSource("local", tmp_path))


def test_hub_schemas(monkeypatch):
    calls = []

    def fake(repo, config, split):
        calls.append((repo, config, split))
        if config.startswith("bucc18"):
            return datasets.Dataset.from_dict(
                {
                    "source_sentence": ["Eins.", "Zwei."],
                    "target_sentence": ["One.", "Two."],
                    "source_lang": ["de-000000003", "de-000000009"],
                    "target_lang": ["en-000000005", "en-000000001"],
                }
            )
        return datasets.Dataset.from_dict(
            {
                "source_sentence": ["Danke.\n", "Ja.\n"],
                "target_sentence": ["Thanks.\n", "Yes.\n"],
                "source_lang": ["deu", "deu"],
                "target_lang": ["eng", "eng"],
            }
        )

    monkeypatch.setattr(datasets, "load_dataset", fake)
    rows = BUCC2018.load("test", "de", DataSource("hub"))
    assert rows["sentence_id"] == ["de-000000003", "de-000000009", "en-000000005", "en-000000001"]
    assert BUCC2018.references(rows)[1] == ["de-000000009\ten-000000001"]
    rows = TATOEBA.load("test", "de", DataSource("hub"))
    assert rows["en_text"] == ["Thanks.", "Yes."] and TATOEBA.references(rows) == ["0", "1"]
    assert calls == [
        ("google/xtreme", "bucc18.de", "test"),
        ("google/xtreme", "tatoeba.deu", "validation"),
    ]


def test_bundled_samples_cover_every_language():
    src = DataSource("local", BUCC2018.sample_root)
    for lang in BUCC2018.languages:
        for split in ("dev", "test"):
            rows = BUCC2018.load(split, lang, src)
            gold = [g for g in BUCC2018.references(rows) if g]
            assert len(rows) >= 30 and len(gold) >= 10, (lang, split)
    assert len(TATOEBA_LANGUAGES) == 41  # XTREME's 36 and XTREME-R's az, lt, pl, uk, ro
    for lang in TATOEBA.languages:
        rows = TATOEBA.load("test", lang, src)
        labels = TATOEBA.references(rows)
        assert len(rows) >= 20 and sorted(map(int, labels)) == list(range(len(rows)))


# --------------------------------------------------------------------------- settings, model
def test_settings_are_validated_when_a_run_configures_them():
    import dataclasses

    with pytest.raises(HarnessError, match="setting layer must be an integer"):
        dataclasses.replace(BUCC2018, settings={**BUCC2018.settings, "layer": "last"})
    with pytest.raises(HarnessError, match="setting backend must be one of"):
        dataclasses.replace(TATOEBA, settings={**TATOEBA.settings, "backend": "annoy"})
    with pytest.raises(HarnessError, match="setting k must be a positive integer"):
        dataclasses.replace(BUCC2018, settings={**BUCC2018.settings, "k": 0})
    assert BUCC2018.settings["layer"] == -5 and BUCC2018.settings["k"] == 4
    # hidden_states of a 12-layer model: 13 entries, -5 -> 8 (XTREME's layer for mBERT)
    assert BUCC2018.layer_index(13) == 8 and BUCC2018.layer_index(25) == 20
    assert BUCC2018.layer_index(3) == 0  # 2 layers: clamped to the embedding output
    deep = dataclasses.replace(TATOEBA, settings={**TATOEBA.settings, "layer": 14})
    assert deep.layer_index(25) == 14 and deep.layer_index(7) == 6


def test_predict_mean_pools_real_tokens_of_the_chosen_layer(tiny_model):
    import dataclasses

    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModel.from_pretrained(tiny_model).eval()
    short, long = "a cat", "a much longer sentence about a dog in the park"
    batch = tokenizer([short, long], padding=True, return_tensors="pt")
    alone = tokenizer([short], return_tensors="pt")
    with torch.no_grad():
        full = model(**batch, output_hidden_states=True).hidden_states  # 3: embeddings + 2
        for layer in (-5, 0, 1, 2, -1, 9):
            task = dataclasses.replace(BUCC2018, settings={**BUCC2018.settings, "layer": layer})
            vectors = task.predict(model, dict(batch))  # stops after the chosen layer
            single = task.predict(model, dict(alone))[0]
            states = full[task.layer_index(len(full))]
            mask = batch["attention_mask"].unsqueeze(-1).float()
            expected = (states * mask).sum(1) / mask.sum(1)
            expected = expected / expected.norm(dim=-1, keepdim=True)
            torch.testing.assert_close(torch.stack(vectors), expected, rtol=1e-5, atol=1e-6)
            # the padded copy equals the sentence alone: padding is excluded from the mean
            torch.testing.assert_close(vectors[0], single, rtol=1e-5, atol=1e-5)
        # after early-stopped passes the model still returns every layer
        assert len(model(**batch, output_hidden_states=True).hidden_states) == 3


# --------------------------------------------------------------------------- decoding
def bucc_rows(src: list[tuple[str, str]], eng: list[tuple[str, str]], gold: list[str]):
    rows = [{"side": "de", "sentence_id": i, "text": t, "gold": []} for i, t in src]
    rows += [{"side": "en", "sentence_id": i, "text": t, "gold": []} for i, t in eng]
    for pair in gold:
        next(r for r in rows if r["sentence_id"] == pair.split("\t")[0])["gold"].append(pair)
    return datasets.Dataset.from_list(rows).add_column("example_id", list(range(len(rows))))


def test_bucc_decode_tunes_on_dev_and_applies_to_test():
    rng = np.random.default_rng(3)
    basis = np.linalg.qr(rng.standard_normal((16, 16)))[0].astype(np.float32)
    src = [(f"de-{i}", f"satz {i}") for i in range(6)]
    eng = [(f"en-{i}", f"sentence {i}") for i in range(6)]
    # de-i and en-i share a direction for i < 4; 4 and 5 have no counterpart
    vectors = [basis[i] for i in range(6)] + [basis[i] if i < 4 else basis[6 + i] for i in range(6)]
    vectors = [v + 0.01 * rng.standard_normal(16).astype(np.float32) for v in vectors]
    vectors = [v / np.linalg.norm(v) for v in vectors]
    gold = [f"de-{i}\ten-{i}" for i in range(4)]
    rows = bucc_rows(src, eng, gold)
    features = rows.select_columns(["example_id"])
    state: dict = {}
    task = BUCC2018
    dev = task.decode(vectors, features, rows, EvalContext("dev", "de", state))
    assert sorted(p for row in dev for p in row) == gold
    assert state["bucc2018:threshold:de"] > 0
    test = task.decode(vectors, features, rows, EvalContext("test", "de", state))
    assert test == dev
    with pytest.raises(HarnessError, match="no decision threshold"):
        task.decode(vectors, features, rows, EvalContext("test", "fr", state))
    fixed = __import__("dataclasses").replace(task, settings={**task.settings, "threshold": 1e9})
    assert fixed.decode(vectors, features, rows, EvalContext("test", "fr", {})) == [[]] * 12


def test_bucc_sentences_repeated_under_two_ids_are_never_predicted():
    src = [("de-1", "Gleich."), ("de-2", "Gleich."), ("de-3", "Anders.")]
    eng = [("en-1", "Same."), ("en-2", "Other.")]
    rows = bucc_rows(src, eng, [])
    v = np.eye(4, dtype=np.float32)
    vectors = [v[0], v[0], v[1], v[0], v[1]]
    scored = BUCC2018.candidates(
        np.stack(vectors), [0, 1, 2], [3, 4], rows["sentence_id"], rows["text"]
    )
    assert [p for p, _ in scored] == ["de-3\ten-2"]


def test_tatoeba_decode_retrieves_source_index_per_english_line():
    rows = datasets.Dataset.from_list(
        [{"en_text": f"e{j}", "source_text": f"s{j}", "label": None} for j in range(3)]
    ).add_column("example_id", [0, 1, 2])
    features = datasets.Dataset.from_dict(
        {"example_id": [0, 0, 1, 1, 2, 2], "side": [0, 1, 0, 1, 0, 1]}
    )
    e = np.eye(3, dtype=np.float32)
    # English line 0 matches source line 2, 1 -> 0, 2 -> 1
    outputs = [e[2], e[0], e[0], e[1], e[1], e[2]]
    assert TATOEBA.decode(outputs, features, rows, EvalContext("test", "de", {})) == ["2", "0", "1"]


# --------------------------------------------------------------------------- the plugin path
def test_no_training_run_with_and_without_intermediate(tiny_model, capsys):
    code = main(
        [
            "run",
            "--model",
            str(tiny_model),
            "--targets",
            "bucc2018",
            "tatoeba",
            "--languages",
            "de",
            "zh",
            "--intermediate",
            "none",
            "qqp",
            "--epochs",
            "1",
            "--max-train-examples",
            "16",
            "--run-id",
            "retrieval",
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    run = Path("runs/retrieval")
    records = json.loads((run / "results.json").read_text())["records"]
    got = {
        (r["intermediate"], r["target"], r["language"], r["split"], r["metric"])
        for r in records
        if r["role"] == "target"
    }
    assert got == {
        (i, "bucc2018", lg, s, m)
        for i in (None, "qqp")
        for lg in ("de", "zh")
        for s in ("dev", "test")
        for m in ("f1", "precision", "recall")
    } | {(i, "tatoeba", lg, "test", "accuracy") for i in (None, "qqp") for lg in ("de", "zh")}
    assert all(0 <= r["value"] <= 100 for r in records)
    for inter in ("none", "qqp"):
        pairs = (run / f"predictions/{inter}/seed0/bucc2018/test-de.tsv").read_text()
        assert all(len(line.split("\t")) == 2 for line in pairs.splitlines())
        lines = (run / f"predictions/{inter}/seed0/tatoeba/test-zh.tsv").read_text().split()
        assert len(lines) == 20 and all(0 <= int(x) < 20 for x in lines)
    manifest = json.loads((run / "run.json").read_text())
    assert manifest["config"]["settings"]["bucc2018"]["k"] == 4
