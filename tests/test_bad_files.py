"""Damaged or unreadable data files: one ``error:`` line naming the file, exit 2, nothing written.

Every case starts from the bundled samples copied into ``tmp_path`` (``sample_copy``) and
damages one file the way a bad download, a wrong encoding or a chmod does.
"""

from __future__ import annotations

import builtins
import csv
import errno
import io
import json
import os
import sys
from pathlib import Path

import pytest

import harness
from harness.cli import main

sys.path.insert(0, str(Path(__file__).parent / "toy_plugin"))

RUNS = "runs"

# (id, extra run arguments, file to damage relative to the data folder)
CASES = [
    # classification: XTREME TSV, GLUE TSV, JSON lines, the evaluate.py label folder
    ("xnli-tsv", ["--targets", "xnli", "--languages", "sw"], "xnli/dev-sw.tsv"),
    ("xnli-labels", ["--targets", "xnli", "--languages", "sw"], "labels/xnli/test-sw.tsv"),
    ("pawsx-labels", ["--targets", "pawsx", "--languages", "de"], "labels/pawsx/test-de.tsv"),
    ("mnli-tsv", ["--intermediate", "mnli"], "MNLI/train.tsv"),
    ("qqp-tsv", ["--intermediate", "qqp"], "QQP/dev.tsv"),
    ("snli-jsonl", ["--intermediate", "snli"], "snli_1.0/snli_1.0_train.jsonl"),
    ("anli-jsonl", ["--intermediate", "anli"], "anli_v1.0/R2/dev.jsonl"),
    # tagging: CoNLL-U, token<TAB>tag, gold tags, CCG and its tag vocabulary
    (
        "udpos-conllu",
        ["--targets", "udpos", "--languages", "bg"],
        "ud-treebanks-v2.5/UD_Bulgarian-BTB/bg_btb-ud-dev.conllu",
    ),
    ("panx-tsv", ["--targets", "panx", "--languages", "de"], "panx/dev-de.tsv"),
    ("panx-labels", ["--targets", "panx", "--languages", "de"], "labels/panx/test-de.tsv"),
    ("ccg", ["--intermediate", "ccg"], "ccg/ccg.train"),
    ("ccg-vocabulary", ["--intermediate", "ccg"], "ccg/tags_to_id.json"),
    # QA: SQuAD-format JSON
    ("squad-json", ["--targets", "xquad", "--languages", "es"], "squad/train-v1.1.json"),
    ("xquad-json", ["--targets", "xquad", "--languages", "es"], "xquad/xquad.es.json"),
    (
        "mlqa-json",
        ["--targets", "mlqa", "--languages", "de"],
        "mlqa/MLQA_V1/dev/dev-context-de-question-de.json",
    ),
    # multiple choice: JSON lines, CSV, SocialIQA's label list
    ("hellaswag-jsonl", ["--intermediate", "hellaswag"], "hellaswag/hellaswag_train.jsonl"),
    (
        "commonsenseqa-jsonl",
        ["--intermediate", "commonsenseqa"],
        "commonsenseqa/dev_rand_split.jsonl",
    ),
    ("cosmosqa-csv", ["--intermediate", "cosmosqa"], "cosmosqa/train.csv"),
    ("socialiqa-jsonl", ["--intermediate", "socialiqa"], "socialiqa/socialiqa-train-dev/dev.jsonl"),
    (
        "socialiqa-labels",
        ["--intermediate", "socialiqa"],
        "socialiqa/socialiqa-train-dev/dev-labels.lst",
    ),
    # retrieval: sentence files, gold pairs, label folders
    ("bucc-sentences", ["--targets", "bucc2018", "--languages", "de"], "bucc2018/de-en.dev.de"),
    ("bucc-gold", ["--targets", "bucc2018", "--languages", "de"], "bucc2018/de-en.dev.gold"),
    ("bucc-labels", ["--targets", "bucc2018", "--languages", "de"], "labels/bucc2018/test-de.tsv"),
    ("tatoeba-sentences", ["--targets", "tatoeba", "--languages", "de"], "tatoeba/de-en.de"),
    ("tatoeba-labels", ["--targets", "tatoeba", "--languages", "de"], "labels/tatoeba/test-de.tsv"),
    # the user's own text for masked-LM training
    ("mlm-text", ["--intermediate", "mlm"], "mlm/en.txt"),
]
IDS = [case[0] for case in CASES]


