"""Write the bundled token-tagging samples (UD-POS, PAN-X, CCG) in each release's exact format.

* UD-POS: ``plugins/tasks/data/ud-treebanks-v2.5/UD_<Language>-<Treebank>/<code>-ud-<split>.conllu``,
  one small treebank per XTREME language (named like the real one; no dev file where UD v2.5
  has none: kk, th, tl, yo), English also with a test-only PUD file, as in the release;
  XTREME-R's lt, pl, uk, wo, ro go to ``ud-treebanks-v2.7/`` (download_data.sh takes them from
  UD v2.7).
  Sentences are hand-written (English training sentences come from seeded templates) and
  tagged with UPOS; multiword tokens (de ``zum``, fr ``du``, ar ``وقرأ``, ...) are written as range
  lines over their syntactic words, one English sentence has an empty node. Trees are kept
  flat: the main predicate (the first VERB, else the last nominal) is the root and every other
  word attaches to it as ``dep`` (``punct`` for punctuation); the samples are for POS, the
  CoNLL-U is complete and valid.
* PAN-X: XTREME's ``panx/{train,dev,test}-{lang}.tsv`` (``token<TAB>tag``; test files without tags)
  and the evaluate.py gold files ``labels/panx/test-{lang}.tsv``; zh and ja are one token per
  character, as in WikiANN. The same four sentences in every language (2 dev, 2 test), English
  dev/test and train add template sentences.
* CCG: jiant's ``ccg/ccg.{train,dev,test}`` (``text<TAB>supertags``) and ``ccg/tags_to_id.json``,
  from seeded templates with CCGbank-style categories.

The hand-written sentences and the template lexicons are in ``scripts/sample_sources/``
(``udpos_*``, ``panx_*``, ``ccg_templates.json``). Run from the repository root (or pass another
output folder):

    python scripts/make_tagging_samples.py [OUT]
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

from sample_io import DATA, SOURCES, output_folder, source

# --------------------------------------------------------------------------- UD-POS
UDPOS = source("udpos_sentences.json")
LEXICON = source("udpos_templates.json")  # English training sentences (EWT conventions)
NO_SPACE_BEFORE = {".", ",", "!", "?", ";", ":", ")", "%", "。", "、", "।", "۔", "n't", "'s"}
NO_SPACE_AFTER = {"(", "$", "«", "„"}


def parse_ud(sentence: str, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(surface token, [(word, UPOS), ...])]: one word, or several for a multiword token."""
    tokens = []
    for item in sentence.split():
        if "=" in item:
            fused, words = item.split("=", 1)
            parts = [tuple(w.rsplit("/", 1)) for w in words.split("+")]
        else:
            form, upos = item.rsplit("/", 1)
            fused, parts = form, [(form, upos)]
        if lang == "vi":
            fused = fused.replace("_", " ")
            parts = [(w.replace("_", " "), u) for w, u in parts]
        tokens.append((fused, parts))
    return tokens


def conllu_block(tokens: list[tuple[str, list[tuple[str, str]]]], lang: str, sent_id: str) -> str:
    words = [w for _, parts in tokens for w in parts]
    nominal = [
        i for i, (_, u) in enumerate(words, 1) if u in ("NOUN", "PROPN", "ADJ", "PRON", "NUM")
    ]
    verbs = [i for i, (_, u) in enumerate(words, 1) if u == "VERB"]
    root = verbs[0] if verbs else (nominal[-1] if nominal else 1)
    text, lines, n = "", [], 0
    for k, (surface, parts) in enumerate(tokens):
        nxt = tokens[k + 1][0] if k + 1 < len(tokens) else None
        space = not (
            nxt is None
            or lang in UDPOS["no_spaces"]
            or nxt in NO_SPACE_BEFORE
            or surface in NO_SPACE_AFTER
            or surface.endswith("'")
        )
        misc = "_" if space or nxt is None else "SpaceAfter=No"
        text += surface + (" " if space else "")
        if len(parts) > 1:
            lines.append(f"{n + 1}-{n + len(parts)}\t{surface}\t_\t_\t_\t_\t_\t_\t_\t{misc}")
        for form, upos in parts:
            n += 1
            head, rel = (0, "root") if n == root else (root, "punct" if upos == "PUNCT" else "dep")
            own_misc = misc if len(parts) == 1 else "_"
            lines.append(f"{n}\t{form}\t_\t{upos}\t_\t_\t{head}\t{rel}\t_\t{own_misc}")
    return f"# sent_id = {sent_id}\n# text = {text}\n" + "\n".join(lines) + "\n"


