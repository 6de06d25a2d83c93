"""Config files, dicts and CLI flags -> ``PolicySpec``, validated without importing torch.

The keys (docs/config.md describes every one)::

    algo: PPO                     # case-insensitive; ppo_lstm = RecurrentPPO
    policy: MlpPolicy             # optional, default from the observation space
    observation_space: 101        # or a mapping / shorthand, see spaces.py
    action_space: {type: Discrete, n: 4}
    env: CartPole-v1              # instead of the two spaces
    use_sde: false                # the algorithm's gSDE switch (changes log_std's shape)
    policy_kwargs: {net_arch: [64, 64], activation_fn: ReLU}
    n_steps: 2048                 # any keyword of the algorithm class (sources/training.py)
    frame_stack: 4                # rl-zoo3's entry keys (the env pipeline: sources/wrappers.py)

Everything a config can get wrong is caught here with the key path that is wrong; what is left
for the build is what only SB3 itself can judge.
"""

from __future__ import annotations

import functools
import json
import math
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, SourceError, did_you_mean, has_unprintable, one_of, printable, suggestion
from sb3inspect.sources.limits import MAX_DEPTH, check_numbers, check_size, too_deep
from sb3inspect.sources.pyexpr import policy_kwargs_from_text
from sb3inspect.sources.spaces import (
    SpaceSpec,
    check_size_limit,
    describe_value,
    image_size,
    is_image,
    parse_space,
    short,
)
from sb3inspect.sources.training import check_keys, read_training
from sb3inspect.sources.wrappers import EnvPipeline, Target, read_pipeline, wrap_function

TOP_LEVEL_KEYS = (
    "algo",
    "policy",
    "observation_space",
    "action_space",
    "env",
    "env_kwargs",
    "use_sde",
    "policy_kwargs",
    "name",
)
CONFIG_KEYS = (*TOP_LEVEL_KEYS, *catalog.LEARN_KWARGS)
"""What a config of one's own takes besides the algorithm's keywords and rl-zoo3's keys: a training script's config
often keeps ``learn()``'s too (``total_timesteps``)."""
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
MAX_CONFIG_BYTES = 1_000_000

MAX_LAYERS = 1_000
"""Most layers (or critics, or LSTM layers) one config may ask for: each is a module to build."""
_CLASS_PREFIXES = ("torch.nn.", "th.nn.", "nn.", "torch.optim.", "th.optim.", "optim.")
_ROOT_ALIASES = (("th.", "torch."), ("nn.", "torch.nn."), ("optim.", "torch.optim."))
"""How rl-zoo3's files abbreviate the modules its ``eval`` has imported (``import torch as th``, ``from torch import nn``)."""


def _full_path(name: str) -> str:
    """``th.nn.modules.activation.ReLU`` -> ``torch.nn.modules.activation.ReLU``."""
    for alias, full in _ROOT_ALIASES:
        if name.startswith(alias):
            return full + name[len(alias) :]
    return name


@dataclass(frozen=True)
class PythonClass:
    """A class a training script passed in a config dict (a custom features extractor, say).

    Only ``sb3inspect.summary(dict)`` makes these, from objects already imported in the caller's
    process; files can never produce one, so no module path from a file is ever imported.
    """

    cls: type

    def __str__(self) -> str:
        return f"{self.cls.__module__}.{self.cls.__qualname__}"


@dataclass(frozen=True)
class PolicySpec:
    """Everything needed to build one policy, as plain data (no torch, no gymnasium)."""

    algo: str
    """Canonical algorithm name: ``PPO``, ``RecurrentPPO``, ..."""
    policy: str
    """Policy alias of that algorithm: ``MlpPolicy``, ``CnnLstmPolicy``, ..."""
    observation_space: SpaceSpec
    action_space: SpaceSpec
    policy_kwargs: dict[str, Any] = field(default_factory=dict)
    """Plain values; class-valued keywords (``activation_fn``, ...) hold class names."""
    use_sde: bool = False
    source: str = "<config>"
    """Where the spec came from, for headers and error messages."""
    env: str | None = None
    notes: tuple[str, ...] = ()
    """Facts the report should show (e.g. a default that was chosen)."""
    where: str = ""
    """Where the config was read (a file, an rl-zoo3 entry, ``<dict>``), for messages about its keys."""
    training: dict[str, Any] = field(default_factory=dict)
    """Training hyperparameters as the config gave them (plain data): the report lists them."""
    algo_kwargs: dict[str, Any] = field(default_factory=dict)
    """Keywords the build gives the algorithm class besides policy_kwargs and use_sde (see ``sources.training``)."""
    n_envs: int = 1
    """Parallel envs the algorithm is given (rl-zoo3's ``n_envs``)."""
    normalize: dict[str, Any] | None = None
    """rl-zoo3's ``normalize``: the ``VecNormalize`` keywords around the env (None: no VecNormalize)."""

    @property
    def net_arch_where(self) -> str:
        """Where ``policy_kwargs.net_arch`` was written: ``configs/a.yaml: policy_kwargs.net_arch``."""
        return _sub(_top(self.where, "policy_kwargs"), "net_arch")


