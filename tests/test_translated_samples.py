"""Bundled translated MNLI samples (``translated/<lang>/MNLI/``) that ``--intermediate mnli@LANG``
reads: GLUE's exact layout, row-aligned translations of the English sample, reproducible."""

from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from harness.registry import load_registry
from harness.runner import RunConfig, Runner
from harness.tasks import DataSource

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "plugins" / "tasks" / "data"
LANGUAGES = ("de", "sw", "ur")
SPLITS = (("train", "train.tsv"), ("dev", "dev_matched.tsv"))


@pytest.fixture(scope="module")
def gen():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_translated_samples
    finally:
        sys.path.pop(0)
    return make_translated_samples


def _raw(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quotechar=None))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_runner_reads_the_translated_sample_with_the_mnli_reader(lang):
    """The runner's own ``mnli@LANG`` task and source load the bundled files (``--data sample``)."""
    config = RunConfig(targets=["xnli"], intermediates=[f"mnli@{lang}"], languages=["en"])
    plan = Runner(load_registry(), config).plan()
    task = plan.intermediates[0]
    source = plan.sources[f"mnli@{lang}"]
    assert (task.name, task.train_language, task.languages) == (f"mnli@{lang}", lang, (lang,))
    assert source == DataSource("local", SAMPLE / "translated" / lang)
    english = load_registry().task("mnli")
    for split, _ in SPLITS:
        rows = task.load(split, lang, source)
        en = english.load(split, "en", DataSource("local", SAMPLE))
        assert len(rows) == len(en)
        assert rows["label"] == en["label"]  # a translation keeps every row's label
        counts = Counter(rows["label"])
        assert len(counts) == 3 and len(set(counts.values())) == 1  # balanced, as the English
        assert all(a != b for a, b in zip(rows["text_a"], en["text_a"], strict=True))
        assert all(a != b for a, b in zip(rows["text_b"], en["text_b"], strict=True))
        english_text = set(en["text_a"]) | set(en["text_b"])
        assert not english_text & (set(rows["text_a"]) | set(rows["text_b"]))
        assert len(set(rows["text_a"])) == len(set(en["text_a"]))  # no two premises merged
    assert len(task.load("train", lang, source)) == 1200
    assert 60 <= len(task.load("dev", lang, source)) <= 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glue_columns_ids_and_labels_match_the_english_release_rows(lang):
    for _, name in SPLITS:
        english = _raw(SAMPLE / "MNLI" / name)
        translated = _raw(SAMPLE / "translated" / lang / "MNLI" / name)
        assert translated[0] == english[0]  # GLUE header: index promptID pairID genre ... gold
        assert len(translated) == len(english)
        for t, e in zip(translated[1:], english[1:], strict=True):
            assert len(t) == len(e)
            assert t[:8] == e[:8] and t[10:] == e[10:]  # ids, genre, empty parses, labels
            assert t[8] and t[9]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_left_in_the_translations(gen, lang):
    english = gen.english
    phrases = {p for person in english.PEOPLE for p in person}
    phrases |= {a for acts in english.ACTIVITIES for a in acts}
    phrases |= {*english.PLACES, *english.REASONS, "Someone", "Nobody"}
    for _, name in SPLITS:
        for row in _raw(SAMPLE / "translated" / lang / "MNLI" / name)[1:]:
            for sentence in row[8:10]:
                assert not any(p in sentence for p in phrases), sentence
                words = set(sentence.rstrip(".").split())
                assert not words & {"is", "are", "The", "the", "not", "at", "home"}, sentence
                letters = [c for c in sentence if c.isalpha()]
                if lang == "ur":  # Urdu in Arabic script, with its own full stop
                    assert all(unicodedata.name(c).startswith("ARABIC") for c in letters)
                    assert sentence.endswith("۔")
                else:
                    assert all(c.isascii() or c in "äöüÄÖÜß" for c in letters), sentence


