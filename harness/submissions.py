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
import site
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.reporting.records import KINDS, PROTOCOL  # noqa: F401 - re-exported
from harness.reporting.sources import (  # noqa: F401 - reading moved there; re-exported
    FORMAT,
    NOT_PROTOCOL,
    Sources,
    label_protocols,
    provenance_mismatch,
    read_result_file,
    read_sources,
    result_files,
)
from harness.reporting.tables import safe_name
from harness.results import atomic_write_text, read_results
from harness.validation import validate

RESULTS_DIR = Path("leaderboards/results")


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
    return "-".join(safe_name(p) for p in parts)


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
    problem = provenance_mismatch(merged)
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