@dataclass(frozen=True)
class Overrides:
    """Settings given next to a source (command-line flags, ``summary()``'s keywords) that replace its own.

    ``sb3inspect inspect train.yaml -k net_arch=[256,256] --algo sac --env Pendulum-v1 --use-sde``:
    the file's values are kept where no flag gives one, and the report's notes name each value a
    flag replaced.
    """

    keys: Mapping[str, Any] = field(default_factory=dict)
    """Top-level keys: ``algo``, ``env``, ``policy``, ``observation_space``, ``action_space``, ``use_sde``."""
    policy_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Policy keywords given as such (``--net-arch``, ``--activation``)."""
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    """``-k key=value``: a policy keyword of the algorithm goes to ``policy_kwargs``, anything else (a
    training hyperparameter, an rl-zoo3 key) to the top level."""
    where: str = "command line"

    def __bool__(self) -> bool:
        return bool(self.keys or self.policy_kwargs or self.kwargs)

    def with_keys(self, **keys: Any) -> Overrides:
        """These overrides and ``keys`` besides (those that are None left out)."""
        return replace(self, keys={**self.keys, **{k: v for k, v in keys.items() if v is not None}})

    def apply(
        self, data: Mapping[str, Any], *, algo: str | None = None, source: str = ""
    ) -> tuple[dict[str, Any], list[str]]:
        """``data`` with the overrides merged in, and a note for each value they replaced.

        ``env`` replaces the config's two spaces and the two spaces replace ``env``. ``algo`` is the
        algorithm when ``data`` names none (an rl-zoo3 entry's); it tells -k's policy keywords apart.
        """
        merged = dict(data)
        notes: list[str] = []
        spaces_given = [k for k in ("observation_space", "action_space") if k in self.keys]
        if "env" in self.keys and spaces_given:
            raise ConfigError(
                self.where,
                f"env {self.keys['env']} and {' and '.join(spaces_given)} both give the spaces",
                hint="give the env, or the two spaces (--obs and --act), not both",
            )
        if len(spaces_given) == 1 and "env" in merged:
            other = "action_space" if spaces_given == ["observation_space"] else "observation_space"
            raise ConfigError(
                self.where,
                f"{spaces_given[0]} replaces the config's env {printable(str(merged['env']), 80)}, which gave "
                f"{other} too",
                hint="give both spaces (--obs and --act), or neither to keep the env",
            )

        def put(key: str, value: Any, holder: dict[str, Any], label: str) -> None:
            if key in holder and holder[key] != value:
                notes.append(f"{self.where} sets {label} to {_shown(value)} (the config has {_shown(holder[key])})")
            holder[key] = value

        for key, value in self.keys.items():
            if key == "env":
                dropped = [k for k in ("observation_space", "action_space") if merged.pop(k, None) is not None]
                if dropped:
                    notes.append(
                        f"{self.where} sets env to {value}: its spaces replace the config's {' and '.join(dropped)}"
                    )
            elif key in ("observation_space", "action_space") and "env" in merged:
                notes.append(f"{self.where} sets {key}: the config's env {merged.pop('env')} is not used")
                merged.pop("env_kwargs", None)
            put(key, value, merged, key)
        policy_keywords = _policy_keywords(merged.get("algo", algo))
        top = {key: value for key, value in self.kwargs.items() if key not in policy_keywords}
        info = _algorithm(merged.get("algo", algo))
        if info is not None:  # a typo in a flag is the flag's, not the file's
            check_keys(top, info, CONFIG_KEYS, lambda key: f"{self.where}: {key}")
        given = {**self.policy_kwargs, **{k: v for k, v in self.kwargs.items() if k in policy_keywords}}
        for key, value in top.items():
            put(key, value, merged, key)
        if given:
            where = _top(source, "policy_kwargs")
            kwargs = dict(_policy_kwargs(merged.get("policy_kwargs"), where))
            for key, value in given.items():
                put(key, value, kwargs, f"policy_kwargs.{key}")
            merged["policy_kwargs"] = kwargs
        return merged, notes


def _algorithm(algo: Any) -> catalog.AlgoInfo | None:
    """The algorithm a config's ``algo`` names, or None when it names none known (an error said elsewhere)."""
    key = algo.strip().lower().replace("-", "_") if isinstance(algo, str) else None
    return catalog.ALGORITHMS.get(catalog.ALGO_ALIASES.get(key or "", ""))


def _policy_keywords(algo: Any) -> set[str]:
    """Every policy keyword of an algorithm's policies (none when the algorithm is unknown: -k goes to the top)."""
    info = _algorithm(algo)
    return {k for policy in info.policies.values() for k in policy.kwargs} - {"use_sde"} if info else set()


def _shown(value: Any) -> str:
    """A value as a note shows it: ``[256, 256]``, ``Pendulum-v1``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 80 else text[:77] + "..."


def read_mapping(path: str | Path) -> dict[str, Any]:
    """Parse a config file by its suffix; the top level must be a mapping."""
    path = Path(path)
    data = parse_text(read_text(path), path.suffix.lower(), str(path))
    if data is None:
        raise SourceError(str(path), "the file is empty; a config needs at least algo and the spaces (or env)")
    if not isinstance(data, dict):
        raise SourceError(
            str(path), f"the top level must be a mapping of keys (algo, policy, ...), not {type(data).__name__}"
        )
    return data


def parse_text(text: str, suffix: str, where: str) -> Any:
    """YAML (safe), JSON or TOML text -> plain data, bounded in depth and size (see ``check_size``)."""
    try:
        if suffix == ".json":
            try:
                data = json.loads(
                    text, object_pairs_hook=lambda pairs: _unique(pairs, where), parse_int=bounded_int(where)
                )
            except json.JSONDecodeError as exc:
                raise SourceError(
                    where, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
                ) from None
        elif suffix == ".toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # the same parser, before it joined the standard library
                import tomli as tomllib

            _check_toml_numbers(text, where)
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise SourceError(where, f"not valid TOML: {exc}") from None
        else:
            data = _load_yaml(text, where)
    except RecursionError:
        raise too_deep(where) from None
    except ValueError as exc:
        raise SourceError(where, f"cannot be read: {' '.join(str(exc).split())[:200]}") from None
    check_size(data, where)
    return data


MAX_NUMBER_DIGITS = 4300
"""Python's own limit for turning text into an int: a number this long is refused before it is parsed."""


def number_too_long(where: str, holder: str = "") -> SourceError:
    """The error for a number past ``MAX_NUMBER_DIGITS``; ``holder`` names what holds it (``its 'data' member``)."""
    return SourceError(
        where,
        f"{holder + ' ' if holder else ''}holds a number of more than {MAX_NUMBER_DIGITS:,} digits; "
        "no SB3 setting is that large",
        code="number-too-long",
    )


def bounded_int(where: str, holder: str = "") -> Callable[[str], int]:
    """``json.loads``'s ``parse_int``: ``int(text)``, or our error for a number past ``MAX_NUMBER_DIGITS``."""

    def parse(text: str) -> int:
        if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise number_too_long(where, holder)
        return int(text)

    return parse


_LONG_DIGITS = re.compile(rf"[0-9][0-9_]{{{MAX_NUMBER_DIGITS},}}")


def _check_toml_numbers(text: str, where: str) -> None:
    """TOML has no hook for integers: a run of more digits than any number may have is refused from the text."""
    if _LONG_DIGITS.search(text):
        raise number_too_long(where)


def read_text(path: Path) -> str:
    """A config file's text, with a clear error for anything that is not a readable text file."""
    if not path.exists():
        given = str(path)
        hint = f"an env id? sb3inspect inspect --algo ALGO --env {given}, or env: {given} in a config"
        raise SourceError(given, "no such file", hint=hint if _ENV_ID.match(given) else None)
    if path.is_dir():
        raise SourceError(str(path), "is a directory; pass the config files inside it")
    suffix = path.suffix.lower()
    if suffix not in CONFIG_SUFFIXES:
        raise SourceError(
            str(path),
            f"unknown file type {suffix or '(no suffix)'!r}; sb3inspect reads "
            f"{', '.join(CONFIG_SUFFIXES)} configs and .zip models",
        )
    if not path.is_file():  # a FIFO would block, /dev/zero never ends
        raise SourceError(str(path), "is not a regular file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise SourceError(str(path), f"is larger than a config can be ({MAX_CONFIG_BYTES:,} bytes)")
    if (encoding := _wide_encoding(raw)) is not None:
        source = ": Windows PowerShell's > and Notepad's 'Unicode' write UTF-16" if encoding == "UTF-16" else ""
        raise SourceError(str(path), f"is {encoding} text, not UTF-8{source}", hint="save the file as UTF-8")
    if b"\x00" in raw:
        raise SourceError(str(path), f"is a binary file, not a {suffix} config")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            str(path),
            f"is not UTF-8 text: line {line} holds the byte 0x{raw[exc.start]:02x} (saved as Latin-1 or Windows-1252?)",
            hint="save the file as UTF-8",
        ) from None


_ENV_ID = re.compile(r"^(?:[\w:-]+/)?[A-Za-z][\w:.-]*-v\d+$")
"""A gymnasium env id (``CartPole-v1``, ``ALE/Pong-v5``): what a user passes where a file goes, meaning ``--env``."""


def _wide_encoding(raw: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` for text in those encodings (by their byte-order mark, or, without one, by
    the zero bytes every ASCII character brings in UTF-16), else None. YAML allows them; sb3inspect, rl-zoo3 and
    a training script's ``open()`` read UTF-8."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    even, odd = raw[0::2], raw[1::2]
    if len(raw) >= 4 and len(raw) % 2 == 0 and {even.count(0), odd.count(0)} == {0, len(odd)}:
        return "UTF-16"
    return None


def _unique(pairs: list[tuple[str, Any]], where: str) -> dict[str, Any]:
    """A JSON object without repeated keys (json keeps the last silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise SourceError(where, f"the key {key!r} appears twice; keep one")
        out[key] = value
    return out


def _load_yaml(text: str, where: str, loader: Any = None) -> Any:
    import yaml

    try:
        check_yaml_nesting(text, where)
        return yaml.load(text, Loader=loader or _yaml_loader())  # noqa: S506 - a safe loader
    except _PythonTag as exc:
        mark = exc.problem_mark
        raise SourceError(
            where,
            f"line {mark.line + 1} has the Python tag !!{exc.tag.removeprefix('tag:yaml.org,2002:')}: "
            "sb3inspect builds no Python object from a file",
            hint="rl-zoo3 reads this file with yaml.UnsafeLoader, which would run it; of Python tags, an rl-zoo3 "
            "run folder only ever holds !!python/object/apply:collections.OrderedDict",
            code="python-tag",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SourceError(
            where, f"not valid YAML{at}: {problem}", hint=_tab_hint(text, mark), code="not-yaml"
        ) from None


def _tab_hint(text: str, mark: Any) -> str | None:
    """The fix when the line YAML stopped on is indented with a tab, which YAML does not allow."""
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    if "\t" not in line[: len(line) - len(line.lstrip(" \t"))]:
        return None
    return f"YAML indents with spaces, not tabs: replace the tab on line {mark.line + 1} with spaces"


def check_yaml_nesting(text: str, where: str) -> None:
    """Refuse YAML nested past ``MAX_DEPTH`` from its tokens, before any loader builds it.

    PyYAML's own limits differ by version and backend (libyaml stops at 1,000 levels with its own
    message since PyYAML 6.0.4; the Python loader recurses until Python stops it). Counting the
    scanner's start and end tokens gives one answer, sb3inspect's. libyaml's scanner reads ahead
    and may stop on its own limit first: on any error of the fast scanner, PyYAML's Python scanner
    (iterative, without a limit) counts again, and either finds the nesting or raises the error.
    """
    import yaml

    try:
        _count_nesting(text, where, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        _count_nesting(text, where, yaml.SafeLoader)


def _count_nesting(text: str, where: str, loader: Any) -> None:
    import yaml

    opening = (
        yaml.FlowSequenceStartToken,
        yaml.FlowMappingStartToken,
        yaml.BlockSequenceStartToken,
        yaml.BlockMappingStartToken,
    )
    closing = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
    depth = 0
    for token in yaml.scan(text, Loader=loader):
        if isinstance(token, opening):
            depth += 1
            if depth > MAX_DEPTH:
                raise too_deep(where)
        elif isinstance(token, closing):
            depth -= 1
        elif isinstance(token, yaml.ScalarToken) and token.plain and _LONG_DIGITS.match(token.value.lstrip("+-")):
            raise number_too_long(where)  # before the loader hands it to int()


@functools.cache
def _yaml_loader() -> Any:
    """The safe YAML loader (libyaml's when present) that refuses a key given twice in one mapping.

    PyYAML keeps the last of two ``algo:`` lines silently; merge keys (``<<: *base``) may still be
    overridden, as YAML intends. ``3e-4`` and ``1e5`` are numbers, as in YAML 1.2, JSON and TOML:
    YAML 1.1 reads an exponent without a dot (or without its sign) as text, and a learning rate
    that arrives as text fails in SB3.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, (str, int, float, bool)) and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} appears twice; keep one", key_node.start_mark
                    )
                seen.add(key) if isinstance(key, (str, int, float, bool)) else None
            return super().construct_mapping(node, deep=deep)

    UniqueKeyLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))
    return UniqueKeyLoader


def parse_run_yaml(text: str, where: str) -> Any:
    """An rl-zoo3 run folder's ``config.yml`` / ``args.yml`` as plain data.

    rl-zoo3 writes them with ``yaml.dump`` of an ``OrderedDict``, so they start with
    ``!!python/object/apply:collections.OrderedDict`` and a list of ``[key, value]`` pairs: that one
    tag is read as the mapping of its pairs. Any other Python tag is refused (``python-tag``): rl-zoo3
    reads these files with ``yaml.UnsafeLoader``, where such a tag runs code.
    """
    data = _load_yaml(text, where, _run_yaml_loader())
    check_size(data, where)
    return data


ORDERED_DICT_TAG = "tag:yaml.org,2002:python/object/apply:collections.OrderedDict"


class _PythonTag(Exception):
    """A ``!!python/...`` tag other than ``ORDERED_DICT_TAG`` in a run folder's YAML."""

    def __init__(self, tag: str, mark: Any) -> None:
        super().__init__(tag)
        self.tag, self.problem_mark = tag, mark


@functools.cache
def _run_yaml_loader() -> Any:
    """``_yaml_loader()`` plus rl-zoo3's OrderedDict tag, read as a mapping; every other Python tag raises."""
    import yaml

    class RunYamlLoader(_yaml_loader()):  # type: ignore[misc]
        pass

    def ordered_dict(loader: Any, node: Any) -> dict[Any, Any]:
        pairs = loader.construct_sequence(node.value[0], deep=True) if isinstance(node, yaml.SequenceNode) else None
        if len(getattr(node, "value", ())) != 1 or not isinstance(pairs, list):
            raise yaml.constructor.ConstructorError(
                None, None, "an OrderedDict tag whose argument is not one list of [key, value] pairs", node.start_mark
            )
        out: dict[Any, Any] = {}
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], (str, int, float, bool)):
                raise yaml.constructor.ConstructorError(
                    None, None, "an OrderedDict item that is not a [key, value] pair", node.start_mark
                )
            if pair[0] in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {pair[0]!r} appears twice; keep one", node.start_mark
                )
            out[pair[0]] = pair[1]
        return out

    def python_tag(loader: Any, suffix: str, node: Any) -> Any:
        raise _PythonTag(node.tag, node.start_mark)

    RunYamlLoader.add_constructor(ORDERED_DICT_TAG, ordered_dict)
    RunYamlLoader.add_multi_constructor("tag:yaml.org,2002:python/", python_tag)
    return RunYamlLoader


_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")
"""YAML 1.2's floats with an exponent that YAML 1.1 leaves as text: ``1e-3``, ``5E4``, ``1.0e5``."""


def spec_from_mapping(
    data: Mapping[str, Any],
    *,
    source: str = "<config>",
    env_spaces: tuple[SpaceSpec, SpaceSpec] | None = None,
    allow_imports: bool = False,
) -> PolicySpec:
    """Validate a config mapping (already parsed) and resolve it into a ``PolicySpec``.

    Next to the architecture keys (``TOP_LEVEL_KEYS``) a config may hold the algorithm's training
    hyperparameters and rl-zoo3's entry keys (``sources.training``); those that change the
    observation (``env_wrapper``, ``normalize``, ``frame_stack``...) are applied to the env, made
    from ``env`` or from the two spaces (``sources.wrappers``). ``env_spaces`` are the spaces of
    ``data["env"]`` when the caller already made and wrapped the env (an rl-zoo3 entry);
    otherwise the env is made here. ``allow_imports`` lets a wrapper named by module path be imported.
    """
    where = source
    check_numbers(data, where)
    if "algo" not in data:
        raise ConfigError(where, "missing 'algo'", hint="e.g. algo: PPO")
    algo = resolve_algo(data["algo"], _top(where, "algo"))
    info = catalog.ALGORITHMS[algo]
    if missing := catalog.unavailable(info.qualified_name):
        problem, hint = missing
        raise ConfigError(_top(where, "algo"), problem, hint=hint, code="version")
    check_keys(data, info, CONFIG_KEYS, lambda key: _top(where, key))
    use_sde = _use_sde(data, info, where)
    training = read_training(data, info, lambda key: _top(where, key))
    raw_kwargs = _policy_kwargs(data.get("policy_kwargs"), _top(where, "policy_kwargs"))
    pipeline = read_pipeline(data, lambda key: _top(where, key))
    notes: list[str] = []
    if pipeline and env_spaces is None:  # checked before a wrapper imports SB3 (and torch)
        named = data.get("policy")
        alias = named if isinstance(named, str) and named in info.policies else next(iter(info.policies))
        check_policy_kwargs(raw_kwargs, info, alias, _top(where, "policy_kwargs"))
    observation_space, action_space = config_spaces(
        data, where, env_spaces, pipeline=pipeline, allow_imports=allow_imports, notes=notes
    )
    env = data.get("env")

    policy = resolve_policy(data.get("policy"), info, observation_space, _top(where, "policy"), notes)
    check_spaces(info, policy, observation_space, action_space, use_sde, where)
    policy_kwargs = check_policy_kwargs(raw_kwargs, info, policy, _top(where, "policy_kwargs"))
    check_extractor(
        policy,
        observation_space,
        policy_kwargs,
        _top(where, "observation_space"),
        vec_normalized=pipeline.normalize is not None,
    )

    name = data.get("name")
    if name is not None and (not isinstance(name, str) or has_unprintable(name)):
        raise ConfigError(_top(where, "name"), "expected a one-line label", hint="e.g. name: my-ppo-run")
    label = str(name) if name is not None else source
    return PolicySpec(
        algo=algo,
        policy=policy,
        observation_space=observation_space,
        action_space=action_space,
        policy_kwargs=policy_kwargs,
        use_sde=use_sde,
        source=label,
        env=env,
        notes=tuple(notes),
        where=where,
        training=training.given,
        algo_kwargs=training.algo_kwargs,
        n_envs=training.n_envs,
        normalize=dict(pipeline.normalize) if pipeline.normalize is not None else None,
    )


def _use_sde(data: Mapping[str, Any], info: catalog.AlgoInfo, where: str) -> bool:
    """The algorithm's gSDE switch: true or false (1 and 0 too, as JSON and TOML configs write them).

    An algorithm without gSDE has no ``use_sde`` keyword at all: SB3 raises TypeError for it, even
    for ``use_sde: false``. A string is refused: SB3 only tests truthiness, so ``"false"`` turns gSDE on.
    """
    if "use_sde" not in data:
        return False
    value = data["use_sde"]
    at = _top(where, "use_sde")
    if not info.use_sde:
        raise ConfigError(
            at,
            f"{info.name} has no keyword 'use_sde': it has no gSDE",
            hint="remove it; SB3 raises TypeError for use_sde in " + info.name + ", even for use_sde: false",
        )
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    hint = (
        'write true or false without quotes: SB3 turns gSDE on for any non-empty string, "false" included'
        if isinstance(value, str)
        else None
    )
    raise ConfigError(at, f"expected true or false, got {value!r}", hint=hint)


def _policy_kwargs(value: Any, where: str) -> dict[str, Any]:
    """A mapping of policy keywords, or rl-zoo3's ``dict(...)`` string of them (read, never evaluated)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return policy_kwargs_from_text(value, where)
    if not isinstance(value, dict):
        raise ConfigError(
            where,
            f"expected a mapping of policy keywords, got {type(value).__name__}",
            hint="e.g. policy_kwargs: {net_arch: [64, 64]}",
        )
    return value


def config_spaces(
    data: Mapping[str, Any],
    where: str,
    env_spaces: tuple[SpaceSpec, SpaceSpec] | None = None,
    *,
    pipeline: EnvPipeline | None = None,
    allow_imports: bool = False,
    notes: list[str] | None = None,
) -> tuple[SpaceSpec, SpaceSpec]:
    """The spaces the policy gets: the config's two spaces, or its env's (made here unless given), after ``pipeline``.

    A config's ``observation_space`` is what its env returns: ``env_wrapper``, ``normalize`` and
    ``frame_stack`` wrap it as they would wrap the registered env.
    """
    env = data.get("env")
    notes = notes if notes is not None else []
    if env is None:
        if "env_kwargs" in data:
            raise ConfigError(_top(where, "env_kwargs"), "env_kwargs needs env")
        for key in ("observation_space", "action_space"):
            if key not in data:
                raise ConfigError(where, f"missing '{key}'", hint="give observation_space and action_space, or env")
        observation = parse_space(data["observation_space"], _top(where, "observation_space"))
        action = parse_space(data["action_space"], _top(where, "action_space"), action=True)
        if not pipeline:
            return observation, action
        from sb3inspect.sources.envs import spaces_after, spaces_env
        from sb3inspect.sources.spaces import to_gym

        target = Target(where, "an env given by its spaces", spaces_only=True, allow_imports=allow_imports)
        return spaces_after(
            spaces_env(to_gym(observation), to_gym(action)), wrap_function(pipeline, target, notes), "the config's env"
        )
    if "observation_space" in data or "action_space" in data:
        raise ConfigError(_top(where, "env"), "give either env or observation_space and action_space, not both")
    if not isinstance(env, str) or not env.strip():
        raise ConfigError(_top(where, "env"), "expected a gymnasium env id such as CartPole-v1")
    env_kwargs = data.get("env_kwargs") or {}
    if not isinstance(env_kwargs, dict):
        raise ConfigError(_top(where, "env_kwargs"), "expected a mapping of keyword arguments for gymnasium.make")
    if env_spaces is not None:
        return env_spaces
    from sb3inspect.sources.envs import env_spaces as make_spaces

    wrap = wrap_function(pipeline, Target(where, env, allow_imports=allow_imports), notes) if pipeline else None
    try:
        return make_spaces(env, env_kwargs, wrap=wrap, allow_imports=allow_imports)
    except SourceError as exc:
        raise (exc if exc.where.startswith(where) else exc.within(_top(where, "env"))) from None


def resolve_algo(value: Any, where: str) -> str:
    """``"ppo"`` -> ``"PPO"``, ``"ppo_lstm"`` -> ``"RecurrentPPO"``; anything else is an error."""
    if isinstance(value, Mapping):
        keys = ", ".join(printable(key, 40) for key in list(value)[:6]) + (", ..." if len(value) > 6 else "")
        raise ConfigError(
            where,
            f"expected an algorithm name, got a mapping (keys {keys})",
            hint="sb3inspect reads flat keys: algo, env, policy_kwargs and the algorithm's keywords such as n_steps, "
            "each at the top level; flatten a nested (Hydra-style) config, or give --algo, --env and -k key=value",
        )
    if not isinstance(value, str):
        raise ConfigError(where, f"expected an algorithm name, got {value!r}", hint=one_of(catalog.ALGORITHMS))
    key = value.strip().lower().replace("-", "_")
    if key in catalog.ALGO_ALIASES:
        return catalog.ALGO_ALIASES[key]
    match = did_you_mean(key, list(catalog.ALGO_ALIASES))
    hint = f"did you mean {catalog.ALGO_ALIASES[match]!r}?" if match is not None else None
    if key in ("her",):
        hint = "HER is a replay buffer for SAC/TD3/DDPG/DQN, not a policy: inspect the off-policy algorithm instead"
    raise ConfigError(where, f"unknown algorithm {value!r}", hint=hint or one_of(catalog.ALGORITHMS))


def resolve_policy(value: Any, info: catalog.AlgoInfo, obs: SpaceSpec, where: str, notes: list[str]) -> str:
    """The policy alias to build: the one named, or SB3's natural choice for the observation space."""
    aliases = info.policies
    if value is not None:
        if not isinstance(value, str):
            raise ConfigError(where, f"expected a policy name, got {value!r}", hint=one_of(aliases))
        for alias, policy in aliases.items():
            if value.strip().lower() in (alias.lower(), policy.class_name.lower()):
                return alias
        hint = _recurrent_hint(value, info) or suggestion(value, aliases) or f"{info.name} has {', '.join(aliases)}"
        raise ConfigError(where, f"{info.name} has no policy {value!r}", hint=hint)
    lstm = "Lstm" if info.name == "RecurrentPPO" else ""
    if obs["type"] == "Dict":
        wanted = f"MultiInput{lstm}Policy"
        if wanted not in aliases:
            raise ConfigError(
                where,
                f"{info.name} has no policy for Dict observations ({', '.join(aliases)})",
                hint="flatten the observation into one Box, or use an algorithm with a MultiInputPolicy",
            )
        return wanted
    if is_image(obs):
        wanted = f"Cnn{lstm}Policy"
        if wanted in aliases:
            return wanted
        notes.append(f"{info.name} has no CnnPolicy: the image is flattened by MlpPolicy")
    return f"Mlp{lstm}Policy"


def _recurrent_hint(value: str, info: catalog.AlgoInfo) -> str | None:
    """What to do for an ``*LstmPolicy`` asked of an algorithm without one (a did-you-mean would drop the LSTM)."""
    if "lstm" not in value.lower() or info.name == catalog.RECURRENT_ALGO:
        return None
    recurrent = catalog.ALGORITHMS[catalog.RECURRENT_ALGO].policies
    name = next((alias for alias in recurrent if alias.lower() == value.strip().lower()), "MlpLstmPolicy")
    if info.family == "on_policy":
        return (
            f"{name} is sb3-contrib's RecurrentPPO policy, not {info.name}'s: write algo: RecurrentPPO (rl-zoo3: "
            f"ppo_lstm) and keep policy: {name}"
        )
    return (
        f"neither SB3 nor sb3-contrib has a recurrent policy for {info.name} (its replay buffer keeps no LSTM "
        f"states): give the observation a history (frame_stack / VecFrameStack, or a history wrapper) and keep "
        f"MlpPolicy, or use RecurrentPPO"
    )


def check_spaces(
    info: catalog.AlgoInfo, policy: str, obs: SpaceSpec, act: SpaceSpec, use_sde: bool, where: str
) -> None:
    """The space rules SB3's algorithm classes enforce, checked before any import."""
    if act["type"] not in info.action_spaces:
        takers = [other.name for other in catalog.ALGORITHMS.values() if act["type"] in other.action_spaces]
        raise ConfigError(
            _top(where, "action_space"),
            f"{info.name} does not support {act['type']} action spaces (it supports {', '.join(info.action_spaces)})",
            hint=f"for {act['type']} actions use {', '.join(takers[:-1])} or {takers[-1]}" if takers else None,
        )
    if obs["type"] == "Dict" and policy in catalog.DICT_REFUSED_POLICIES:
        multi = policy.replace("Mlp", "MultiInput").replace("Cnn", "MultiInput")
        hint = f"use {multi}"
        if multi not in info.policies:
            hint = (
                f"{info.name} has no policy for Dict observations: flatten the observation, "
                "e.g. env_wrapper: gymnasium.wrappers.FlattenObservation"
            )
        raise ConfigError(
            _top(where, "policy"), f"{policy} cannot take a Dict observation space (SB3 refuses it)", hint=hint
        )
    if use_sde:
        if not info.use_sde:
            raise ConfigError(_top(where, "use_sde"), f"{info.name} does not support gSDE (use_sde)")
        if act["type"] != "Box":
            raise ConfigError(_top(where, "use_sde"), "gSDE (use_sde) needs a continuous (Box) action space")


def check_policy_kwargs(kwargs: Mapping[str, Any], info: catalog.AlgoInfo, policy: str, where: str) -> dict[str, Any]:
    """Validate policy keywords against the policy class's signature and their expected types."""
    allowed = info.policies[policy].kwargs
    out: dict[str, Any] = {}
    for key, value in kwargs.items():
        at = _sub(where, key)
        if key == "use_sde":
            raise ConfigError(
                at,
                "use_sde is an argument of the algorithm, not of the policy",
                hint="write use_sde: true at the top level of the config",
            )
        if key not in allowed:
            hint = (
                catalog.NOT_IN_SB3.get(str(key))
                or (
                    f"{key} is {info.name}'s keyword, not the policy's: write it at the top level, beside policy_kwargs"
                    if key in catalog.ALGO_KWARGS[info.name]
                    else None
                )
                or suggestion(str(key), allowed)
                or f"{info.name} {policy} takes {', '.join(k for k in allowed if k != 'use_sde')}"
            )
            raise ConfigError(at, f"{info.name} {policy} has no keyword {key!r}", hint=hint)
        if key in catalog.MAPPING_KWARGS and value is None:
            continue  # SB3 reads None as no keywords
        out[key] = _check_kwarg(key, value, kwargs, info, policy, at)
    if out.get("shared_lstm") and out.get("enable_critic_lstm", True):
        # sb3_contrib/common/recurrent/policies.py: `assert not (self.shared_lstm and self.enable_critic_lstm)`
        raise ConfigError(
            _sub(where, "shared_lstm"),
            "shared_lstm: true needs enable_critic_lstm: false (SB3 asserts: choose between a shared LSTM, a separate "
            "one or none for the critic; enable_critic_lstm defaults to true)",
            hint="write shared_lstm: true with enable_critic_lstm: false (vf then reads the LSTM's output detached: "
            "only the policy loss trains it), or drop shared_lstm for a second LSTM of the critic's own",
        )
    return out


def _check_kwarg(key: str, value: Any, kwargs: Mapping[str, Any], info: catalog.AlgoInfo, policy: str, at: str) -> Any:
    """One policy keyword's value, checked for its kind (widths, class, flag, count, number, mapping)."""
    if key == "net_arch":
        return check_net_arch_value(value, info, at)
    if key in catalog.CLASS_KWARGS:
        return class_name(value, key, at)
    if key in catalog.BOOL_KWARGS:
        if not isinstance(value, bool):
            raise ConfigError(at, f"expected true or false, got {value!r}")
        return value
    if key in catalog.POSITIVE_INT_KWARGS:
        least = 0 if key in catalog.ZERO_BUILDS_KWARGS else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(at, f"expected a whole number of at least {least}, got {value!r}")
        if key in catalog.COUNT_KWARGS and value > MAX_LAYERS:
            raise ConfigError(
                at,
                f"{value:,} is more than sb3inspect builds ({MAX_LAYERS:,})",
                hint="every one is a module of its own; no SB3 policy has that many",
            )
        check_size_limit(value, at)
        return value
    if key in catalog.NUMBER_KWARGS:
        return _number(value, at)
    if key in catalog.MAPPING_KWARGS:
        if not isinstance(value, dict):
            raise ConfigError(at, f"expected a mapping of keyword arguments, got {value!r}")
        if "device" in value and key != "optimizer_kwargs":
            raise ConfigError(
                _sub(at, "device"),
                "a device here builds real weights: sb3inspect builds every policy on PyTorch's meta device",
                hint="drop it; SB3 moves the policy to the algorithm's device",
            )
        _check_plain(value, at)
        if key == "features_extractor_kwargs":
            extractor = (
                class_name(kwargs["features_extractor_class"], "features_extractor_class", at)
                if "features_extractor_class" in kwargs
                else catalog.default_extractor(policy)
            )
            if isinstance(extractor, str):
                _check_extractor_kwargs(value, extractor, at)
        return dict(value)
    _check_plain(value, at)
    return value


def _check_extractor_kwargs(value: Mapping[str, Any], extractor: str, where: str) -> None:
    """features_extractor_kwargs must be keywords of the extractor they go to, with sane values."""
    allowed = catalog.EXTRACTOR_KWARGS[extractor]
    for key, item in value.items():
        at = _sub(where, key)
        if key not in allowed:
            if not allowed:
                raise ConfigError(
                    at,
                    f"{extractor} takes no keywords",
                    hint="it only flattens the observation; its size comes from the space",
                )
            hint = suggestion(str(key), allowed) or f"{extractor} takes {', '.join(allowed)}"
            raise ConfigError(at, f"{extractor} has no keyword {key!r}", hint=hint)
        if key == "normalized_image" and not isinstance(item, bool):
            raise ConfigError(at, f"expected true or false, got {item!r}")
        if key in ("features_dim", "cnn_output_dim"):
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                raise ConfigError(at, f"expected a whole number of at least 1, got {item!r}")
            check_size_limit(item, at)


def check_extractor(
    policy: str, obs: SpaceSpec, kwargs: Mapping[str, Any], where: str, *, vec_normalized: bool = False
) -> None:
    """The features extractor must fit the observation, as SB3's extractors assert (before torch).

    NatureCNN wants an image Box (uint8 in [0, 255], or any 3-D Box with ``normalize_images:
    false``) of at least 36×36 pixels; CombinedExtractor a Dict, whose image entries get a NatureCNN.
    ``vec_normalized``: the observation went through ``VecNormalize`` (which makes images float).
    """
    extractor = kwargs.get("features_extractor_class") or catalog.default_extractor(policy)
    if not isinstance(extractor, str):
        return  # a class from the caller's script: SB3 itself judges it
    normalized = (
        bool(kwargs.get("features_extractor_kwargs", {}).get("normalized_image"))
        or kwargs.get("normalize_images") is False
    )
    if extractor == "CombinedExtractor" and obs["type"] != "Dict":
        raise ConfigError(
            where,
            f"CombinedExtractor (from {policy} or features_extractor_class) needs a Dict "
            f"observation space, got {short(obs)}",
            hint="use MlpPolicy or CnnPolicy for a single space",
        )
    if extractor == "NatureCNN":
        if not is_image(obs, normalized=normalized):
            hint = (
                "an image is a 3-D uint8 Box in [0, 255] (SB3 divides it by 255); for a float image write "
                "normalize_images: false, and scale it to [0, 1] yourself: SB3 then uses the values as they are"
                + _channel_last_advice(obs)
                + "; for vectors use MlpPolicy"
            )
            if vec_normalized:
                hint = (
                    "normalize: VecNormalize made the image a float Box, which NatureCNN refuses, as rl-zoo3 "
                    "fails too; use normalize: {norm_obs: false, norm_reward: true}"
                )
            raise ConfigError(
                where,
                f"NatureCNN (the {policy} features extractor) needs an image observation, got {short(obs)}",
                hint=hint,
            )
        _check_image_size(obs, where)
    if extractor == "CombinedExtractor" and obs["type"] == "Dict":
        for name, sub in obs["spaces"].items():
            if is_image(sub, normalized=normalized):
                _check_image_size(sub, f"{where}.spaces.{name}", in_dict=True)


def _channel_last(obs: SpaceSpec) -> tuple[int, int, int] | None:
    """(height, width, channels) of a 3-D Box that looks channel-last but that SB3 will not transpose (not uint8 in
    [0, 255]: ``VecTransposeImage`` only takes images); None otherwise."""
    shape = list(obs.get("shape", ()))
    if obs.get("type") != "Box" or len(shape) != 3 or shape.index(min(shape)) != 2 or is_image(obs):
        return None
    return shape[0], shape[1], shape[2]


def _channel_last_advice(obs: SpaceSpec) -> str:
    found = _channel_last(obs)
    if found is None:
        return ""
    height, width, channels = found
    return (
        f"; it also looks channel-last ({height}×{width}×{channels}), and SB3 transposes only uint8 images in [0, 255]: "
        f"give it channel-first, shape [{channels}, {height}, {width}], or make it uint8 in [0, 255]"
    )


def _check_image_size(obs: SpaceSpec, where: str, *, in_dict: bool = False) -> None:
    height, width = image_size(obs)
    if min(height, width) >= catalog.NATURE_CNN_MIN:
        return
    last = _channel_last(obs)
    shrink = f"its 8×8 stride-4, 4×4 stride-2 and 3×3 convolutions shrink {catalog.NATURE_CNN_MIN} pixels to 1"
    if last is not None:
        rows, cols, channels = last
        hint = (
            f"NatureCNN reads the first dimension as channels: this {obs.get('dtype')} image looks channel-last "
            f"({rows}×{cols}×{channels}), and SB3 transposes only uint8 images in [0, 255]; give it channel-first, "
            f"shape [{channels}, {rows}, {cols}], or make it uint8 in [0, 255]"
        )
    elif in_dict:
        hint = (
            f"{shrink}; for a small image in a Dict: a custom features_extractor_class with smaller kernels, the "
            f"image resized to at least {catalog.NATURE_CNN_MIN}×{catalog.NATURE_CNN_MIN}, or a float32 dtype so "
            "CombinedExtractor flattens it (normalize_images: false does not help: the entry still gets a NatureCNN)"
        )
    else:
        hint = (
            f"{shrink}; resize the frames to at least {catalog.NATURE_CNN_MIN}×{catalog.NATURE_CNN_MIN}, use a "
            "custom features_extractor_class with smaller kernels, or MlpPolicy (which flattens the image)"
        )
    raise ConfigError(
        where,
        f"NatureCNN needs images of at least {catalog.NATURE_CNN_MIN}×{catalog.NATURE_CNN_MIN} pixels, this one is "
        f"{height}×{width}",
        hint=hint,
    )


def check_net_arch_value(value: Any, info: catalog.AlgoInfo, where: str) -> Any:
    """A net_arch SB3 can build: a list of widths, or a mapping of lists per network.

    Only what SB3 refuses to build is an error here, with the rewrite that does what was meant.
    What SB3 builds silently but differently from how it reads (``{pi, qf}`` on-policy, a width of
    0, SB2-style lists of mappings) passes through unchanged, so the report shows what SB3 really
    builds, and ``lint.lint_net_arch`` explains it as a finding.
    """
    on_policy = info.family == "on_policy"
    keys = catalog.net_arch_keys(info.family)
    if value is None:
        return None
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return _list_with_mappings(value, info, where)
        return _widths(value, where)
    if isinstance(value, dict):
        if not _takes_mapping(info):
            raise ConfigError(
                where, f"{info.name} takes a list of widths, not a mapping", hint="e.g. net_arch: [64, 64]"
            )
        if not on_policy:
            for key in keys:
                if key not in value:
                    hint = "or give one list for both"
                    if key == "qf" and "vf" in value:
                        hint = (
                            f"off-policy critics are q-networks 'qf', not 'vf'; SB3 fails with an assertion naming 'qf': "
                            f"write net_arch: {{pi: {value.get('pi', [])}, qf: {value['vf']}}}"
                        )
                    raise ConfigError(
                        where,
                        f"{info.name} needs both 'pi' and 'qf' in a net_arch mapping (missing '{key}')",
                        hint=hint,
                    )
        out = {}
        for key, widths in value.items():
            _check_plain(widths, f"{where}.{key}")
            out[key] = _widths(widths, f"{where}.{key}") if key in keys else widths  # SB3 ignores other keys
        return out
    example = "net_arch: [64, 64] or net_arch: {pi: [64, 64], " + keys[1] + ": [64, 64]}"
    raise ConfigError(where, f"expected a list of layer widths or a mapping, got {describe_value(value)}", hint=example)


def _list_with_mappings(value: list[Any], info: catalog.AlgoInfo, where: str) -> Any:
    """On-policy SB3 unwraps a list that starts with a mapping (and drops the rest); anything else fails."""
    _check_plain(value, where)
    if info.family == "on_policy" and isinstance(value[0], dict):
        return [check_net_arch_value(value[0], info, f"{where}[0]"), *value[1:]]
    second = catalog.net_arch_keys(info.family)[1]
    closest = shared_layers_rewrite(value, second)
    rewrite = ""
    if closest is not None:
        rewrite = f"; the closest SB3 2.x config is net_arch: {{pi: {closest['pi']}, {second}: {closest[second]}}}"
        if any(isinstance(v, int) for v in value):
            rewrite += " (separate, not shared, layers)"
    if info.family != "on_policy":
        takes = "a list of widths or a mapping" if _takes_mapping(info) else "a list of widths"
        raise ConfigError(
            where,
            f"{info.name} takes {takes}, not a list with a mapping inside",
            hint="SB3 fails with a TypeError on this" + (rewrite if _takes_mapping(info) else ""),
        )
    raise ConfigError(
        where,
        "shared layers before a mapping ([64, {pi: ..., vf: ...}]) were removed in SB3 1.8",
        hint="SB3 fails with a TypeError on this"
        + rewrite
        + "; for layers pi and vf truly share, put them in a features extractor (features_extractor_class): SB3 "
        "shares it between pi and vf (share_features_extractor: true, the default)",
    )


def shared_layers_rewrite(value: list[Any], second: str = "vf") -> dict[str, list[Any]] | None:
    """The closest SB3 >= 1.8 net_arch to SB3 < 1.8's shared layers: each network gets its own copy of them.

    ``[64, {pi: [32], vf: [16]}]`` -> ``{pi: [64, 32], vf: [64, 16]}``; ``[64, 64]`` (all shared) ->
    ``{pi: [64, 64], vf: [64, 64]}``. None when ``value`` holds more than one mapping.
    """
    shared = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    dicts = [v for v in value if isinstance(v, dict)]
    if len(dicts) > 1:
        return None
    tail = dicts[0] if dicts else {}
    return {"pi": shared + list(tail.get("pi", [])), second: shared + list(tail.get(second, []))}


def _takes_mapping(info: catalog.AlgoInfo) -> bool:
    """Actor-critic policies take {pi: ..., vf/qf: ...}; DQN, QR-DQN and ARS build one MLP from a list."""
    return info.name not in catalog.Q_LEARNING and info.family != "ars"


def _widths(value: Any, where: str) -> list[int]:
    if not isinstance(value, list):
        raise ConfigError(where, f"expected a list of layer widths, got {describe_value(value)}", hint="e.g. [64, 64]")
    if len(value) > MAX_LAYERS:
        raise ConfigError(
            where,
            f"{len(value):,} layers is more than sb3inspect builds ({MAX_LAYERS:,})",
            hint="every layer is a module of its own; no SB3 policy has that many",
        )
    widths = []
    for i, width in enumerate(value):
        at = f"{where}[{i}]"
        if isinstance(width, bool) or not isinstance(width, int):
            if isinstance(width, float) and width.is_integer():
                raise ConfigError(at, f"layer widths are whole numbers, got {width!r}", hint=f"write {int(width)}")
            raise ConfigError(at, f"expected a layer width (a whole number), got {describe_value(width)}")
        if width < 0:
            raise ConfigError(
                at,
                f"a layer width cannot be negative, got {width}",
                hint="SB3 fails deep in torch ('Trying to create tensor with negative dimension'); "
                "give the layer a positive width, or remove it",
            )
        check_size_limit(width, at)
        widths.append(width)  # 0 builds silently: lint.py reports it
    return widths


def _number(value: Any, where: str) -> float | int | str:
    """A finite number, or a number written as text (a quoted ``"-0.5"``), kept as text.

    SB3 gets the text as a config would hand it over and judges it: ``log_std_init: "-0.5"`` is a
    TypeError there (so a BuildError here); CrossQ stores ``batch_norm_momentum: "0.02"`` and fails at
    its first forward pass (lint RN007). YAML's unquoted ``1e-3`` is a number (see ``_yaml_loader``).
    """
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(where, f"expected a number, got {value!r}") from None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise ConfigError(where, f"expected a number, got {value!r}")
    return value if isinstance(value, str) else number


def class_name(value: Any, key: str, where: str) -> str:
    """``"nn.ReLU"`` / ``"torch.nn.ReLU"`` / ``"relu"`` -> ``"ReLU"``, checked against SB3's choices."""
    choices = catalog.CLASS_KWARGS[key]
    if isinstance(value, PythonClass):
        return value  # type: ignore[return-value]
    if not isinstance(value, str):
        hint = f"e.g. {choices[0]}"
        if key == "activation_fn" and isinstance(value, Mapping):
            hint = catalog.PER_NETWORK_ACTIVATION
        raise ConfigError(where, f"expected a class name, got {describe_value(value)}", hint=hint)
    name = value.strip()
    module, _, last = _full_path(name).rpartition(".")
    if last in choices and catalog.CLASS_MODULES.get(last) == module:  # the path that defines it, as eval finds it
        return last
    for prefix in _CLASS_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    for choice in choices:
        if choice.lower() == name.lower():
            return choice  # GLU and Softmax2d too: SB3 builds them, and lint says their forward pass fails
    if name.endswith("()"):
        written = value.strip().removesuffix("()")
        resolved = class_name(written, key, where)  # a name that is no class either is refused as such
        raise ConfigError(
            where,
            f"{value!r} is an instance, and SB3 takes the class (it creates the instances itself)",
            hint=f"write {written if written.endswith(resolved) else resolved}, without the parentheses",
        )
    hint = suggestion(name, choices) or one_of(choices)
    what = {
        "activation_fn": "torch.nn activation",
        "features_extractor_class": "SB3 features extractor",
        "optimizer_class": "optimizer",
    }[key]
    if key == "features_extractor_class":
        hint += "; for a custom extractor, call sb3inspect.summary() on the model in your training script"
    raise ConfigError(where, f"unknown {what} {value!r}", hint=hint)


def _check_plain(value: Any, where: str, depth: int = 0) -> None:
    if depth > 20:
        raise ConfigError(where, "nested too deeply")
    if value is None or isinstance(value, (bool, int, float, str)):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]", depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ConfigError(where, f"keys must be strings, got {key!r}")
            _check_plain(item, f"{where}.{key}", depth + 1)
        return
    raise ConfigError(where, f"expected a plain value (number, string, list, mapping), got {type(value).__name__}")


def _top(source: str, key: Any) -> str:
    """Where a top-level key lives: ``configs/a.yaml: policy_kwargs``."""
    return f"{source}: {key}" if source else str(key)


def _sub(where: str, key: Any) -> str:
    """Where a nested key lives: ``configs/a.yaml: policy_kwargs.net_arch``."""
    return f"{where}.{key}"
