"""Write the bundled translated MNLI samples (de, sw, ur) for ``--intermediate mnli@LANG``.

They stand in for machine-translated MNLI (Phang et al. 2020's translated intermediate tasks,
XTREME's translate-train data): every row of the English sample ``plugins/tasks/data/MNLI/`` is
translated, keeping its ids, genre and labels, into MNLI's own GLUE layout under
``plugins/tasks/data/translated/<lang>/MNLI/{train,dev_matched}.tsv``.

The English sample is generated from templates (``scripts/make_samples.py``), so translating
it means translating the templates: each English row is parsed back into its template slots
(who, activity, place, reason, hypothesis shape) and rendered from hand-written translation
tables with each language's agreement (German verb number; Swahili subject, negative and
relative prefixes; Urdu gender/number of the progressive or stative auxiliary, SOV order).
A row the tables cannot parse is an error, so a changed English sample fails here loudly.
Run from the repository root (or pass another output folder):

    python scripts/make_translated_samples.py [OUT]
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import make_samples as english  # the English template vocabulary (scripts/ is on sys.path)

OUT = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"
LANGUAGES = ("de", "sw", "ur")
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


# ---- German
def _de_say(s: Subject, vp: DeVP, adverbial: str = "", end: str = "", negated: bool = False) -> str:
    verb = vp.pl if s.plural else vp.sg
    text = _join(s.text, verb, adverbial, vp.neg if negated else vp.rest)
    return f"{text}, {end}." if end else f"{text}."


GERMAN = Language(
    code="de",
    people={
        "A man": (Subject("Ein Mann"), Subject("Der Mann"), Subject("Eine Person")),
        "A woman": (Subject("Eine Frau"), Subject("Die Frau"), Subject("Eine Person")),
        "A young girl": (
            Subject("Ein junges Mädchen"),
            Subject("Das Mädchen"),
            Subject("Ein Kind"),
        ),
        "A little boy": (Subject("Ein kleiner Junge"), Subject("Der Junge"), Subject("Ein Kind")),
        "An old man": (Subject("Ein alter Mann"), Subject("Der alte Mann"), Subject("Eine Person")),
        "Two women": (
            Subject("Zwei Frauen", plural=True),
            Subject("Die Frauen", plural=True),
            Subject("Einige Leute", plural=True),
        ),
        "A group of students": (  # "eine Gruppe" takes a singular verb in German
            Subject("Eine Gruppe von Studenten"),
            Subject("Die Studenten", plural=True),
            Subject("Einige Leute", plural=True),
        ),
        "A tall man in a red shirt": (
            Subject("Ein großer Mann in einem roten Hemd"),
            Subject("Der Mann"),
            Subject("Ein Mann"),
        ),
        "A woman with a hat": (
            Subject("Eine Frau mit Hut"),
            Subject("Die Frau"),
            Subject("Eine Frau"),
        ),
        "A dog": (Subject("Ein Hund"), Subject("Der Hund"), Subject("Ein Tier")),
        "A black cat": (Subject("Eine schwarze Katze"), Subject("Die Katze"), Subject("Ein Tier")),
        "Three children": (
            Subject("Drei Kinder", plural=True),
            Subject("Die Kinder", plural=True),
            Subject("Einige Kinder", plural=True),
        ),
        "A chef": (Subject("Ein Küchenchef"), Subject("Der Küchenchef"), Subject("Ein Koch")),
        "A police officer": (
            Subject("Ein Polizist"),
            Subject("Der Polizist"),
            Subject("Eine Person"),
        ),
        "A teenager": (
            Subject("Ein Jugendlicher"),
            Subject("Der Jugendliche"),
            Subject("Ein junger Mensch"),
        ),
    },
    acts={
        "playing the guitar": DeVP("spielt", "spielen", "Gitarre", "keine Gitarre"),
        "riding a bicycle": DeVP("fährt", "fahren", "Fahrrad", "kein Fahrrad"),
        "eating an apple": DeVP("isst", "essen", "einen Apfel", "keinen Apfel"),
        "reading a newspaper": DeVP("liest", "lesen", "eine Zeitung", "keine Zeitung"),
        "running along the beach": DeVP(
            "läuft", "laufen", "am Strand entlang", "nicht am Strand entlang"
        ),
        "cooking dinner": DeVP("kocht", "kochen", "das Abendessen", "kein Abendessen"),
        "painting a wall": DeVP("streicht", "streichen", "eine Wand", "keine Wand"),
        "playing football": DeVP("spielt", "spielen", "Fußball", "keinen Fußball"),
        "washing a car": DeVP("wäscht", "waschen", "ein Auto", "kein Auto"),
        "climbing a mountain": DeVP("besteigt", "besteigen", "einen Berg", "keinen Berg"),
        "singing a song": DeVP("singt", "singen", "ein Lied", "kein Lied"),
        "walking in the rain": DeVP(
            "geht", "gehen", "im Regen spazieren", "nicht im Regen spazieren"
        ),
        "buying bread": DeVP("kauft", "kaufen", "Brot", "kein Brot"),
        "writing a letter": DeVP("schreibt", "schreiben", "einen Brief", "keinen Brief"),
        "feeding the birds": DeVP("füttert", "füttern", "die Vögel", "die Vögel nicht"),
    },
    generals={
        "playing an instrument": DeVP("spielt", "spielen", "ein Instrument"),
        "riding something": DeVP("ist", "sind", "mit einem Fahrzeug unterwegs"),
        "eating fruit": DeVP("isst", "essen", "Obst"),
        "reading": DeVP("liest", "lesen"),
        "running": DeVP("läuft", "laufen"),
        "preparing food": DeVP("bereitet", "bereiten", "Essen zu"),
        "painting": DeVP("streicht", "streichen", "etwas"),
        "playing a sport": DeVP("treibt", "treiben", "Sport"),
        "cleaning a vehicle": DeVP("reinigt", "reinigen", "ein Fahrzeug"),
        "climbing": DeVP("klettert", "klettern"),
        "singing": DeVP("singt", "singen"),
        "walking outside": DeVP("geht", "gehen", "draußen spazieren"),
        "shopping": DeVP("kauft", "kaufen", "ein"),
        "writing": DeVP("schreibt", "schreiben"),
        "feeding animals": DeVP("füttert", "füttern", "Tiere"),
    },
    others={
        "sleeping": DeVP("schläft", "schlafen"),
        "sitting on a sofa": DeVP("sitzt", "sitzen", "auf einem Sofa"),
        "drinking coffee": DeVP("trinkt", "trinken", "Kaffee"),
        "swimming in a lake": DeVP("schwimmt", "schwimmen", "in einem See"),
        "lying in bed": DeVP("liegt", "liegen", "im Bett"),
        "watching television": DeVP("sieht", "sehen", "fern"),
        "dancing at a party": DeVP("tanzt", "tanzen", "auf einer Party"),
        "flying a plane": DeVP("fliegt", "fliegen", "ein Flugzeug"),
        "sitting at a desk": DeVP("sitzt", "sitzen", "an einem Schreibtisch"),
        "crying quietly": DeVP("weint", "weinen", "leise"),
        "sitting indoors": DeVP("sitzt", "sitzen", "drinnen"),
        "sleeping at home": DeVP("schläft", "schlafen", "zu Hause"),
        "running a marathon": DeVP("läuft", "laufen", "einen Marathon"),
        "driving a truck": DeVP("fährt", "fahren", "einen Lastwagen"),
    },
    at_home={
        "sleeping at home": DeVP("schläft", "schlafen", "zu Hause"),
        "sitting indoors": DeVP("bleibt", "bleiben", "zu Hause drinnen"),
    },
    places={
        "on the street": "auf der Straße",
        "in the park": "im Park",
        "in a kitchen": "in einer Küche",
        "at the market": "auf dem Markt",
        "near a river": "an einem Fluss",
        "in a small village": "in einem kleinen Dorf",
        "on a busy road": "an einer belebten Straße",
        "in the garden": "im Garten",
        "at the station": "am Bahnhof",
        "outside a shop": "vor einem Geschäft",
    },
    reasons={
        "for money": ("für Geld", "mid"),
        "because it is a holiday": ("weil heute ein Feiertag ist", "end"),
        "with a best friend": ("mit einem guten Freund", "mid"),
        "for the first time": ("zum ersten Mal", "mid"),
        "to win a prize": ("um einen Preis zu gewinnen", "end"),
        "before going to work": ("vor der Arbeit", "mid"),
        "for a school project": ("für ein Schulprojekt", "mid"),
        "after a long day": ("nach einem langen Tag", "mid"),
        "while waiting for a bus": ("beim Warten auf den Bus", "mid"),
        "to impress someone": ("um jemanden zu beeindrucken", "end"),
    },
    say=_de_say,
    someone=lambda vp: _de_say(Subject("Jemand"), vp),
    nobody=lambda vp: _de_say(Subject("Niemand"), vp),
    home="zu Hause",
)


# ---- Swahili: people and animals all take the animate a-/wa- concords.
def _sw_say(s: Subject, vp: SwVP, adverbial: str = "", end: str = "", negated: bool = False) -> str:
    prefix = "wa" if s.plural else "a"
    verb = ("hawa" if s.plural else "ha") + vp.neg if negated else prefix + vp.aff
    # Swahili puts places and reasons after the verb phrase; {p} is a subject prefix slot
    return f"{_join(s.text, verb, adverbial, end.format(p=prefix))}."


def _sw_nobody(vp: SwVP) -> str:
    assert vp.aff.startswith("na"), vp  # relative of the -na- present: a-na-ye-STEM
    return f"Hakuna mtu anaye{vp.aff[2:]}."


def _sw_people(who: str, the: str, generic: str, plural: bool = False, gplural: bool = False):
    return (Subject(who, plural), Subject(the, plural), Subject(generic, gplural))


SWAHILI = Language(
    code="sw",
    people={
        "A man": _sw_people("Mwanamume", "Mwanamume huyo", "Mtu"),
        "A woman": _sw_people("Mwanamke", "Mwanamke huyo", "Mtu"),
        "A young girl": _sw_people("Msichana mdogo", "Msichana huyo", "Mtoto"),
        "A little boy": _sw_people("Mvulana mdogo", "Mvulana huyo", "Mtoto"),
        "An old man": _sw_people("Mzee", "Mzee huyo", "Mtu"),
        "Two women": _sw_people("Wanawake wawili", "Wanawake hao", "Watu kadhaa", True, True),
        "A group of students": _sw_people(
            "Wanafunzi kadhaa", "Wanafunzi hao", "Watu kadhaa", True, True
        ),
        "A tall man in a red shirt": _sw_people(
            "Mwanamume mrefu aliyevaa shati jekundu", "Mwanamume huyo", "Mwanamume"
        ),
        "A woman with a hat": _sw_people("Mwanamke aliyevaa kofia", "Mwanamke huyo", "Mwanamke"),
        "A dog": _sw_people("Mbwa", "Mbwa huyo", "Mnyama"),
        "A black cat": _sw_people("Paka mweusi", "Paka huyo", "Mnyama"),
        "Three children": _sw_people("Watoto watatu", "Watoto hao", "Watoto kadhaa", True, True),
        "A chef": _sw_people("Mpishi mkuu", "Mpishi huyo", "Mpishi"),
        "A police officer": _sw_people("Afisa wa polisi", "Afisa huyo", "Mtu"),
        "A teenager": _sw_people("Kijana", "Kijana huyo", "Mtu"),
    },
    acts={
        "playing the guitar": SwVP("napiga gitaa", "pigi gitaa"),
        "riding a bicycle": SwVP("naendesha baiskeli", "endeshi baiskeli"),
        "eating an apple": SwVP("nakula tufaha", "li tufaha"),
        "reading a newspaper": SwVP("nasoma gazeti", "somi gazeti"),
        "running along the beach": SwVP("nakimbia ufukweni", "kimbii ufukweni"),
        "cooking dinner": SwVP("napika chakula cha jioni", "piki chakula cha jioni"),
        "painting a wall": SwVP("napaka ukuta rangi", "paki ukuta rangi"),
        "playing football": SwVP("nacheza mpira wa miguu", "chezi mpira wa miguu"),
        "washing a car": SwVP("naosha gari", "oshi gari"),
        "climbing a mountain": SwVP("napanda mlima", "pandi mlima"),
        "singing a song": SwVP("naimba wimbo", "imbi wimbo"),
        "walking in the rain": SwVP("natembea mvuani", "tembei mvuani"),
        "buying bread": SwVP("nanunua mkate", "nunui mkate"),
        "writing a letter": SwVP("naandika barua", "andiki barua"),
        "feeding the birds": SwVP("nawalisha ndege", "walishi ndege"),
    },
    generals={
        "playing an instrument": SwVP("napiga ala ya muziki"),
        "riding something": SwVP("naendesha kitu fulani"),
        "eating fruit": SwVP("nakula matunda"),
        "reading": SwVP("nasoma"),
        "running": SwVP("nakimbia"),
        "preparing food": SwVP("naandaa chakula"),
        "painting": SwVP("napaka rangi"),
        "playing a sport": SwVP("nacheza mchezo fulani"),
        "cleaning a vehicle": SwVP("nasafisha chombo cha usafiri"),
        "climbing": SwVP("napanda juu"),
        "singing": SwVP("naimba"),
        "walking outside": SwVP("natembea nje"),
        "shopping": SwVP("nanunua vitu"),
        "writing": SwVP("naandika"),
        "feeding animals": SwVP("nawalisha wanyama"),
    },
    others={
        "sleeping": SwVP("melala"),
        "sitting on a sofa": SwVP("mekaa kwenye sofa"),
        "drinking coffee": SwVP("nakunywa kahawa"),
        "swimming in a lake": SwVP("naogelea ziwani"),
        "lying in bed": SwVP("melala kitandani"),
        "watching television": SwVP("natazama televisheni"),
        "dancing at a party": SwVP("nacheza dansi kwenye sherehe"),
        "flying a plane": SwVP("narusha ndege"),
        "sitting at a desk": SwVP("mekaa kwenye dawati"),
        "crying quietly": SwVP("nalia kimya kimya"),
        "sitting indoors": SwVP("mekaa ndani"),
        "sleeping at home": SwVP("melala nyumbani"),
        "running a marathon": SwVP("nakimbia mbio za marathoni"),
        "driving a truck": SwVP("naendesha lori"),
    },
    at_home={
        "sleeping at home": SwVP("melala nyumbani"),
        "sitting indoors": SwVP("mekaa ndani ya nyumba"),
    },
    places={
        "on the street": "barabarani",
        "in the park": "kwenye bustani ya umma",
        "in a kitchen": "jikoni",
        "at the market": "sokoni",
        "near a river": "karibu na mto",
        "in a small village": "katika kijiji kidogo",
        "on a busy road": "kwenye barabara yenye shughuli nyingi",
        "in the garden": "bustanini",
        "at the station": "kwenye kituo cha treni",
        "outside a shop": "nje ya duka",
    },
    reasons={
        "for money": ("ili {p}pate pesa", "end"),
        "because it is a holiday": ("kwa sababu leo ni sikukuu", "end"),
        "with a best friend": ("pamoja na rafiki wa karibu", "end"),
        "for the first time": ("kwa mara ya kwanza", "end"),
        "to win a prize": ("ili kushinda zawadi", "end"),
        "before going to work": ("kabla ya kwenda kazini", "end"),
        "for a school project": ("kwa ajili ya mradi wa shule", "end"),
        "after a long day": ("baada ya siku ndefu", "end"),
        "while waiting for a bus": ("huku {p}kisubiri basi", "end"),
        "to impress someone": ("ili kumvutia mtu fulani", "end"),
    },
    say=_sw_say,
    someone=lambda vp: _sw_say(Subject("Mtu fulani"), vp),
    nobody=_sw_nobody,
    home="nyumbani",
)


# ---- Urdu
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


_M, _F = False, True


def _ur(text: str, feminine: bool = False, plural: bool = False) -> Subject:
    return Subject(text, plural, feminine)


URDU = Language(
    code="ur",
    people={
        "A man": (_ur("ایک آدمی"), _ur("وہ آدمی"), _ur("ایک شخص")),
        "A woman": (_ur("ایک عورت", _F), _ur("وہ عورت", _F), _ur("ایک شخص")),
        "A young girl": (_ur("ایک چھوٹی لڑکی", _F), _ur("وہ لڑکی", _F), _ur("ایک بچی", _F)),
        "A little boy": (_ur("ایک چھوٹا لڑکا"), _ur("وہ لڑکا"), _ur("ایک بچہ")),
        "An old man": (_ur("ایک بوڑھا آدمی"), _ur("وہ بوڑھا آدمی"), _ur("ایک شخص")),
        "Two women": (
            _ur("دو عورتیں", _F, True),
            _ur("وہ عورتیں", _F, True),
            _ur("کچھ لوگ", _M, True),
        ),
        "A group of students": (  # "ایک گروپ" is masculine singular
            _ur("طلبہ کا ایک گروپ"),
            _ur("وہ طلبہ", _M, True),
            _ur("کچھ لوگ", _M, True),
        ),
        "A tall man in a red shirt": (
            _ur("سرخ قمیض پہنے ایک لمبا آدمی"),
            _ur("وہ آدمی"),
            _ur("ایک آدمی"),
        ),
        "A woman with a hat": (
            _ur("ٹوپی پہنے ایک عورت", _F),
            _ur("وہ عورت", _F),
            _ur("ایک عورت", _F),
        ),
        "A dog": (_ur("ایک کتا"), _ur("وہ کتا"), _ur("ایک جانور")),
        "A black cat": (_ur("ایک کالی بلی", _F), _ur("وہ بلی", _F), _ur("ایک جانور")),
        "Three children": (
            _ur("تین بچے", _M, True),
            _ur("وہ بچے", _M, True),
            _ur("کچھ بچے", _M, True),
        ),
        "A chef": (_ur("ایک شیف"), _ur("وہ شیف"), _ur("ایک باورچی")),
        "A police officer": (_ur("ایک پولیس افسر"), _ur("وہ افسر"), _ur("ایک شخص")),
        "A teenager": (_ur("ایک نوجوان"), _ur("وہ نوجوان"), _ur("ایک کم عمر شخص")),
    },
    acts={
        "playing the guitar": UrVP("گٹار", "بجا"),
        "riding a bicycle": UrVP("سائیکل", "چلا"),
        "eating an apple": UrVP("سیب", "کھا"),
        "reading a newspaper": UrVP("اخبار", "پڑھ"),
        "running along the beach": UrVP("ساحل کے کنارے", "دوڑ"),
        "cooking dinner": UrVP("رات کا کھانا", "پکا"),
        "painting a wall": UrVP("دیوار پر رنگ", "کر"),
        "playing football": UrVP("فٹ بال", "کھیل"),
        "washing a car": UrVP("گاڑی", "دھو"),
        "climbing a mountain": UrVP("پہاڑ پر", "چڑھ"),
        "singing a song": UrVP("گانا", "گا"),
        "walking in the rain": UrVP("بارش میں چہل قدمی", "کر"),
        "buying bread": UrVP("ڈبل روٹی", "خرید"),
        "writing a letter": UrVP("خط", "لکھ"),
        "feeding the birds": UrVP("پرندوں کو دانہ", "ڈال"),
    },
    generals={
        "playing an instrument": UrVP("ایک ساز", "بجا"),
        "riding something": UrVP("کوئی سواری", "چلا"),
        "eating fruit": UrVP("پھل", "کھا"),
        "reading": UrVP("", "پڑھ"),
        "running": UrVP("", "دوڑ"),
        "preparing food": UrVP("کھانا تیار", "کر"),
        "painting": UrVP("رنگ و روغن", "کر"),
        "playing a sport": UrVP("کوئی کھیل", "کھیل"),
        "cleaning a vehicle": UrVP("ایک گاڑی صاف", "کر"),
        "climbing": UrVP("چڑھائی", "کر"),
        "singing": UrVP("", "گا"),
        "walking outside": UrVP("باہر چہل قدمی", "کر"),
        "shopping": UrVP("خریداری", "کر"),
        "writing": UrVP("", "لکھ"),
        "feeding animals": UrVP("جانوروں کو کھانا", "کھلا"),
    },
    others={
        "sleeping": UrVP("", "سو"),
        "sitting on a sofa": UrVP("صوفے پر", "بیٹھ", "stat"),
        "drinking coffee": UrVP("کافی", "پی"),
        "swimming in a lake": UrVP("ایک جھیل میں", "تیر"),
        "lying in bed": UrVP("بستر پر", "لیٹ", "stat"),
        "watching television": UrVP("ٹی وی", "دیکھ"),
        "dancing at a party": UrVP("ایک دعوت میں", "ناچ"),
        "flying a plane": UrVP("ہوائی جہاز", "اڑا"),
        "sitting at a desk": UrVP("میز کے سامنے", "بیٹھ", "stat"),
        "crying quietly": UrVP("چپکے چپکے", "رو"),
        "sitting indoors": UrVP("اندر", "بیٹھ", "stat"),
        "sleeping at home": UrVP("گھر میں", "سو"),
        "running a marathon": UrVP("میراتھن", "دوڑ"),
        "driving a truck": UrVP("ٹرک", "چلا"),
    },
    at_home={
        "sleeping at home": UrVP("گھر میں", "سو"),
        "sitting indoors": UrVP("گھر کے اندر", "بیٹھ", "stat"),
        "swimming in a lake": UrVP("گھر کے قریب ایک جھیل میں", "تیر"),
        "dancing at a party": UrVP("گھر پر ایک دعوت میں", "ناچ"),
    },
    places={
        "on the street": "سڑک پر",
        "in the park": "پارک میں",
        "in a kitchen": "ایک باورچی خانے میں",
        "at the market": "بازار میں",
        "near a river": "ایک دریا کے قریب",
        "in a small village": "ایک چھوٹے سے گاؤں میں",
        "on a busy road": "ایک مصروف سڑک پر",
        "in the garden": "باغ میں",
        "at the station": "اسٹیشن پر",
        "outside a shop": "ایک دکان کے باہر",
    },
    reasons={
        "for money": ("پیسوں کے لیے", "mid"),
        "because it is a holiday": ("کیونکہ آج چھٹی کا دن ہے", "end"),
        "with a best friend": ("اپنے ایک گہرے دوست کے ساتھ", "mid"),
        "for the first time": ("پہلی بار", "mid"),
        "to win a prize": ("انعام جیتنے کے لیے", "mid"),
        "before going to work": ("کام پر جانے سے پہلے", "mid"),
        "for a school project": ("اسکول کے ایک پروجیکٹ کے لیے", "mid"),
        "after a long day": ("ایک لمبے دن کے بعد", "mid"),
        "while waiting for a bus": ("بس کا انتظار کرتے ہوئے", "mid"),
        "to impress someone": ("کسی کو متاثر کرنے کے لیے", "mid"),
    },
    say=_ur_say,
    someone=lambda vp: _ur_say(_ur("کوئی"), vp),
    nobody=lambda vp: _ur_say(_ur("کوئی بھی"), vp, negated=True),
    home="گھر میں",
)

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


def main(out: Path = OUT) -> None:
    _check_templates()
    for name in FILES:
        header, rows = parse_rows(OUT / "MNLI" / name)
        for lang in TRANSLATIONS.values():
            translated = [
                [*fields[:8], render(lang, premise), render(lang, hypothesis), *fields[10:]]
                for fields, premise, hypothesis in rows
            ]
            write_tsv(out / "translated" / lang.code / "MNLI" / name, [header, *translated])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
