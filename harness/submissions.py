"""Result files: the committed records behind ``leaderboards/``, with their provenance.

``harness submit RUN_DIR...`` turns finished runs into one compact JSON file under
``leaderboards/results/`` (schema ``submission``): the runs' score records, their bootstrap
replicates, and where they came from (harness and package versions, the model as given
with its resolved source and a SHA-256 fingerprint, the data source and its files'
SHA-256, preset, hyper-parameters, seeds). Several seeds or shards of one setting merge
into one file. ``harness leaderboard`` builds ``leaderboards/`` from these files, so anyone
with a clone can regenerate the tables, check them, and add a row by committing a file.

A result file that is damaged, fails the schema, lacks provenance, or whose records do
not match their provenance is refused in one line naming it: the tables must never show
a number nobody can trace.
"""

from __future__ import annotations

import hashlib
import json
import re
import site
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.results import atomic_write_text, read_results
from harness.validation import errors, validate

FORMAT = "harness.submission/1"
RESULTS_DIR = Path("leaderboards/results")
# Hyper-parameters that do not change the trained model; the batch layout is compared
# through the records' own batch labels (global batch vs. the protocol's).
NOT_PROTOCOL = frozenset(
    {"bootstrap_samples", "eval_batch_size", "batch_size", "accumulate_grad_batches"}
)
PROTOCOL = "_protocol"  # in-memory row label added to records that need one
KINDS = {"published": "published reference scores", "real": "real data", "sample": "sample data"}
_FIX = "restore it (git checkout) or write it again with `harness submit RUN_DIR`"


# --------------------------------------------------------------------------- reading
def data_kind(record: dict[str, Any]) -> str:
    """'published' (a publication's numbers), 'sample' (bundled samples) or 'real'."""
    data = record.get("data")
    return data if data in ("published", "sample") else "real"


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
        raise HarnessError(f"{path}: unreadable result file ({exc}); {_FIX}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HarnessError(
            f"{path}: not a result file (no \"format\": \"{FORMAT}\"); only files written "
            "by `harness submit RUN_DIR` belong in the results folder"
        )
    if not isinstance(document.get("provenance"), dict):
        raise HarnessError(
            f"{path}: result file without provenance (model, data, hyper-parameters, "
            f"package versions), so its scores cannot be traced; {_FIX}"
        )
    problems = errors(document, "submission")
    if problems:
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        raise HarnessError(f"{path}: invalid result file: {problems[0]}{more}; {_FIX}")
    problem = _mismatch(document)
    if problem:
        raise HarnessError(f"{path}: {problem}; {_FIX}")
    return document


def _mismatch(document: dict[str, Any]) -> str | None:
    """Why the records do not belong to the provenance (None when they do)."""
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
            if record.get(key) != value:
                return (
                    f"records/{i}: {key} {record.get(key)!r} is not the provenance's {value!r}"
                )
        if run_ids is not None and record["run_id"] not in run_ids:
            return f"records/{i}: run {record['run_id']!r} is not among the provenance's runs"
    return None


@dataclass
class Sources:
    """Records from run folders and result files, with what analyses need beside them."""

    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # skipped run records (invalid)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # run id -> its provenance
    replicates: dict[str, dict[str, Any]] = field(default_factory=dict)  # bootstrap entries

    def hparams(self, run_id: str, target: str) -> dict[str, Any] | None:
        """``target``'s hyper-parameters in run ``run_id``, from a result file (else None)."""
        run = self.runs.get(run_id)
        hparams = run["hparams"].get(target) if run else None
        return hparams if isinstance(hparams, dict) else None

    def bootstrap(
        self, run_id: str, inter: str, seed: int, target: str, split: str, lang: str
    ) -> dict[str, Any] | None:
        """A result file's bootstrap entry {metric, value, replicates}, or None."""
        return self.replicates.get(f"{run_id}/{inter}/seed{seed}/{target}/{split}-{lang}")


