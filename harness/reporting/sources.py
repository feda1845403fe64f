"""Where records come from: run folders and result files, read in one place.

Run folders (``runs/<run id>/results.json`` with ``run.json`` beside it) may be in progress
or damaged: an invalid ``results.json`` is listed and skipped. Result files
(``leaderboards/results/*.json``, written by ``harness submit``) are committed: one that
is damaged, fails the schema, lacks provenance or whose records do not match their
provenance is refused in one line naming it, since the tables must never show a number
nobody can trace. Rows of one comparison trained under different protocols are labelled.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.reporting.records import Record, latest
from harness.results import bootstrap_path, read_results
from harness.validation import errors

FORMAT = "harness.submission/1"
# Hyper-parameters that do not change the trained model; the batch layout is compared
# through the records' own batch labels (global batch vs. the protocol's).
NOT_PROTOCOL = frozenset(
    {"bootstrap_samples", "eval_batch_size", "batch_size", "accumulate_grad_batches"}
)
FIX = "restore it (git checkout) or write it again with `harness submit RUN_DIR`"
Protocol = tuple[str, dict[str, Any]]  # preset name, hyper-parameters per task


# --------------------------------------------------------------------------- files
def run_result_files(paths: Iterable[Path]) -> list[Path]:
    """Every run's ``results.json``: ``paths`` are such files or folders holding runs."""
    out: list[Path] = []
    for path in map(Path, paths):
        out += [path] if path.is_file() else sorted(path.rglob("results.json"))
    return out


def result_files(paths: Iterable[Path]) -> list[Path]:
    """Result files given directly or as ``*.json`` anywhere under a folder."""
    out: list[Path] = []
    for path in map(Path, paths):
        if not path.exists():
            raise HarnessError(
                f"{path}: no such result file or folder; write one with `harness submit "
                "RUN_DIR`, or build from run folders with --runs runs"
            )
        out += [path] if path.is_file() else sorted(path.rglob("*.json"))
    return out


def read_result_file(path: Path) -> dict[str, Any]:
    """The validated document of one result file, or a one-line HarnessError naming it."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{path}: unreadable result file ({exc}); {FIX}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HarnessError(
            f'{path}: not a result file (no "format": "{FORMAT}"); only files written '
            "by `harness submit RUN_DIR` belong in the results folder"
        )
    if not isinstance(document.get("provenance"), dict):
        raise HarnessError(
            f"{path}: result file without provenance (model, data, hyper-parameters, "
            f"package versions), so its scores cannot be traced; {FIX}"
        )
    problems = errors(document, "submission")
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise HarnessError(f"{path}: invalid result file: {problems[0]}{more}; {FIX}")
    problem = provenance_mismatch(document)
    if problem:
        raise HarnessError(f"{path}: {problem}; {FIX}")
    return document


def provenance_mismatch(document: dict[str, Any]) -> str | None:
    """Why a result document's records do not belong to its provenance (None when they do)."""
    prov = document["provenance"]
    expected = {"model": prov["model"]["name"]}
    if prov["kind"] == "run":
        expected |= {"suite": prov["suite"], "data": prov["data"]["source"]}
        run_ids = {run["run_id"] for run in prov["runs"]}
    else:
        expected["data"] = "published"
        run_ids = None
    for i, record in enumerate(document["records"]):
        for key, value in expected.items():
            if key == "suite" and record.get(key) is None:
                continue  # a run whose --targets left its suite (the suite gave its protocol)
            if record.get(key) != value:
                return f"records/{i}: {key} {record.get(key)!r} is not the provenance's {value!r}"
        if run_ids is not None and record["run_id"] not in run_ids:
            return f"records/{i}: run {record['run_id']!r} is not among the provenance's runs"
    from harness.compare import citation_problem  # a published number must name its table

    return citation_problem(document)


def short_citation(reference: str) -> str:
    """The row label of a publication: "Hu et al. (2020), XTREME, ... (via the mT5 README)"
    -> "Hu et al. 2020 via mT5 README" (authors and year, and where the numbers were read)."""
    found = re.match(r"(.+?) \((\d{4})\)", reference)
    label = f"{found[1]} {found[2]}" if found else reference.split(",")[0]
    via = re.search(r"\(via (?:the )?([^)]+)\)", reference)
    return label + (f" via {via[1]}" if via else "")


def full_citation(document: dict[str, Any], record: dict[str, Any]) -> str:
    """The footnote of a published row: the publication and the table its numbers are from."""
    from harness.compare import citation

    prov = document["provenance"]
    where, _ = citation(document, record)
    head = prov["reference"] + (f" <{prov['url']}>" if prov.get("url") else "")
    source = prov.get("sources", {}).get(record["run_id"])
    if source is None:
        return head
    columns = ", ".join(source["columns"][t] for t in sorted(source["columns"]))
    return f"{head}; numbers read from {where}, columns {columns}"