def run(data: Path, args: list[str], plugins=()) -> int:
    if "--targets" not in args:  # an intermediate task: pair it with one small target
        args = [*args, "--targets", "pawsx", "--languages", "en"]
    return main(["run", "--data", str(data), "--output", RUNS, *args], plugins=plugins)


def one_error(err: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def assert_failed_cleanly(code: int, err: str, *needles: str) -> str:
    assert code == 2, err
    line = one_error(err)
    for needle in needles:
        assert needle in line, line
    assert not Path(RUNS).exists()  # failed before anything was written
    return line


def insert_bad_byte(path: Path) -> int:
    """Put a byte that is never UTF-8 (0xFF) before an ASCII byte mid-file; its offset."""
    data = path.read_bytes()
    at = next(i for i in range(len(data) // 2, len(data)) if data[i] < 0x80)
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    return at


# --------------------------------------------------------------------------- not UTF-8
@pytest.mark.parametrize(("args", "relative"), [c[1:] for c in CASES], ids=IDS)
def test_bytes_that_are_not_utf8_name_the_file_and_byte(capsys, sample_copy, args, relative):
    culprit = sample_copy / relative
    assert culprit.is_file(), f"sample layout changed: {relative}"
    at = insert_bad_byte(culprit)
    code = run(sample_copy, args)
    line = assert_failed_cleanly(
        code, capsys.readouterr().err, f"{culprit}: not UTF-8 text (byte {at}); "
    )
    fix = (
        "convert it to UTF-8, e.g. with iconv" if relative.startswith("mlm/") else "re-download it"
    )
    assert line.endswith(fix), line


def test_offset_counts_from_the_start_of_a_large_file_with_a_bom(capsys, sample_copy):
    """Text is decoded in chunks: the byte reported is still the file's own offset."""
    culprit = sample_copy / "xnli" / "dev-sw.tsv"
    lines = culprit.read_bytes().splitlines(keepends=True)
    body = b"\xef\xbb\xbf" + lines[0] + b"".join(lines[1:]) * 200  # > 8 KiB decoder chunks
    at = len(body) - len(lines[-1]) + 3
    culprit.write_bytes(body[:at] + b"\xc3(" + body[at:])  # a broken two-byte sequence
    code = run(sample_copy, ["--targets", "xnli", "--languages", "sw"])
    assert_failed_cleanly(code, capsys.readouterr().err, f"{culprit}: not UTF-8 text (byte {at})")


# --------------------------------------------------------------------------- long fields
def test_a_200000_character_field_is_read(sample_copy):
    from harness.registry import load_registry

    registry = load_registry()
    long_text = "word " * 40_000  # 200,000 characters in one TSV/CSV field
    tsv = sample_copy / "xnli" / "dev-sw.tsv"
    rows = tsv.read_text("utf-8").splitlines()
    rows[2] = long_text + "\t" + rows[2].split("\t", 1)[1]
    tsv.write_text("\n".join(rows) + "\n", "utf-8")
    source = harness.DataSource("local", sample_copy)
    assert registry.task("xnli").load("dev", "sw", source)[2]["text_a"] == long_text

    cosmos = sample_copy / "cosmosqa" / "train.csv"
    with open(cosmos, encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    records[1]["context"] = long_text
    with open(cosmos, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerows(records)
    loaded = registry.task("cosmosqa").load("train", "en", source)
    assert any(long_text in json.dumps(row) for row in loaded.select(range(3)).to_list())


@pytest.fixture
def small_csv_limit():
    """A csv field limit the long field exceeds, to provoke a csv.Error (restored after)."""
    previous = csv.field_size_limit(1000)
    yield
    csv.field_size_limit(previous)


@pytest.mark.parametrize(
    ("args", "relative", "line"),
    [
        (["--targets", "xnli", "--languages", "sw"], "xnli/dev-sw.tsv", 3),
        (["--intermediate", "cosmosqa"], "cosmosqa/train.csv", 3),
    ],
    ids=["tsv", "csv"],
)
def test_a_csv_error_names_file_and_line(
    capsys, sample_copy, small_csv_limit, args, relative, line
):
    culprit = sample_copy / relative
    rows = culprit.read_text("utf-8").splitlines()
    rows[line - 1] = "x" * 2000 + rows[line - 1]
    culprit.write_text("\n".join(rows) + "\n", "utf-8")
    code = run(sample_copy, args)
    assert_failed_cleanly(
        code, capsys.readouterr().err, f"{culprit}:{line}: malformed CSV/TSV (field larger"
    )


# --------------------------------------------------------------------------- permissions
def _is_under(path, blocked: Path, inclusive: bool) -> bool:
    if isinstance(path, int):
        return False
    path = Path(os.fsdecode(path)).absolute()
    return path == blocked if inclusive else blocked in path.parents


@pytest.fixture
def unreadable(monkeypatch):
    """``block(path)`` makes ``path`` behave as after ``chmod 000``, also for root.

    A file can still be stat'ed but not opened; inside a folder, nothing can be stat'ed
    or opened (what the kernel answers when the folder lacks read and execute rights).
    """
    files: list[Path] = []
    folders: list[Path] = []
    real_open, real_stat, real_access = builtins.open, os.stat, os.access

    def denied(path) -> PermissionError:
        return PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

    def blocked_open(path, *args, **kwargs):
        if any(_is_under(path, f, True) for f in files) or any(
            _is_under(path, d, False) for d in folders
        ):
            raise denied(path)
        return real_open(path, *args, **kwargs)

    def blocked_stat(path, *args, **kwargs):
        if any(_is_under(path, d, False) for d in folders):
            raise denied(path)
        return real_stat(path, *args, **kwargs)

    def blocked_access(path, mode, *args, **kwargs):
        if any(_is_under(path, p, True) for p in (*files, *folders)):
            return False  # what a user other than root is told
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", blocked_open)
    monkeypatch.setattr(io, "open", blocked_open)
    monkeypatch.setattr(os, "stat", blocked_stat)
    monkeypatch.setattr(os, "access", blocked_access)

    def block(path: Path) -> None:
        (folders if path.is_dir() else files).append(path.absolute())

    return block


PERMISSION_FAMILIES = {"xnli", "mnli", "snli", "udpos", "panx", "ccg", "squad", "mlqa"}
PERMISSION_FAMILIES |= {"cosmosqa", "socialiqa", "bucc", "tatoeba", "mlm"}
PERMISSION_CASES = [c for c in CASES if c[0].split("-")[0] in PERMISSION_FAMILIES]


@pytest.mark.parametrize(
    ("args", "relative"), [c[1:] for c in PERMISSION_CASES], ids=[c[0] for c in PERMISSION_CASES]
)
def test_an_unreadable_file_names_it(capsys, sample_copy, unreadable, args, relative):
    culprit = sample_copy / relative
    unreadable(culprit)
    code = run(sample_copy, args)
    assert_failed_cleanly(
        code, capsys.readouterr().err, f"{culprit}: permission denied; check its permissions"
    )


@pytest.mark.parametrize(
    ("args", "folder"),
    [
        (["--targets", "xnli", "--languages", "sw"], "xnli"),
        (["--targets", "udpos", "--languages", "bg"], "ud-treebanks-v2.5/UD_Bulgarian-BTB"),
        (["--targets", "mlqa", "--languages", "de"], "mlqa/MLQA_V1/dev"),
        (["--intermediate", "socialiqa"], "socialiqa"),
    ],
)
def test_an_unreadable_folder_is_named(capsys, sample_copy, unreadable, args, folder):
    unreadable(sample_copy / folder)
    code = run(sample_copy, args)
    assert_failed_cleanly(
        code, capsys.readouterr().err, f"{sample_copy / folder}: permission denied; check its"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores chmod")
@pytest.mark.parametrize("relative", ["xnli/dev-sw.tsv", "xnli"])
def test_chmod_000_really(capsys, sample_copy, relative):
    culprit = sample_copy / relative
    culprit.chmod(0)
    try:
        code = run(sample_copy, ["--targets", "xnli", "--languages", "sw"])
    finally:
        culprit.chmod(0o755)
    assert_failed_cleanly(
        code, capsys.readouterr().err, f"{culprit}", "permission denied; check its permissions"
    )


def test_a_folder_in_place_of_a_file(capsys, sample_copy):
    culprit = sample_copy / "xnli" / "test-sw.tsv"
    culprit.unlink()
    culprit.mkdir()
    code = run(sample_copy, ["--targets", "xnli", "--languages", "sw"])
    assert_failed_cleanly(code, capsys.readouterr().err, f"{culprit}: is a folder")


# --------------------------------------------------------------------------- third-party readers
def _own_open_plugin(reader):
    """A plugin whose task reads its file with plain ``open()``/``read_text``, not the helper."""
    import toy_sentiment

    class OwnOpen(toy_sentiment.ToySentiment):
        def read_local(self, split, language, root):
            return reader(self, self.local_files(split, language, root)[0])

    class Plugin:
        @harness.hookimpl
        def register_tasks(self, register):
            register(
                OwnOpen(
                    name="own-open",
                    description="reads with open()",
                    head="sequence-classification",
                    languages=("en", "de"),
                    evaluator="accuracy",
                    main_metric="accuracy",
                )
            )

    return Plugin()


def _read_text(task, path):
    return [
        {"text": t, "label": task.labels.index(lb)}
        for t, _, lb in (line.partition("\t") for line in path.read_text("utf-8").splitlines())
    ]


def _read_csv(task, path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            {"text": t, "label": task.labels.index(lb)}
            for t, lb in csv.reader(handle, delimiter="\t")
        ]


@pytest.mark.parametrize("damage", ["bad-byte", "unreadable", "csv"])
def test_plugins_own_open_gets_the_same_errors(
    capsys, tmp_path, unreadable, small_csv_limit, damage
):
    import toy_sentiment

    data = tmp_path / "toydata"
    toy_sentiment.write_sample(data)
    culprit = data / "toysent" / "dev-de.tsv"
    reader = _read_text
    if damage == "bad-byte":
        needle = f"{culprit}: not UTF-8 text (byte {insert_bad_byte(culprit)}); re-download it"
    elif damage == "unreadable":
        unreadable(culprit)
        needle = f"{culprit}: permission denied; check its permissions"
    else:
        reader = _read_csv
        culprit.write_text("x" * 2000 + "\tpos\n", "utf-8")
        needle = f"{culprit}: malformed CSV/TSV (field larger than field limit"
    code = main(
        ["run", "--data", str(data), "--output", RUNS, "--targets", "own-open"],
        plugins=[_own_open_plugin(reader)],
    )
    assert_failed_cleanly(code, capsys.readouterr().err, needle)


def test_a_plugin_bug_keeps_its_traceback(tmp_path):
    """A decoding error that is not about a data file is not disguised as one."""
    import toy_sentiment

    data = tmp_path / "toydata"
    toy_sentiment.write_sample(data)

    def buggy(task, path):
        b"\xff".decode("utf-8")

    with pytest.raises(UnicodeDecodeError):
        main(
            ["run", "--data", str(data), "--output", RUNS, "--targets", "own-open"],
            plugins=[_own_open_plugin(buggy)],
        )


# --------------------------------------------------------------------------- harness score
def _submission(root: Path) -> tuple[Path, Path]:
    """A PAWS-X and an XQuAD submission and label folder (all their languages)."""
    from harness.scoring import XTREME_LANGUAGES

    preds, labels = root / "predictions", root / "labels"
    for lang in XTREME_LANGUAGES["pawsx"]:
        for folder in (preds, labels):
            (folder / "pawsx").mkdir(parents=True, exist_ok=True)
            (folder / "pawsx" / f"test-{lang}.tsv").write_text("1\n0\n", "utf-8")
    for lang in XTREME_LANGUAGES["xquad"]:
        gold = {
            "data": [
                {
                    "paragraphs": [
                        {
                            "context": "Built in 1889.",
                            "qas": [{"id": f"q-{lang}", "answers": [{"text": "1889"}]}],
                        }
                    ]
                }
            ]
        }
        (preds / "xquad").mkdir(parents=True, exist_ok=True)
        (labels / "xquad").mkdir(parents=True, exist_ok=True)
        (preds / "xquad" / f"test-{lang}.json").write_text(json.dumps({f"q-{lang}": "1889"}))
        (labels / "xquad" / f"test-{lang}.json").write_text(json.dumps(gold))
    return preds, labels


def _score(preds: Path, labels: Path) -> int:
    return main(["score", "--predictions", str(preds), "--labels", str(labels)])


def test_score_reads_a_sound_submission(capsys, tmp_path):
    preds, labels = _submission(tmp_path)
    assert _score(preds, labels) == 0, capsys.readouterr().err


@pytest.mark.parametrize("answer", [1889, None, ["1889"], {"text": "1889"}])
def test_score_rejects_a_qa_prediction_that_is_not_text(capsys, tmp_path, answer):
    preds, labels = _submission(tmp_path)
    culprit = preds / "xquad" / "test-de.json"
    culprit.write_text(json.dumps({"q-de": answer}))
    code = _score(preds, labels)
    assert code == 2
    line = one_error(capsys.readouterr().err)
    assert f'{culprit}: answer to question "q-de" is {json.dumps(answer)}' in line, line
    assert "expected a string" in line


def test_score_rejects_a_qa_gold_answer_that_is_not_text(capsys, tmp_path):
    preds, labels = _submission(tmp_path)
    culprit = labels / "xquad" / "test-el.json"
    culprit.write_text(culprit.read_text().replace('"1889"', "1889"))
    code = _score(preds, labels)
    assert code == 2
    assert f'{culprit}: answer to question "q-el" is 1889' in one_error(capsys.readouterr().err)


@pytest.mark.parametrize("folder", ["predictions", "labels"])
@pytest.mark.parametrize("task", ["pawsx", "xquad"])
def test_score_names_a_file_that_is_not_utf8_or_unreadable(
    capsys, tmp_path, unreadable, folder, task
):
    preds, labels = _submission(tmp_path)
    suffix = ".json" if task == "xquad" else ".tsv"
    culprit = tmp_path / folder / task / f"test-de{suffix}"
    culprit.write_bytes(culprit.read_bytes()[:-1] + b"\xff" + culprit.read_bytes()[-1:])
    at = culprit.stat().st_size - 2
    code = _score(preds, labels)
    assert code == 2
    assert f"{culprit}: not UTF-8 text (byte {at})" in one_error(capsys.readouterr().err)
    unreadable(culprit)
    code = _score(preds, labels)
    assert code == 2
    line = one_error(capsys.readouterr().err)
    assert f"{culprit}: permission denied; check its permissions" in line


def test_score_names_an_unreadable_folder(capsys, tmp_path, unreadable):
    preds, labels = _submission(tmp_path)
    unreadable(labels / "xquad")
    code = _score(preds, labels)
    assert code == 2
    line = one_error(capsys.readouterr().err)
    assert f"{labels / 'xquad'}/" in line and "check its permissions" in line


# --------------------------------------------------------------------------- tokenisation cache
def truncate(path: Path, size: int) -> None:
    """Leave the first ``size`` bytes of ``path`` in a new file of that name (a copy cut
    short: truncating in place would pull the pages from under this process's own maps)."""
    cut = path.with_name(path.name + ".cut")
    cut.write_bytes(path.read_bytes()[:size])
    os.replace(cut, path)


@pytest.mark.parametrize("keep", ["half", "boundary", "empty"])
def test_a_damaged_tokenisation_cache_is_rebuilt(tiny_model, tmp_path, capsys, keep):
    from harness.data import encode
    from harness.registry import load_registry

    registry = load_registry()
    task = registry.task("xnli")
    tokenizer = registry.model(str(tiny_model)).tokenizer(str(tiny_model))
    rows = task.load("train", "en", harness.DataSource("local", task.sample_root))
    cache = tmp_path / "cache"
    first = encode(task, rows, tokenizer, 64, cache, "k")
    (entry,) = cache.glob("encoded-*.arrow")
    data = entry.read_bytes()
    if keep == "half":
        cut = len(data) // 2
    elif keep == "boundary":  # whole record batches, no end-of-stream marker: still reads
        cut = len(data) - 8
    else:
        cut = 0
    truncate(entry, cut)

    said: list[str] = []
    again = encode(task, rows, tokenizer, 64, cache, "k", say=said.append)
    assert len(said) == 1 and str(entry) in said[0] and "damaged" in said[0], said
    assert "rebuilding" in said[0]
    assert again["input_ids"] == first["input_ids"]
    assert entry.read_bytes() == data  # rebuilt in full
    said.clear()
    assert (
        encode(task, rows, tokenizer, 64, cache, "k", say=said.append)["input_ids"]
        == (first["input_ids"])
    )
    assert said == []  # a sound entry is read as it is


def test_a_damaged_cache_does_not_stop_a_run(tiny_model, tmp_path, capsys, monkeypatch):
    """End to end: the second run warns once on stderr and finishes."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("HARNESS_CACHE", str(cache))
    args = ["run", "--model", str(tiny_model), "--targets", "pawsx", "--languages", "de",
            "--epochs", "1", "--no-progress", "--output", RUNS]  # fmt: skip
    assert main([*args, "--run-id", "one"]) == 0, capsys.readouterr().err
    entries = sorted(cache.rglob("encoded-*.arrow"))
    assert entries
    for entry in entries:
        truncate(entry, entry.stat().st_size // 3)
    capsys.readouterr()
    assert main([*args, "--run-id", "two"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    warnings = [line for line in err.splitlines() if "tokenisation cache" in line]
    assert len(warnings) == len(entries), err
    first = json.loads(Path(RUNS, "one", "results.json").read_text())["records"]
    second = json.loads(Path(RUNS, "two", "results.json").read_text())["records"]
    assert [r["main"] for r in first] == [r["main"] for r in second]
