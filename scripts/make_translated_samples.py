"""Write the bundled translated MNLI samples (de, sw, ur) for ``--intermediate mnli@LANG``.

They stand in for machine-translated MNLI (Phang et al. 2020's translated intermediate tasks,
XTREME's translate-train data): every row of the English sample ``plugins/tasks/data/MNLI/`` is
translated, keeping its ids, genre and labels, into MNLI's own GLUE layout under
``plugins/tasks/data/translated/<lang>/MNLI/{train,dev_matched}.tsv``.

The English sample is generated from templates (``scripts/make_samples.py``), so translating
it means translating the templates: each English row is parsed back into its template slots
(who, activity, place, reason, hypothesis shape) and rendered from the hand-written translation
tables ``scripts/sample_sources/translated_mnli_<lang>.json`` with each language's agreement,
written here (German verb number; Swahili subject, negative and relative prefixes; Urdu
gender/number of the progressive or stative auxiliary, SOV order). A row the tables cannot
parse is an error, so a changed English sample fails here loudly. Run from the repository
root (or pass another output folder):

    python scripts/make_translated_samples.py [OUT]
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import make_samples as english  # the English template vocabulary (scripts/ is on sys.path)
from sample_io import DATA, output_folder, source

FILES = ("train.tsv", "dev_matched.tsv")

# A hypothesis or premise, as template slots: (shape, person, activity, place or reason).
Meaning = tuple[str, int, int, int]
SHAPES = (
    "premise",  # {who} is {act} {place}.
    "entail_generic",  # {generic} is {act_general}.
    "entail_place",  # {the} is {act_general} {place}.
    "entail_someone",  # Someone is {act}.
    "neutral",  # {the} is {act} {reason}.
    "contra_not",  # {the} is not {act}.
    "contra_nobody",  # Nobody is {act}.
    "contra_other",  # {the} is {other}.
    "contra_home",  # {the} is {other} at home.
)
_NEGATION_SHAPES = {
    "{the} is not {act}.": "contra_not",
    "Nobody is {act}.": "contra_nobody",
    "{the} is {other}.": "contra_other",
    "{the} is {other} at home.": "contra_home",
}


def render_english(meaning: Meaning) -> str:
    """The English sentence ``make_samples.nli_triples`` writes for these slots (same rules)."""
    shape, i, j, x = meaning
    who, the, generic = english.PEOPLE[i]
    act, act_general, other = english.ACTIVITIES[j]
    verb = "are" if the.endswith(("women", "students", "children")) else "is"
    if shape == "premise":
        return f"{who} {verb} {act} {english.PLACES[x]}."
    if shape == "entail_generic":
        gverb = "are" if generic.startswith("Some") else "is"
        return f"{generic} {gverb} {act_general}."
    if shape == "entail_place":
        return f"{the} {verb} {act_general} {english.PLACES[x]}."
    if shape == "entail_someone":
        return f"Someone is {act}."
    if shape == "neutral":
        return f"{the} {verb} {act} {english.REASONS[x]}."
    template = {v: k for k, v in _NEGATION_SHAPES.items()}[shape]
    text = template.format(the=the, act=act, other=other)
    if verb == "are":
        text = text.replace(" is ", " are ").replace("Nobody are", "Nobody is")
    return text


# --------------------------------------------------------------------------- languages
@dataclass(frozen=True)
class Subject:
    text: str
    plural: bool = False
    feminine: bool = False  # Urdu verbs agree in gender


@dataclass(frozen=True)
class DeVP:
    """German finite verb (3sg, 3pl), the rest of the phrase, and its negated rest.

    Adverbials (place, most reasons) go between the verb and the rest (the middle field),
    so separable particles and objects stay at the end: "kauft auf dem Markt ein".
    """

    sg: str
    pl: str
    rest: str = ""
    neg: str = ""


@dataclass(frozen=True)
class SwVP:
    """Swahili verb after the subject prefix (tense marker on), and the negative stem.

    "napiga gitaa" -> a-napiga / wa-napiga; negative ha-pigi / hawa-pigi; relative
    (``Hakuna mtu ...``) anaye-piga. Stative verbs use -me-: a-melala ("is asleep").
    """

    aff: str
    neg: str = ""


@dataclass(frozen=True)
class UrVP:
    """Urdu object/complement, verb stem and aspect (SOV; the auxiliary agrees with the subject).

    aspect "prog": stem + رہا/رہی/رہے + ہے/ہیں; "stat": stem + ا/ی/ے + ہے/ہیں (بیٹھا ہے).
    """

    obj: str
    stem: str
    aspect: str = "prog"


@dataclass(frozen=True)
class Language:
    """Translation tables keyed by the English template strings, and how to say a clause."""

    code: str
    people: dict[str, tuple[Subject, Subject, Subject]]  # English "who" -> (who, the, generic)
    acts: dict[str, object]
    generals: dict[str, object]
    others: dict[str, object]
    at_home: dict[str, object]  # English other -> its "at home" phrase where not derived
    places: dict[str, str]
    reasons: dict[str, tuple[str, str]]  # English reason -> (text, "mid" | "end")
    say: Callable[..., str]  # say(subject, vp, adverbial=, end=, negated=)
    someone: Callable[[object], str]
    nobody: Callable[[object], str]
    home: str  # the "at home" adverbial


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _subject(value: str | list[str]) -> Subject:
    """A subject of the tables: its text, or [text, "plural" and/or "feminine"]."""
    if isinstance(value, str):
        return Subject(value)
    text, *flags = value
    return Subject(text, plural="plural" in flags, feminine="feminine" in flags)


def _language(
    code: str, phrase: type, say: Callable[..., str], nobody: Callable[[str, object], str]
) -> Language:
    """The tables of ``sample_sources/translated_mnli_<code>.json``; verb phrases are the
    positional fields of ``phrase``, ``nobody(word, vp)`` says "Nobody is {act}."."""
    table = source(f"translated_mnli_{code}.json")
    someone = Subject(table["someone"])

    def phrases(key: str) -> dict[str, object]:
        return {en: phrase(*fields) for en, fields in table[key].items()}

    return Language(
        code=code,
        people={en: tuple(map(_subject, s)) for en, s in table["people"].items()},  # type: ignore[misc]
        acts=phrases("acts"),
        generals=phrases("generals"),
        others=phrases("others"),
        at_home=phrases("at_home"),
        places=table["places"],
        reasons={en: tuple(r) for en, r in table["reasons"].items()},  # type: ignore[misc]
        say=say,
        someone=lambda vp: say(someone, vp),
        nobody=functools.partial(nobody, table["nobody"]),
        home=table["home"],
    )


# ---- German ("eine Gruppe" takes a singular verb, "die Studenten" a plural one)
def _de_say(s: Subject, vp: DeVP, adverbial: str = "", end: str = "", negated: bool = False) -> str:
    verb = vp.pl if s.plural else vp.sg
    text = _join(s.text, verb, adverbial, vp.neg if negated else vp.rest)
    return f"{text}, {end}." if end else f"{text}."


# ---- Swahili: people and animals all take the animate a-/wa- concords.
def _sw_say(s: Subject, vp: SwVP, adverbial: str = "", end: str = "", negated: bool = False) -> str:
    prefix = "wa" if s.plural else "a"
    verb = ("hawa" if s.plural else "ha") + vp.neg if negated else prefix + vp.aff
    # Swahili puts places and reasons after the verb phrase; {p} is a subject prefix slot
    return f"{_join(s.text, verb, adverbial, end.format(p=prefix))}."


def _sw_nobody(word: str, vp: SwVP) -> str:
    assert vp.aff.startswith("na"), vp  # relative of the -na- present: a-na-ye-STEM
    return f"{word} anaye{vp.aff[2:]}."


# ---- Urdu ("ایک گروپ" is masculine singular)
_UR_AUX = {  # (aspect, plural, feminine) -> verb ending after the stem
    ("prog", False, False): " رہا ہے",
    ("prog", False, True): " رہی ہے",
    ("prog", True, False): " رہے ہیں",
    ("prog", True, True): " رہی ہیں",
    ("stat", False, False): "ا ہے",
    ("stat", False, True): "ی ہے",
    ("stat", True, False): "ے ہیں",
    ("stat", True, True): "ی ہیں",
}


def _ur_say(s: Subject, vp: UrVP, adverbial: str = "", end: str = "", negated: bool = False) -> str:
    verb = vp.stem + _UR_AUX[vp.aspect, s.plural, s.feminine]
    return f"{_join(s.text, adverbial, vp.obj, 'نہیں' if negated else '', verb, end)}۔"


GERMAN = _language("de", DeVP, _de_say, lambda word, vp: _de_say(Subject(word), vp))
SWAHILI = _language("sw", SwVP, _sw_say, _sw_nobody)
URDU = _language("ur", UrVP, _ur_say, lambda word, vp: _ur_say(Subject(word), vp, negated=True))
TRANSLATIONS = {lang.code: lang for lang in (GERMAN, SWAHILI, URDU)}


def render(lang: Language, meaning: Meaning) -> str:
    """The sentence for these template slots in ``lang``."""
    shape, i, j, x = meaning
    who, the, generic = lang.people[english.PEOPLE[i][0]]
    act_en, general_en, other_en = english.ACTIVITIES[j]
    act, general, other = lang.acts[act_en], lang.generals[general_en], lang.others[other_en]
    if shape == "premise":
        return lang.say(who, act, adverbial=lang.places[english.PLACES[x]])
    if shape == "entail_generic":
        return lang.say(generic, general)
    if shape == "entail_place":
        return lang.say(the, general, adverbial=lang.places[english.PLACES[x]])
    if shape == "entail_someone":
        return lang.someone(act)
    if shape == "neutral":
        text, position = lang.reasons[english.REASONS[x]]
        if position == "end":
            return lang.say(the, act, end=text)
        return lang.say(the, act, adverbial=text)
    if shape == "contra_not":
        return lang.say(the, act, negated=True)
    if shape == "contra_nobody":
        return lang.nobody(act)
    if shape == "contra_other":
        return lang.say(the, other)
    assert shape == "contra_home", shape
    if other_en in lang.at_home:
        return lang.say(the, lang.at_home[other_en])
    return lang.say(the, other, adverbial=lang.home)


# --------------------------------------------------------------------------- parsing
def _check_templates() -> None:
    if {*english.NEGATIONS} != {*_NEGATION_SHAPES}:
        raise SystemExit(
            "scripts/make_samples.py NEGATIONS changed; update _NEGATION_SHAPES and the tables"
        )
    for lang in TRANSLATIONS.values():
        for table, keys in (
            (lang.people, [p[0] for p in english.PEOPLE]),
            (lang.acts, [a[0] for a in english.ACTIVITIES]),
            (lang.generals, [a[1] for a in english.ACTIVITIES]),
            (lang.others, [a[2] for a in english.ACTIVITIES]),
            (lang.places, english.PLACES),
            (lang.reasons, english.REASONS),
        ):
            missing = sorted(set(keys) - set(table))
            if missing:
                raise SystemExit(f"{lang.code}: no translation for {missing}")


def _premises() -> dict[str, Meaning]:
    out: dict[str, Meaning] = {}
    for i in range(len(english.PEOPLE)):
        for j in range(len(english.ACTIVITIES)):
            for k in range(len(english.PLACES)):
                meaning = ("premise", i, j, k)
                text = render_english(meaning)
                assert text not in out, text  # premises are unambiguous
                out[text] = meaning
    return out


def _hypotheses(i: int, j: int, k: int) -> list[Meaning]:
    """Every hypothesis the English generator can pair with premise (i, j, k)."""
    out: list[Meaning] = [
        ("entail_generic", i, j, 0),
        ("entail_place", i, j, k),
        ("entail_someone", i, j, 0),
    ]
    out += [("neutral", i, j, r) for r in range(len(english.REASONS))]
    out += [(s, i, j, 0) for s in ("contra_not", "contra_nobody", "contra_other", "contra_home")]
    return out


def parse_rows(path: Path) -> tuple[list[str], list[tuple[list[str], Meaning, Meaning]]]:
    """The header and (fields, premise slots, hypothesis slots) of each English GLUE MNLI row."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle, delimiter="\t", quotechar=None))
    premises = _premises()
    rows = []
    for n, fields in enumerate(lines[1:], 2):
        premise = premises.get(fields[8])
        if premise is None:
            raise SystemExit(f"{path}:{n}: premise {fields[8]!r} is not from the templates")
        _, i, j, k = premise
        found = [m for m in _hypotheses(i, j, k) if render_english(m) == fields[9]]
        if not found:
            raise SystemExit(f"{path}:{n}: hypothesis {fields[9]!r} is not from the templates")
        for lang in TRANSLATIONS.values():  # an ambiguous parse must not matter
            if len({render(lang, m) for m in found}) != 1:
                raise SystemExit(f"{path}:{n}: {fields[9]!r} reads two ways in {lang.code}")
        rows.append((fields, premise, found[0]))
    return lines[0], rows


def write_tsv(path: Path, rows: list[list[str]]) -> None:
    """GLUE's tsv: tab-joined, no quoting (quotes are literal in the release)."""
    for row in rows:
        assert not any(c in field for field in row for c in "\t\r\n"), row
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join("\t".join(row) + "\n" for row in rows), "utf-8")


def main(out: Path = DATA, mnli: Path = DATA) -> None:
    """Translate ``mnli/MNLI/`` (the English sample) into ``out/translated/<lang>/MNLI/``."""
    _check_templates()
    for name in FILES:
        header, rows = parse_rows(mnli / "MNLI" / name)
        for lang in TRANSLATIONS.values():
            translated = [
                [*fields[:8], render(lang, premise), render(lang, hypothesis), *fields[10:]]
                for fields, premise, hypothesis in rows
            ]
            write_tsv(out / "translated" / lang.code / "MNLI" / name, [header, *translated])


if __name__ == "__main__":
    main(output_folder(__doc__))
