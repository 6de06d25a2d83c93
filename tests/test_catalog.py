"""The static catalog (used to fail fast without torch) agrees with the installed SB3."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch
from stable_baselines3.common import torch_layers

from sb3inspect import catalog
from sb3inspect.build.policy import algorithm_class
from sb3inspect.errors import BuildError, ConfigError
from sb3inspect.sources.envs import spaces_env
from sb3inspect.sources.spaces import parse_space, to_gym

from .conftest import installed_algorithms, lacking, skip_if_lacking

ACTIONS = {
    "Box": "box:2",
    "Discrete": "discrete:3",
    "MultiDiscrete": "multidiscrete:2,3",
    "MultiBinary": "multibinary:3",
}


@pytest.mark.parametrize("name", list(catalog.ALGORITHMS))
def test_policies_and_kwargs(name: str) -> None:
    skip_if_lacking(name)
    info = catalog.ALGORITHMS[name]
    cls = algorithm_class(name)
    assert list(info.policies) == list(cls.policy_aliases)
    for alias, policy in info.policies.items():
        real = cls.policy_aliases[alias]
        assert policy.class_name == real.__name__
        params = list(inspect.signature(real.__init__).parameters)[1:]
        expected = [p for p in params if p not in ("observation_space", "action_space", "lr_schedule")]
        assert sorted(policy.kwargs) == sorted(expected), alias
    assert info.use_sde == ("use_sde" in inspect.signature(cls.__init__).parameters)
    tau = inspect.signature(cls.__init__).parameters.get("tau")
    assert (name in catalog.Q_LEARNING) == (tau is not None and tau.default == 1.0)  # the target is a copy


@pytest.mark.parametrize("name", list(catalog.ALGORITHMS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_supported_action_spaces(name: str, action: str) -> None:
    skip_if_lacking(name)
    cls = algorithm_class(name)
    env = spaces_env(to_gym(parse_space(3, "obs")), to_gym(parse_space(ACTIONS[action], "act", action=True)))
    try:
        cls(next(iter(cls.policy_aliases)), env, _init_setup_model=False, device="cpu")
        accepted = True
    except AssertionError:
        accepted = False
    assert accepted == (action in catalog.ALGORITHMS[name].action_spaces)


def test_class_names_exist() -> None:
    for name in catalog.ACTIVATIONS:
        getattr(torch.nn, name)()  # SB3 calls activation_fn() with no arguments
    for name in catalog.FEATURES_EXTRACTORS:
        assert issubclass(getattr(torch_layers, name), torch_layers.BaseFeaturesExtractor)
    for name in catalog.OPTIMIZERS:
        assert name == "RMSpropTFLike" or issubclass(getattr(torch.optim, name), torch.optim.Optimizer)


def test_every_no_argument_activation_is_listed() -> None:
    import torch.nn.modules.activation as activation

    for name in activation.__all__:
        cls = getattr(activation, name)
        required = [
            p
            for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
            if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        assert (name in catalog.ACTIVATIONS) == (not required), name


def test_extractor_kwargs() -> None:
    for name, kwargs in catalog.EXTRACTOR_KWARGS.items():
        params = list(inspect.signature(getattr(torch_layers, name).__init__).parameters)[2:]  # self, observation_space
        assert sorted(params) == sorted(kwargs), name
    for algo in map(catalog.ALGORITHMS.get, installed_algorithms()):
        assert algo is not None
        for alias, policy in algo.policies.items():
            if "features_extractor_class" not in policy.kwargs:
                continue
            default = (
                inspect.signature(algorithm_class(algo.name).policy_aliases[alias].__init__)
                .parameters["features_extractor_class"]
                .default
            )
            assert default.__name__ == catalog.default_extractor(alias), (algo.name, alias)


def test_the_unwrap_warning_comes_from_where_the_catalog_says() -> None:
    """The note SB3's warning for [dict(pi=..., vf=...)] gives is told apart by its origin, not its words."""
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    spec = spec_from_mapping(
        {
            "algo": "PPO",
            "observation_space": 3,
            "action_space": "discrete:2",
            "policy_kwargs": {"net_arch": [{"pi": [4], "vf": [4]}]},
        }
    )
    origins = {(w.module, w.category) for w in build_policy(spec).warnings}
    assert origins == {catalog.UNWRAP_WARNING_ORIGIN}