def write_conllu(path: Path, blocks: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(blocks) + "\n", "utf-8")  # every sentence ends with a blank line


def tagged(phrase: str) -> list[tuple[str, str]]:
    """[(form, UPOS)] of a "form/UPOS form/UPOS ..." phrase of the lexicon."""
    return [tuple(item.rsplit("/", 1)) for item in phrase.split()]  # type: ignore[misc]


def english_pos_sentence(rng: random.Random) -> list[tuple[str, str]]:
    """One sentence of a random template over the tagged lexicon."""

    def pick(key: str) -> str:
        return rng.choice(LEXICON[key])

    subj, obj, place = tagged(pick("subjects")), tagged(pick("objects")), tagged(pick("places"))
    plural = subj[-1][0] in ("children", "neighbors", "students", "They", "We", "I")
    kind = rng.randrange(12)
    if kind == 0:
        s = subj + [(pick("past_tv"), "VERB")] + obj + place
    elif kind == 1:
        verb, manner = pick("past_iv"), rng.choice(LEXICON["adverbs"][:2])
        s = subj + [(verb, "VERB"), (manner, "ADV")] + place
    elif kind == 2:
        aux = "are" if plural else "is"
        s = subj + [(aux, "AUX"), (pick("ing_tv"), "VERB")] + obj
    elif kind == 3:
        s = subj + [("did", "AUX"), ("not", "PART"), (pick("base_tv"), "VERB")] + obj
    elif kind == 4:
        s = subj + [("will", "AUX"), (pick("base_tv"), "VERB")] + obj + place
    elif kind == 5:
        aux = "were" if plural else "was"
        s = subj + [(aux, "AUX"), ("very", "ADV"), (pick("adjectives"), "ADJ")]
    elif kind == 6:
        s = [(pick("interjections"), "INTJ"), (",", "PUNCT")] + [lower(w, t) for w, t in subj]
        s += [(pick("past_tv"), "VERB")] + obj
    elif kind == 7:
        other = tagged(pick("subjects"))
        s = subj + [(pick("past_iv"), "VERB"), (pick("subordinators"), "SCONJ")]
        s += [lower(w, t) for w, t in other]
        s += [(pick("past_tv"), "VERB")] + obj
    elif kind == 8:
        s = subj + [(pick("past_tv"), "VERB")] + obj + [("and", "CCONJ")]
        s += [(pick("past_tv"), "VERB"), ("it", "PRON")] + place
    elif kind == 9:
        price = str(pick("prices"))
        s = [("The", "DET"), (obj[-1][0] if obj[-1][1] == "NOUN" else "ticket", "NOUN")]
        s += [("cost", "VERB"), ("$", "SYM"), (price, "NUM")]
    elif kind == 10:
        s = subj + [("wanted", "VERB"), ("to", "PART"), (pick("base_tv"), "VERB")] + obj
    else:
        s = subj + [(pick("adverbs"), "ADV"), (pick("past_tv"), "VERB")] + obj
        s += [("but", "CCONJ"), ("never", "ADV"), (pick("past_tv"), "VERB"), ("it", "PRON")]
    return s + [(".", "PUNCT")]


def lower(word: str, tag: str) -> tuple[str, str]:
    """Sentence-initial capital off, except for names and "I"."""
    return (word, tag) if tag == "PROPN" or word == "I" else (word.lower(), tag)


def as_source(words: list[tuple[str, str]]) -> str:
    return " ".join(f"{w}/{t}" for w, t in words)


UD_V27 = ("lt", "pl", "uk", "wo", "ro")  # XTREME-R's languages, from UD v2.7


