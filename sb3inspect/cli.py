"""The ``sb3inspect`` command. Thin: parse, call the library, print, exit.

Only this module prints or exits. Library errors (``Sb3InspectError``) become one line,
``error: ...`` on stderr and exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sb3inspect.errors import ConfigError, NetArchMismatch, Sb3InspectError, one_line, printable

if TYPE_CHECKING:
    from sb3inspect.sources.config import Overrides

app = typer.Typer(
    name="sb3inspect",
    help="See what a Stable-Baselines3 net_arch builds: every network, layer by layer, without allocating it.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state = {"debug": False}


class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Build again instead of answering from the report cache (also SB3INSPECT_NO_CACHE=1; "
        "SB3INSPECT_CACHE_DIR moves it).",
    ),
]

AllowImports = Annotated[
    bool,
    typer.Option(
        "--allow-imports",
        help="rl-zoo3 files: import the env wrappers a file names by module path "
        "(runs their code). Off: only SB3, sb3-contrib, gymnasium and rl-zoo3 wrappers.",
    ),
]


class ExitCode:
    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Sb3InspectError -> ``error: ...`` on stderr and exit 2 (1 for a failed check)."""
    try:
        yield
    except NetArchMismatch as exc:
        _fail(exc, ExitCode.CHECK_FAILED, prefix="check failed")
    except Sb3InspectError as exc:
        _fail(exc, ExitCode.BAD_INPUT)
    except KeyboardInterrupt:
        _fail(None, 130, prefix="interrupted")
    except typer.Exit:
        raise
    except BrokenPipeError:
        raise typer.Exit(_closed_pipe()) from None
    except Exception as exc:
        text = one_line(exc, 300)
        message = (
            f"internal error ({type(exc).__name__}: {text}); this is a bug in sb3inspect, please report it "
            "with the input that caused it (run with --debug for the traceback)"
        )
        _fail(exc, ExitCode.BAD_INPUT, message=message)


CLOSED_PIPE = 141
"""Exit code when the reader of the output went away (``| head``): 128 + SIGPIPE, as a program SIGPIPE stops."""