def test_network_prefixes_cover_every_saved_tensor_of_each_family() -> None:
    """Every state-dict entry SB3 writes for a policy falls under a network the catalog names (or the shared extractor)."""
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    configs = [
        {
            "algo": "PPO",
            "observation_space": 3,
            "action_space": "box:2",
            "policy_kwargs": {"share_features_extractor": False},
        },
        {
            "algo": "RecurrentPPO",
            "observation_space": 3,
            "action_space": "box:2",
            "policy_kwargs": {"lstm_hidden_size": 4},
        },
        {"algo": "SAC", "observation_space": 3, "action_space": "box:2"},
        {"algo": "TD3", "observation_space": 3, "action_space": "box:2"},
        {"algo": "DQN", "observation_space": 3, "action_space": "discrete:2"},
        {"algo": "QRDQN", "observation_space": 3, "action_space": "discrete:2"},
    ]
    prefixes = [prefix for prefix, *_ in catalog.NETWORK_PREFIXES]
    for config in configs:
        names = build_policy(spec_from_mapping(config)).policy.state_dict()
        loose = [n for n in names if not n.startswith((*prefixes, "features_extractor.", "critic."))]
        assert loose == [], config["algo"]


def test_buffer_names_are_the_buffers_torch_and_sb3_contrib_register() -> None:
    skip_if_lacking("CrossQ")  # its BatchRenorm layers hold sb3-contrib's buffers
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    policy = build_policy(spec_from_mapping({"algo": "CrossQ", "observation_space": 3, "action_space": "box:2"})).policy
    buffers = {name.rsplit(".", 1)[-1] for name, _ in policy.named_buffers()}
    assert buffers and buffers <= set(catalog.BUFFER_NAMES)
    assert {name.rsplit(".", 1)[-1] for name, _ in torch.nn.BatchNorm1d(2).named_buffers()} <= set(catalog.BUFFER_NAMES)
    for norm in (torch.nn.BatchNorm1d(2), *(m for m in policy.modules() if type(m).__name__ == "BatchRenorm")):
        assert len({name for name, _ in norm.named_buffers()} & set(catalog.NORM_STATS)) == 1, type(norm).__name__


@pytest.mark.parametrize("algo", ["PPO", "SAC"])
def test_bare_parameters_are_the_ones_sb3_holds_outside_modules(algo: str) -> None:
    """With gSDE, ``log_std`` is a policy's (PPO) or an actor's (SAC) own parameter, in no submodule."""
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    spec = {"algo": algo, "observation_space": 3, "action_space": "box:2", "use_sde": True}
    policy = build_policy(spec_from_mapping(spec)).policy
    bare = {
        name.rsplit(".", 1)[-1] for module in policy.modules() for name, _ in module.named_parameters(recurse=False)
    }
    assert bare - {"weight", "bias"} == set(catalog.BARE_PARAMETERS)


def test_nature_cnn_minimum_is_sb3s() -> None:
    from gymnasium import spaces
    from stable_baselines3.common.torch_layers import NatureCNN

    side = catalog.NATURE_CNN_MIN
    NatureCNN(spaces.Box(0, 255, (1, side, side), np.uint8))
    with pytest.raises(RuntimeError):
        NatureCNN(spaces.Box(0, 255, (1, side - 1, side - 1), np.uint8))


def test_rnn_gates_are_torchs() -> None:
    for name, gates in catalog.RNN_GATES.items():
        layer = getattr(torch.nn, name)(3, 5)
        assert layer.weight_ih_l0.shape[0] == gates * 5


