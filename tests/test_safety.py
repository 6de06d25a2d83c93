"""The safety verdict: a file whose pickles run code when SB3 loads it is UNSAFE wherever sb3inspect shows it.

Every hostile file here is first shown to run its payload under the real loader (``PPO.load``,
``VecNormalize.load``, ``pickle.load``, ``yaml.UnsafeLoader``) in a throwaway folder, in a subprocess: a
payload only creates a marker file relative to that process's cwd. Only then is it held to
``inspect`` (table, JSON, Markdown), ``check`` (exit 1) and ``scan`` (exit 1). Legitimate saves of every
kind (each algorithm, schedules as classes and as cloudpickled closures, action noise, HER, VecNormalize,
replay buffers, policy files, the five real rl-zoo3 agents saved by SB3 1.0-1.3) are safe.
"""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tarfile
import types
import warnings
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pytest

import sb3inspect
from sb3inspect import catalog
from sb3inspect.cli import main
from sb3inspect.sources.saved.pickles import MAX_FINDINGS, MAX_LINE, data_allowed, read_pickle, torch_allowed
from sb3inspect.sources.saved.safety import path_safety, serialized_variants

from .conftest import ROOT, installed_algorithms, lacking

REAL_MODELS = ROOT / "tests" / "real-models"


# --- a small pickle assembler: payloads that only create ``marker-<name>`` in the loader's cwd ------------


def u(text: str) -> bytes:
    """SHORT_BINUNICODE / BINUNICODE."""
    data = text.encode()
    return (b"\x8c" + bytes([len(data)]) if len(data) < 256 else b"X" + struct.pack("<I", len(data))) + data