def _closed_pipe() -> int:
    """Stop quietly once stdout's reader is gone: what is still buffered goes nowhere, not into a second error."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return CLOSED_PIPE


def _fail(exc: BaseException | None, code: int, *, prefix: str = "error", message: str | None = None) -> None:
    if _state["debug"] and exc is not None:
        raise exc
    text = message if message is not None else one_line(exc, 2000) if exc is not None else ""
    sys.stderr.write(f"{prefix}: {text}\n" if text else f"{prefix}\n")
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from sb3inspect import __version__

        typer.echo(f"sb3inspect {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    _state["debug"] = debug


@app.command()
def inspect(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="Config files (YAML, JSON, TOML), rl-zoo3 files, saved .zip models, rl-zoo3 run folders or hf://ORG/NAME[/FILE.zip]."
        ),
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option(
            help="Gymnasium env id: the spaces for quick flags or a config (replacing its own), or an entry of an "
            "rl-zoo3 file (repeat for several; none: every entry whose env can be made)."
        ),
    ] = None,
    algo: Annotated[
        str | None,
        typer.Option(
            help="Algorithm (PPO, SAC, DQN, RecurrentPPO, ...) for quick flags, a config (replacing its own) or rl-zoo3 files."
        ),
    ] = None,
    obs: Annotated[
        str | None, typer.Option(help="Observation space: 101, box:4x84x84:uint8, image:84x84x3, discrete:16, ...")
    ] = None,
    act: Annotated[
        str | None, typer.Option(help="Action space: discrete:4, box:6, multidiscrete:3,4, multibinary:8.")
    ] = None,
    net_arch: Annotated[
        list[str] | None,
        typer.Option("--net-arch", help="Hidden widths: 64,64; or per network: pi=256,256 (repeat for vf=/qf=)."),
    ] = None,
    policy: Annotated[
        str | None, typer.Option(help="Policy alias (MlpPolicy, CnnPolicy, ...); default from the observation.")
    ] = None,
    activation: Annotated[str | None, typer.Option(help="Activation, a torch.nn class name: ReLU, Tanh, ...")] = None,
    kwarg: Annotated[
        list[str] | None,
        typer.Option(
            "--kwarg",
            "-k",
            help="A policy keyword or training hyperparameter as key=value (YAML value): -k n_critics=3, -k n_steps=128. "
            "With files, this and the other config flags replace the files' values.",
        ),
    ] = None,
    use_sde: Annotated[bool, typer.Option("--use-sde", help="Build with gSDE (the algorithm's use_sde=True).")] = False,
    allow_imports: AllowImports = False,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            case_sensitive=False,
            help="Output format; markdown ends with a Mermaid flowchart of the networks.",
        ),
    ] = Format.table,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the arithmetic behind every count, MACs per layer, and notes.")
    ] = False,
    width: Annotated[
        int | None,
        typer.Option(
            min=40,
            help="Wrap the table's notes and header at this many columns (the rows keep their width; "
            "default: the terminal wraps).",
        ),
    ] = None,
    no_cache: NoCache = False,
) -> None:
    """Show the networks a config, an rl-zoo3 entry or a saved model builds, layer by layer, with parameter counts."""
    with user_errors():
        _check_output_flags(fmt, width=width, explain=explain)
        from sb3inspect.cache import open_cache
        from sb3inspect.pipeline import inspect_path

        cache = open_cache(disabled=no_cache)
        overrides = _flag_overrides(obs, act, net_arch, policy, activation, kwarg, use_sde)
        quick = _quick_config(overrides, algo, _one_env(env)) if not sources else None
        reports = []
        skipped: list[str] = []
        failures: list[Sb3InspectError] = []
        several = len(sources or ()) > 1  # JSON's shape follows the request, not how many sources could be read
        if sources:
            for source in progress(sources, "inspecting"):
                try:
                    inspection = inspect_path(
                        source, envs=env or (), algo=algo, allow_imports=allow_imports, cache=cache, overrides=overrides
                    )
                except Sb3InspectError as exc:
                    if _state["debug"] or len(sources) == 1:
                        raise
                    failures.append(exc)  # the other sources are still reported
                    continue
                reports.extend(inspection.reports)
                skipped.extend(inspection.skipped)
                several = several or inspection.several
        elif quick is not None:
            from sb3inspect.pipeline import summarize_spec
            from sb3inspect.sources.config import spec_from_mapping

            reports.append(summarize_spec(spec_from_mapping(quick, source="command line"), cache=cache))
        else:
            raise ConfigError(
                "command line",
                "nothing to inspect",
                hint="pass a config file, or quick flags such as --algo ppo --obs 101 --act discrete:4",
            )
        if reports or (several and fmt is Format.json):
            _emit(reports, fmt, width, explain=explain, several=several)
        for reason in skipped:
            sys.stderr.write(f"skipped: {one_line(reason, 2000)}\n")
        for failure in failures:
            _error_line(failure)
        if failures:
            raise typer.Exit(ExitCode.BAD_INPUT)


PROGRESS_AFTER = 20
"""A batch of this many sources or more shows a progress bar (on stderr, when it is a terminal)."""


def progress(items: list[str], label: str, *, console: Any = None) -> Iterator[str]:
    """Yield ``items``; for a long batch with stderr a terminal, show a transient progress bar on stderr."""
    if console is None and (len(items) < PROGRESS_AFTER or not sys.stderr.isatty()):
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console(stderr=True)
    # stdout lines (check's) print above the bar only when they go to the same terminal
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(label, total=len(items))
        for item in items:
            yield item
            bar.advance(task)


def _one_env(envs: list[str] | None, why: str = "quick flags describe one policy") -> str | None:
    """Commands about one policy take one --env at most."""
    if envs and len(envs) > 1:
        raise ConfigError("--env", f"given {len(envs)} times, but {why}", hint="pass one --env")
    return envs[0] if envs else None


class DiagramFormat(str, Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"


@app.command()
def diagram(
    source: Annotated[
        str,
        typer.Argument(
            help="A config file (YAML, JSON, TOML), rl-zoo3 file, saved .zip model, run folder or hf:// model."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write: .svg, .png or .pdf.")],
    fmt: Annotated[
        DiagramFormat | None,
        typer.Option("--format", "-f", case_sensitive=False, help="File format (default: from the output's suffix)."),
    ] = None,
    dpi: Annotated[int, typer.Option(min=30, max=1200, help="Pixels per inch of a PNG.")] = 150,
    env: Annotated[list[str] | None, typer.Option(help="Entry of an rl-zoo3 file (its env id).")] = None,
    algo: Annotated[str | None, typer.Option(help="Algorithm of an rl-zoo3 file's entry.")] = None,
    allow_imports: AllowImports = False,
) -> None:
    """Draw the networks a config builds: shared modules, one column per network, a box per layer.

    Needs matplotlib: pip install 'sb3inspect[diagram]'.
    """
    with user_errors():
        from sb3inspect.pipeline import summarize_one
        from sb3inspect.render import diagram as drawing

        chosen = drawing.diagram_format(output, fmt.value if fmt else None)
        drawing.check_output(output)
        drawing.require_matplotlib()
        report = summarize_one(
            source,
            env=_one_env(env, "a diagram draws one policy"),
            algo=algo,
            allow_imports=allow_imports,
            choose="--env",
        )
        drawing.write_diagram(report, output, fmt=chosen, dpi=dpi)
        _safety_warnings(report)
        typer.echo(f"wrote {printable(output)}")


def _safety_warnings(report: Any) -> None:
    """A saved model's UNSAFE / UNKNOWN findings on stderr, for commands whose output is not a report."""
    from sb3inspect.analysis.checks import safety_problems

    for level, text in safety_problems(report):
        sys.stderr.write(f"{level:<8}{printable(report.source)}: {text}\n")


