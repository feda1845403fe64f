"""XTREME-R's extra languages on XTREME's targets (UD-POS, PAN-X, Tatoeba, XQuAD): the
languages each task lists, the official layouts read for them, the bundled samples, and the
planning rule that keeps ``xtreme-zs`` on XTREME's languages while ``xtreme-r`` adds them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_builtins.tasks import qa, retrieval, tagging

from harness import DataSource, HarnessError
from harness.planning import Planner, RunConfig
from harness.registry import load_registry

NEW = {
    "udpos": ("lt", "pl", "uk", "wo", "ro"),
    "panx": ("qu", "pl", "uk", "az", "lt", "pa", "gu", "ro"),
    "tatoeba": ("az", "lt", "pl", "uk", "ro"),
    "xquad": ("ro",),
}
XTREME_COUNTS = {"udpos": 33, "panx": 40, "tatoeba": 36, "xquad": 11}
SPLITS = {
    "udpos": ("dev", "test"),
    "panx": ("dev", "test"),
    "tatoeba": ("test",),
    "xquad": ("test",),
}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _plan_languages(registry, suite: str, languages: list[str] | None = None) -> dict:
    cfg = RunConfig(
        suite=suite,
        targets=list(NEW),
        intermediates=["none"],
        languages=languages,
        data="sample",
    )
    return Planner(registry, cfg).plan().languages


def test_each_task_lists_xtreme_then_xtreme_r_languages(tasks):
    for name, extra in NEW.items():
        langs = tasks[name].languages
        assert langs[XTREME_COUNTS[name] :] == extra, name
        assert len(set(langs)) == len(langs) == XTREME_COUNTS[name] + len(extra)


def test_task_languages_match_the_xtreme_r_scoring_section():
    suite = json.loads((Path(tagging.__file__).parents[1] / "suites" / "xtreme_r.json").read_text())
    scoring = {t["task"]: set(t["languages"]) for t in suite["scoring"]["tasks"]}
    assert scoring["udpos"] == set(tagging.UDPOS_LANGUAGES)
    assert scoring["panx"] == set(tagging.PANX_LANGUAGES)
    assert scoring["tatoeba"] == set(retrieval.TATOEBA_LANGUAGES)
    assert scoring["xquad"] == set(qa.XQUAD_LANGUAGES)


def test_tatoeba_laser_codes_are_those_of_xtreme_preprocessing():
    codes = {lang: retrieval.TATOEBA_ISO3[lang] for lang in NEW["tatoeba"]}
    assert codes == {"az": "aze", "lt": "lit", "pl": "pol", "uk": "ukr", "ro": "ron"}


# --------------------------------------------------------------------------- official layouts
def test_udpos_reads_new_languages_from_the_ud_v27_release(tasks, tmp_path):
    """XTREME's download takes lt/pl/uk/wo/ro from UD v2.7, the others from v2.5."""
    folder = tmp_path / "ud-treebanks-v2.7" / "UD_Polish-PDB"
    folder.mkdir(parents=True)
    (folder / "pl_pdb-ud-test.conllu").write_text(
        "# sent_id = 1\n# text = Poszliśmy do kina.\n"
        "1-2\tPoszliśmy\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "1\tPoszli\tpójść\tVERB\t_\t_\t0\troot\t_\t_\n"
        "2\tśmy\tbyć\tAUX\t_\t_\t1\taux\t_\t_\n"
        "3\tdo\tdo\tADP\t_\t_\t4\tcase\t_\t_\n"
        "4\tkina\tkino\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No\n"
        "5\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n",
        "utf-8",
    )
    # a v2.5 folder for another language does not hide the v2.7 one (both sit side by side)
    (tmp_path / "ud-treebanks-v2.5" / "UD_Polish-LFG").mkdir(parents=True)
    (tmp_path / "ud-treebanks-v2.5" / "UD_Polish-LFG" / "pl_lfg-ud-test.conllu").write_text(
        "1\tZły\t_\tADJ\t_\t_\t0\troot\t_\t_\n\n", "utf-8"
    )
    udpos = tasks["udpos"]
    rows = udpos.load("test", "pl", DataSource("local", tmp_path))
    assert rows["tokens"][:] == [["Poszliśmy", "do", "kina", "."]]
    assert [udpos.tags[t] for t in rows["tags"][0]] == ["VERB", "ADP", "NOUN", "PUNCT"]


def test_udpos_missing_v27_file_names_the_v27_release(tasks, tmp_path):
    (tmp_path / "ud-treebanks-v2.5").mkdir()
    with pytest.raises(HarnessError, match=r"ud-treebanks-v2\.7/UD_\*/wo_\*-ud-test\.conllu"):
        tasks["udpos"].load("test", "wo", DataSource("local", tmp_path))


