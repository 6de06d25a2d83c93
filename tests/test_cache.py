"""The report cache: a hit answers exactly as a build, and nothing in the cache folder is trusted.

conftest gives every test an empty cache folder of its own (SB3INSPECT_CACHE_DIR).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sb3inspect import cache as cache_module
from sb3inspect import pipeline
from sb3inspect.cache import KEYED_PACKAGES, MAX_ENTRY_BYTES, Key, ReportCache, default_folder, open_cache
from sb3inspect.cli import main
from sb3inspect.errors import SourceError
from sb3inspect.report.decode import MAX_DEPTH, from_plain
from sb3inspect.report.model import Layer, PolicyReport

from .conftest import ROOT

CONFIGS = sorted((ROOT / "configs").iterdir())
ENV_CONFIG = ROOT / "configs" / "ppo-cartpole-env.yaml"
SELF_CONTAINED = [path for path in CONFIGS if path != ENV_CONFIG]
SEED = ROOT / "configs" / "ppo-101-64x64.yaml"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources built on the meta device from now on (a hit builds nothing)."""
    built: list[str] = []
    real = pipeline.build_policy

    def counting(spec: Any) -> Any:
        built.append(spec.source)
        return real(spec)

    monkeypatch.setattr(pipeline, "build_policy", counting)
    return built


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "v1").glob("*.json")) if (folder / "v1").exists() else []


def only_entry(folder: Path) -> Path:
    (entry,) = entries(folder)
    return entry


# --- a hit answers as a build does -------------------------------------------------------------------


def commands(config: Path) -> list[list[str | Path]]:
    return [
        ["inspect", config],
        ["inspect", config, "-f", "json"],
        ["inspect", config, "-f", "markdown"],
        ["inspect", config, "--explain"],
        ["inspect", config, "-f", "markdown", "--explain"],
        ["check", config],
        ["check", config, "--expect", "pi=64,64", "--max-params", "1000", "--strict"],
    ]


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_a_hit_prints_what_a_build_prints(
    config: Path, capsys: pytest.CaptureFixture[str], builds: list[str], report_cache: Path
) -> None:
    uncached = [run(capsys, *command, "--no-cache") for command in commands(config)]
    assert entries(report_cache) == []
    assert run(capsys, *commands(config)[0]) == uncached[0]  # the miss that writes the entry
    assert len(entries(report_cache)) == 1
    built = len(builds)
    assert [run(capsys, *command) for command in commands(config)] == uncached
    assert len(builds) == built, "a hit built the policy again"


@pytest.mark.slow
def test_many_sources_and_diff_hit_as_they_build(
    capsys: pytest.CaptureFixture[str], builds: list[str], report_cache: Path
) -> None:
    pairs = [(SEED, SEED), (SEED, ROOT / "configs" / "ppo-dict-obs.yaml"), (ENV_CONFIG, SEED)]
    many = [
        ["check", *CONFIGS],
        ["inspect", *CONFIGS, "-f", "json"],
        *(["diff", a, b, *fmt] for a, b in pairs for fmt in ([], ["-f", "json"])),
    ]
    uncached = [run(capsys, *command, "--no-cache") for command in many]
    assert uncached[0][0] == 0 and uncached[2][0] == 0 and uncached[4][0] == 1, uncached
    run(capsys, *many[0])  # fills the cache
    built = len(builds)
    assert [run(capsys, *command) for command in many] == uncached
    assert len(builds) == built


def test_quick_flags_are_keyed_on_the_config_they_describe(
    capsys: pytest.CaptureFixture[str], builds: list[str]
) -> None:
    flags = ["inspect", "--algo", "ppo", "--obs", "101", "--act", "discrete:4", "--net-arch", "64,64", "-f", "json"]
    first = run(capsys, *flags)
    assert run(capsys, *flags) == first and len(builds) == 1
    assert (
        json.loads(run(capsys, *flags[:-3], "32", "-f", "json")[1])["totals"]["params"]
        != json.loads(first[1])["totals"]["params"]
    )
    assert len(builds) == 2