@pytest.mark.parametrize("kind", ["BOOL_KWARGS", "POSITIVE_INT_KWARGS", "NUMBER_KWARGS", "MAPPING_KWARGS"])
def test_kwarg_kinds_match_the_policies_defaults(kind: str) -> None:
    """Each keyword sorted by kind is a real policy keyword whose default is of that kind (or None)."""
    expected = {"BOOL_KWARGS": bool, "POSITIVE_INT_KWARGS": int, "NUMBER_KWARGS": (int, float), "MAPPING_KWARGS": dict}[
        kind
    ]
    seen: dict[str, list[object]] = {}
    for name in installed_algorithms():
        cls = algorithm_class(name)
        for alias in catalog.ALGORITHMS[name].policies:
            policy_class = cls.policy_aliases[alias]
            for key, parameter in inspect.signature(policy_class).parameters.items():
                if key in getattr(catalog, kind):
                    seen.setdefault(key, []).append(parameter.default)
    # keywords of an algorithm the installed release lacks (CrossQ's batch_norm) cannot be seen here
    only_lacking = {
        key
        for name in set(catalog.ALGORITHMS) - set(installed_algorithms())
        for policy in catalog.ALGORITHMS[name].policies.values()
        for key in policy.kwargs
    } - {key for name in installed_algorithms() for p in catalog.ALGORITHMS[name].policies.values() for key in p.kwargs}
    assert set(seen) == set(getattr(catalog, kind)) - only_lacking
    for key, defaults in seen.items():
        assert all(d is None or isinstance(d, expected) for d in defaults), (key, defaults)


NOT_CONFIG_KEYWORDS = ("self", "policy", "env", "policy_kwargs", "_init_setup_model")
"""Constructor arguments a config does not give as hyperparameters: the policy, the env and the policy keywords
have keys of their own; ``_init_setup_model`` is SB3's private switch."""


@pytest.mark.parametrize("name", list(catalog.ALGORITHMS))
def test_algorithm_keywords_are_the_constructors(name: str) -> None:
    skip_if_lacking(name)
    params = [p for p in inspect.signature(algorithm_class(name).__init__).parameters if p not in NOT_CONFIG_KEYWORDS]
    qualified = catalog.ALGORITHMS[name].qualified_name
    installed = [key for key in catalog.ALGO_KWARGS[name] if lacking(f"{qualified}.{key}") is None]
    assert sorted(installed) == sorted(params)
    assert set(catalog.RUN_KWARGS) - {"stats_window_size"} <= set(params)
    assert {*catalog.LEARN_KWARGS, "callback"} <= set(inspect.signature(algorithm_class(name).learn).parameters)
    assert not set(catalog.ZOO_KEYS) & set(params), "an rl-zoo3 key that is also an algorithm keyword"


def test_zoo_keys_are_the_ones_rl_zoo3_reads() -> None:
    """Every rl-zoo3 entry key sb3inspect knows is one ExperimentManager reads (and pops before SB3 sees it)."""
    zoo = pytest.importorskip("rl_zoo3")
    from pathlib import Path

    text = (Path(zoo.__file__).parent / "exp_manager.py").read_text()
    for key in catalog.ZOO_KEYS:
        assert f'"{key}"' in text, key
    assert set(catalog.ZOO_ENV_KEYS) <= set(catalog.ZOO_KEYS)
    assert all(key in text for key in catalog.ZOO_SCHEDULES)


def test_replay_buffer_and_vec_normalize_keywords() -> None:
    import stable_baselines3
    from stable_baselines3.common import buffers
    from stable_baselines3.common.vec_env import VecNormalize

    passed_by_sb3 = {"self", "buffer_size", "observation_space", "action_space", "env", "device", "n_envs"}
    passed_by_sb3.add("optimize_memory_usage")  # the algorithm's own keyword
    for name, kwargs in catalog.REPLAY_BUFFER_KWARGS.items():
        cls = getattr(stable_baselines3, name, None) or getattr(buffers, name)
        assert sorted(set(inspect.signature(cls.__init__).parameters) - passed_by_sb3) == sorted(kwargs), name
    her = set(inspect.signature(stable_baselines3.HerReplayBuffer.__init__).parameters)
    assert not set(catalog.REMOVED_BUFFER_KWARGS) & her
    assert list(inspect.signature(VecNormalize.__init__).parameters)[2:] == list(catalog.VEC_NORMALIZE_KWARGS)


# --- saved models: what older releases did differently --------------------------------------------------