def _flag_overrides(
    obs: str | None,
    act: str | None,
    net_arch: list[str] | None,
    policy: str | None,
    activation: str | None,
    kwargs: list[str] | None,
    use_sde: bool,
) -> Overrides:
    """What the config flags say: a config of their own (quick flags), or values that replace a file's."""
    from sb3inspect.sources.config import Overrides

    keys: dict[str, Any] = {}
    if obs is not None:
        keys["observation_space"] = _space_flag(obs, "--obs")
    if act is not None:
        keys["action_space"] = _space_flag(act, "--act")
    if policy is not None:
        keys["policy"] = policy
    if use_sde:
        keys["use_sde"] = True
    given: dict[str, Any] = {}
    for item in kwargs or []:
        key, value = _key_value(item, "--kwarg")
        if key in given:
            raise ConfigError("--kwarg", f"{key} given twice", hint="pass each keyword once")
        given[key] = value
    policy_kwargs: dict[str, Any] = {}
    if net_arch is not None:
        if "net_arch" in given:
            raise ConfigError(
                "--net-arch", "net_arch given by both --net-arch and -k net_arch=...", hint="use one of them"
            )
        policy_kwargs["net_arch"] = parse_net_arch_flags(net_arch)
    if activation is not None:
        if "activation_fn" in given:
            raise ConfigError(
                "--activation",
                "the activation given by both --activation and -k activation_fn=...",
                hint="use one of them",
            )
        policy_kwargs["activation_fn"] = activation
    return Overrides(keys=keys, policy_kwargs=policy_kwargs, kwargs=given)


def _quick_config(overrides: Overrides, algo: str | None, env: str | None) -> dict[str, Any] | None:
    """The config mapping quick flags describe, or None when none were given."""
    if not overrides and env is None:
        return None
    if algo is None:
        raise ConfigError("command line", "quick flags need --algo", hint="e.g. --algo ppo --obs 101 --act discrete:4")
    return overrides.with_keys(algo=algo, env=env).apply({})[0]


def _space_flag(value: str, flag: str) -> Any:
    """A space flag: a shorthand (``discrete:4``), or a YAML mapping (``{type: Box, shape: [3]}``)."""
    if value.lstrip().startswith("{"):
        return _key_value(f"space={value}", flag)[1]
    return value


def parse_net_arch_flags(values: list[str]) -> Any:
    """``["64,64"]`` -> [64, 64]; ``["pi=256,256", "vf=64"]`` -> {pi: [...], vf: [...]}; ``[""]`` -> []."""
    arch: dict[str, Any] = {}
    plain: list[Any] | None = None
    for value in values:
        key, sep, widths = value.partition("=")
        if sep:
            if key.strip() in arch:
                raise ConfigError("--net-arch", f"{key.strip()}= given twice", hint="give each network's widths once")
            arch[key.strip()] = _widths(widths, f"--net-arch {value}")
        else:
            if plain is not None:
                raise ConfigError("--net-arch", "give one list of widths, or one per network (pi=..., vf=...)")
            plain = _widths(value, f"--net-arch {value}")
    if arch and plain is not None:
        raise ConfigError(
            "--net-arch", "mix of a plain list and per-network lists", hint="use pi=... and vf=... (or qf=...) only"
        )
    return arch if arch else plain


