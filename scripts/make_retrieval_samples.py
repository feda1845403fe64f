"""Write the bundled BUCC 2018 and Tatoeba samples in XTREME's download layout.

Sources are hand-written parallel sentences in ``scripts/sample_sources/``:
``bucc2018_parallel.json`` (news-style sentences in en/de/fr/ru/zh) and
``tatoeba_parallel.json`` (short everyday sentences in English and XTREME-R's 41 Tatoeba
languages: XTREME's 36 and az, lt, pl, uk, ro). Output, under ``plugins/tasks/data/``:

- ``bucc2018/{xx}-en.{dev,test}.{xx,en}``: ``id<TAB>sentence`` lines as in the BUCC 2018
  release (ids ``xx-000000001``...), ``bucc2018/{xx}-en.dev.gold`` (``xx_id<TAB>en_id``),
  and the test gold where evaluate.py keeps it, ``labels/bucc2018/test-{xx}.tsv`` (XTREME's
  download_data.sh deletes ``*test.gold``). Each split mixes true pairs with sentences whose
  translation is absent from the other side, as comparable corpora do.
- ``tatoeba/{xx}-en.{xx}`` and ``tatoeba/{xx}-en.en`` as XTREME's utils_preprocess.py
  writes them (English sorted, so line numbers no longer align), and the gold index of
  each English line's translation in ``labels/tatoeba/test-{xx}.tsv``.

Run from the repository root (deterministic: the same files every time; or pass another
output folder)::

    python scripts/make_retrieval_samples.py [OUT]
"""

from __future__ import annotations

import random
from pathlib import Path

from sample_io import DATA, output_folder, source

BUCC_PAIRS, BUCC_SOURCE_ONLY, BUCC_ENGLISH_ONLY = 14, 5, 5
"""Per split and language: 24 items, 14 parallel, 5 and 5 with no translation opposite."""


def write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), "utf-8")


def bucc(out: Path) -> None:
    doc = source("bucc2018_parallel.json")
    items = doc["items"]
    half = len(items) // 2
    for lang in [x for x in doc["languages"] if x != "en"]:
        for split, chunk in (("dev", items[:half]), ("test", items[half:])):
            rng = random.Random(f"bucc2018-{lang}-{split}")
            order = list(range(len(chunk)))
            rng.shuffle(order)
            pairs = order[:BUCC_PAIRS]
            source_only = order[BUCC_PAIRS : BUCC_PAIRS + BUCC_SOURCE_ONLY]
            english_only = order[BUCC_PAIRS + BUCC_SOURCE_ONLY :][:BUCC_ENGLISH_ONLY]
            source_items = pairs + source_only
            english_items = pairs + english_only
            rng.shuffle(source_items)
            rng.shuffle(english_items)
            source_id = {i: f"{lang}-{n:09d}" for n, i in enumerate(source_items, 1)}
            english_id = {i: f"en-{n:09d}" for n, i in enumerate(english_items, 1)}
            prefix = out / "bucc2018" / f"{lang}-en.{split}"
            write_lines(
                prefix.with_name(f"{prefix.name}.{lang}"),
                [f"{source_id[i]}\t{chunk[i][lang]}" for i in source_items],
            )
            write_lines(
                prefix.with_name(f"{prefix.name}.en"),
                [f"{english_id[i]}\t{chunk[i]['en']}" for i in english_items],
            )
            gold = sorted(f"{source_id[i]}\t{english_id[i]}" for i in pairs)
            if split == "dev":
                write_lines(prefix.with_name(f"{prefix.name}.gold"), gold)
            else:
                write_lines(out / "labels" / "bucc2018" / f"test-{lang}.tsv", gold)


def tatoeba(out: Path) -> None:
    doc = source("tatoeba_parallel.json")
    items = doc["items"]
    for lang in [x for x in doc["languages"] if x != "en"]:
        order = list(range(len(items)))
        random.Random(f"tatoeba-{lang}").shuffle(order)
        foreign = [items[i][lang] for i in order]
        english = [items[i]["en"] for i in order]
        # utils_preprocess.py: source copied as is, English sorted (stable) by text
        ranked = sorted(range(len(english)), key=lambda j: english[j])
        write_lines(out / "tatoeba" / f"{lang}-en.{lang}", foreign)
        write_lines(out / "tatoeba" / f"{lang}-en.en", [english[j] for j in ranked])
        write_lines(out / "labels" / "tatoeba" / f"test-{lang}.tsv", [str(j) for j in ranked])


def main(out: Path = DATA) -> None:
    bucc(out)
    tatoeba(out)


if __name__ == "__main__":
    main(output_folder(__doc__))