@pytest.mark.parametrize("name", list(catalog.ALGORITHMS))
def test_default_activations_are_the_policies(name: str) -> None:
    skip_if_lacking(name)
    for policy_class in algorithm_class(name).policy_aliases.values():
        parameter = inspect.signature(policy_class).parameters.get("activation_fn")
        if parameter is not None:  # ARS's LinearPolicy has none: no hidden layers
            assert parameter.default.__name__ == catalog.DEFAULT_ACTIVATIONS[name], policy_class


@pytest.mark.parametrize("default", catalog.OLD_DEFAULTS, ids=lambda d: f"{d.keyword}-{'-'.join(d.algos)}")
def test_old_defaults_differ_from_todays(default: catalog.OldDefault) -> None:
    """Each old default is one today's classes no longer fill in: a saved model that left it out reads two ways."""
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    for name in default.algos:
        for alias in catalog.ALGORITHMS[name].policies:
            extractor = catalog.default_extractor(alias)
            if default.extractors and extractor not in default.extractors:
                continue
            obs = "image:1x36x36" if extractor == "NatureCNN" else 3
            if extractor == "CombinedExtractor":
                obs = {"type": "Dict", "spaces": {"a": 3}}
            policy = build_policy(
                spec_from_mapping({"algo": name, "policy": alias, "observation_space": obs, "action_space": "box:2"})
            ).policy
            assert getattr(policy, default.keyword) != default.value, (name, alias)
            assert catalog.release("2.9.2") >= default.until  # today's release has today's default


def test_state_dict_renames_name_todays_entries() -> None:
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    for name, renames in catalog.STATE_DICT_RENAMES.items():
        names = set()
        for alias in catalog.ALGORITHMS[name].policies:
            spec = {"algo": name, "policy": alias, "observation_space": 3, "action_space": "box:2"}
            kwargs = {"with_bias": True}
            names |= set(build_policy(spec_from_mapping({**spec, "policy_kwargs": kwargs})).policy.state_dict())
        for old, new in renames:
            assert new in names and old not in names, (old, new)


@pytest.mark.parametrize("shift", catalog.SHIFTED_KEYWORDS, ids=lambda s: "-".join(s.policies))
def test_shifted_keywords_name_todays_parameters(shift: catalog.ShiftedKeywords) -> None:
    """Each keyword given lands on the one before it in today's classes (the same order as the faulty release's
    parent): the reading rebuilds with today's classes what that release built."""
    import inspect

    from sb3inspect.build.policy import algorithm_class

    for name in shift.algos:
        for alias in shift.policies:
            parameters = list(inspect.signature(algorithm_class(name).policy_aliases[alias].__init__).parameters)
            for (given, _), landed in zip(shift.given, shift.landed, strict=True):
                assert parameters.index(landed) + 1 == parameters.index(given), (alias, given, landed)


def test_legacy_state_dict_prefixes_are_built_by_no_policy_today() -> None:
    """shared_net and sde_features_extractor exist only in older files: today's classes never name them."""
    from sb3inspect.build.policy import build_policy
    from sb3inspect.sources.config import spec_from_mapping

    for config in (
        {"algo": "PPO", "observation_space": 3, "action_space": "box:2", "use_sde": True},
        {"algo": "SAC", "observation_space": 3, "action_space": "box:2", "use_sde": True},
    ):
        names = build_policy(spec_from_mapping(config)).policy.state_dict()
        assert not [n for n in names if n.startswith(catalog.SHARED_NET) or catalog.SDE_EXTRACTOR in n]


def test_her_modules_are_where_the_algorithms_live() -> None:
    import importlib

    for module in catalog.HER_MODULES:
        name = module.rsplit(".", 1)[-1].upper()
        assert getattr(importlib.import_module(module), name).__name__ == name


@pytest.mark.parametrize(
    ("text", "numbers"), [("1.3.1a2", (1, 3, 1)), ("1.0rc0", (1, 0)), ("2.9.2", (2, 9, 2)), ("", None), ("x", None)]
)
def test_release_numbers(text: str, numbers: tuple[int, ...] | None) -> None:
    assert catalog.release(text) == numbers