def gl(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sg(module: str, name: str) -> bytes:
    return u(module) + u(name) + b"\x93"


def call(func: bytes, *args: bytes) -> bytes:
    return func + b"(" + b"".join(args) + b"tR"


P2, P4 = b"\x80\x02", b"\x80\x04"


def touch(name: str) -> str:
    return f"touch marker-{name}"


class Reduce:
    """Pickles into ``func(*args)``."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, ...]:
        return self.func, self.args


def payloads(name: str) -> dict[str, bytes]:
    """One payload per opcode trick, each a whole pickle that creates ``marker-<name>`` when unpickled."""
    system = call(gl("os", "system"), u(touch(name))) + b"."
    nested = pickle.dumps(Reduce(os.system, touch(name)), protocol=2)
    return {
        "global": P2 + system,
        "stack_global": P4 + call(sg("os", "system"), u(touch(name))) + b".",
        "inst": b"(S'" + touch(name).encode() + b"'\nios\nsystem\n.",
        "obj": b"\x80\x01(" + gl("os", "system") + u(touch(name)) + b"o.",
        "protocol0_text": b"cos\nsystem\n(S'" + touch(name).encode() + b"'\ntR.",
        "newobj_build_setstate": P4
        + sg("collections", "OrderedDict")
        + b")\x81}"
        + u("__setstate__")
        + sg("os", "system")
        + b"sb"
        + u(touch(name))
        + b"b.",
        "pickle_loads": P2 + call(gl("pickle", "loads"), b"C" + bytes([len(nested)]) + nested) + b".",
        "pathlib_dotted": P4
        + call(sg("pathlib", "Path.touch"), call(sg("pathlib", "PosixPath"), u(f"marker-{name}")))
        + b".",
        "memo_strings": P4 + u("os") + b"\x94" + u("system") + b"\x94" + b"h\x00h\x01\x93" + u(touch(name)) + b"\x85R.",
        "text_int_base0": b"I0x10\n0L0o7L\n0I1_0\n0" + b"cos\nsystem\n(S'" + touch(name).encode() + b"'\ntR.",
        "compat_builtin": P2 + call(gl("__builtin__", "exec"), u(f"open('marker-{name}', 'w').close()")) + b".",
        "computed_global": P4
        + call(sg("codecs", "decode"), u("bf"), u("rot13"))
        + call(sg("codecs", "decode"), u("flfgrz"), u("rot13"))
        + b"\x93"
        + u(touch(name))
        + b"\x85R.",
        "extension": P2
        + call(gl("copyreg", "add_extension"), u("os"), u("system"), b"K\xf0")
        + b"0"
        + b"\x82\xf0"
        + u(touch(name))
        + b"\x85R.",
    }


def function_payloads(name: str) -> dict[str, bytes]:
    """Cloudpickled callables SB3's load calls (``learning_rate`` -> ``lr_schedule(1)``): code, not names."""
    import cloudpickle
    import numpy as np

    marker = f"marker-{name}"

    def opens(_: float) -> float:
        open(marker, "w").close()
        return 3e-4

    def strings_only(a: str, b: str, c: str) -> Any:
        return lambda _: getattr(__import__(a), b)(c) or 3e-4

    class Schedule:  # by value: cloudpickle rebuilds the class itself
        def __call__(self, _: float) -> float:
            open(marker, "w").close()
            return 3e-4

    # a match statement's class patterns look attributes up by names among the constants, not co_names; the
    # class to match against comes in as a default, or as a global whose name (float) is harmless
    def match_default(_: float, cls: Any = object, command: str = touch(name)) -> float:
        match cls:
            case cls(__subclasses__=subclasses):
                for sub in subclasses():
                    match sub:
                        case cls(__name__="_wrap_close", __init__=cls(__globals__=found)):
                            found["system"](command)
        return 3e-4

    def match_float(_: float, command: str = touch(name)) -> float:
        match float:
            case float(__subclasses__=subclasses):
                for sub in subclasses():
                    match sub:
                        case float(__name__="_wrap_close", __init__=float(__globals__=found)):
                            found["system"](command)
        return 3e-4

    match_global = types.FunctionType(match_float.__code__, {"float": object}, "f", match_float.__defaults__)

    # a class pattern's plain attribute names: a numpy float (np.exp's result) is a float, and writes files
    def match_plain(_: float) -> float:
        match np.exp(0.0):
            case float(tofile=write):
                write(marker)
        return 3e-4

    def match_plain_no_cells(_: float, numpy: Any = np, path: str = marker) -> float:
        match numpy.exp(0.0):
            case float(tofile=write):
                write(path)
        return 3e-4

    # the numpy module matched against a class kept among the constants: np.ctypeslib.ctypes.CDLL(None).system
    def match_module(_: float, command: bytes = touch(name).encode()) -> float:
        cls: Any = "CLASS"
        match np:
            case cls(ctypeslib=cls(ctypes=cls(CDLL=cdll))):
                match cdll(None):
                    case cls(system=system):
                        system(command)
        return 3e-4

    # types.CodeType / FunctionType (cloudpickle's _builtin_type) kept as values: a function builds its code at
    # run time from constants, with the real builtins (a FunctionType made with empty globals gets them)
    def build_default(p: float, code: Any = None, function: Any = None) -> float:
        return function(code(*"ARGS"), {})(p)  # type: ignore[no-any-return]

    def build_global(p: float) -> float:
        return pi(e(*"ARGS"), {})(p)  # type: ignore[name-defined,no-any-return]  # noqa: F821

    def build_constant(p: float) -> float:
        return "FUNCTION"("CODE"(*"ARGS"), {})(p)  # type: ignore[operator,no-any-return]

    def closure(code: Any, function: Any) -> Any:
        return lambda p: function(code(*"ARGS"), {})(p)

    build_global = types.FunctionType(build_global.__code__, {"e": types.CodeType, "pi": types.FunctionType})
    build_default.__defaults__ = (types.CodeType, types.FunctionType)
    return {
        "fn_open": cloudpickle.dumps(opens),
        "fn_strings_only": cloudpickle.dumps(strings_only("os", "system", touch(name))),
        "cls_call_instance": cloudpickle.dumps(Schedule()),
        "fn_match_default": cloudpickle.dumps(match_default),
        "fn_match_global": cloudpickle.dumps(match_global),
        "fn_match_plain_attribute": cloudpickle.dumps(match_plain),
        "fn_code_without_optional_arguments": without_optional_code_arguments(match_plain_no_cells),
        "fn_match_class_among_constants": cloudpickle.dumps(constants(match_module, CLASS=object)),
        "fn_types_as_defaults": cloudpickle.dumps(constants(build_default, ARGS=opener(marker))),
        "fn_types_in_globals": cloudpickle.dumps(constants(build_global, ARGS=opener(marker))),
        "fn_types_in_closure": cloudpickle.dumps(
            constants(closure(types.CodeType, types.FunctionType), ARGS=opener(marker))
        ),
        "fn_types_as_constants": cloudpickle.dumps(
            constants(build_constant, ARGS=opener(marker), CODE=types.CodeType, FUNCTION=types.FunctionType)
        ),
    }


def without_optional_code_arguments(function: Any) -> bytes:
    """The function cloudpickled with its code built from ``CodeType``'s required arguments only (``freevars`` and
    ``cellvars`` left to their default): a layout sb3inspect must read as this Python does."""
    import collections

    import cloudpickle

    reducer = cloudpickle.Pickler.dispatch_table[types.CodeType]

    def short(code: types.CodeType) -> tuple[Any, ...]:
        reduce, args = reducer(code)
        assert args[-2:] == ((), ())
        return reduce, args[:-2]

    class Pickler(cloudpickle.Pickler):
        dispatch_table: ClassVar[Any] = collections.ChainMap(
            {types.CodeType: short}, cloudpickle.Pickler.dispatch_table
        )

    buffer = io.BytesIO()
    Pickler(buffer).dump(function)
    return buffer.getvalue()


def constants(function: Any, **values: Any) -> Any:
    """The function with the string constants named in ``values`` replaced by those values (any object)."""
    code = function.__code__
    function.__code__ = code.replace(
        co_consts=tuple(values.get(c, c) if isinstance(c, str) else c for c in code.co_consts)
    )
    return function


def opener(marker: str) -> tuple[Any, ...]:
    """``types.CodeType``'s arguments for a function that creates ``marker``: data, built into code at run time."""
    code = compile(f"def opens(p):\n    open({marker!r}, 'w').close()\n    return 3e-4\n", "<x>", "exec").co_consts[0]
    return (
        *(code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_nlocals, code.co_stacksize),
        *(code.co_flags, code.co_code, code.co_consts, code.co_names, code.co_varnames, code.co_filename),
        *(code.co_name, code.co_qualname, code.co_firstlineno, code.co_linetable, code.co_exceptiontable),
    )


def legacy_torch_payload(name: str) -> bytes:
    """Legacy-format torch bytes whose object is an os.system call (what _load_from_bytes is handed)."""
    import torch

    buffer = io.BytesIO()
    torch.save(Reduce(os.system, touch(name)), buffer, _use_new_zipfile_serialization=False)
    return buffer.getvalue()


# --- building hostile files from a clean model ---------------------------------------------------------------


def rewrite(
    source: Path, target: Path, members: dict[str, bytes | None], *, extra: tuple[tuple[str, bytes], ...] = ()
) -> Path:
    """A copy of a zip with members replaced (None: removed) and ``extra`` appended (duplicates allowed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
            for info in old.infolist():
                if info.filename in members:
                    replacement = members[info.filename]
                    if replacement is not None:
                        new.writestr(info.filename, replacement)
                else:
                    new.writestr(info, old.read(info))
            for name, raw in extra:
                new.writestr(name, raw)
    return target


def with_data(source: Path, target: Path, key: str, raw: bytes, *, encode: Any = None) -> Path:
    data = json.loads(zipfile.ZipFile(source).read("data"))
    text = base64.b64encode(raw).decode()
    data[key] = {":type:": "<class 'object'>", ":serialized:": encode(text) if encode else text}
    return rewrite(source, target, {"data": json.dumps(data).encode()})


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from stable_baselines3 import PPO

    folder = tmp_path_factory.mktemp("base")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs={"net_arch": [8]}, device="cpu")
    model.save(folder / "ppo.zip")
    return folder / "ppo.zip"


def _junk(text: str) -> str:
    """Base64 with characters outside its alphabet sprinkled in."""
    return "!*".join(text[i : i + 7] for i in range(0, len(text), 7))


LOCATIONS = (
    "policy_class",
    "observation_space",
    "lr_schedule",
    "clip_range",
    "_last_obs",
    "ep_info_buffer",
    "policy_kwargs",
    "zz_unknown_key",  # a key SB3 never writes: json_to_data unpickles it all the same
)
"""Where each opcode trick goes, in turn: every place of ``data`` is as good as another."""
PLACED = {
    f"{LOCATIONS[i % len(LOCATIONS)]}-{trick}": (LOCATIONS[i % len(LOCATIONS)], trick)
    for i, trick in enumerate(payloads("x"))
}
HOSTILE_ZIPS = [
    *PLACED,
    *(f"learning_rate-{trick}" for trick in function_payloads("x")),
    "_last_obs-torch_load_from_bytes",
    "policy_class-b64_junk",
    "policy_class-b64_after_padding",
    "policy_class-b64_decoy_after_padding",
    "data-duplicate_member",
    "zz_unknown_key-long_text_line",
    "zz_unknown_key-opcode_flood",
]
REFUSED_ZIPS = ["zip-trailing_junk", "zip-many_members", "data-over_64_mb", "data-many_json_values"]
"""Hostile zips past a limit of ``inspect``'s (it refuses them): SB3's zipfile opens them all the same."""


@pytest.fixture(scope="module")
def hostile(base: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> a hostile model zip; each name's payload creates ``marker-<name>`` when PPO.load runs it."""
    folder = tmp_path_factory.mktemp("hostile")
    files: dict[str, Path] = {}
    for name, (location, trick) in PLACED.items():
        files[name] = with_data(base, folder / f"{name}.zip", location, payloads(name)[trick])
    for trick in function_payloads("x"):
        name = f"learning_rate-{trick}"
        files[name] = with_data(base, folder / f"{name}.zip", "learning_rate", function_payloads(name)[trick])
    name = "_last_obs-torch_load_from_bytes"  # ARS's legitimate global, handed a hostile torch file
    legacy = legacy_torch_payload(name)
    raw = P2 + gl("torch.storage", "_load_from_bytes") + b"(B" + struct.pack("<I", len(legacy)) + legacy + b"tR."
    files[name] = with_data(base, folder / f"{name}.zip", "_last_obs", raw)
    name = "policy_class-b64_junk"  # SB3's decoder drops characters outside the alphabet
    files[name] = with_data(base, folder / f"{name}.zip", "policy_class", payloads(name)["global"], encode=_junk)
    name = "policy_class-b64_after_padding"  # and stops at the first padded group: the rest is never read
    files[name] = with_data(
        base, folder / f"{name}.zip", "policy_class", payloads(name)["global"], encode=lambda t: f"{t}=QUJD"
    )
    name = "zz_unknown_key-long_text_line"  # a protocol-0 line past what sb3inspect keeps, then the payload
    raw = b"S'" + b"a" * (100 << 10) + b"'\np0\n0" + payloads(name)["protocol0_text"]
    files[name] = with_data(base, folder / f"{name}.zip", "zz_unknown_key", raw)
    name = "zz_unknown_key-opcode_flood"  # more opcodes than sb3inspect reads, then the payload
    raw = P2 + b"N0" * 1_250_000 + payloads(name)["global"][2:]
    files[name] = with_data(base, folder / f"{name}.zip", "zz_unknown_key", raw)
    for name in REFUSED_ZIPS:
        files[name] = refused_zip(base, folder / f"{name}.zip", name)
    name = "policy_class-b64_decoy_after_padding"  # SB3's decoding, then a harmless pickle for a decoder that goes on
    raw = payloads(name)["text_int_base0"]
    raw = b"N0" * (1 + (len(raw) % 3 == 0)) + raw if len(raw) % 3 in (0, 2) else raw  # base64 ending in "="
    decoy = base64.b64encode(P2 + b"N.").decode()
    files[name] = with_data(base, folder / f"{name}.zip", "policy_class", raw, encode=lambda t: t + decoy)
    name = "data-duplicate_member"  # zipfile reads the last member named data
    data = json.loads(zipfile.ZipFile(base).read("data"))
    data["policy_class"][":serialized:"] = base64.b64encode(payloads(name)["global"]).decode()
    files[name] = rewrite(base, folder / f"{name}.zip", {}, extra=(("data", json.dumps(data).encode()),))
    return files


def refused_zip(base: Path, target: Path, name: str) -> Path:
    """A hostile zip past one of inspect's limits, in a form Python's zipfile (so SB3) reads."""
    with_data(base, target, "zz_unknown_key", payloads(name)["global"])
    data = zipfile.ZipFile(target).read("data")
    if name == "zip-trailing_junk":
        with open(target, "ab") as handle:
            handle.write(b"\x00junk" * 40)
    elif name == "zip-many_members":
        rewrite(target, target.with_suffix(".tmp"), {}, extra=tuple((f"pad/{i}.txt", b"x") for i in range(70)))
        target.with_suffix(".tmp").replace(target)
    else:
        padding = b"[" + b"0," * 250_000 + b"0]" if name == "data-many_json_values" else b" " * (65 << 20) + b"0"
        with zipfile.ZipFile(base) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                if info.filename != "data":
                    new.writestr(info, old.read(info))
            new.writestr("data", b'{"aa_padding": ' + padding + b", " + data[1:])
    return target


def crc(raw: bytes, suffix: str) -> bytes:
    """The CRC-32 field of a zip's member (as both its headers hold it)."""
    info = next(info for info in zipfile.ZipFile(io.BytesIO(raw)).infolist() if info.filename.endswith(suffix))
    return struct.pack("<I", info.CRC)


def outside_zip(folder: Path, base: Path) -> dict[str, Path]:
    """Hostile files other loaders read: a VecNormalize pickle, a replay buffer, a policy file, rl-zoo3 YAML."""
    files = {}
    for name, suffix in (("vecnormalize", ".pkl"), ("replay_buffer", ".pkl"), ("policy_file", ".pth")):
        files[name] = folder / f"{name}{suffix}"
    files["vecnormalize"].write_bytes(pickle.dumps(Reduce(os.system, touch("vecnormalize"))))
    files["replay_buffer"].write_bytes(payloads("replay_buffer")["stack_global"])
    import torch

    torch.save({"state_dict": {}, "data": Reduce(os.system, touch("policy_file"))}, files["policy_file"])
    # torch's zip reader takes a record from the central directory, unlike Python's zipfile: a local header naming
    # another file, or a wrong CRC, does not stop it
    for name, edit in (
        ("policy_file_renamed_record", lambda raw: raw.replace(b"/data.pkl", b"/data.pkX", 1)),
        ("policy_file_bad_crc", lambda raw: raw.replace(crc(raw, "data.pkl"), bytes(4))),
    ):
        buffer = io.BytesIO()
        torch.save({"state_dict": {}, "data": Reduce(os.system, touch(name))}, buffer)
        files[name] = folder / f"{name}.pth"
        files[name].write_bytes(edit(buffer.getvalue()))
    files["zip_named_yml"] = folder / "model.yml"  # PPO.load opens it: a zip whatever its name
    with_data(base, files["zip_named_yml"], "zz_unknown_key", payloads("zip_named_yml")["global"])
    files["policy_tar"] = folder / "policy_tar.pth"  # torch's oldest format, still read by torch.load
    with tarfile.open(files["policy_tar"], "w") as tar:
        for member, raw in (
            ("storages", P2 + b"K\x00." + P2 + b"]."),
            ("tensors", P2 + b"K\x00."),
            ("pickle", payloads("policy_tar")["global"]),
        ):
            info = tarfile.TarInfo(member)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    config = folder / "config.yml"
    config.write_text(f"!!python/object/apply:os.system\n- {touch('zoo_yaml')}\n")
    files["zoo_yaml"] = config
    evaluated = folder / "run" / "config.yml"
    evaluated.parent.mkdir()
    evaluated.write_text(f"normalize: \"__import__('os').system('{touch('zoo_eval')}')\"\n")
    files["zoo_eval"] = evaluated
    return files


LOADER = r"""
import json, os, pickle, sys, tempfile, warnings
warnings.simplefilter("ignore")
fired = []
for name, path, how in json.loads(sys.argv[1]):
    with tempfile.TemporaryDirectory() as cwd:
        os.chdir(cwd)
        try:
            if how == "zip":
                from stable_baselines3 import PPO
                PPO.load(path, device="cpu")
            elif how == "pickle":
                with open(path, "rb") as handle:
                    pickle.load(handle)
            elif how == "policy":
                from stable_baselines3.common.policies import ActorCriticPolicy
                ActorCriticPolicy.load(path)
            elif how == "yaml":
                import yaml
                with open(path) as handle:
                    loaded = yaml.load(handle, Loader=yaml.UnsafeLoader)
                if isinstance(loaded, dict) and isinstance(loaded.get("normalize"), str):
                    eval(loaded["normalize"])  # what rl_zoo3.utils.get_saved_hyperparams does
        except BaseException:
            pass
        if os.path.exists(f"marker-{name}"):
            fired.append(name)
        os.chdir("/")
print(json.dumps(fired))
"""


@pytest.fixture(scope="module")
def fired(
    hostile: dict[str, Path], base: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[set[str], dict[str, Path]]:
    """The names whose payload ran under the real loader, each in its own temporary cwd (one subprocess)."""
    others = outside_zip(tmp_path_factory.mktemp("outside"), base)
    kinds = {"vecnormalize": "pickle", "replay_buffer": "pickle", "policy_tar": "policy"}
    kinds |= {name: "policy" for name in others if name.startswith("policy_file")}
    kinds["zip_named_yml"] = "zip"
    jobs = [(name, str(path), "zip") for name, path in hostile.items()]
    jobs += [(name, str(path), kinds.get(name, "yaml")) for name, path in others.items()]
    result = subprocess.run(
        [sys.executable, "-c", LOADER, json.dumps(jobs)], capture_output=True, text=True, timeout=600, check=True
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1])), others