def write_udpos(out: Path) -> None:
    ud, ud27 = out / "ud-treebanks-v2.5", out / "ud-treebanks-v2.7"
    for folder in (ud, ud27):
        if folder.exists():
            shutil.rmtree(folder)
    rng = random.Random(2021)
    treebanks = UDPOS["treebanks"]
    for lang, folder in treebanks.items():
        release = ud27 if lang in UD_V27 else ud
        for split, sentences in UDPOS["sentences"][lang].items():
            blocks = [
                conllu_block(parse_ud(s, lang), lang, f"{lang}-{split}-{i}")
                for i, s in enumerate(sentences, 1)
            ]
            if lang == "en":
                extra = [as_source(english_pos_sentence(rng)) for _ in range(8)]
                blocks += [
                    conllu_block(parse_ud(s, lang), lang, f"en-{split}-t{i}")
                    for i, s in enumerate(extra, 1)
                ]
                if split == "dev":  # EWT style, with an empty node (5.1) in the enhanced graph
                    blocks.insert(0, (SOURCES / "udpos_en_dev_ellipsis.conllu").read_text("utf-8"))
            write_conllu(release / f"{folder}-ud-{split}.conllu", blocks)
    train = [as_source(english_pos_sentence(rng)) for _ in range(240)]
    write_conllu(
        ud / f"{treebanks['en']}-ud-train.conllu",
        [conllu_block(parse_ud(s, "en"), "en", f"en-train-{i}") for i, s in enumerate(train, 1)],
    )
    write_conllu(
        ud / "UD_English-PUD" / "en_pud-ud-test.conllu",
        [
            conllu_block(parse_ud(s, "en"), "en", f"en-pud-{i}")
            for i, s in enumerate(UDPOS["en_pud_test"], 1)
        ],
    )


# --------------------------------------------------------------------------- PAN-X
PANX = source("panx_parallel.json")["sentences"]  # [entity words|TYPE]; 2 dev, 2 test
PANX_TEMPLATES = source("panx_templates.json")
CHARACTER_TOKENS = {"zh", "ja"}  # WikiANN tokenises these per character
ENTITY = re.compile(r"\[([^\]|]+)\|(PER|ORG|LOC)\]")


def panx_tokens(text: str, lang: str) -> list[tuple[str, str]]:
    def split(s: str) -> list[str]:
        return [c for c in s if not c.isspace()] if lang in CHARACTER_TOKENS else s.split()

    out, pos = [], 0
    for m in ENTITY.finditer(text):
        out += [(t, "O") for t in split(text[pos : m.start()])]
        out += [
            (t, ("B-" if i == 0 else "I-") + m.group(2)) for i, t in enumerate(split(m.group(1)))
        ]
        pos = m.end()
    return out + [(t, "O") for t in split(text[pos:])]


def panx_template(rng: random.Random) -> str:
    lexicon = PANX_TEMPLATES
    per, per2 = rng.sample(lexicon["per"], 2)
    loc, loc2 = rng.sample(lexicon["loc"], 2)
    y1 = rng.randint(1900, 2010)
    return rng.choice(lexicon["templates"]).format(
        PER=per,
        PER2=per2,
        ORG=rng.choice(lexicon["org"]),
        LOC=loc,
        LOC2=loc2,
        Y1=y1,
        Y2=y1 + rng.randint(1, 9),
    )