def _widths(text: str, where: str) -> list[Any]:
    text = text.strip().strip("[]")
    if not text:
        return []
    widths: list[Any] = []
    for part in re.split(r",|(?<=\d)x(?=\d)", text):  # 64,64 or 64x64
        part = part.strip()
        try:
            widths.append(int(part))
        except ValueError:
            widths.append(part)  # config validation names the bad width
    return widths


def _key_value(item: str, flag: str) -> tuple[str, Any]:
    from sb3inspect.errors import SourceError
    from sb3inspect.sources.config import parse_text

    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(flag, f"expected key=value, got {item!r}", hint="e.g. -k share_features_extractor=false")
    try:
        parsed = parse_text(value, ".yaml", f"{flag} {key.strip()}") if value.strip() else None
    except SourceError as exc:
        if exc.code != "not-yaml":
            raise
        parsed = value  # not YAML: the plain string (validation names what is wrong with it)
    return key.strip(), parsed


def _emit(reports: list[Any], fmt: Format, width: int | None, *, explain: bool, several: bool) -> None:
    """The reports on stdout; JSON is an array when the request named several policies, else an object."""
    from sb3inspect.render import render, render_many

    if fmt is Format.table and sys.stdout.isatty():
        from rich.console import Console

        from sb3inspect.render.table import build_table

        console = Console(width=width or Console().width, highlight=False, soft_wrap=True)
        for index, report in enumerate(reports):
            if index:
                console.print()
            console.print(build_table(report, explain=explain, width=width))
        return
    if not several and len(reports) == 1:
        sys.stdout.write(render(reports[0], fmt.value, explain=explain, width=width))
    else:
        sys.stdout.write(render_many(reports, fmt.value, explain=explain, width=width))


def _check_output_flags(fmt: Enum, *, width: int | None, explain: bool = False) -> None:
    """--width shapes a table and --explain adds text to a table or Markdown: with other formats they would do nothing."""
    if width is not None and fmt.value != "table":
        raise ConfigError(
            "--width", f"sets the width of a table, and --format {fmt.value} has none", hint="drop --width"
        )
    if explain and fmt.value == "json":
        raise ConfigError(
            "--explain",
            "explains a table or Markdown in words; the JSON report already holds every figure it explains "
            "(params, param_shapes and macs per layer)",
            hint="use --format table or markdown with --explain",
        )


class TableOrJson(str, Enum):
    """The formats of ``scan`` and ``diff``, whose output is no report (no Markdown)."""

    table = "table"
    json = "json"


@app.command()
def scan(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Saved models (.zip), pickles (.pkl), torch files (.pth), rl-zoo3 YAML, folders of them, or "
            "hf://ORG/NAME[/FILE.zip] (its downloaded or cached file)."
        ),
    ],
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = TableOrJson.table,
    no_cache: NoCache = False,
) -> None:
    """Would loading these files run code? The safety verdict on every pickle inside, without torch (exit 0 all
    safe, 1 any unsafe, 2 any unreadable or unknown)."""
    with user_errors():
        import json
        from functools import partial

        from sb3inspect.cache import open_cache
        from sb3inspect.pipeline import scan_safety
        from sb3inspect.sources.saved import hub
        from sb3inspect.sources.saved.safety import scan_paths

        paths = [hub.fetch(source).path if hub.is_hub(source) else Path(source) for source in sources]
        results = []
        for result in scan_paths(paths, verdict=partial(scan_safety, cache=open_cache(disabled=no_cache))):
            results.append(result)
            if fmt is TableOrJson.table:
                _scan_lines(result)
        if not results:
            raise ConfigError(
                " ".join(printable(p) for p in paths), "no .zip, .pkl, .pth, config.yml or args.yml file to scan"
            )
        verdicts = [result.verdict for result in results]
        if fmt is TableOrJson.json:
            sys.stdout.write(json.dumps([result.to_dict() for result in results], indent=2) + "\n")
        elif len(results) > 1:
            counts = ", ".join(f"{verdicts.count(v)} {v}" for v in ("safe", "unsafe", "unknown", "unreadable"))
            typer.echo(f"{len(results)} scanned: {counts}")
        if "unsafe" in verdicts:
            raise typer.Exit(ExitCode.CHECK_FAILED)
        if "unknown" in verdicts or "unreadable" in verdicts:
            raise typer.Exit(ExitCode.BAD_INPUT)