def test_storage_dtypes_are_torchs() -> None:
    """Each storage class a torch pickle may name (``TORCH_PICKLE_ALLOWED``) has its dtype and element size."""
    storages = {name.rsplit(".", 1)[-1] for name in catalog.TORCH_PICKLE_ALLOWED if name.endswith("Storage")}
    assert storages == set(catalog.TORCH_STORAGE_DTYPES)
    for name, (dtype, size) in catalog.TORCH_STORAGE_DTYPES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "TypedStorage is deprecated": old files name them
            real = getattr(torch, name).dtype
        assert (str(real).removeprefix("torch."), torch.empty(0, dtype=real).element_size()) == (dtype, size), name


def test_layer_activations_run_on_sb3s_activations() -> None:
    """Dropout, AlphaDropout and Flatten build with no arguments and keep a 2-D activation's shape."""
    for name in catalog.LAYER_ACTIVATIONS:
        layer = getattr(torch.nn, name)()
        assert not list(layer.parameters()) and layer(torch.zeros(3, 7)).shape == (3, 7), name
    assert set(catalog.LAYER_ACTIVATIONS) <= set(catalog.CLASS_KWARGS["activation_fn"])


def test_sb3_refuses_a_dict_only_under_the_aliases_the_catalog_names() -> None:
    from gymnasium import spaces

    observation = spaces.Dict({"a": spaces.Box(-1, 1, (3,))})
    for name in installed_algorithms():
        info, cls = catalog.ALGORITHMS[name], algorithm_class(name)
        action = to_gym(parse_space(ACTIONS[info.action_spaces[0]], "act", action=True))
        for alias in info.policies:
            if alias.startswith("MultiInput"):
                continue
            try:
                cls(alias, spaces_env(observation, action), _init_setup_model=False, device="cpu")
                refused = False
            except ValueError:
                refused = True
            assert refused == (alias in catalog.DICT_REFUSED_POLICIES), (name, alias)


def test_elementwise_modules_have_no_weight_matrix() -> None:
    import sb3_contrib

    for name in catalog.ELEMENTWISE_MODULES:
        if lacking(f"sb3_contrib.common.torch_layers.{name}"):
            continue  # BatchRenorm1d came with CrossQ
        cls = getattr(torch.nn, name, None) or getattr(sb3_contrib.common.torch_layers, name)
        module = cls(4) if name != "PReLU" else cls()
        assert all(p.dim() == 1 for p in module.parameters()), name


@pytest.mark.parametrize("name", list(catalog.ALGORITHMS))
def test_algo_added_kwargs_are_what_each_algorithm_adds(name: str) -> None:
    """An algorithm given no policy_kwargs saves these: a zip has them though the config did not."""
    skip_if_lacking(name)
    info = catalog.ALGORITHMS[name]
    action = "box:2" if "Box" in info.action_spaces else "discrete:2"
    env = spaces_env(to_gym(parse_space(3, "obs")), to_gym(parse_space(action, "act", action=True)))
    algo = algorithm_class(name)(next(iter(info.policies)), env, _init_setup_model=False, device="cpu")
    assert tuple(algo.policy_kwargs) == catalog.ALGO_ADDED_KWARGS.get(name, ())


def _installed_has(dotted: str) -> bool:
    """Whether the installed packages have what a dotted name names: a class, or an algorithm's keyword."""
    import importlib

    from sb3inspect.sources.envs import rl_zoo3_wrappers

    owner, _, name = dotted.rpartition(".")
    algorithms = {info.qualified_name: algo for algo, info in catalog.ALGORITHMS.items()}
    if owner in algorithms:
        algo = algorithms[owner]
        return lacking(algo) is None and name in inspect.signature(algorithm_class(algo).__init__).parameters
    if owner == "rl_zoo3.wrappers":
        return isinstance(getattr(rl_zoo3_wrappers("test"), name, None), type)
    module, attributes = dotted, []
    while module:  # the longest importable module, then attributes
        try:
            value: object = importlib.import_module(module)
            break
        except ImportError:
            module, _, head = module.rpartition(".")
            attributes.insert(0, head)
    else:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy 1.x warns on the names it removed
        for attribute in attributes:
            value = getattr(value, attribute, None)
    return value is not None


