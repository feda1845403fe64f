"""The bundled samples are generated: every script of ``scripts/`` rewrites its files byte for
byte from the hand-written sources of ``scripts/sample_sources/``, so editing a source and
rerunning its generator is the one way to change a bundled sample."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "plugins" / "tasks" / "data"
GENERATORS = (  # in dependency order: translated MNLI and MLM read make_samples' output
    "make_samples.py",
    "make_translated_samples.py",
    "make_mlm_samples.py",
    "make_qa_samples.py",
    "make_retrieval_samples.py",
    "make_xtreme_r_retrieval_samples.py",
    "make_tagging_samples.py",
    "make_mc_samples.py",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, float]:
    """(folder, start time) of every generator run as documented: ``python scripts/<name> OUT``."""
    out = tmp_path_factory.mktemp("samples")
    started = time.time()
    for name in GENERATORS:
        subprocess.run([sys.executable, str(ROOT / "scripts" / name), str(out)], check=True)
    return out, started


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}


def test_every_bundled_sample_file_has_a_generator(generated):
    out, _ = generated
    missing = sorted(map(str, _files(DATA) - _files(out)))
    assert not missing, f"bundled sample files no script of scripts/ writes: {missing}"
    assert _files(out) <= _files(DATA)


def test_generators_reproduce_the_bundled_samples_byte_for_byte(generated):
    out, _ = generated
    changed = [
        str(rel)
        for rel in sorted(_files(out) & _files(DATA))
        if (out / rel).read_bytes() != (DATA / rel).read_bytes()
    ]
    assert not changed, f"regenerated samples differ from the bundled ones: {changed}"


def test_generators_write_only_into_the_folder_given(generated):
    """The bundled folder stays untouched when another output folder is named."""
    _, started = generated
    assert not [str(p) for p in DATA.rglob("*") if p.stat().st_mtime >= started]