def read_sources(runs: Iterable[Path] = (), results: Iterable[Path] = ()) -> Sources:
    """Records of every ``results.json`` under ``runs`` (invalid ones listed in ``problems``
    and skipped, as a run in progress may be) and of every result file in ``results``
    (an invalid one raises: committed files must all be sound). Rows of different
    protocols get a label (``PROTOCOL``) saying so."""
    out = Sources()
    protocols: dict[str, tuple[str, dict[str, Any]] | None] = {}
    for path in map(Path, runs):
        for file in [path] if path.is_file() else sorted(path.rglob("results.json")):
            found, bad = read_results(file)
            out.records += found
            out.problems += bad
            protocol = _manifest_protocol(file.parent / "run.json")
            for record in found:
                protocols.setdefault(record["run_id"], protocol)
    for file in result_files(results):
        document = read_result_file(file)
        out.records += document["records"]
        prov = document["provenance"]
        if prov["kind"] == "run":
            for run in prov["runs"]:
                protocols[run["run_id"]] = (_preset(run["preset"]), run["hparams"])
                out.runs[run["run_id"]] = run
        else:  # a publication's scores: their "protocol" is the paper they come from
            for record in document["records"]:
                protocols[record["run_id"]] = (prov["reference"], {})
        out.replicates |= document.get("bootstrap", {})
    label_protocols(out.records, lambda r: protocols.get(r["run_id"]))
    return out


def _preset(name: str | None) -> str:
    return f"preset {name}" if name else "suite defaults"