# --- what is keyed on what ---------------------------------------------------------------------------


def test_an_edited_file_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: list[str], report_cache: Path
) -> None:
    config = tmp_path / "ppo.yaml"
    config.write_text(SEED.read_text())
    assert "21,701 params" in run(capsys, "check", config)[1]
    config.write_text(SEED.read_text().replace("[64, 64]", "[32]"))
    assert "pi [32] · vf [32]" in run(capsys, "check", config)[1]
    config.write_text(SEED.read_text())  # back as it was: the first entry answers
    assert "21,701 params" in run(capsys, "check", config)[1]
    assert len(builds) == 2 and len(entries(report_cache)) == 2


def test_the_path_as_given_is_part_of_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report names its source, so the same bytes under another name are another entry."""
    (tmp_path / "a.yaml").write_text(SEED.read_text())
    (tmp_path / "b.yaml").write_text(SEED.read_text())
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "check", "a.yaml")[1].startswith("ok      a.yaml ")
    assert run(capsys, "check", "b.yaml")[1].startswith("ok      b.yaml ")
    assert len(builds) == 2


@pytest.mark.parametrize("package", KEYED_PACKAGES)
def test_a_new_version_of_a_keyed_package_invalidates(
    package: str, capsys: pytest.CaptureFixture[str], builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = cache_module.installed_version
    cache_module.environment.cache_clear()
    monkeypatch.setattr(cache_module, "environment", cache_module.environment)  # cleared again when undone
    first = run(capsys, "check", SEED)
    run(capsys, "check", SEED)
    assert len(builds) == 1
    monkeypatch.setattr(cache_module, "installed_version", lambda name: "99.0" if name == package else real(name))
    cache_module.environment.cache_clear()
    assert run(capsys, "check", SEED) == first
    assert len(builds) == 2
    cache_module.environment.cache_clear()


def test_versions_are_read_from_metadata_without_importing() -> None:
    code = (
        "import sys; from sb3inspect.cache import environment; e = environment(); "
        "print(e['packages']); print(sorted(m for m in ('torch', 'stable_baselines3', 'sb3_contrib', 'gymnasium', "
        "'importlib.metadata') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    from importlib.metadata import version

    assert out[0] == repr({name: version(name) for name in KEYED_PACKAGES})
    assert out[1] == "[]"


def test_keys_tell_types_apart_and_refuse_what_is_not_data(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path)
    keys = [cache.key("k", {"x": value}) for value in ([1], (1,), 1, 1.0, True, "1", None)]
    assert None not in keys and len({key.digest for key in keys if key}) == len(keys)
    assert cache.key("k", {"x": object}) is None
    assert cache.key("k", {}, files=[tmp_path]) is None  # a folder
    assert cache.key("k", {}, files=[tmp_path / "missing.yaml"]) is None
    os.mkfifo(tmp_path / "fifo.yaml")
    assert cache.key("k", {}, files=[tmp_path / "fifo.yaml"]) is None  # never opened: it would block


def test_a_file_that_changes_during_the_run_is_not_stored(tmp_path: Path) -> None:
    config = tmp_path / "a.yaml"
    config.write_text("algo: PPO\n")
    cache = ReportCache(tmp_path / "cache")
    key = cache.key("inspect", {}, files=[config])
    assert key is not None
    config.write_text("algo: SAC\n")
    cache.put(key, {"reports": []})
    assert cache.get(key) is None and entries(tmp_path / "cache") == []


def test_env_ids_and_zoo_entries_are_keyed_on_the_resolved_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], builds: list[str], report_cache: Path
) -> None:
    """The spaces come from gymnasium (code outside the file): the file's bytes are not the key, the spec is."""
    first = run(capsys, "check", ENV_CONFIG)
    assert run(capsys, "check", ENV_CONFIG) == first and len(builds) == 1
    kinds = {json.loads(path.read_text())["kind"] for path in entries(report_cache)}
    assert kinds == {"spec"}
    wrapped = tmp_path / "stacked.yaml"  # spaces given, but wrappers (code outside the file) change them
    wrapped.write_text("algo: PPO\nobservation_space: 4\naction_space: discrete:2\nframe_stack: 2\n")
    stacked = run(capsys, "check", wrapped)
    assert run(capsys, "check", wrapped) == stacked and len(builds) == 2, stacked
    assert {json.loads(path.read_text())["kind"] for path in entries(report_cache)} == {"spec"}
    zoo = tmp_path / "ppo.yml"
    zoo.write_text("CartPole-v1:\n  policy: MlpPolicy\n  policy_kwargs: 'dict(net_arch=[16])'\n")
    first = run(capsys, "check", zoo, "--env", "CartPole-v1")
    assert run(capsys, "check", zoo, "--env", "CartPole-v1") == first and len(builds) == 3, first
    wrapped.write_text(wrapped.read_text().replace("frame_stack: 2", "frame_stack: 3"))  # another resolved spec
    restacked = run(capsys, "check", wrapped)
    assert len(builds) == 4 and restacked[1] != stacked[1]  # another count of parameters


