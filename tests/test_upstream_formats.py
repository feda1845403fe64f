"""Upstream data as the real releases and loaders produce it (issue 14, "Upstream data").

Each test builds files in the exact format an upstream tool writes (XTREME's
download_data.sh / utils_preprocess.py, the GLUE release, the Hugging Face loading scripts)
and checks that the harness reads them as XTREME would, or refuses with one clear line.
No network: ``datasets.load_dataset`` is replaced where the Hub is involved.
"""

from __future__ import annotations

import json
import logging

import datasets
import pytest
from test_classification_data import write

from harness import DataSource, HarnessError
from harness.cli import main

HUB = DataSource("hub")
SCRIPTS_GONE = "Dataset scripts are no longer supported, but found {}.py"


def one_error_line(code: int, err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --------------------------------------------------------------------------- UD-POS
def conllu(*rows: str) -> str:
    """CoNLL-U lines given as space-separated fields ('-' for '_')."""
    return "".join(
        "\t".join("_" if f == "-" else f for f in row.split()) + "\n" if row else "\n"
        for row in rows
    )


GREEK = conllu(
    "# text = Πάω στο σπίτι",
    "1 Πάω πάω VERB - - 0 root - -",
    "2-3 στο - - - - - - - -",
    "2 σε σε ADP - - 4 case - -",
    "3 το ο DET - - 4 det - -",
    "4 σπίτι σπίτι NOUN - - 1 obl - -",
    "4.1 πάω πάω VERB - - - - 1:conj -",
    "",
)
ANCIENT_GREEK = conllu("1 λόγος λόγος NOUN - - 0 root - -", "")


def test_udpos_refuses_the_hub_and_names_the_download_path(tasks, monkeypatch):
    """google/xtreme's udpos.Greek mixes in Ancient Greek and splits multiword tokens: refused
    before anything is fetched, pointing at XTREME's download or the UD v2.5 release."""

    def never(*args, **kwargs):
        raise AssertionError("the Hub must not be asked for UD-POS")

    monkeypatch.setattr(datasets, "load_dataset", never)
    with pytest.raises(HarnessError) as info:
        tasks["udpos"].load("dev", "el", HUB)
    message = str(info.value)
    assert "\n" not in message
    for needle in (
        "not XTREME's UD-POS",
        "*_Greek*",
        "Ancient Greek",
        "--data PATH",
        "udpos/dev-el.tsv",
        "ud-treebanks-v2.5/UD_*/el_*-ud-dev.conllu",
    ):
        assert needle in message, message


def test_udpos_hub_run_stops_with_one_line_before_any_output(capsys, tmp_path):
    code = main(["run", "--targets", "udpos", "--data", "hub", "--intermediate", "none"])
    line = one_error_line(code, capsys.readouterr().err)
    assert "not XTREME's UD-POS" in line and "--data PATH" in line
    assert not (tmp_path / "runs").exists()


def test_the_download_path_gives_xtremes_ud_pos(tasks, tmp_path):
    """What the refusal points at: only the language's own treebanks (file prefix ``el_``),
    fused multiword forms tagged by their head word, no empty nodes; and XTREME's processed
    ``udpos/`` file of the same sentence reads the same."""
    release = tmp_path / "ud" / "ud-treebanks-v2.5"
    write(release / "UD_Greek-GDT" / "el_gdt-ud-train.conllu", GREEK)
    write(release / "UD_Ancient_Greek-PROIEL" / "grc_proiel-ud-train.conllu", ANCIENT_GREEK)
    rows = tasks["udpos"].load("train", "el", DataSource("local", tmp_path / "ud"))
    assert rows["tokens"] == [["Πάω", "στο", "σπίτι"]]
    assert tasks["udpos"].references(rows) == [["VERB", "ADP", "NOUN"]]
    # XTREME's utils_preprocess: word<TAB>tag lines, no newline after the file's last word,
    # then a newline after every sentence (a blank line between sentences)
    write(tmp_path / "x" / "udpos" / "train-el.tsv", "Πάω\tVERB\nστο\tADP\nσπίτι\tNOUN\n")
    processed = tasks["udpos"].load("train", "el", DataSource("local", tmp_path / "x"))
    assert processed["tokens"] == rows["tokens"] and processed["tags"] == rows["tags"]


# --------------------------------------------------------------------------- script-only Hub repos
MLQA_ROW = {
    "id": "q1",
    "context": "Marie Curie was born in Warsaw.",
    "question": "Where?",
    "answers": {"answer_start": [24], "text": ["Warsaw"]},
}
HELLASWAG_ROW = {
    "ind": 4,
    "activity_label": "Roofing",
    "ctx_a": "A man is on a roof.",
    "ctx_b": "he",
    "ctx": "A man is on a roof. he",
    "endings": ["a.", "b.", "c.", "d."],
    "source_id": "x",
    "split": "val",
    "split_type": "indomain",
    "label": "2",
}
COSMOS_ROW = {"id": "c1", "context": "ctx", "question": "q?", "label": 1} | {
    f"answer{i}": f"a{i}" for i in range(4)
}
SIQA_ROW = {
    "context": "Tracy fixed the car.",
    "question": "Why?",
    "answerA": "x",
    "answerB": "y",
    "answerC": "z",
    "label": "3\n",  # the loading script keeps each labels-file line's newline
}
SCRIPT_ONLY = [
    # task, split, language, repository, parquet config folder, Hub split, one Hub row
    ("mlqa", "dev", "vi", "facebook/mlqa", "mlqa.vi.vi", "validation", MLQA_ROW),
    ("mlqa", "test", "de", "facebook/mlqa", "mlqa.de.de", "test", MLQA_ROW),
    ("hellaswag", "dev", "en", "Rowan/hellaswag", "default", "validation", HELLASWAG_ROW),
    ("cosmosqa", "dev", "en", "allenai/cosmos_qa", "default", "validation", COSMOS_ROW),
    ("socialiqa", "train", "en", "allenai/social_i_qa", "default", "train", SIQA_ROW),
]


@pytest.mark.parametrize(
    ("name", "split", "lang", "repo", "folder", "hub_split", "row"), SCRIPT_ONLY
)
def test_script_only_repositories_are_read_from_their_parquet_conversion(
    tasks, monkeypatch, name, split, lang, repo, folder, hub_split, row
):
    """datasets >= 4 refuses the repositories' loading scripts; their parquet conversion
    (branch refs/convert/parquet, one folder per config) holds the same rows."""
    calls = []

    def load_dataset(path, name=None, *, split=None, **kwargs):
        calls.append((path, name, split, kwargs))
        if kwargs.get("revision") != "refs/convert/parquet":
            raise RuntimeError(SCRIPTS_GONE.format(path.split("/")[1]))
        return datasets.Dataset.from_list([row])

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    rows = tasks[name].load(split, lang, HUB)
    assert len(rows) == 1
    assert calls == [
        (repo, None, hub_split, {"data_dir": folder, "revision": "refs/convert/parquet"})
    ]


def test_a_scripts_refusal_from_datasets_is_one_error_line(tasks, monkeypatch, capsys, tmp_path):
    def refuse(path, *args, **kwargs):
        raise RuntimeError(SCRIPTS_GONE.format("mlqa"))

    monkeypatch.setattr(datasets, "load_dataset", refuse)
    with pytest.raises(HarnessError) as info:
        tasks["mlqa"].load("dev", "de", HUB)
    message = str(info.value)
    assert message.startswith("task 'mlqa': could not load dev/de from the Hub (facebook/mlqa)")
    assert "no longer supported" in message and "runs no loading scripts" in message
    assert message.endswith("use --data PATH with a local download") and "\n" not in message

    code = main(
        ["run", "--targets", "mlqa", "--languages", "de", "--data", "hub", "--intermediate", "none"]
    )
    line = one_error_line(code, capsys.readouterr().err)
    assert "task 'mlqa': could not load" in line and "--data PATH" in line
    assert not (tmp_path / "runs").exists()


def test_other_runtime_errors_from_datasets_are_explained_but_plugin_bugs_are_not(
    tasks, monkeypatch
):
    """A RuntimeError raised inside datasets/huggingface_hub is a failure to fetch (one
    line); one raised by the plugin's own code keeps its traceback."""
    namespace = {"__name__": "datasets.load"}
    exec(  # a function that lives in a datasets module, as the library's own code does
        "def load_dataset(*args, **kwargs):\n    raise RuntimeError('parquet export missing')\n",
        namespace,
    )
    monkeypatch.setattr(datasets, "load_dataset", namespace["load_dataset"])
    with pytest.raises(HarnessError, match=r"task 'cosmosqa': could not load .*export missing"):
        tasks["cosmosqa"].load("dev", "en", HUB)

    def buggy(self, split, language):
        raise RuntimeError("bug in the plugin")

    monkeypatch.setattr(type(tasks["cosmosqa"]), "read_hub", buggy)
    with pytest.raises(RuntimeError, match="bug in the plugin"):
        tasks["cosmosqa"].load("dev", "en", HUB)


# --------------------------------------------------------------------------- SocialIQA layouts
SIQA_ITEMS = [
    ("Jordan paid for lunch.", "Why?", ("to be kind", "to eat", "to sleep"), "A"),
    ("Kai lost the keys.", "How does Kai feel?", ("happy", "bored", "upset"), "C"),
]


def ai2_line(context: str, question: str, answers: tuple[str, ...], *_: str) -> str:
    """One line of AI2's socialiqa-train-dev/{split}.jsonl (labels in a separate file)."""
    a, b, c = answers
    record = {"context": context, "question": question, "answerA": a, "answerB": b}
    return json.dumps({**record, "answerC": c}) + "\n"


def siqa_v14_line(context: str, question: str, answers: tuple[str, ...], correct: str) -> str:
    """One line of the authors' socialIQa_v1.4_*.jsonl (what XTREME's download_siqa unpacks):
    the same record with the gold answer's letter in ``correct``."""
    record = json.loads(ai2_line(context, question, answers))
    return json.dumps({**record, "correct": correct}) + "\n"


def test_socialiqa_reads_xtremes_siqa_folder_and_ai2s_release_alike(tasks, tmp_path):
    xtreme = tmp_path / "xtreme"
    for part in ("trn", "dev", "tst"):
        write(
            xtreme / "siqa" / f"socialIQa_v1.4_{part}.jsonl",
            "".join(siqa_v14_line(*item) for item in SIQA_ITEMS),
        )
    ai2 = tmp_path / "ai2" / "socialiqa" / "socialiqa-train-dev"
    for split in ("train", "dev"):
        write(ai2 / f"{split}.jsonl", "".join(ai2_line(*item) for item in SIQA_ITEMS))
        write(ai2 / f"{split}-labels.lst", "1\n3\n")
    task = tasks["socialiqa"]
    for split in ("train", "dev"):
        ours = task.load(split, "en", DataSource("local", xtreme))
        theirs = task.load(split, "en", DataSource("local", tmp_path / "ai2"))
        assert task.references(ours) == task.references(theirs) == ["1", "3"]
        assert (
            ours["choices"]
            == theirs["choices"]
            == [
                ["Why? to be kind", "Why? to eat", "Why? to sleep"],
                [
                    "How does Kai feel? happy",
                    "How does Kai feel? bored",
                    "How does Kai feel? upset",
                ],
            ]
        )
    assert task.references(task.load("test", "en", DataSource("local", xtreme))) == ["1", "3"]
    assert task.local_files("dev", "en", xtreme) == [xtreme / "siqa/socialIQa_v1.4_dev.jsonl"]


def test_socialiqa_xtreme_layout_errors_name_file_and_line(tasks, tmp_path):
    path = write(
        tmp_path / "siqa" / "socialIQa_v1.4_dev.jsonl",
        siqa_v14_line(*SIQA_ITEMS[0]) + siqa_v14_line(*SIQA_ITEMS[1][:3], "D"),
    )
    with pytest.raises(HarnessError, match=rf"{path}:2: 'correct' must be the letter A, B or C"):
        tasks["socialiqa"].load("dev", "en", DataSource("local", tmp_path))
    (tmp_path / "siqa" / "socialIQa_v1.4_dev.jsonl").unlink()
    with pytest.raises(HarnessError, match=r"missing data file .*siqa/socialIQa_v1\.4_dev\.jsonl"):
        tasks["socialiqa"].load("dev", "en", DataSource("local", tmp_path))


# --------------------------------------------------------------------------- QQP
QQP_HEADER = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n"


def test_qqp_skips_the_glue_releases_malformed_rows_with_a_count(tasks, tmp_path, caplog):
    """GLUE's QQP train.tsv has rows cut by a stray newline (fewer columns on two lines) and
    rows with an extra tab; GLUE's processors skip what they cannot index, and so do we."""
    write(
        tmp_path / "QQP" / "train.tsv",
        QQP_HEADER
        + "0\t1\t2\tHow do I cook rice?\tHow to cook rice?\t1\n"
        + "1\t3\t4\tWhat is the\n"  # question1 broken by a newline: 4 fields ...
        + "capital?\tWhich city is the capital?\t0\n"  # ... then 3
        + "2\t5\t6\tWhy\tis\tthe sky blue?\t0\n"  # an extra tab: 7 fields
        + "3\t7\t8\tIs it late?\tWhat time is it?\t0\n",
    )
    with caplog.at_level(logging.WARNING):
        rows = tasks["qqp"].load("train", "en", DataSource("local", tmp_path))
    assert rows["text_a"] == ["How do I cook rice?", "Is it late?"]
    assert tasks["qqp"].references(rows) == ["1", "0"]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 1
    assert "train.tsv: skipped 3 malformed row(s)" in logged[0] and "lines 3, 4, 5" in logged[0]
    assert "2 rows read" in logged[0]


def test_qqp_that_is_not_qqp_still_stops_the_run(tasks, tmp_path):
    write(tmp_path / "QQP" / "dev.tsv", "id\tquestion\tlabel\n1\tq\t0\n")
    with pytest.raises(HarnessError, match=r"QQP/dev\.tsv:1: expected the 6-column QQP header"):
        tasks["qqp"].load("dev", "en", DataSource("local", tmp_path))
    write(tmp_path / "QQP" / "dev.tsv", QQP_HEADER + "1\t2\tq\n")
    with pytest.raises(HarnessError, match=r"QQP/dev\.tsv:2: no row has the 6 tab-separated"):
        tasks["qqp"].load("dev", "en", DataSource("local", tmp_path))
    write(tmp_path / "QQP" / "dev.tsv", QQP_HEADER + "1\t2\t3\tq1\tq2\tmaybe\n")
    with pytest.raises(HarnessError, match=r"QQP/dev\.tsv:2: unknown label 'maybe'"):
        tasks["qqp"].load("dev", "en", DataSource("local", tmp_path))


# --------------------------------------------------------------------------- QA answer offsets
RELEASE_CONTEXT = "\n Marie Curie was born in Warsaw in 1867. She moved to Paris."


def release_doc(*qas: dict, context: str = RELEASE_CONTEXT) -> dict:
    return {"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": context,
                                                                       "qas": list(qas)}]}]}  # fmt: skip