def fires_and_scans_unsafe(
    name: str, hostile: dict[str, Path], fired: set[str], capsys: pytest.CaptureFixture[str]
) -> Path:
    """The hostile zip, once its payload is shown to run under PPO.load and ``scan`` calls it unsafe (exit 1)."""
    assert name in fired, f"{name}: the payload did not run under PPO.load, so the file proves nothing"
    path = hostile[name]
    assert main(["scan", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"UNSAFE  {path}")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE_ZIPS)
def test_a_hostile_zip_is_unsafe_everywhere(
    name: str, hostile: dict[str, Path], fired: tuple[set[str], dict[str, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    path = fires_and_scans_unsafe(name, hostile, fired[0], capsys)
    report = sb3inspect.summary(path)
    safety = report.to_dict()["saved_model"]["safety"]
    assert safety["verdict"] == "unsafe" and safety["findings"], safety
    assert report.render("table").startswith("UNSAFE  "), report.render("table")[:300]
    assert report.render("markdown").startswith("> **UNSAFE**"), report.render("markdown")[:300]
    assert main(["check", str(path)]) == 1
    assert "UNSAFE" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("name", REFUSED_ZIPS)
def test_a_hostile_zip_inspect_refuses_is_unsafe(
    name: str, hostile: dict[str, Path], fired: tuple[set[str], dict[str, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The verdict reads the zip as SB3 does, past inspect's limits: the refusal says UNSAFE first, scan fails."""
    path = fires_and_scans_unsafe(name, hostile, fired[0], capsys)
    for command in ("inspect", "check"):
        assert main([command, str(path), "--no-cache"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and ": UNSAFE (" in err, err


@pytest.mark.parametrize(
    "name",
    [
        *("vecnormalize", "replay_buffer", "policy_file", "policy_file_renamed_record", "policy_file_bad_crc"),
        *("policy_tar", "zip_named_yml", "zoo_yaml", "zoo_eval"),
    ],
)
def test_hostile_files_beside_a_model_are_unsafe(
    name: str, fired: tuple[set[str], dict[str, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert name in fired[0], f"{name}: the payload did not run under its loader, so the file proves nothing"
    path = fired[1][name]
    assert main(["scan", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"UNSAFE  {path}"), out


def test_a_hostile_policy_pth_is_unsafe_and_never_loaded(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SB3 < 2.3 (or torch < 2.6) loads policy.pth with a full unpickler: its payload runs there."""
    import torch

    marker = tmp_path / "marker"
    buffer = io.BytesIO()
    torch.save({"action_net.weight": Reduce(os.system, f"touch {marker}")}, buffer)
    torch.load(io.BytesIO(buffer.getvalue()), weights_only=False)
    assert marker.exists(), "the payload is not hostile: an unsafe torch.load should have run it"
    marker.unlink()
    path = rewrite(base, tmp_path / "hostile.zip", {"policy.pth": buffer.getvalue()})
    report = sb3inspect.summary(path)
    assert not marker.exists()
    assert report.safety is not None and report.safety["verdict"] == "unsafe"
    assert report.to_dict()["saved_model"]["state_dict"]["status"] == "not_checked"
    assert any("policy.pth was not loaded: calls" in note for note in report.notes), report.notes
    assert main(["check", str(path)]) == 1
    assert main(["scan", str(path)]) == 1
    assert "policy.pth: calls" in capsys.readouterr().out


# --- legitimate saves -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def benign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of legitimate saves: every kind of pickle SB3, sb3-contrib and rl-zoo3 write."""
    import cloudpickle
    import numpy as np
    import sb3_contrib
    from sb3_contrib import MaskablePPO, RecurrentPPO
    from stable_baselines3 import DQN, PPO, SAC, TD3, HerReplayBuffer
    from stable_baselines3.common import utils
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.envs import BitFlippingEnv
    from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise
    from stable_baselines3.common.vec_env import VecNormalize

    folder = tmp_path_factory.mktemp("benign")
    warnings.simplefilter("ignore")

    def small() -> dict[str, Any]:
        return {"net_arch": [8]}  # a fresh dict each time: SB3 writes into policy_kwargs

    def make(lr: float) -> Any:
        return lambda progress: lr * progress  # a user's own schedule, pickled by value

    ppo = PPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16, learning_rate=make(3e-4), policy_kwargs=small())
    ppo.learn(16)
    ppo.save(folder / "ppo-user_schedule.zip")
    ppo.policy.save(folder / "ppo-policy.pth")
    # SB3 2.0-2.6 saved schedules as cloudpickled closures: the same shapes, written by hand
    data = json.loads(zipfile.ZipFile(folder / "ppo-user_schedule.zip").read("data"))
    for key, function in (
        ("lr_schedule", utils.constant_fn(3e-4)),
        ("clip_range", utils.get_schedule_fn(0.2)),
        ("exploration_schedule", utils.get_linear_fn(1.0, 0.05, 0.1)),
    ):
        data[key] = {
            ":type:": "<class 'function'>",
            ":serialized:": base64.b64encode(cloudpickle.dumps(function)).decode(),
        }
    rewrite(folder / "ppo-user_schedule.zip", folder / "ppo-closures.zip", {"data": json.dumps(data).encode()})

    sac = SAC("MlpPolicy", "Pendulum-v1", learning_starts=8, buffer_size=64, policy_kwargs=small(),
              action_noise=NormalActionNoise(np.zeros(1), 0.1 * np.ones(1)))  # fmt: skip
    sac.learn(16)
    sac.save(folder / "sac-noise.zip")
    sac.save_replay_buffer(folder / "sac-buffer.pkl")
    sac.policy.save(folder / "sac-policy.pth")
    td3 = TD3("MlpPolicy", "Pendulum-v1", learning_starts=8, buffer_size=64, policy_kwargs=small(),
              action_noise=OrnsteinUhlenbeckActionNoise(np.zeros(1), 0.1 * np.ones(1)))  # fmt: skip
    td3.learn(16)
    td3.save(folder / "td3-ou_noise.zip")
    dqn = DQN("MlpPolicy", "CartPole-v1", learning_starts=8, buffer_size=64, policy_kwargs=small())
    dqn.learn(16)
    dqn.save(folder / "dqn.zip")
    her = DQN("MultiInputPolicy", BitFlippingEnv(n_bits=4), replay_buffer_class=HerReplayBuffer,
              learning_starts=8, buffer_size=64, policy_kwargs=small())  # fmt: skip
    her.learn(16)
    her.save(folder / "dqn-her.zip")
    for name in ("ARS", "CrossQ", "TQC"):
        if name not in installed_algorithms():
            continue  # CrossQ before sb3-contrib 2.4
        model = getattr(sb3_contrib, name)(
            "MlpPolicy" if name != "ARS" else "LinearPolicy",
            "Pendulum-v1",
            **({} if name == "ARS" else {"buffer_size": 64}),
        )
        model.save(folder / f"{name.lower()}.zip")
    RecurrentPPO("MlpLstmPolicy", "CartPole-v1", n_steps=16, batch_size=16).save(folder / "recurrentppo.zip")
    MaskablePPO("MlpPolicy", "CartPole-v1", n_steps=16, batch_size=16).save(folder / "maskableppo.zip")
    venv = VecNormalize(make_vec_env("Pendulum-v1", n_envs=2))
    venv.reset()
    venv.step(np.zeros((2, 1)))
    venv.save(str(folder / "vecnormalize.pkl"))
    # protocol 2: Python 2 names, bytes as _codecs.encode
    (folder / "vecnormalize-protocol2.pkl").write_bytes(pickle.dumps(venv, protocol=2))
    warnings.resetwarnings()
    return folder


@pytest.mark.slow
def test_every_legitimate_save_is_safe(benign: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(p for p in benign.iterdir())
    assert len(files) >= 15
    assert main(["scan", str(benign), "--format", "json"]) == 0, capsys.readouterr().out
    results = json.loads(capsys.readouterr().out)
    assert {Path(r["path"]).name for r in results} == {p.name for p in files}
    assert {r["verdict"] for r in results} == {"safe"}


def test_the_real_agents_are_safe(capsys: pytest.CaptureFixture[str]) -> None:
    """Five rl-zoo3 agents saved by SB3 1.0rc0-1.3.1a7 (gym, numpy 1.x, cloudpickle 1.x closures), run folders included."""
    assert main(["scan", str(REAL_MODELS)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert out.count("safe    ") == 18 and "18 scanned: 18 safe" in out, out
    report = sb3inspect.summary(REAL_MODELS / "ppo" / "Hopper-v3_1" / "Hopper-v3.zip")
    assert report.to_dict()["saved_model"]["safety"] == {"verdict": "safe", "findings": []}
    assert not report.render("table").startswith(("UNSAFE", "UNKNOWN"))


# --- the machine, opcode by opcode ------------------------------------------------------------------------


@pytest.mark.parametrize("trick", list(payloads("x")))
def test_each_opcode_trick_is_found(trick: str) -> None:
    found = read_pickle(payloads("x")[trick], data_allowed())
    assert found.findings, trick


def test_findings_name_what_runs() -> None:
    assert read_pickle(payloads("x")["global"], data_allowed()).findings == ["calls os.system"]
    assert read_pickle(payloads("x")["compat_builtin"], data_allowed()).findings == ["calls builtins.exec"]
    assert "calls pathlib.Path.touch" in read_pickle(payloads("x")["pathlib_dotted"], data_allowed()).findings
    nested = read_pickle(payloads("x")["pickle_loads"], data_allowed())
    assert nested.findings == ["calls pickle.loads"] and nested.nested[0].label == "in the pickle it loads"
    assert (
        "sets __setstate__ on an object (BUILD)"
        in read_pickle(payloads("x")["newobj_build_setstate"], data_allowed()).findings
    )


def test_code_is_read_not_just_names() -> None:
    """A schedule doing arithmetic is normal; one that reaches past it is not, whatever globals it names."""
    import cloudpickle

    def linear(start: float) -> Any:
        return lambda progress: progress * start

    assert read_pickle(cloudpickle.dumps(linear(3e-4)), data_allowed()).findings == []
    assert read_pickle(cloudpickle.dumps(lambda p: max(1e-5, float(p) ** 2)), data_allowed()).findings == []
    for function in (lambda p: exec("p"), lambda p: p.__class__, lambda p: os.getcwd(), lambda p: __import__("x")):
        assert read_pickle(cloudpickle.dumps(function), data_allowed()).findings, function


def test_a_functions_reach_and_bytecode_are_read() -> None:
    """What a schedule reaches besides its names (classes or types as globals, defaults, cells, constants, however
    the function is made) and bytecode an arithmetic schedule never holds are found; ordinary schedules are not."""
    import cloudpickle
    import numpy as np

    source = (  # compiled apart: pytest rewrites the asserts of functions written in a test
        "def schedule(p, low=1e-5, table=np.array([1e-4, 2e-4])):\n"
        "    assert 0 <= p <= 1, f'progress {p!r}'\n"
        "    value = sum(x * p for x in table) + min([p * k for k in range(3)]) if p > 0.5 else (y := p * 2) * y\n"
        "    return max(low, float(np.clip(value, a_min=low, a_max=1.0)))\n"
    )
    scope = {"np": np, "__name__": "schedules"}
    exec(source, scope)
    schedule = scope["schedule"]
    assert read_pickle(cloudpickle.dumps(schedule), data_allowed()).findings == []
    made = Reduce(cloudpickle.cloudpickle._make_function, schedule.__code__, {"e": object}, "f", None, ())
    assert read_pickle(cloudpickle.dumps(made), data_allowed()).findings == [
        "gives the function schedule builtins.object with its globals, defaults or closure"
    ]

    def builds_a_class(p: float) -> float:
        class Inner:
            pass

        return p

    code = (lambda p: p * 3e-4).__code__
    at = code.co_code.index(bytes([__import__("opcode").opmap["LOAD_CONST"]]))
    past = code.co_code[: at + 1] + b"\xff" + code.co_code[at + 2 :]  # consts[255]: whatever memory lies there
    raw = cloudpickle.dumps(types.FunctionType(code, {}))  # cloudpickle reads the bytecode: patched once pickled
    for pickled, finding in (
        (cloudpickle.dumps(builds_a_class), "uses the opcodes LOAD_BUILD_CLASS"),
        (raw.replace(code.co_code, past), "indexes past its tables with LOAD_CONST"),
    ):
        found = read_pickle(pickled, data_allowed()).findings
        assert any(finding in what for what in found), found


def test_a_global_the_functions_globals_hold_is_data() -> None:
    """A schedule may read module-level constants and call module-level helpers: its pickled globals hold them (data,
    or functions read in turn). A name they lack is a builtin (open, getattr): unsafe, for each function made."""
    import cloudpickle
    import numpy as np

    source = (  # a module of the user's: a constant and a helper, read by name
        "START = np.float64(3e-4)\nFLOOR = 1e-5\n"
        "def helper(p):\n    return max(FLOOR, p)\n"
        "def schedule(p):\n    return float(START * helper(p))\n"
    )
    scope = {"np": np, "__name__": "users_module"}
    exec(source, scope)
    assert read_pickle(cloudpickle.dumps(scope["schedule"]), data_allowed()).findings == []

    code = (lambda p: open(p)).__code__  # noqa: SIM115
    make = cloudpickle.cloudpickle._make_function
    shadowed = Reduce(make, code, {"open": 1.0}, "f", None, ())  # open is the data its globals give
    assert read_pickle(cloudpickle.dumps(shadowed), data_allowed()).findings == []
    both = [shadowed, Reduce(make, code, {}, "f", None, ())]  # one code object, a second function without it
    found = read_pickle(cloudpickle.dumps(both), data_allowed()).findings
    assert any("whose code uses open" in what for what in found), found

    # a name the globals give, also read as an attribute: through a second copy in co_names, or through an index
    # an EXTENDED_ARG prefix makes larger than the one a jump past the prefix reads
    code = (lambda p: tofile(p).tofile).__code__  # type: ignore[name-defined]  # noqa: F821
    opmap = __import__("opcode").opmap
    at = code.co_code.index(bytes([opmap["LOAD_ATTR"], 0]))
    twice = code.replace(
        co_names=("tofile", "tofile"), co_code=code.co_code[: at + 1] + b"\x01" + code.co_code[at + 2 :]
    )
    prefix = bytes([opmap["EXTENDED_ARG"], 1])
    hidden = code.replace(co_names=("tofile", *["x"] * 256), co_code=code.co_code[:at] + prefix + code.co_code[at:])
    for crafted in (twice, hidden):
        made = Reduce(make, crafted, {"tofile": 1.0, "x": 1.0}, "f", None, ())
        found = read_pickle(cloudpickle.dumps(made), data_allowed()).findings
        assert any("whose code uses tofile" in what for what in found), found


def test_an_env_id_in_data_is_unsafe(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SB3 never saves ``env``, but given none its load makes ``data["env"]`` with gym.make: an id ``module:Env``
    imports the module (shown under PPO.load with a module nothing else imports), whatever the pickles hold."""
    data = json.loads(zipfile.ZipFile(base).read("data"))
    data["env"] = "tabnanny:CartPole-v1"
    path = rewrite(base, tmp_path / "env.zip", {"data": json.dumps(data).encode()})
    probe = (
        "import sys, warnings\nwarnings.simplefilter('ignore')\nfrom stable_baselines3 import PPO\n"
        "try:\n    PPO.load(sys.argv[1], device='cpu')\nexcept Exception:\n    pass\nprint('tabnanny' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert loaded.stdout.strip().endswith("True"), loaded.stdout[-300:] + loaded.stderr[-300:]
    assert main(["scan", str(path), "--no-cache"]) == 1
    assert "data.env: is an environment id" in capsys.readouterr().out


def test_a_run_folders_wrappers_and_callbacks_must_be_known(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rl-zoo3 imports the module of each ``env_wrapper`` / ``vec_env_wrapper`` / ``callback`` class path a run
    folder's config.yml names (shown under its enjoy path: get_saved_hyperparams, then create_test_env, with a
    module nothing else imports), and calls the class: only wrappers and callbacks sb3inspect knows are safe."""
    run = tmp_path / "run" / "CartPole-v1"
    run.mkdir(parents=True)
    (run / "config.yml").write_text(
        "!!python/object/apply:collections.OrderedDict\n- - - env_wrapper\n    - tabnanny.Wrapper\n  - - n_envs\n    - 1\n"
    )
    probe = (
        "import sys, warnings\nwarnings.simplefilter('ignore')\nfrom rl_zoo3 import create_test_env, get_saved_hyperparams\n"
        "try:\n    hp, stats = get_saved_hyperparams(sys.argv[1], test_mode=True)\n"
        "    create_test_env('CartPole-v1', n_envs=1, stats_path=stats, hyperparams=hp)\nexcept Exception:\n    pass\n"
        "print('tabnanny' in sys.modules)"
    )
    loaded = subprocess.run([sys.executable, "-c", probe, str(run)], capture_output=True, text=True, cwd=tmp_path)
    assert loaded.stdout.strip().endswith("True"), loaded.stdout[-300:] + loaded.stderr[-300:]
    assert main(["scan", str(run.parent), "--no-cache"]) == 1
    assert "config.yml: env_wrapper: names 'tabnanny.Wrapper'" in capsys.readouterr().out
    known = (
        "env_wrapper:\n- sb3_contrib.common.wrappers.TimeFeatureWrapper\n- rl_zoo3.wrappers.HistoryWrapper: {horizon: 2}\n"
        "- minigrid.wrappers.FlatObsWrapper\nvec_env_wrapper: stable_baselines3.common.vec_env.VecFrameStack\n"
        "callback:\n- stable_baselines3.common.callbacks.CheckpointCallback: {save_freq: 100}\n"
    )
    for text, verdict in ((known, 0), ("callback: [os.system]\n", 1), ("env_wrapper: [[a.B]]\n", 1)):
        (run / "config.yml").write_text(text)
        assert main(["scan", str(run / "config.yml"), "--no-cache"]) == verdict, text
        capsys.readouterr()


def test_data_nested_past_the_parser_is_unsafe(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SB3 parses ``data`` nearer the top of its stack than sb3inspect: what nests too deep here may load there."""
    data = zipfile.ZipFile(base).read("data").decode()
    deep = data.rstrip().removesuffix("}") + ', "pad": ' + "[" * 50_000 + "]" * 50_000 + "}"
    path = rewrite(base, tmp_path / "deep.zip", {"data": deep.encode()})
    assert main(["scan", str(path), "--no-cache"]) == 1
    assert "data: nests deeper than sb3inspect can parse" in capsys.readouterr().out


def test_an_algorithm_class_is_only_named_where_her_kept_it(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SB3's policy calls the classes policy_kwargs holds; an algorithm class makes an env from a string id."""
    from stable_baselines3 import PPO

    raw = pickle.dumps({"features_extractor_class": PPO, "features_extractor_kwargs": {"env": "somemodule:Env"}})
    path = with_data(base, tmp_path / "algo.zip", "policy_kwargs", raw)
    assert main(["scan", str(path), "--no-cache"]) == 1
    assert "data.policy_kwargs: imports stable_baselines3.ppo.ppo.PPO" in capsys.readouterr().out
    path = with_data(base, tmp_path / "her.zip", "model_class", pickle.dumps(PPO))  # SB3 1.x HER's own field
    assert main(["scan", str(path), "--no-cache"]) == 0, capsys.readouterr().out


def test_findings_are_unique_and_capped_per_pickle() -> None:
    """A pickle naming thousands of globals reads in linear time and says how many it did not list."""
    repeated = P4 + b"".join(sg("os", "system") + b"0" for _ in range(20_000)) + b"N."
    assert read_pickle(repeated, data_allowed()).findings == ["imports os.system"]
    many = P4 + b"".join(sg("os", f"f{i}") + b"0" for i in range(5_000)) + b"N."
    findings = read_pickle(many, data_allowed()).findings
    assert len(findings) == MAX_FINDINGS + 1 and findings[-1] == f"and {5_000 - MAX_FINDINGS:,} more findings"


def test_protocol_0_lines_are_bounded() -> None:
    """A text opcode's line past MAX_LINE is skipped, not kept, and is itself a finding; reading goes on."""
    long = b"x" * (MAX_LINE + 10)
    for head in (b"S'" + long + b"'\n0", b"V" + long + b"\n0", b"I" + long + b"\n0", b"F1." + long + b"\n0"):
        findings = read_pickle(head + payloads("x")["protocol0_text"], data_allowed()).findings
        assert "calls os.system" in findings and any("line of" in f for f in findings), (head[:2], findings)
    hidden = read_pickle(b"cos\nsystem" + b".__self__.system" * 5_000 + b"\n(S'x'\ntR.", data_allowed())
    assert any("GLOBAL line of" in f for f in hidden.findings), hidden.findings
    assert read_pickle(b"S'" + long, data_allowed()).unreadable  # no newline: the unpickler stops too


@pytest.mark.slow
def test_every_class_a_policy_keyword_accepts_is_safe_when_saved(tmp_path: Path) -> None:
    """Each activation and optimizer class sb3inspect accepts, in a real SB3 save's policy_kwargs, is safe."""
    import importlib

    from stable_baselines3 import PPO

    def load(name: str) -> Any:
        return getattr(importlib.import_module(catalog.CLASS_MODULES[name]), name)

    activations, optimizers = catalog.CLASS_KWARGS["activation_fn"], catalog.CLASS_KWARGS["optimizer_class"]
    unsafe = {}
    for index in range(max(len(activations), len(optimizers))):
        activation, optimizer = activations[index % len(activations)], optimizers[index % len(optimizers)]
        kwargs = {"net_arch": [2], "activation_fn": load(activation), "optimizer_class": load(optimizer)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = PPO("MlpPolicy", "CartPole-v1", n_steps=8, batch_size=8, policy_kwargs=kwargs, device="cpu")
        model.save(tmp_path / "model.zip")
        safety = path_safety(tmp_path / "model.zip")
        if safety.verdict != "safe":
            unsafe[(activation, optimizer)] = [f.what for f in safety.findings]
    assert unsafe == {}


def test_torch_members_may_only_rebuild_tensors() -> None:
    import torch

    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(2, 3), "b": torch.zeros(3)}, buffer)
    inner = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    data_pkl = inner.read(next(n for n in inner.namelist() if n.endswith("data.pkl")))
    read = read_pickle(data_pkl, torch_allowed())
    assert (read.findings, read.tensors) == ([], 2)
    assert read_pickle(pickle.dumps({"lr": 0.1}), torch_allowed()).findings == []
    assert read_pickle(payloads("x")["global"], torch_allowed()).findings == ["calls os.system"]


def test_an_unreadable_pickle_is_unknown(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = with_data(base, tmp_path / "cut.zip", "lr_schedule", pickle.dumps([1.5, 2.5, 3.5])[:-4])
    safety = path_safety(path)
    assert safety.verdict == "unknown", safety
    assert main(["scan", str(path)]) == 2
    assert capsys.readouterr().out.startswith(f"UNKNOWN {path}")


def test_sb3s_lenient_base64_is_decoded_as_sb3_does() -> None:
    raw = payloads("x")["global"]
    text = base64.b64encode(raw).decode()
    assert serialized_variants(text) == [raw]
    assert raw in serialized_variants(_junk(text))
    assert raw in serialized_variants(base64.b64encode(b"\x80\x02N.").decode() + text)


# --- the allow-list holds real names ----------------------------------------------------------------------


PICKLE_NAMES = (
    catalog.PICKLE_ALLOWED | set(catalog.PICKLE_CHECKED) | catalog.PICKLE_REFERENCE_ONLY | catalog.TORCH_PICKLE_ALLOWED
)


def test_every_allowed_name_resolves_in_the_installed_packages() -> None:
    """Exact names of real objects; gym's (SB3 1.x files) as gymnasium's, which kept them."""
    import importlib

    missing = []
    for dotted in sorted(PICKLE_NAMES):
        name = dotted.replace("gym.spaces.", "gymnasium.spaces.", 1) if dotted.startswith("gym.") else dotted
        module, _, attribute = name.rpartition(".")
        while module:
            try:
                value: Any = importlib.import_module(module)
                break
            except ImportError:
                module, _, head = module.rpartition(".")
                attribute = f"{head}.{attribute}"
        else:
            missing.append(dotted)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy.core.* is numpy 2's deprecated alias of numpy._core
            for part in attribute.split("."):
                value = getattr(value, part, None)
        if value is None:
            missing.append(dotted)
    # cloudpickle moved its helpers between cloudpickle.cloudpickle and cloudpickle_fast across 1.x-3.x, and
    # files from every release name either: a helper is there when one of the two modules has it
    moved = catalog.CLOUDPICKLE_MODULES
    resolved = {d for d in PICKLE_NAMES if d not in missing}
    missing = [
        d
        for d in missing
        if not (d.startswith(moved) and any(d.replace(m, o, 1) in resolved for m in moved for o in moved))
    ]
    # a name of a newer release (FloatSchedule, CrossQ) is missing where an older one is installed: RELEASES says which
    assert [d for d in missing if lacking(d.replace("gym.spaces.", "gymnasium.spaces.", 1)) is None] == []


def test_torch_names_are_in_torchs_own_weights_only_allow_list() -> None:
    from torch import _weights_only_unpickler

    assert catalog.TORCH_PICKLE_ALLOWED - set(_weights_only_unpickler._get_allowed_globals()) == set()


# --- scan: the CLI for CI -------------------------------------------------------------------------------


def test_scan_never_imports_torch(hostile: dict[str, Path]) -> None:
    path = hostile["policy_class-global"]
    code = (
        "import sys; from sb3inspect.cli import main; code = main(['scan', sys.argv[1]]);"
        "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr


def test_scan_exit_codes(
    base: Path, hostile: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(base)]) == 0
    assert capsys.readouterr().out.startswith("safe")
    (tmp_path / "not-a-model.zip").write_bytes(b"PK nothing")
    assert main(["scan", str(tmp_path / "not-a-model.zip")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["scan", str(base), str(hostile["policy_class-global"]), str(tmp_path / "not-a-model.zip")]) == 1
    assert "3 scanned: 1 safe, 1 unsafe, 0 unknown, 1 unreadable" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["scan", str(empty)]) == 2


def test_a_folder_scan_reads_every_file(hostile: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(next(iter(hostile.values())).parent)]) == 1
    assert f"{len(hostile)} scanned: 0 safe, {len(hostile)} unsafe" in capsys.readouterr().out


def test_diff_and_diagram_say_unsafe_first(
    base: Path, hostile: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from sb3inspect.render.graph import build_graph

    path = hostile["lr_schedule-inst"]
    assert main(["diff", str(path), str(base)]) == 0
    assert capsys.readouterr().out.startswith("UNSAFE  A: data.lr_schedule: calls os.system")
    assert main(["diff", str(path), str(base), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["safety"]["a"]["verdict"] == "unsafe"
    assert build_graph(sb3inspect.summary(path)).facts[0] == ("UNSAFE", "data.lr_schedule: calls os.system")


def test_every_saved_format_fixture_is_safe() -> None:
    """The saved-format fixtures (SB3 0.8 to 2.9, sb3-contrib 1.0 to 2.9): none is called unsafe or unknown."""
    from sb3inspect.sources.saved.safety import scan_paths

    results = list(scan_paths([ROOT / "tests" / "fixtures" / "saved"]))
    assert len(results) >= 30
    assert [(r.path.name, r.verdict) for r in results if r.verdict != "safe"] == []


def test_a_run_folders_hostile_files_make_its_models_unsafe(
    fired: tuple[set[str], dict[str, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rl-zoo3 loads a run's vecnormalize.pkl (pickle) and config.yml (yaml.UnsafeLoader) with the model."""
    import shutil

    assert {"vecnormalize", "zoo_yaml"} <= fired[0]
    run = tmp_path / "Hopper-v3_1"
    shutil.copytree(REAL_MODELS / "ppo" / "Hopper-v3_1", run)
    shutil.copy(fired[1]["vecnormalize"], run / "Hopper-v3" / "vecnormalize.pkl")
    shutil.copy(fired[1]["zoo_yaml"], run / "Hopper-v3" / "args.yml")
    assert main(["inspect", str(run), "--no-cache"]) == 0
    out = capsys.readouterr().out
    head = out.splitlines()[:2]
    assert sorted(head) == [
        "UNSAFE  args.yml: has the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system', "
        "which rl-zoo3's yaml.UnsafeLoader runs",
        "UNSAFE  vecnormalize.pkl: calls posix.system",
    ], out[:400]
    assert main(["check", str(run), "--no-cache"]) == 1
    assert main(["scan", str(run)]) == 1
