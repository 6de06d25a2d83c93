from __future__ import annotations

import functools
import json
from collections.abc import Generator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from jsonschema import Draft202012Validator

from sb3inspect.analysis.compare import ReportDiff
from sb3inspect.report.model import PolicyReport

ROOT = Path(__file__).resolve().parent.parent

# One profile for every run, CI's and yours: the same examples each time, so a failure reproduces.
# Each property test names its own max_examples; 100 (Hypothesis' default) is for any that does not.
settings.register_profile("sb3inspect", derandomize=True, deadline=None, max_examples=100)
settings.load_profile("sb3inspect")

SCHEMA: dict[str, Any] = json.loads(files("sb3inspect.report").joinpath("schema.json").read_text())
"""The report's JSON Schema, read where the installed package ships it."""
REPORT_SCHEMA = Draft202012Validator(SCHEMA)
DIFF_SCHEMA = Draft202012Validator({"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": "#/$defs/diff"})


def schema_errors(data: Any, validator: Draft202012Validator = REPORT_SCHEMA) -> list[str]:
    """Where and how ``data`` (a report's or a diff's JSON form) breaks the schema; empty when it holds."""
    return [f"at {'/'.join(map(str, e.absolute_path)) or 'top'}: {e.message}" for e in validator.iter_errors(data)]


VIOLATIONS: list[str] = []
"""Schema violations of reports made since the current test started (the test then fails with them)."""


def _checked_on_construction(cls: type, validator: Draft202012Validator) -> None:
    """Wrap ``cls.__init__`` so that every instance's ``to_dict()`` is validated the moment it exists.

    Every report is made through ``__init__`` (``dataclasses.replace`` included), so this sees each
    one the suite makes: by summary(), the CLI (in-process), fixtures, parametrize ids, anything.
    """
    init = cls.__init__

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        data = self.to_dict()
        errors = schema_errors(data, validator)
        if errors:
            where = data.get("source", data.get("a"))
            message = f"{cls.__name__} of {where} breaks sb3inspect/report/schema.json: " + "; ".join(errors)
            VIOLATIONS.append(message)
            raise AssertionError(message)

    cls.__init__ = checked  # type: ignore[misc]


def pytest_configure(config: pytest.Config) -> None:
    # before collection, so reports made while collecting (parametrize values) are checked too
    _checked_on_construction(PolicyReport, REPORT_SCHEMA)
    _checked_on_construction(ReportDiff, DIFF_SCHEMA)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test whose reports broke the schema, even where the error was caught (the CLI turns it into exit 2)."""
    VIOLATIONS.clear()
    try:
        return (yield)
    finally:
        if VIOLATIONS:
            found = "\n".join(dict.fromkeys(VIOLATIONS))
            VIOLATIONS.clear()
            raise pytest.fail.Exception(found, pytrace=False) from None


@pytest.fixture(autouse=True)
def report_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty report cache of its own, never the user's ~/.cache.

    The cache stays on (the code path users run, hits included within a test), but no test sees
    another's entries: a test that fakes a version or patches a builder must not be answered from
    an entry another test wrote. Subprocesses inherit the variable.
    """
    folder = tmp_path_factory.mktemp("report-cache")
    monkeypatch.setenv("SB3INSPECT_CACHE_DIR", str(folder))
    monkeypatch.delenv("SB3INSPECT_NO_CACHE", raising=False)
    return folder


def lacking(name: str) -> str | None:
    """Why the installed releases lack an algorithm (``CrossQ``) or a dotted name; None when they have it."""
    from sb3inspect import catalog

    missing = catalog.unavailable(catalog.ALGORITHMS[name].qualified_name if name in catalog.ALGORITHMS else name)
    return missing[0] if missing else None


def skip_if_lacking(name: str) -> None:
    """Skip a test of what the installed release lacks (CrossQ before sb3-contrib 2.4), saying so."""
    if reason := lacking(name):
        pytest.skip(reason)


def installed_algorithms() -> list[str]:
    """The catalog's algorithms that the installed SB3 and sb3-contrib have."""
    from sb3inspect import catalog

    return [name for name in catalog.ALGORITHMS if lacking(name) is None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/* from the current output.")


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """Compare text with tests/golden/<name>; --update-golden rewrites the file instead."""

    def check(name: str, text: str) -> None:
        path = ROOT / "tests" / "golden" / name
        if request.config.getoption("--update-golden") or not path.exists():
            path.write_text(text)
            if not request.config.getoption("--update-golden"):
                pytest.fail(f"golden file {path} did not exist; written now, check it and rerun")
        assert text == path.read_text(), f"output differs from {path} (rerun with --update-golden if intended)"

    return check