# --------------------------------------------------------------------------- sources
@dataclass
class Sources:
    """Records from run folders and result files, with what analyses need beside them."""

    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # skipped run records (invalid)
    run_dirs: dict[str, Path] = field(default_factory=dict)  # run folder name -> folder
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # run id -> its provenance
    replicates: dict[str, dict[str, Any]] = field(default_factory=dict)  # bootstrap entries
    citations: dict[str, str] = field(default_factory=dict)  # published run id -> its source

    def hparams(self, run_id: str, target: str) -> dict[str, Any] | None:
        """``target``'s hyper-parameters in run ``run_id``, from a result file (else None)."""
        run = self.runs.get(run_id)
        hparams = run["hparams"].get(target) if run else None
        return hparams if isinstance(hparams, dict) else None

    def bootstrap(
        self, run_id: str, inter: str, seed: int, target: str, split: str, lang: str
    ) -> dict[str, Any] | None:
        """A result file's bootstrap entry {metric, value, replicates}, or None; its key is
        the run id and the file's place in the run folder (``harness submit``)."""
        file = bootstrap_path(Path(), inter, seed, target, split, lang)
        return self.replicates.get(
            f"{run_id}/{file.relative_to('bootstrap').with_suffix('').as_posix()}"
        )


def read_sources(runs: Iterable[Path] = (), results: Iterable[Path] = ()) -> Sources:
    """Records of every ``results.json`` under ``runs`` (invalid ones listed in ``problems``
    and skipped, as a run in progress may be) and of every result file in ``results``
    (an invalid one raises: committed files must all be sound). Rows of different
    protocols get a label (``Record.protocol``) saying so."""
    out = Sources()
    records: list[dict[str, Any]] = []
    protocols: dict[str, Protocol | None] = {}
    for file in run_result_files(runs):
        out.run_dirs.setdefault(file.parent.name, file.parent)  # first one wins
        found, bad = read_results(file)
        records += found
        out.problems += bad
        protocol = _manifest_protocol(file.parent / "run.json")
        for record in found:
            protocols.setdefault(record["run_id"], protocol)
    for file in result_files(results):
        document = read_result_file(file)
        records += document["records"]
        prov = document["provenance"]
        if prov["kind"] == "run":
            for run in prov["runs"]:
                protocols[run["run_id"]] = (_preset(run["preset"]), run["hparams"])
                out.runs[run["run_id"]] = run
        else:  # a publication's scores: their "protocol" is the paper they come from
            for record in document["records"]:
                protocols[record["run_id"]] = (short_citation(prov["reference"]), {})
                out.citations.setdefault(record["run_id"], full_citation(document, record))
        out.replicates |= document.get("bootstrap", {})
    typed = [Record.from_dict(r) for r in records]
    labelled = label_protocols(typed, lambda r: protocols.get(r.run_id))
    # a published row always names its publication, so rows of two papers never merge
    out.records = [
        r.labelled(protocols[r.run_id][0]) if r.run_id in out.citations and not r.protocol else r
        for r in labelled
    ]
    return out


def collect(runs: Iterable[Path], results: Iterable[Path] = ()) -> tuple[list[Record], list[str]]:
    """The latest valid record of every score (see ``records.latest``) and the problems of
    the run records that were skipped."""
    found = read_sources(runs, results)
    return latest(found.records), found.problems


def _preset(name: str | None) -> str:
    return f"preset {name}" if name else "suite defaults"


def _manifest_protocol(path: Path) -> Protocol | None:
    try:
        config = json.loads(path.read_text("utf-8"))["config"]
        return _preset(config.get("preset")), dict(config["hparams"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # no or unreadable run.json: protocol unknown


# --------------------------------------------------------------------------- protocols
def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tasks(record: Record) -> list[str]:
    """The tasks whose training made this score: the intermediate (if any), the target."""
    inter = record.intermediate
    return [inter, record.target] if inter and record.role == "target" else [record.target]


def label_protocols(
    records: list[Record], protocol_of: Callable[[Record], Protocol | None]
) -> list[Record]:
    """``records``, labelled where rows were trained under another protocol than a
    comparable row's.

    Comparable rows share model, data, intermediate and target. Where they all share one
    protocol (preset and the hyper-parameters of their tasks), nothing is labelled; where
    they do not, every record in the board gets ``protocol``: the preset's name, plus the
    hyper-parameters that tell apart runs of the same preset (``max_length 128``).
    """
    keys: list[tuple] = []
    groups: dict[tuple, set[tuple]] = defaultdict(set)
    for record in records:
        found = protocol_of(record)
        if found is None:
            key: tuple = ("protocol unknown", ())
        else:
            name, hparams = found
            settings = tuple(
                (task, k, json.dumps(v))
                for task in _tasks(record)
                for k, v in sorted(_dict(hparams.get(task)).items())
                if k not in NOT_PROTOCOL
            )
            key = (name, settings)
        keys.append(key)
        groups[_comparable(record)].add(key)
    if all(len(keys_) == 1 for keys_ in groups.values()):
        return records
    out = []
    for record, (name, settings) in zip(records, keys, strict=True):
        rivals = [s for n, s in groups[_comparable(record)] if n == name and s != settings]
        differing = sorted({(t, k) for s in rivals for t, k, _ in set(s) ^ set(settings)})
        mine = {(t, k): v for t, k, v in settings}
        shown = [
            f"{'' if t == record.target else t + ' '}{k} {mine.get((t, k), 'unset')}"
            for t, k in differing
        ]
        out.append(record.labelled(name + (f" ({', '.join(shown)})" if shown else "")))
    return out


def _comparable(record: Record) -> tuple[str, str | None, str | None, str]:
    return record.model, record.data, record.intermediate, record.target
