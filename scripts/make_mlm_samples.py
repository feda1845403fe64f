"""Write the bundled MLM sample: plugins/tasks/data/mlm/<lang>.txt, one sentence per line.

The sentences are the premises and hypotheses of the bundled XNLI dev/test samples of
each language (unique, in file order), so the text is real and in every XNLI language.
"""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "plugins" / "tasks" / "data"


def main() -> None:
    out = DATA / "mlm"
    out.mkdir(exist_ok=True)
    for dev in sorted((DATA / "xnli").glob("dev-*.tsv")):
        lang = dev.stem.removeprefix("dev-")
        sentences: dict[str, None] = {}
        for path in (dev, DATA / "xnli" / f"test-{lang}.tsv"):
            with open(path, encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle, delimiter="\t", quotechar=None):
                    for text in row[:2]:
                        sentences.setdefault(" ".join(text.split()), None)
        (out / f"{lang}.txt").write_text("".join(f"{s}\n" for s in sentences), "utf-8")


if __name__ == "__main__":
    main()