def test_udpos_and_panx_read_xtreme_processed_files_for_new_languages(tasks, tmp_path):
    for folder, lang, tag in (("udpos", "wo", "PROPN"), ("panx", "qu", "B-LOC")):
        (tmp_path / folder).mkdir()
        (tmp_path / "labels" / folder).mkdir(parents=True)
        # XTREME's test files hold tokens only; evaluate.py's gold, one tag per line
        (tmp_path / folder / f"test-{lang}.tsv").write_text("Dakar\n.\n", "utf-8")
        (tmp_path / "labels" / folder / f"test-{lang}.tsv").write_text(
            f"{tag}\n{'PUNCT' if folder == 'udpos' else 'O'}\n", "utf-8"
        )
        task = tasks[folder]
        rows = task.load("test", lang, DataSource("local", tmp_path))
        assert rows["tokens"][:] == [["Dakar", "."]]
        assert task.tags[rows["tags"][0][0]] == tag


def test_tatoeba_reads_xtreme_and_laser_files_for_new_languages(tasks, tmp_path):
    tatoeba = tasks["tatoeba"]
    folder = tmp_path / "tatoeba"
    folder.mkdir()
    # LASER's aligned release, the names utils_preprocess.py reads (tatoeba.ron-eng.*)
    (folder / "tatoeba.ron-eng.ron").write_text("Nu înțeleg.\nIubesc muzica.\n", "utf-8")
    (folder / "tatoeba.ron-eng.eng").write_text("I don't understand.\nI love music.\n", "utf-8")
    rows = tatoeba.load("test", "ro", DataSource("local", tmp_path))
    assert rows["en_text"][:] == ["I don't understand.", "I love music."]
    assert tatoeba.references(rows) == ["0", "1"]
    # XTREME's output of it: {xx}-en.{xx}, sorted English, gold in labels/tatoeba/
    (folder / "uk-en.uk").write_text("Я люблю музику.\nЯ не розумію.\n", "utf-8")
    (folder / "uk-en.en").write_text("I don't understand.\nI love music.\n", "utf-8")
    (tmp_path / "labels" / "tatoeba").mkdir(parents=True)
    (tmp_path / "labels" / "tatoeba" / "test-uk.tsv").write_text("1\n0\n", "utf-8")
    rows = tatoeba.load("test", "uk", DataSource("local", tmp_path))
    assert tatoeba.references(rows) == ["1", "0"]


def test_xquad_reads_xquad_ro_json(tasks, tmp_path):
    context = "Marie Curie s-a născut la Varșovia în 1867."
    doc = {
        "version": "1.1",
        "data": [
            {
                "title": "Marie Curie",
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": "q1",
                                "question": "Unde s-a născut Marie Curie?",
                                "answers": [{"text": "Varșovia", "answer_start": 26}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "xquad").mkdir()
    (tmp_path / "xquad" / "xquad.ro.json").write_text(json.dumps(doc, ensure_ascii=False))
    rows = tasks["xquad"].load("test", "ro", DataSource("local", tmp_path))
    assert rows["id"][:] == ["q1"] and rows["context"][:] == [context]


# --------------------------------------------------------------------------- Hub
def test_hub_refuses_new_languages_google_xtreme_lacks(tasks):
    """google/xtreme holds XTREME's languages only: one-line errors, no download tried."""
    for name, lang, says in (
        ("panx", "qu", "PAN-X.qu"),
        ("tatoeba", "ro", "tatoeba.ron"),
        ("udpos", "wo", "ud-treebanks-v2.7"),
    ):
        with pytest.raises(HarnessError, match=says) as err:
            tasks[name].load(SPLITS[name][-1], lang, DataSource("hub"))
        assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- samples
def test_bundled_samples_load_for_every_new_language(tasks):
    for name, extra in NEW.items():
        task = tasks[name]
        for lang in extra:
            for split in SPLITS[name]:
                rows = task.load(split, lang, DataSource("local", task.sample_root))
                assert len(rows) >= 2, (name, lang, split)
                assert all(r is not None for r in task.references(rows)), (name, lang, split)


# --------------------------------------------------------------------------- planning rule
def test_xtreme_zs_keeps_xtreme_languages_and_xtreme_r_adds_its_own(registry, tasks):
    zs = _plan_languages(registry, "xtreme-zs")
    r = _plan_languages(registry, "xtreme-r")
    for name, extra in NEW.items():
        xtreme = list(tasks[name].languages[: XTREME_COUNTS[name]])
        assert zs[name] == xtreme, name
        assert r[name] == xtreme + list(extra), name


def test_suite_without_scoring_evaluates_xtreme_languages(registry, tasks):
    """The intermediate-task grids have no scoring section: XTREME's languages, as before."""
    grid = _plan_languages(registry, "xtreme-intermediate")
    for name in NEW:
        assert grid[name] == list(tasks[name].languages[: XTREME_COUNTS[name]]), name


def test_languages_flag_filters_the_suite_languages(registry):
    r = _plan_languages(registry, "xtreme-r", ["ro", "en"])
    assert r == {
        "udpos": ["en", "ro"],
        "panx": ["en", "ro"],
        "tatoeba": ["ro"],
        "xquad": ["en", "ro"],
    }
    zs = _plan_languages(registry, "xtreme-zs", ["de"])
    assert all(langs == ["de"] for langs in zs.values())
    with pytest.raises(HarnessError, match=r"suite 'xtreme-zs' evaluates none .* 'wo'.*xtreme-r"):
        _plan_languages(registry, "xtreme-zs", ["wo"])