def _manifest_protocol(path: Path) -> tuple[str, dict[str, Any]] | None:
    try:
        config = json.loads(path.read_text("utf-8"))["config"]
        return _preset(config.get("preset")), dict(config["hparams"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # no or unreadable run.json: protocol unknown


# --------------------------------------------------------------------------- protocols
def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tasks(record: dict[str, Any]) -> list[str]:
    """The tasks whose training made this score: the intermediate (if any), the target."""
    inter = record["intermediate"]
    return [inter, record["target"]] if inter and record["role"] == "target" else [record["target"]]


def label_protocols(
    records: list[dict[str, Any]],
    protocol_of: Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None],
) -> None:
    """Mark rows whose score was trained under another protocol than a comparable row's.

    Comparable rows share model, data, intermediate and target. Where they all share one
    protocol (preset and the hyper-parameters of their tasks), nothing is added; where
    they do not, every record in the board gets ``PROTOCOL``: the preset's name, plus the
    hyper-parameters that tell apart runs of the same preset (``max_length 128``).
    """
    keys: dict[int, tuple] = {}
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
        keys[id(record)] = key
        where = (record["model"], record.get("data"), record["intermediate"], record["target"])
        groups[where].add(key)
    if all(len(keys_) == 1 for keys_ in groups.values()):
        return
    for record in records:
        name, settings = keys[id(record)]
        where = (record["model"], record.get("data"), record["intermediate"], record["target"])
        rivals = [s for n, s in groups[where] if n == name and s != settings]
        differing = sorted({(t, k) for s in rivals for t, k, _ in set(s) ^ set(settings)})
        mine = {(t, k): v for t, k, v in settings}
        shown = [
            f"{'' if t == record['target'] else t + ' '}{k} {mine.get((t, k), 'unset')}"
            for t, k in differing
        ]
        record[PROTOCOL] = name + (f" ({', '.join(shown)})" if shown else "")


# --------------------------------------------------------------------------- submit
def _portable(path: str, root: Path | None = None) -> str:
    """``path`` without this machine's prefix: relative to the data folder, else to the
    package or site-packages folder it sits in, else to the home folder."""
    p = Path(path)
    if not p.is_absolute():
        return path
    bases: list[tuple[str, Path]] = []
    if root is not None:
        bases.append(("", root.resolve()))
    package = _package_of(p.resolve())  # a plugin's bundled data: by its import name
    if package is not None:
        bases.append(package)
    bases += [("site-packages/", Path(s).resolve()) for s in site.getsitepackages()]
    bases.append(("~/", Path.home().resolve()))
    for prefix, base in bases:
        if p.resolve().is_relative_to(base):
            return prefix + p.resolve().relative_to(base).as_posix()
    return path


def _package_of(path: Path) -> tuple[str, Path] | None:
    """(``import/name/``, folder) of the top-most imported package holding ``path``, so a
    plugin's sample files read the same wherever (and however) the plugin is installed."""
    best: tuple[str, Path] | None = None
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or Path(file).name != "__init__.py":
            continue
        folder = Path(file).resolve().parent
        if path.is_relative_to(folder) and (best is None or len(folder.parts) < len(best[1].parts)):
            best = (name.replace(".", "/") + "/", folder)
    return best


def model_fingerprint(source: str) -> str | None:
    """SHA-256 over the files of the model folder behind ``source`` (their relative names
    and contents), so two result files can tell whether they used the same weights; a Hub
    id is looked up in the local Hugging Face cache. None where the weights are not here."""
    folder = Path(source).expanduser()
    if not folder.is_dir():
        try:
            from huggingface_hub import try_to_load_from_cache

            found = try_to_load_from_cache(source, "config.json")
        except Exception:  # noqa: BLE001 - not a valid Hub id either: no fingerprint
            found = None
        if not isinstance(found, str):
            return None
        folder = Path(found).parent
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = file.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def _read_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(run.json, records) of a finished run, or a one-line HarnessError."""
    manifest_file, results_file = run_dir / "run.json", run_dir / "results.json"
    if not manifest_file.is_file():
        raise HarnessError(
            f"{run_dir}: not a run folder (no run.json); pass a folder `harness run` wrote, "
            "e.g. runs/<run id>"
        )
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarnessError(f"{manifest_file}: unreadable ({exc}); re-run that run") from None
    validate(manifest, "run", str(manifest_file))
    if manifest["status"] != "finished":
        raise HarnessError(
            f"{run_dir}: run is {manifest['status']}, not finished; finish it first (re-run "
            f"its command with --run-id {manifest['run_id']}), then submit"
        )
    records, problems = read_results(results_file)
    if problems:
        raise HarnessError(f"{problems[0]}; re-run that run")
    if not records:
        raise HarnessError(f"{results_file}: no score records to submit")
    return manifest, records


def _bootstrap(run_dir: Path, run_id: str) -> dict[str, dict[str, Any]]:
    out = {}
    for file in sorted((run_dir / "bootstrap").rglob("*.json")):
        try:
            entry = json.loads(file.read_text("utf-8"))
            entry = {k: entry[k] for k in ("metric", "value", "replicates")}
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise HarnessError(
                f"{file}: unreadable bootstrap file ({exc}); delete it (or re-run that phase "
                "with --bootstrap-samples N), then submit"
            ) from None
        key = file.relative_to(run_dir / "bootstrap").with_suffix("").as_posix()
        out[f"{run_id}/{key}"] = entry
    return out


def _from_run(run_dir: Path) -> dict[str, Any]:
    """A result document holding one finished run."""
    from importlib.metadata import version

    manifest, records = _read_run(run_dir)
    config = manifest["config"]
    source = config.get("model_source") or config["model"]
    data_root = Path(config["data"]) if config["data"] not in ("sample", "hub") else None
    files = [
        {
            "task": f["task"],
            "split": f["split"],
            "language": f["language"],
            "file": _portable(f["source"], data_root),
            **{k: f[k] for k in ("sha256", "bytes") if k in f},
        }
        for f in manifest["data_files"]
    ]
    run = {
        "run_id": manifest["run_id"],
        "created": manifest["created"],
        "shard": config.get("shard"),
        "preset": config.get("preset"),
        "seeds": config["seeds"],
        "targets": config["targets"],
        "intermediates": config["intermediates"],
        "languages": config["languages"],
        "hparams": config["hparams"],
        "settings": config.get("settings", {}),
        "trainer": config["trainer"],
        "packages": manifest["packages"],
        "plugins": {
            p["name"]: f"{p.get('package')} {p.get('version')}"
            for p in manifest["plugins"]
            if not p.get("error") and "name" in p
        },
    }
    return {
        "format": FORMAT,
        "provenance": {
            "kind": "run",
            "harness": version("harness"),
            "suite": config["suite"],
            "model": {
                "name": config["model"],
                "source": _portable(source),
                "fingerprint": model_fingerprint(source),
            },
            "data": {"source": config["data"], "files": _unique(files, run_dir)},
            "runs": [run],
        },
        "records": records,
        "bootstrap": _bootstrap(run_dir, manifest["run_id"]),
    }


def _unique(files: list[dict[str, Any]], where: Path | str) -> list[dict[str, Any]]:
    """Data files once each, sorted; the same file with two hashes means the data changed."""
    seen: dict[tuple, dict[str, Any]] = {}
    for f in files:
        key = (f["task"], f["split"], f["language"], f["file"])
        if key in seen and seen[key].get("sha256") != f.get("sha256"):
            raise HarnessError(
                f"{where}: data file {f['file']} ({f['task']} {f['split']} {f['language']}) "
                "has another SHA-256 than in the other runs: the data changed between them; "
                "submit them to separate files (--out)"
            )
        seen[key] = f
    return [seen[k] for k in sorted(seen)]


def _comparable(run: dict[str, Any]) -> dict[str, Any]:
    return {task: {k: v for k, v in hp.items() if k not in NOT_PROTOCOL}
            for task, hp in run["hparams"].items()}  # fmt: skip


def _merge(base: dict[str, Any], new: dict[str, Any], where: Path) -> dict[str, Any]:
    """One setting's runs in one document: same suite, model, data and protocol."""
    a, b = base["provenance"], new["provenance"]
    run_id = b["runs"][0]["run_id"]
    if a["kind"] != "run":
        raise HarnessError(f"{where}: holds published scores; submit runs to another --out")
    for label, x, y in [
        ("suite", a["suite"], b["suite"]),
        ("model", a["model"], b["model"]),
        ("data source", a["data"]["source"], b["data"]["source"]),
        ("preset", a["runs"][0]["preset"], b["runs"][0]["preset"]),
    ]:
        if x != y:
            raise HarnessError(
                f"{where}: run '{run_id}' has another {label} ({y!r}, the file has {x!r}); "
                "one file holds one setting: submit it with --out to another file"
            )
    theirs = _comparable(b["runs"][0])
    for run in a["runs"]:
        if run["run_id"] == run_id:
            continue
        ours = _comparable(run)
        for task in sorted(set(ours) & set(theirs)):
            if ours[task] != theirs[task]:
                raise HarnessError(
                    f"{where}: run '{run_id}' trained {task} with other hyper-parameters than "
                    f"run '{run['run_id']}' in the file; one file holds one protocol: submit "
                    "it with --out to another file"
                )
    # a run submitted again (finished after a resume) replaces its earlier copy
    runs = [r for r in a["runs"] if r["run_id"] != run_id] + b["runs"]
    records = [r for r in base["records"] if r["run_id"] != run_id]
    cells = {_cell(r): r["run_id"] for r in records}
    for record in new["records"]:
        other = cells.get(_cell(record))
        if other is not None:
            raise HarnessError(
                f"{where}: run '{run_id}' scores {record['target']} {record['language']} "
                f"{record['split']} seed {record['seed']} (intermediate "
                f"{record['intermediate'] or 'none'}) again, already there from run "
                f"'{other}'; submit it with --out to another file"
            )
    bootstrap = {
        k: v for k, v in base.get("bootstrap", {}).items() if not k.startswith(run_id + "/")
    }
    prov = dict(a)
    prov["harness"] = b["harness"]
    prov["data"] = {
        "source": a["data"]["source"],
        "files": _unique(a["data"]["files"] + b["data"]["files"], where),
    }
    prov["runs"] = sorted(runs, key=lambda r: r["run_id"])
    return {
        "format": FORMAT,
        "provenance": prov,
        "records": records + new["records"],
        "bootstrap": bootstrap | new["bootstrap"],
    }


def _cell(r: dict[str, Any]) -> tuple:
    return (r["intermediate"], r["target"], r["role"], r["language"], r["split"], r["metric"],
            r["seed"], json.dumps(r.get("batch"), sort_keys=True))  # fmt: skip


def _reported(
    records: list[dict[str, Any]], bootstrap: dict[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The replicates `harness analyze` uses, sorted: those of each target's reported split
    (test where it has scored test records, else dev); the rest would only add bulk."""
    tested = {r["target"] for r in records if r["role"] == "target" and r["split"] == "test"}
    out = {}
    for key, entry in sorted(bootstrap.items()):
        *_, target, cell = key.split("/")
        if cell.split("-", 1)[0] == ("test" if target in tested else "dev"):
            out[key] = entry
    return out


def default_name(document: dict[str, Any]) -> str:
    """``<model>-<data>[-<preset>].json``: one file per setting."""
    prov = document["provenance"]
    data = prov["data"]["source"]
    model = prov["model"]["name"]
    model = Path(model).name if Path(model).expanduser().exists() else model.replace("/", "_")
    parts = [model, data if data in ("sample", "hub") else "local"]
    preset = prov["runs"][0]["preset"]
    if preset:
        parts.append(preset)
    return "-".join(re.sub(r"[^A-Za-z0-9.+_-]+", "_", p).strip("_.") or "x" for p in parts)


def submit(run_dirs: Iterable[Path], out: Path | None = None) -> tuple[Path, int]:
    """Write (or extend) the result file of the finished runs ``run_dirs``; return its path
    and how many records it holds. ``out`` defaults to leaderboards/results/<setting>.json.
    Nothing is written when any run or the existing file is refused."""
    documents = [_from_run(Path(d)) for d in run_dirs]
    if not documents:
        raise HarnessError("harness submit: name at least one run folder")
    path = Path(out) if out else RESULTS_DIR / f"{default_name(documents[0])}.json"
    merged = read_result_file(path) if path.exists() else None
    for document in documents:
        merged = document if merged is None else _merge(merged, document, path)
    assert merged is not None
    merged["records"].sort(key=lambda r: (r["run_id"], *map(json.dumps, _cell(r))))
    merged["bootstrap"] = _reported(merged["records"], merged["bootstrap"])
    if not merged["bootstrap"]:
        del merged["bootstrap"]
    validate(merged, "submission", str(path))
    problem = _mismatch(merged)
    if problem:  # pragma: no cover - the merge checks above catch these first
        raise HarnessError(f"{path}: {problem}")
    atomic_write_text(path, dumps(merged))
    return path, len(merged["records"])


# --------------------------------------------------------------------------- writing
_INLINE_PARENTS = {"records", "files", "bootstrap", "hparams"}


def dumps(document: dict[str, Any]) -> str:
    """Strict JSON, one record (data file, replicate list, task's hyper-parameters) per
    line: compact, and a pull request's diff shows exactly the rows it adds."""

    def fmt(value: Any, key: str | None, parent: str | None, indent: str) -> str:
        children = value.values() if isinstance(value, dict) else value
        flat = not isinstance(value, dict | list) or not any(
            isinstance(v, dict | list) for v in children
        )
        if flat or parent in _INLINE_PARENTS:
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        inner = indent + "  "
        if isinstance(value, dict):
            items = [f"{inner}{json.dumps(k)}: {fmt(v, k, key, inner)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + f"\n{indent}}}"
        items = [f"{inner}{fmt(v, None, key, inner)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{indent}]"

    return fmt(document, None, None, "") + "\n"
