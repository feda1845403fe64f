"""Language metadata: the XTREME-R and XCOPA languages built in, and plugins adding their own
through the ``register_languages`` hook."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import harness
from harness.cli import main
from harness.languages import builtin_languages, by_resource, language, languages
from harness.registry import load_registry
from harness.validation import errors

DATA = Path(__file__).resolve().parent.parent / "harness" / "languages.json"
# google-research/xtreme evaluate.py, XTREME_R_TASK2LANGS: the languages XTREME-R adds
XTREME_R_NEW = {"az", "gu", "ht", "lt", "pa", "pl", "qu", "ro", "uk", "wo"}
XCOPA = {"et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh"}


@pytest.fixture(autouse=True)
def no_plugin_languages_afterwards():
    yield
    load_registry(entrypoints=False)  # later tests see the built-in languages only


def test_xtreme_r_and_xcopa_languages_are_built_in():
    from harness.scoring import XTREME_LANGUAGES

    xtreme = set().union(*XTREME_LANGUAGES.values())
    assert xtreme | XTREME_R_NEW | XCOPA <= set(builtin_languages())
    assert len(xtreme | XTREME_R_NEW) == 50
    document = json.loads(DATA.read_text("utf-8"))
    assert errors(document, "languages") == []
    assert (language("ht").name, language("ht").script) == ("Haitian Creole", "Latn")
    assert (language("qu").family, language("qu").resource_class) == ("Quechuan", 1)
    assert language("pa").script == "Guru" and language("uk").script == "Cyrl"
    # values not checked against the primary source say so in the entry
    for code in XTREME_R_NEW:
        assert "not re-checked" in language(code).source, code
    assert "haitian creole" in language("ht").source  # the file's second entry for it


def language_file(tmp_path: Path, entries: list[dict], **changes) -> Path:
    document = json.loads(DATA.read_text("utf-8"))
    document.update(description="languages of a test plugin", languages=entries, **changes)
    path = tmp_path / f"languages-{len(list(tmp_path.glob('languages-*')))}.json"
    path.write_text(json.dumps(document), "utf-8")
    return path


GUARANI = {
    "code": "gn", "name": "Guarani", "family": "Tupian", "genus": "Tupi-Guarani",
    "script": "Latn", "script_name": "Latin", "resource_class": 1, "joshi_name": "guarani",
}  # fmt: skip


def plugin_for(path: Path, name: str = "LanguagePlugin"):
    class Plugin:
        @harness.hookimpl
        def register_languages(self, register):
            register(path)

    Plugin.__name__ = name
    return Plugin()


def test_a_plugin_adds_languages_to_every_lookup(tmp_path, capsys):
    assert language("gn") is None
    path = language_file(tmp_path, [GUARANI])
    registry = load_registry([plugin_for(path)], entrypoints=False)
    assert registry.languages["gn"].name == "Guarani"
    info = next(p for p in registry.plugins if p.name == "LanguagePlugin")
    assert info.error is None and info.provides == ["language:gn"]
    assert language("gn").resource_class == 1 and language("gn").provider == "LanguagePlugin"
    codes = list(languages())
    assert codes[-1] == "gn" and codes[: len(builtin_languages())] == list(builtin_languages())
    assert by_resource(["gn", "xx", "en"]) == ["en", "gn", "xx"]  # placed by its class
    # a registry without the plugin forgets its languages
    load_registry(entrypoints=False)
    assert language("gn") is None


def test_a_plugin_cannot_redefine_a_known_code(tmp_path, capsys):
    redefined = {**GUARANI, "code": "ht", "name": "Not Haitian", "resource_class": 5}
    path = language_file(tmp_path, [redefined, GUARANI])
    registry = load_registry([plugin_for(path)], entrypoints=False)
    err = capsys.readouterr().err
    assert "plugin 'LanguagePlugin' registers language 'ht', which harness/languages.json" in err
    assert language("ht").name == "Haitian Creole"  # the built-in entry stands
    assert language("gn").name == "Guarani"  # the plugin's other languages still count
    assert not any(p.error for p in registry.plugins)
    # a second plugin's repeat of a plugin's code is ignored too
    again = language_file(tmp_path, [{**GUARANI, "name": "Avañe'ẽ"}])
    load_registry([plugin_for(path), plugin_for(again, "Second")], entrypoints=False)
    assert "which plugin 'LanguagePlugin' already defines" in capsys.readouterr().err
    assert language("gn").name == "Guarani"


@pytest.mark.parametrize(
    "damage, reason",
    [
        ({"languages": [{**GUARANI, "resource_class": 7}]}, "resource_class"),
        ({"languages": [GUARANI, GUARANI]}, "duplicate language codes ['gn']"),
        ({"classes": {str(i): f"class {i}" for i in range(6)}}, "classes differ"),
    ],
)
def test_an_invalid_language_file_fails_its_plugin(tmp_path, damage, reason):
    entries = damage.pop("languages", [GUARANI])
    path = language_file(tmp_path, entries, **damage)
    registry = load_registry([plugin_for(path)], entrypoints=False)
    info = next(p for p in registry.plugins if p.name == "LanguagePlugin")
    assert info.error is not None and info.error.startswith("in register_languages: ")
    assert reason in info.error and str(path) in info.error
    assert registry.languages == {} and language("gn") is None


def test_a_misspelt_language_hook_is_reported(tmp_path):
    class Misspelt:
        @harness.hookimpl
        def register_language(self, register):
            pass

    registry = load_registry([Misspelt()], entrypoints=False)
    assert "did you mean 'register_languages'?" in registry.plugins[0].error


def test_harness_plugins_lists_the_languages_a_plugin_provides(tmp_path, capsys):
    path = language_file(tmp_path, [GUARANI])
    assert main(["plugins"], plugins=[plugin_for(path)]) == 0
    assert "language:gn" in capsys.readouterr().out


def test_the_leaderboard_command_knows_plugin_languages(tmp_path, capsys):
    """`harness leaderboard` loads the plugins, so their languages place their rows there."""
    from harness.results import RunDir

    record = {
        "suite": "s", "model": "m", "intermediate": None, "target": "xcopa", "role": "target",
        "split": "test", "metric": "accuracy", "main": True, "seed": 0, "run_id": "r",
        "n_examples": 10, "data": "sample",
    }  # fmt: skip
    RunDir(Path("runs"), "r").add_records(
        [{**record, "language": lg, "value": v} for lg, v in (("gn", 50.0), ("en", 60.0))]
    )
    path = language_file(tmp_path, [GUARANI])
    code = main(["leaderboard", "--runs", "runs", "--out", "board", "--no-html"],
                plugins=[plugin_for(path)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert language("gn") is not None