def write_tagged(path: Path, sentences: list[list[tuple[str, str]]], with_tags: bool) -> None:
    """XTREME's layout: a line per token, a blank line between sentences, none at the end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks = [
        "".join(f"{tok}\t{tag}\n" if with_tags else f"{tok}\n" for tok, tag in s) for s in sentences
    ]
    path.write_text("\n".join(blocks), "utf-8")


def write_panx(out: Path) -> None:
    for folder in (out / "panx", out / "labels" / "panx"):
        if folder.exists():
            shutil.rmtree(folder)
    rng = random.Random(2022)
    train = [panx_tokens(panx_template(rng), "en") for _ in range(320)]
    write_tagged(out / "panx" / "train-en.tsv", train, with_tags=True)
    for lang, items in PANX.items():
        dev = [panx_tokens(s, lang) for s in items[:2]]
        test = [panx_tokens(s, lang) for s in items[2:]]
        if lang == "en":
            dev += [panx_tokens(panx_template(rng), "en") for _ in range(10)]
            test += [panx_tokens(panx_template(rng), "en") for _ in range(10)]
        write_tagged(out / "panx" / f"dev-{lang}.tsv", dev, with_tags=True)
        # XTREME strips test tags; evaluate.py reads gold from labels/ (one tag per line)
        write_tagged(out / "panx" / f"test-{lang}.tsv", test, with_tags=False)
        labels = out / "labels" / "panx" / f"test-{lang}.tsv"
        labels.parent.mkdir(parents=True, exist_ok=True)
        labels.write_text("\n".join("".join(f"{t}\n" for _, t in s) for s in test), "utf-8")


# --------------------------------------------------------------------------- CCG (jiant)
CCG = source("ccg_templates.json")  # noun phrases as [word, category] pairs, template words
NP_DET = "NP[nb]/N"
TV_DCL = "(S[dcl]\\NP)/NP"
IV_DCL = "S[dcl]\\NP"
VP_MOD = "(S\\NP)\\(S\\NP)"
VP_PREP = "((S\\NP)\\(S\\NP))/NP"
NP_PREP = "(NP\\NP)/NP"
CCG_TEMPLATES = ["tv", "iv", "will", "has", "said", "wants", "is", "of", "and", "adv", "poss", "pp"]


def ccg_sentence(rng: random.Random) -> list[tuple[str, str]]:
    subj, obj = rng.choice(CCG["subjects"]), rng.choice(CCG["objects"])
    words = CCG["words"]
    kind = rng.choice(CCG_TEMPLATES)
    if kind == "tv":
        s = subj + [(rng.choice(words["tv"]), TV_DCL)] + obj
    elif kind == "iv":
        s = subj + [(rng.choice(words["iv"]), IV_DCL)]
    elif kind == "will":
        s = subj + [
            ("will", "(S[dcl]\\NP)/(S[b]\\NP)"),
            (rng.choice(words["will"]), "(S[b]\\NP)/NP"),
        ]
        s += obj
    elif kind == "has":
        s = subj + [("has", "(S[dcl]\\NP)/(S[pt]\\NP)"), ("sold", "(S[pt]\\NP)/NP")] + obj
    elif kind == "said":
        other = rng.choice(CCG["subjects"])
        s = subj + [("said", "(S[dcl]\\NP)/S[em]"), ("that", "S[em]/S[dcl]")]
        s += other + [(rng.choice(words["said"]), IV_DCL)]
    elif kind == "wants":
        s = subj + [("wants", "(S[dcl]\\NP)/(S[to]\\NP)"), ("to", "(S[to]\\NP)/(S[b]\\NP)")]
        s += [("buy", "(S[b]\\NP)/NP")] + obj
    elif kind == "is":
        s = subj + [
            ("is", "(S[dcl]\\NP)/(S[adj]\\NP)"),
            (rng.choice(words["is"]), "S[adj]\\NP"),
        ]
    elif kind == "of":
        s = [("the", NP_DET), ("price", "N"), ("of", NP_PREP)] + obj + [("rose", IV_DCL)]
    elif kind == "and":
        s = subj + [("rose", IV_DCL), (",", ","), ("and", "conj")]
        s += rng.choice(CCG["subjects"]) + [("fell", IV_DCL)]
    elif kind == "adv":
        s = subj + [("also", "(S\\NP)/(S\\NP)"), ("bought", TV_DCL)] + obj
    elif kind == "poss":
        s = [("IBM", "N"), ("'s", "(NP[nb]/N)\\NP"), ("profit", "N"), ("rose", IV_DCL)]
        s += [("sharply", VP_MOD)]
    else:
        s = subj + [("sold", TV_DCL)] + obj + [("in", VP_PREP), ("March", "N")]
    return s + [(".", ".")]


def write_ccg(out: Path) -> None:
    folder = out / "ccg"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = random.Random(2023)
    splits = {"train": 200, "dev": 30, "test": 30}
    tags: dict[str, int] = {}
    for split, n in splits.items():
        lines = []
        for _ in range(n):
            s = ccg_sentence(rng)
            for _, t in s:
                tags.setdefault(t, len(tags))
            lines.append(" ".join(w for w, _ in s) + "\t" + " ".join(t for _, t in s))
        (folder / f"ccg.{split}").write_text("".join(f"{line}\n" for line in lines), "utf-8")
    for t in CCG["extra_tags"]:  # frequent CCGbank categories beyond the sample's
        tags.setdefault(t, len(tags))
    (folder / "tags_to_id.json").write_text(json.dumps(tags, indent=1) + "\n", "utf-8")


def main(out: Path = DATA) -> None:
    """Replace the UD-POS, PAN-X and CCG folders of ``out`` with freshly written ones."""
    write_udpos(out)
    write_panx(out)
    write_ccg(out)


if __name__ == "__main__":
    main(output_folder(__doc__))