def test_dicts_with_classes_are_not_cached(report_cache: Path) -> None:
    """The Python API never uses the cache; a spec holding a class cannot be keyed anyway."""
    import torch.nn

    import sb3inspect
    from sb3inspect.sources.config import spec_from_mapping

    config = {"algo": "PPO", "observation_space": 3, "action_space": "discrete:2"}
    sb3inspect.summary({**config, "policy_kwargs": {"activation_fn": torch.nn.ReLU}})
    assert entries(report_cache) == []
    cache = open_cache()
    assert cache is not None
    spec = spec_from_mapping(pipeline.python_config({**config, "policy_kwargs": {"net_arch": [4]}}))
    spec = dataclasses.replace(spec, policy_kwargs={**spec.policy_kwargs, "features_extractor_class": object})
    assert cache.key("spec", {"policy_kwargs": spec.policy_kwargs}) is None


# --- where, and whether ------------------------------------------------------------------------------


def test_no_cache_neither_reads_nor_writes(
    capsys: pytest.CaptureFixture[str], report_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truth = run(capsys, "check", SEED, "--no-cache")
    monkeypatch.setenv("SB3INSPECT_NO_CACHE", "1")
    assert run(capsys, "check", SEED) == truth
    assert entries(report_cache) == []
    monkeypatch.setenv("SB3INSPECT_NO_CACHE", "0")
    assert run(capsys, "check", SEED) == truth
    # an entry that is valid but says something else is believed (the folder is the user's own) ...
    entry = only_entry(report_cache)
    data = json.loads(entry.read_text())
    data["value"]["reports"][0]["totals"]["params"] = 12345
    entry.write_text(json.dumps(data))
    assert "12,345 params" in run(capsys, "check", SEED)[1]
    # ... and bypassed by both switches
    assert run(capsys, "check", SEED, "--no-cache") == truth
    monkeypatch.setenv("SB3INSPECT_NO_CACHE", "yes")
    assert run(capsys, "check", SEED) == truth
    assert run(capsys, "diff", SEED, SEED)[0] == 0


def test_the_folder_is_the_platforms_or_the_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_folder() == tmp_path / ".cache" / "sb3inspect"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_folder() == tmp_path / ".cache" / "sb3inspect"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "sb3inspect"
    monkeypatch.delenv("SB3INSPECT_CACHE_DIR")
    found = open_cache()
    assert found is not None and found.folder == tmp_path / "xdg" / "sb3inspect"
    monkeypatch.setenv("SB3INSPECT_CACHE_DIR", str(tmp_path / "mine"))
    found = open_cache()
    assert found is not None and found.folder == tmp_path / "mine"
    assert open_cache(disabled=True) is None


def test_an_unusable_folder_only_means_no_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SB3INSPECT_CACHE_DIR", str(blocker))
    truth = run(capsys, "check", SEED, "--no-cache")
    assert run(capsys, "check", SEED) == truth
    assert run(capsys, "check", SEED) == truth


# --- an entry is never trusted -------------------------------------------------------------------------


def _edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Path, bytes], None]:
    def write(path: Path, good: bytes) -> None:
        data = json.loads(good)
        change(data)
        path.write_text(json.dumps(data))

    return write


