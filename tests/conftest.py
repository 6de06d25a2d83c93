from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