@pytest.mark.parametrize("dotted", list(catalog.RELEASES))
def test_releases_say_what_the_installed_packages_have(dotted: str) -> None:
    """Each entry of RELEASES is held against the installed release: present exactly when it says so."""
    releases = catalog.RELEASES[dotted]
    version = catalog.installed_version(releases.package)
    if version is None:
        pytest.skip(f"{releases.package} is not installed")
    assert _installed_has(dotted) == releases.has(version), (dotted, version)
    assert (catalog.unavailable(dotted) is None) == releases.has(version)


def test_every_class_the_catalog_names_is_in_every_release_or_in_releases() -> None:
    """A wrapper or algorithm missing from the installed release must be one RELEASES lists."""
    named = [info.qualified_name for info in catalog.ALGORITHMS.values()]
    for table in (catalog.ENV_WRAPPERS, catalog.VEC_ENV_WRAPPERS):
        for module, names in table.items():
            if module != "rl_zoo3.wrappers" or catalog.installed_version("rl_zoo3") is not None:
                named += [f"{module}.{name}" for name in names]
    missing = [dotted for dotted in named if not _installed_has(dotted)]
    assert [dotted for dotted in missing if dotted not in catalog.RELEASES] == []


@pytest.mark.parametrize(
    ("version", "since", "until", "has"),
    [
        ("2.3.0", "2.4.0", None, False),
        ("2.4.0", "2.4.0", None, True),
        ("2.10.1", "2.4.0", None, True),
        ("2.4.0a1", "2.4.0", None, True),
        ("0.29.1", None, "1.0.0", True),
        ("1.0.0", None, "1.0.0", False),
        ("1.4.0+local", "1.0.0", None, True),
    ],
)
def test_release_ranges(version: str, since: str | None, until: str | None, has: bool) -> None:
    assert catalog.Releases("p", since=since, until=until).has(version) == has


def test_an_algorithm_the_installed_release_lacks_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever is installed: pretend sb3-contrib 2.3.0, which predates CrossQ."""
    from sb3inspect.cli import main
    from sb3inspect.sources.config import spec_from_mapping

    real = catalog.installed_version
    monkeypatch.setattr(catalog, "installed_version", lambda p: "2.3.0" if p == "sb3-contrib" else real(p))
    assert main(["inspect", "--algo", "crossq", "--obs", "3", "--act", "box:2"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "error: command line: algo: CrossQ needs sb3-contrib>=2.4.0, you have 2.3.0 (pip install -U sb3-contrib)\n"
    ), err
    with pytest.raises(ConfigError) as info:
        spec_from_mapping({"algo": "CrossQ", "observation_space": 3, "action_space": "box:2"})
    assert (info.value.code, info.value.where) == ("version", "<config>: algo")
    with pytest.raises(BuildError) as built:
        algorithm_class("CrossQ")
    assert built.value.code == "version"
    assert lacking("CrossQ") == "CrossQ needs sb3-contrib>=2.4.0, you have 2.3.0"


def test_a_keyword_the_installed_release_lacks_is_named_with_its_release(monkeypatch: pytest.MonkeyPatch) -> None:
    """n-step returns came to SAC in SB3 2.7.0: with 2.6.0, n_steps is an error that says so, not SB3's TypeError."""
    from sb3inspect.sources.config import spec_from_mapping

    real = catalog.installed_version
    monkeypatch.setattr(catalog, "installed_version", lambda p: "2.6.0" if p == "stable-baselines3" else real(p))
    with pytest.raises(ConfigError) as info:
        spec_from_mapping({"algo": "SAC", "observation_space": 3, "action_space": "box:2", "n_steps": 3})
    assert (info.value.code, info.value.where) == ("version", "<config>: n_steps")
    assert str(info.value).endswith(
        "SAC.n_steps needs stable-baselines3>=2.7.0, you have 2.6.0 (pip install -U stable-baselines3)"
    )


def test_class_modules_are_where_the_classes_live() -> None:
    """rl-zoo3 strings may name a class by the module that defines it (``torch.nn.modules.activation.ReLU``)."""
    import importlib

    for name, module in catalog.CLASS_MODULES.items():
        found = getattr(importlib.import_module(module), name, None)
        assert found is not None and found.__module__ == module, (name, module)
    assert set(catalog.CLASS_MODULES) == {name for names in catalog.CLASS_KWARGS.values() for name in names}