def hf_stripping_loader(doc: dict) -> list[dict]:
    """What the Hub's XQuAD/TyDiQA loading scripts yield: context, question and answer texts
    stripped, answer_start copied unchanged."""
    out = []
    for article in doc["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                out.append(
                    {
                        "id": qa["id"],
                        "title": article["title"].strip(),
                        "context": paragraph["context"].strip(),
                        "question": qa["question"].strip(),
                        "answers": {
                            "answer_start": [a["answer_start"] for a in qa["answers"]],
                            "text": [a["text"].strip() for a in qa["answers"]],
                        },
                    }
                )
    return out


def test_stripped_hub_contexts_get_their_offsets_corrected(tasks, monkeypatch):
    warsaw = RELEASE_CONTEXT.index("Warsaw")
    paris = RELEASE_CONTEXT.index(" Paris")  # an answer with a leading space, as some have
    doc = release_doc(
        {"id": "q1", "question": " Where? ", "answers": [{"answer_start": warsaw, "text": "Warsaw"}]},
        {"id": "q2", "question": "To?", "answers": [{"answer_start": paris, "text": " Paris"}]},
    )  # fmt: skip
    for qa in doc["data"][0]["paragraphs"][0]["qas"]:  # the release itself is consistent
        for a in qa["answers"]:
            assert RELEASE_CONTEXT[a["answer_start"] :].startswith(a["text"])
    monkeypatch.setattr(
        datasets,
        "load_dataset",
        lambda *a, **k: datasets.Dataset.from_list(hf_stripping_loader(doc)),
    )
    rows = tasks["xquad"].load("test", "de", HUB)
    for context, answers in zip(rows["context"], rows["answers"], strict=True):
        start, text = answers["answer_start"][0], answers["text"][0]
        assert context[start : start + len(text)] == text
    assert [a["answer_start"][0] for a in rows["answers"]] == [warsaw - 2, paris - 1]