def _scan_lines(result: Any) -> None:
    """``UNSAFE  model.zip`` and one indented line per finding; an unreadable file is an ``error:`` line."""

    if result.error is not None:
        sys.stderr.write(f"error: {result.error}\n")
        return
    typer.echo(f"{result.verdict.upper() if result.verdict != 'safe' else 'safe':<8}{printable(result.path)}")
    for finding in result.safety.findings:
        typer.echo(f"{'':<8}{finding.where}: {finding.what}")


@app.command()
def check(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Config files (YAML, JSON, TOML), rl-zoo3 files, saved .zip models, rl-zoo3 run folders or hf://ORG/NAME[/FILE.zip]."
        ),
    ],
    expect: Annotated[
        list[str] | None,
        typer.Option(
            "--expect",
            "-e",
            help="Hidden widths a network must have: pi=64,64 (repeat: vf=..., qf=...; "
            "pi is PPO's pi or an off-policy actor, qf the critic or q_net; vf= means no hidden layers).",
        ),
    ] = None,
    max_params: Annotated[
        int | None, typer.Option("--max-params", min=0, help="Fail when a policy has more parameters.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on lint warnings too, not only on lint errors.")
    ] = False,
    env: Annotated[
        list[str] | None,
        typer.Option(help="Entry of an rl-zoo3 file (repeat for several; default: every entry whose env can be made)."),
    ] = None,
    algo: Annotated[str | None, typer.Option(help="Algorithm of an rl-zoo3 file or saved model.")] = None,
    allow_imports: AllowImports = False,
    no_cache: NoCache = False,
) -> None:
    """Check that configs build, lint clean and match --expect / --max-params (exit 0 ok, 1 failed, 2 bad input)."""
    with user_errors():
        from sb3inspect.analysis.checks import parse_expectations, problems
        from sb3inspect.cache import open_cache
        from sb3inspect.pipeline import inspect_path

        cache = open_cache(disabled=no_cache)
        wanted = parse_expectations(_expect_flags(expect or []), where="--expect")
        checked = failed = bad = 0
        for source in progress(sources, "checking"):
            try:
                inspection = inspect_path(source, envs=env or (), algo=algo, allow_imports=allow_imports, cache=cache)
                reports = inspection.reports
                for reason in inspection.skipped:
                    sys.stderr.write(f"skipped: {one_line(reason, 2000)}\n")
            except Sb3InspectError as exc:
                bad += 1
                _error_line(exc)
                continue
            for report in reports:
                found = problems(report, expect=wanted, max_params=max_params, strict=strict)
                checked += 1
                failed += bool(found)
                typer.echo(_check_lines(report, source, found, strict=strict))
        if checked + bad > 1:
            typer.echo(
                f"{checked} checked: {checked - failed} ok, {failed} failed"
                + (f"; {bad} source{'s' if bad > 1 else ''} could not be read" if bad else "")
            )
        if bad:
            raise typer.Exit(ExitCode.BAD_INPUT)
        if failed:
            raise typer.Exit(ExitCode.CHECK_FAILED)


def _expect_flags(values: list[str]) -> dict[str, list[Any]]:
    """``["pi=64,64", "vf="]`` -> ``{"pi": [64, 64], "vf": []}``."""
    out: dict[str, list[Any]] = {}
    for value in values:
        name, sep, widths = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(
                "--expect", f"expected NAME=WIDTHS, got {value!r}", hint="e.g. --expect pi=64,64 --expect vf=64,64"
            )
        parsed = _widths(widths, f"--expect {value}")
        for width in parsed:
            if not isinstance(width, int) or width < 0:
                raise ConfigError(
                    f"--expect {value}",
                    f"{width!r} is not a layer width (a whole number of at least 0)",
                    hint="e.g. --expect pi=64,64",
                )
        if name.strip() in out:
            raise ConfigError("--expect", f"{name.strip()}= given twice", hint="give each network's widths once")
        out[name.strip()] = parsed
    return out


