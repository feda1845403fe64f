"""Write the bundled MLM sample: plugins/tasks/data/mlm/<lang>.txt, one sentence per line.

The sentences are the premises and hypotheses of the bundled XNLI dev/test samples of
each language (unique, in file order), so the text is real and in every XNLI language.
Run from the repository root (or pass another output folder) after ``make_samples.py``:

    python scripts/make_mlm_samples.py [OUT]
"""

from __future__ import annotations

import csv
from pathlib import Path

from sample_io import DATA, output_folder


def main(out: Path = DATA, xnli: Path = DATA) -> None:
    """Read ``xnli/xnli/`` (the bundled XNLI sample), write ``out/mlm/``."""
    folder = out / "mlm"
    folder.mkdir(parents=True, exist_ok=True)
    for dev in sorted((xnli / "xnli").glob("dev-*.tsv")):
        lang = dev.stem.removeprefix("dev-")
        sentences: dict[str, None] = {}
        for path in (dev, xnli / "xnli" / f"test-{lang}.tsv"):
            with open(path, encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle, delimiter="\t", quotechar=None):
                    for text in row[:2]:
                        sentences.setdefault(" ".join(text.split()), None)
        (folder / f"{lang}.txt").write_text("".join(f"{s}\n" for s in sentences), "utf-8")


if __name__ == "__main__":
    main(output_folder(__doc__))
