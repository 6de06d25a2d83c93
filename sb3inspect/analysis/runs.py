"""Lint: configs SB3 builds but cannot run or train, as findings with a code, a level and a fix.

sb3inspect builds whatever SB3 builds, so the report shows what such a config really makes; these
findings (all errors: ``check`` fails on them) say where the first forward pass or gradient step
will fail. Behaviour measured on SB3 / sb3-contrib 2.9.2:

- RN001 ``scalar-observation``: a Box observation of shape ``()`` builds (one feature), but
  FlattenExtractor flattens from dimension 1, which a batch of scalars lacks: the forward fails.
- RN002 ``dict-without-combined-extractor``: a Dict observation under a policy that SB3 does not
  check (``MlpLstmPolicy``, ``CnnLstmPolicy``, ARS's ``LinearPolicy``) builds a FlattenExtractor,
  which cannot flatten a dict of tensors.
- RN003 ``no-critics``: ``n_critics: 0`` builds a critic without q-networks (TD3/DDPG keep the shared
  features extractor in its optimizer): ``predict()`` works, the first gradient step does not.
- RN004 ``no-quantiles``: ``n_quantiles: 0`` builds heads without outputs: TQC trains without an
  error and learns nothing; QR-DQN fails at its first forward pass.
- RN005 ``lstm-hidden-state``: ``lstm_kwargs`` with ``proj_size`` or ``bidirectional``: sb3-contrib
  sizes the hidden state for one direction of ``lstm_hidden_size``, so the first forward fails.
- RN006 ``broken-activation``: GLU halves its input and Softmax2d wants 3-D inputs, so the layer
  after the activation (or the activation itself) fails on SB3's MLP activations.
- RN007 ``number-as-text``: a number written as text (``batch_norm_momentum: "0.02"``) reaches SB3 as
  text; where SB3 builds with it (CrossQ stores it), the first forward pass fails on it.

Pure functions on a ``PolicySpec`` (plain values): no torch.
"""

from __future__ import annotations

from sb3inspect import catalog
from sb3inspect.report.model import Finding
from sb3inspect.sources.config import PolicySpec

CODES: dict[str, str] = {
    "RN001": "scalar-observation",
    "RN002": "dict-without-combined-extractor",
    "RN003": "no-critics",
    "RN004": "no-quantiles",
    "RN005": "lstm-hidden-state",
    "RN006": "broken-activation",
    "RN007": "number-as-text",
}
"""Code -> name; every one is an error (documented in this module's docstring)."""


def lint_runs(spec: PolicySpec) -> tuple[Finding, ...]:
    """Findings about what in ``spec`` SB3 builds but cannot run or train."""
    findings: list[Finding] = []

    def add(code: str, where: str, message: str, fix: str) -> None:
        findings.append(Finding(code=code, name=CODES[code], level="error", where=where, message=message, fix=fix))

    top = (lambda key: f"{spec.where}: {key}") if spec.where else (lambda key: key)
    kwargs = spec.policy_kwargs
    obs = spec.observation_space
    if obs["type"] == "Box" and not obs["shape"]:
        add(
            "RN001",
            top("observation_space.shape"),
            "a Box of shape () builds (SB3 sizes it as one feature), but SB3's first forward pass fails: "
            "FlattenExtractor flattens from dimension 1, which a batch of scalars does not have",
            "observation_space: {type: Box, shape: [1]}",
        )
    extractor = kwargs.get("features_extractor_class") or catalog.default_extractor(spec.policy)
    if obs["type"] == "Dict" and extractor == "FlattenExtractor":
        multi = spec.policy.replace("Mlp", "MultiInput").replace("Cnn", "MultiInput")
        fix = (
            f"policy: {multi}, or policy_kwargs: {{features_extractor_class: CombinedExtractor}}"
            if multi in catalog.ALGORITHMS[spec.algo].policies
            else "flatten the observation: env_wrapper: gymnasium.wrappers.FlattenObservation"
        )
        add(
            "RN002",
            top("policy"),
            f"{spec.policy} builds a FlattenExtractor over the Dict observation (SB3 checks only MlpPolicy and "
            "CnnPolicy), but its first forward pass fails: FlattenExtractor cannot flatten a dict of tensors",
            fix,
        )
    at = top("policy_kwargs")
    if kwargs.get("n_critics") == 0:
        add(
            "RN003",
            f"{at}.n_critics",
            "n_critics: 0 builds a critic without q-networks (only the shared features extractor, which the "
            "critic's optimizer holds): predict() works, but the first gradient step fails (no q-values to join)",
            "n_critics: 1 or more (TD3 and SAC default to 2, DDPG uses 1)",
        )
    if kwargs.get("n_quantiles") == 0:
        add(
            "RN004",
            f"{at}.n_quantiles",
            "n_quantiles: 0 builds heads with no outputs: TQC trains without an error but learns nothing, "
            "QR-DQN fails at its first forward pass",
            "n_quantiles: 1 or more (TQC defaults to 25, QR-DQN to 200)",
        )
    lstm = kwargs.get("lstm_kwargs") or {}
    odd = [key for key in ("proj_size", "bidirectional") if lstm.get(key)]
    if odd:
        add(
            "RN005",
            f"{at}.lstm_kwargs.{odd[0]}",
            f"an LSTM with {' and '.join(odd)} builds, but sb3-contrib sizes its hidden state as one direction of "
            "lstm_hidden_size features, so the first forward pass fails",
            f"remove {' and '.join(odd)} from lstm_kwargs",
        )
    activation = kwargs.get("activation_fn")
    if isinstance(activation, str) and activation in catalog.BROKEN_ACTIVATIONS:
        add(
            "RN006",
            f"{at}.activation_fn",
            f"SB3 builds {activation} as the activation, but the first forward pass fails: "
            f"{catalog.BROKEN_ACTIVATIONS[activation]}",
            "use ReLU, Tanh, ELU, ...",
        )
    for key in catalog.NUMBER_KWARGS:
        text = kwargs.get(key)
        if isinstance(text, str):
            add(
                "RN007",
                f"{at}.{key}",
                f"{key} is the text {text!r}, not a number: SB3 builds with the text and fails on it at the first "
                "forward pass",
                f"write it without quotes: {key}: {text}",
            )
    return tuple(findings)