def test_agreement_in_hand_checked_sentences(gen):
    """Number and gender agreement per language, on slots chosen to exercise it."""
    en = gen.english
    person = {p[0]: i for i, p in enumerate(en.PEOPLE)}
    act = {a[0]: j for j, a in enumerate(en.ACTIVITIES)}
    place, reason = en.PLACES.index, en.REASONS.index
    de, sw, ur = gen.GERMAN, gen.SWAHILI, gen.URDU
    group, women, kids = (
        person["A group of students"],
        person["Two women"],
        person["Three children"],
    )
    cat = person["A black cat"]
    birds, apple, bread = act["feeding the birds"], act["eating an apple"], act["buying bread"]
    bike = act["riding a bicycle"]  # its contradiction: "sitting on a sofa"
    cases = [
        # German: "eine Gruppe" is singular, "die Studenten" plural; separable/negated word order
        (
            de,
            ("premise", group, birds, place("at the market")),
            "Eine Gruppe von Studenten füttert auf dem Markt die Vögel.",
        ),
        (
            de,
            ("entail_place", group, bread, place("at the market")),
            "Die Studenten kaufen auf dem Markt ein.",
        ),
        (de, ("contra_not", kids, birds, 0), "Die Kinder füttern die Vögel nicht."),
        (
            de,
            ("neutral", women, apple, reason("to win a prize")),
            "Die Frauen essen einen Apfel, um einen Preis zu gewinnen.",
        ),
        # Swahili: a-/wa- subject prefixes, ha-/hawa- negatives with final -i, relative -ye-
        (sw, ("contra_not", women, apple, 0), "Wanawake hao hawali tufaha."),
        (sw, ("contra_not", cat, birds, 0), "Paka huyo hawalishi ndege."),
        (
            sw,
            ("neutral", kids, bread, reason("for money")),
            "Watoto hao wananunua mkate ili wapate pesa.",
        ),
        (sw, ("contra_nobody", cat, apple, 0), "Hakuna mtu anayekula tufaha."),
        (sw, ("contra_other", women, bike, 0), "Wanawake hao wamekaa kwenye sofa."),
        # Urdu: SOV, auxiliary agrees in gender and number; stative بیٹھا/بیٹھی/بیٹھے
        (
            ur,
            ("premise", cat, act["playing the guitar"], place("on the street")),
            "ایک کالی بلی سڑک پر گٹار بجا رہی ہے۔",
        ),
        (ur, ("contra_other", women, bike, 0), "وہ عورتیں صوفے پر بیٹھی ہیں۔"),
        (ur, ("contra_home", kids, bike, 0), "وہ بچے گھر میں صوفے پر بیٹھے ہیں۔"),
        (ur, ("entail_generic", cat, bread, 0), "ایک جانور خریداری کر رہا ہے۔"),
        (ur, ("contra_nobody", women, apple, 0), "کوئی بھی سیب نہیں کھا رہا ہے۔"),
    ]
    for lang, meaning, expected in cases:
        assert gen.render(lang, meaning) == expected, (lang.code, meaning)


def test_generator_reproduces_the_bundled_files(gen, tmp_path):
    gen.main(tmp_path)
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(
        Path("translated", lang, "MNLI", name) for lang in LANGUAGES for _, name in SPLITS
    )
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (SAMPLE / rel).read_bytes(), rel


def test_generator_refuses_rows_it_cannot_translate(gen, tmp_path):
    path = tmp_path / "train.tsv"
    english = (SAMPLE / "MNLI" / "train.tsv").read_text("utf-8").splitlines(keepends=True)
    fields = english[3].split("\t")
    fields[english[0].split("\t").index("sentence1")] = "Colourless green ideas sleep furiously."
    path.write_text("".join(english[:3]) + "\t".join(fields), "utf-8")
    with pytest.raises(SystemExit, match=r"train\.tsv:4: .*not from the templates"):
        gen.parse_rows(path)