def _report(data: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = data["value"]["reports"][0]
    return report


def _huge(path: Path, good: bytes) -> None:
    with open(path, "wb") as out:
        out.truncate(MAX_ENTRY_BYTES + 1)


def _symlink(path: Path, good: bytes) -> None:
    elsewhere = path.parent.parent / "elsewhere.json"
    elsewhere.write_bytes(good)
    path.unlink()
    path.symlink_to(elsewhere)


def _fifo(path: Path, good: bytes) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path, good: bytes) -> None:
    path.unlink()
    path.mkdir()


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


BROKEN: dict[str, Callable[[Path, bytes], None]] = {
    "garbage": lambda path, good: path.write_bytes(b"\x00\xff\xfe not json"),
    "empty": lambda path, good: path.write_bytes(b""),
    "truncated": lambda path, good: path.write_bytes(good[: len(good) // 2]),
    "not utf-8": lambda path, good: path.write_bytes(good + b"\xff"),
    "huge": _huge,
    "deep JSON": lambda path, good: path.write_text("[" * 200_000 + "]" * 200_000),
    "deep value": _edit(lambda d: _report(d).update(net_arch=_nested(MAX_DEPTH + 5))),
    "long number": lambda path, good: path.write_bytes(good.replace(b'"params": 21701', b'"params": 2' + b"0" * 5000)),
    "control characters": _edit(lambda d: _report(d).update(notes=["\x1b[2J\x1b[31mall good"])),
    "escape in a key": _edit(lambda d: _report(d).update({"\x1b]0;title\x07": 1})),
    "wrong type": _edit(lambda d: _report(d)["networks"][0].update(params="10948")),
    "bool for an int": _edit(lambda d: _report(d)["totals"].update(params=True)),
    "missing field": _edit(lambda d: _report(d).pop("networks")),
    "other schema version": _edit(lambda d: _report(d).update(schema_version=99)),
    "many keys": _edit(lambda d: _report(d).update(extra={str(i): i for i in range(100_001)})),
    "not an object": _edit(lambda d: d.update(value=[1, 2])),
    "another key": _edit(lambda d: d.update(key="0" * 64)),
    "another format": _edit(lambda d: d.update(format=2)),
    "a list at the top": lambda path, good: path.write_text("[]"),
    "symlink": _symlink,
    "fifo": _fifo,
    "folder": _folder,
}


@pytest.mark.parametrize("breaking", BROKEN.values(), ids=list(BROKEN))
def test_a_broken_entry_is_ignored_and_rewritten(
    breaking: Callable[[Path, bytes], None], capsys: pytest.CaptureFixture[str], report_cache: Path
) -> None:
    truth = run(capsys, "check", SEED, "-e", "pi=64,64")
    entry = only_entry(report_cache)
    good = entry.read_bytes()
    breaking(entry, good)
    started = time.perf_counter()
    assert run(capsys, "check", SEED, "-e", "pi=64,64") == truth
    assert time.perf_counter() - started < 10
    if entry.is_dir():
        return  # a folder cannot be replaced by a file: nothing is cached there, and nothing breaks
    assert not entry.is_symlink() and entry.read_bytes() == good  # rewritten
    assert run(capsys, "check", SEED, "-e", "pi=64,64") == truth


# --- storage -------------------------------------------------------------------------------------------


def test_eviction_keeps_the_most_recently_used(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path, max_entries=3, evict_every=1)
    keys = [Key(f"{index:064x}", "test") for index in range(5)]
    for index, key in enumerate(keys[:3]):
        cache.put(key, {"n": index})
        os.utime(cache.path(key), (1000 + index, 1000 + index))
    assert cache.get(keys[0]) == {"n": 0}  # used: now the newest
    cache.put(keys[3], {"n": 3})
    assert [cache.get(key) for key in keys[:4]] == [{"n": 0}, None, {"n": 2}, {"n": 3}]
    small = ReportCache(tmp_path / "bytes", max_bytes=250, evict_every=1)
    for index, key in enumerate(keys):
        small.put(key, {"blob": "x" * 50})
        os.utime(small.path(key), (1000 + index, 1000 + index))
    assert 0 < len(entries(tmp_path / "bytes")) < 5
    assert sum(path.stat().st_size for path in entries(tmp_path / "bytes")) <= 250
    assert small.get(keys[-1]) is not None


def test_eviction_removes_temporary_files_of_dead_writers_only(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path, evict_every=1)
    cache.entries.mkdir(parents=True)
    dead, alive = cache.entries / ".tmp-dead.json", cache.entries / ".tmp-alive.json"
    dead.write_text("{")
    alive.write_text("{")
    os.utime(dead, (1000, 1000))
    cache.put(Key("a" * 64, "test"), {"n": 1})
    assert not dead.exists() and alive.exists()


def test_a_write_lists_the_folder_only_now_and_then(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eviction scans every entry: it runs for about one write in EVICT_EVERY, and the bounds still hold."""
    cache = ReportCache(tmp_path, max_entries=8)
    sweeps = []
    evict = cache.evict
    monkeypatch.setattr(cache, "evict", lambda: sweeps.append(1) or evict())
    since_sweep = 0
    for index in range(200):
        swept = len(sweeps)
        cache.put(Key(hashlib.sha256(str(index).encode()).hexdigest(), "test"), {"n": index})
        since_sweep = 0 if len(sweeps) > swept else since_sweep + 1
        assert len(entries(tmp_path)) <= 8 + since_sweep
    assert 0 < len(sweeps) < 200 // 4


def test_a_stored_entry_is_the_value_encode_gave(tmp_path: Path) -> None:
    cache = ReportCache(tmp_path)
    key = Key("b" * 64, "test")
    cache.store(key, (1, "x"), decode=tuple, encode=list)
    assert cache.get(key) == [1, "x"] and cache.load(key, tuple) == (1, "x")


@pytest.mark.slow
def test_entries_are_written_whole_under_concurrent_writers_and_readers(tmp_path: Path) -> None:
    """Several processes write and read one entry at once: a reader sees a whole entry or none, never a part."""
    script = textwrap.dedent(
        """
        import sys
        import time
        from pathlib import Path
        from sb3inspect.cache import Key, ReportCache

        cache = ReportCache(Path(sys.argv[1]))
        key = Key("c" * 64, "test")
        role, name = sys.argv[2], sys.argv[3]
        whole, deadline = 0, time.monotonic() + 120
        if role == "write":
            for _ in range(150):
                cache.put(key, {"writer": name, "blob": name * 200_000})
        while role == "read" and whole < 50 and time.monotonic() < deadline:  # until writers have written
            value = cache.get(key)
            if value is not None:
                assert value["blob"] == value["writer"] * 200_000, "a partial entry was read"
                whole += 1
        print(whole)
        """
    )
    roles = [("write", "a"), ("write", "b"), ("write", "c"), ("read", "1"), ("read", "2")]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), role, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for role, name in roles
    ]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * len(procs), [err.decode()[-2000:] for _, err in results]
    assert all(int(out) > 0 for (out, _), (role, _) in zip(results, roles, strict=True) if role == "read")
    assert [path.name for path in (tmp_path / "v1").iterdir()] == ["c" * 64 + ".json"]  # no temporary file left


# --- from_dict -----------------------------------------------------------------------------------------


def test_from_dict_reads_any_record_by_its_fields() -> None:
    """A record added tomorrow round-trips through the same code: nothing is written per field."""

    @dataclasses.dataclass(frozen=True)
    class Record:
        name: str
        rows: tuple[Layer, ...]
        sizes: list[int]
        shape: tuple[int, ...] | None = None
        pairs: tuple[tuple[str, tuple[int, ...]], ...] = ()
        facts: dict[str, Any] = dataclasses.field(default_factory=dict)
        rest: dict[str, Any] = dataclasses.field(default_factory=dict, metadata={"json": "rest"})

    record = Record(
        "r", (Layer("a", "Linear", 3, in_features=1, param_shapes=(("weight", (1, 2)),)),), [1, 2], (4,), (("w", (2,)),)
    )
    data = {
        "name": "r",
        "rows": [layer.to_dict() for layer in record.rows],
        "sizes": [1, 2],
        "shape": [4],
        "pairs": {"w": [2]},
        "facts": {},
    }
    assert from_plain(Record, json.loads(json.dumps(data))) == record
    assert from_plain(Record, {**data, "other": [1]}).rest == {"other": [1]}


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"schema_version": 1},
        {"schema_version": 2, "algo": "PPO"},
    ],
)
def test_from_dict_refuses_what_is_not_a_report(data: Any) -> None:
    with pytest.raises(SourceError) as caught:
        PolicyReport.from_dict(data)
    assert caught.value.code == "invalid-report"


def test_from_dict_is_the_inverse_of_to_dict_and_refuses_every_break(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "inspect", SEED, "-f", "json")
    good = json.loads(run(capsys, "inspect", SEED, "-f", "json")[1])
    report = PolicyReport.from_dict(good)
    assert report.to_dict() == good
    breaks: list[Callable[[dict[str, Any]], None]] = [
        lambda d: d["totals"].update(params=10**45),
        lambda d: d["totals"].update(params=1.5),
        lambda d: d.update(source="x" * 70_000),
        lambda d: d.update(notes=["\x07"]),
        lambda d: d.update(net_arch={1: 2}),
        lambda d: d.update(features_extractor={"class": object()}),
        lambda d: d["networks"][0]["layers"][0].update(param_shapes={"weight": ["64"]}),
        lambda d: d["networks"][0].update(layers=[[]]),
    ]
    for index, change in enumerate(breaks):
        data = json.loads(json.dumps(good))
        change(data)
        with pytest.raises(SourceError) as caught:
            PolicyReport.from_dict(data)
        assert caught.value.code == "invalid-report", index


# --- scan ----------------------------------------------------------------------------------------------


class _Calls:
    """A pickle that would run ``os.system`` on load (dumping it runs nothing)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return os.system, ("true",)


def test_scan_answers_from_the_cache_as_it_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, report_cache: Path
) -> None:
    import pickle

    from sb3inspect.sources.saved import safety

    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(_Calls()))
    (tmp_path / "copy.pkl").write_bytes(pickle.dumps(_Calls()))  # same bytes, another name in its findings
    (tmp_path / "fine.pkl").write_bytes(pickle.dumps({"lr": [1, 2.5, "x"]}))
    fixtures = ROOT / "tests" / "fixtures" / "saved"
    runs = [["scan", tmp_path], ["scan", tmp_path, "-f", "json"], ["scan", fixtures, tmp_path / "fine.pkl"]]
    uncached = [run(capsys, *command, "--no-cache") for command in runs]
    assert uncached[0][0] == 1 and "copy.pkl: calls" in uncached[0][1], uncached[0]
    assert entries(report_cache) == []
    assert [run(capsys, *command) for command in runs] == uncached  # fills the cache
    assert len(entries(report_cache)) > 3

    def refuse(path: Path) -> Any:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(safety, "path_safety", refuse)
    monkeypatch.setattr(pipeline, "path_safety", refuse)
    assert [run(capsys, *command) for command in runs] == uncached
    (tmp_path / "fine.pkl").write_bytes(pickle.dumps(_Calls()))  # edited: read again
    code, _, err = run(capsys, "scan", tmp_path / "fine.pkl")
    assert code == 2 and "fine.pkl was read again" in err, err  # the CLI's internal-error line