def _check_lines(report: Any, source: str, found: list[str], *, strict: bool) -> str:
    """``ok      configs/a.yaml · PPO · pi [64, 64] · vf [64, 64] · 21,701 params``, then problems and warnings."""
    from sb3inspect.analysis.checks import finding_line

    built = " · ".join(
        f"{n.name} {list(n.hidden_sizes)}" for n in report.networks if not n.target and n.role != "other"
    )
    label = report.source or str(source)
    status = "FAILED" if found else "ok"
    lines = [f"{status:<7} {label} · {report.algo or report.policy_class} · {built} · {report.totals.params:,} params"]
    lines += [f"        {problem}" for problem in found]
    if not strict:  # warnings do not fail without --strict, but are worth a line
        lines += [f"        {finding_line(f)}" for f in report.findings if f.level != "error"]
    return "\n".join(printable(line) for line in lines)  # keys, paths and env ids come from files


def _error_line(exc: Sb3InspectError) -> None:
    """One source that cannot be read: ``error: ...`` on stderr, and the check goes on with the next."""
    if _state["debug"]:
        raise exc
    sys.stderr.write(f"error: {one_line(exc, 2000)}\n")


@app.command()
def diff(
    source_a: Annotated[
        str, typer.Argument(help="Before: a config, rl-zoo3 file, saved .zip, run folder or hf:// model.")
    ],
    source_b: Annotated[
        str, typer.Argument(help="After: a config, rl-zoo3 file, saved .zip, run folder or hf:// model.")
    ],
    env: Annotated[
        list[str] | None,
        typer.Option(
            help="Entry of the rl-zoo3 file(s) to compare (its env id); a saved zip on the other side is fine."
        ),
    ] = None,
    algo: Annotated[str | None, typer.Option(help="Algorithm of rl-zoo3 files or saved models.")] = None,
    allow_imports: AllowImports = False,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", case_sensitive=False, help="Output format.")
    ] = TableOrJson.table,
    width: Annotated[
        int | None,
        typer.Option(min=40, help="Table width in columns (default: the terminal's, at least 100; 120 when piped)."),
    ] = None,
    no_cache: NoCache = False,
) -> None:
    """Per network, the layers added, removed or resized and the parameter delta (exit 0 same, 1 different, 2 bad input)."""
    with user_errors():
        _check_output_flags(fmt, width=width)
        from sb3inspect.analysis.compare import diff_reports
        from sb3inspect.cache import open_cache
        from sb3inspect.pipeline import diff_envs, summarize_one

        cache = open_cache(disabled=no_cache)
        env_a, env_b = diff_envs(source_a, source_b, _one_env(env, "diff compares one policy with one"))
        result = diff_reports(
            summarize_one(source_a, env=env_a, algo=algo, allow_imports=allow_imports, cache=cache, choose="--env"),
            summarize_one(source_b, env=env_b, algo=algo, allow_imports=allow_imports, cache=cache, choose="--env"),
        )
        if fmt is TableOrJson.table and sys.stdout.isatty():
            from rich.console import Console

            from sb3inspect.render.diff import build_diff

            Console(width=width or max(Console().width, 100), highlight=False).print(build_diff(result))
        else:
            sys.stdout.write(result.render(fmt.value, width=width or 120))
        if not result.same:
            raise typer.Exit(ExitCode.CHECK_FAILED)


def main(argv: list[str] | None = None) -> int:
    """Console entry point: click's usage errors become one ``error:`` line too.

    Typer either vendors click or depends on it, so click's exceptions are recognised by
    class name rather than imported.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in argv[1:]:  # accepted after the command too, where people type it
        argv = ["--debug", *(arg for arg in argv if arg != "--debug")]
    try:
        result = app(args=argv, prog_name="sb3inspect", standalone_mode=False)
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        kinds = {cls.__name__ for cls in type(exc).__mro__}
        ctx = getattr(exc, "ctx", None)
        if "NoArgsIsHelpError" in kinds:
            typer.echo(ctx.get_help() if ctx is not None else "")
            return ExitCode.OK
        if "Exit" in kinds:
            return int(getattr(exc, "exit_code", 0) or 0)
        if "Abort" in kinds:
            sys.stderr.write("interrupted\n")
            return 130
        if "UsageError" in kinds:
            command = ctx.command_path if ctx is not None else "sb3inspect"
            sys.stderr.write(f"error: {printable(exc.format_message())} (see '{command} --help')\n")  # type: ignore[attr-defined]
            return ExitCode.BAD_INPUT
        if "ClickException" in kinds:
            sys.stderr.write(f"error: {printable(exc.format_message())}\n")  # type: ignore[attr-defined]
            return ExitCode.BAD_INPUT
        raise
    # without standalone mode, click hands back typer.Exit's code instead of raising it
    return result if isinstance(result, int) else ExitCode.OK