def test_answer_far_from_its_offset_names_file_and_question(tasks, tmp_path, monkeypatch):
    path = write(
        tmp_path / "xquad" / "xquad.de.json",
        json.dumps(release_doc({"id": "q7", "question": "Where?",
                                "answers": [{"answer_start": 2, "text": "Paris"}]})),
    )  # fmt: skip
    with pytest.raises(HarnessError) as info:
        tasks["xquad"].load("test", "de", DataSource("local", tmp_path))
    assert str(info.value).startswith(
        f"{path}: question 'q7' answer 0: the answer text 'Paris' is not the context's text at "
        "answer_start 2 ('Marie'), nor within 32 characters of it"
    )
    rows = [{**hf_stripping_loader(json.loads(path.read_text()))[0], "id": "q8"}]
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: datasets.Dataset.from_list(rows))
    with pytest.raises(HarnessError, match=r"google/xquad:validation: question 'q8' answer 0: the"):
        tasks["xquad"].load("test", "de", HUB)


def test_a_local_file_with_shifted_offsets_is_corrected_and_logged(tasks, tmp_path, caplog):
    stripped = RELEASE_CONTEXT.strip()  # a release re-saved with stripped contexts
    start = RELEASE_CONTEXT.index("Warsaw")
    write(
        tmp_path / "xquad" / "xquad.de.json",
        json.dumps(release_doc({"id": "q1", "question": "Where?",
                                "answers": [{"answer_start": start, "text": "Warsaw"}]},
                               context=stripped)),
    )  # fmt: skip
    with caplog.at_level(logging.WARNING):
        rows = tasks["xquad"].load("test", "de", DataSource("local", tmp_path))
    assert rows["answers"][0]["answer_start"] == [stripped.index("Warsaw")]
    assert any("moved the answer_start of 1 answer(s)" in r.getMessage() for r in caplog.records)
