"""The pictures of a report: the graph both draw, the Mermaid flowchart, the SVG/PNG/PDF diagram, the command."""

from __future__ import annotations

import dataclasses
import functools
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sb3inspect
from sb3inspect.cli import app, main
from sb3inspect.errors import MissingExtra
from sb3inspect.render.graph import ACTION_INPUT, Lanes, build_graph, items_boxes
from sb3inspect.render.mermaid import label, mermaid
from sb3inspect.report.model import PolicyReport

from .conftest import ROOT

CONFIGS = ROOT / "configs"
SEED = str(CONFIGS / "ppo-101-64x64.yaml")
PICTURED = [
    "ppo-101-64x64.yaml",
    "dqn-atari.yaml",
    "td3-pendulum.yaml",
    "ppo-dict-obs.yaml",
    "recurrent-ppo.yaml",
    "ppo-giant-2.7b.yaml",
    "tqc-5-critics.toml",
    "qrdqn-cnn.json",
]
SVG = "{http://www.w3.org/2000/svg}"


@functools.cache
def report(name: str) -> PolicyReport:
    return sb3inspect.summary(CONFIGS / name)


# -- the graph ------------------------------------------------------------------------------------


def test_seed_graph_draws_the_shared_extractor_once() -> None:
    graph = build_graph(report("ppo-101-64x64.yaml"))
    (shared,) = graph.shared
    assert [box.type for box in items_boxes(shared.items)] == ["Flatten"] and shared.feeds == ("net_pi", "net_vf")
    assert [column.name for column in graph.columns] == ["pi", "vf"]
    pi = items_boxes(graph.columns[0].items)
    assert [(box.type, box.detail) for box in pi] == [
        ("Linear + Tanh", ("101 → 64 · 6,528 params",)),
        ("Linear + Tanh", ("64 → 64 · 4,160 params",)),
        ("Linear", ("64 → 4 · 260 params",)),
    ]
    flatten = items_boxes(shared.items)[0].id
    assert {edge.dst for edge in graph.edges if edge.src == flatten} == {
        pi[0].id,
        items_boxes(graph.columns[1].items)[0].id,
    }


def test_td3_targets_and_stacked_q_networks() -> None:
    graph = build_graph(report("td3-pendulum.yaml"))
    assert graph.shared == ()
    assert [(c.name, c.target, c.style) for c in graph.columns] == [
        ("actor", False, "policy"),
        ("actor_target", True, "target"),
        ("critic", False, "value"),
        ("critic_target", True, "target"),
    ]
    critic = graph.columns[2]
    assert "qf0, qf1: 2 identical q-networks" in critic.caption
    stack = next(item for item in critic.items if isinstance(item, Lanes))
    assert [(box.copies, box.path) for box in stack.lanes[0].boxes] == [
        (2, "critic.qf{0,1}.0"),
        (2, "critic.qf{0,1}.2"),
        (2, "critic.qf{0,1}.4"),
    ]
    assert stack.lanes[0].boxes[0].detail == ("4 → 400 · 2,000 params each",)
    labelled = [edge for edge in graph.edges if edge.label == ACTION_INPUT]
    assert [edge.dst for edge in labelled] == [
        graph.columns[2].items[1].lanes[0].boxes[0].id,  # type: ignore[union-attr]
        graph.columns[3].items[1].lanes[0].boxes[0].id,
    ]  # type: ignore[union-attr]
    assert graph.columns[1].caption[0] == "target: Polyak copy of actor"


def test_dict_observation_lanes_meet_in_a_concatenation() -> None:
    graph = build_graph(report("ppo-dict-obs.yaml"))
    assert graph.input.detail == ("camera: Box(3, 64, 64) uint8 [0, 255]", "joints: Box(9,) float32")
    lanes, concat = graph.shared[0].items
    assert isinstance(lanes, Lanes) and [lane.label for lane in lanes.lanes] == ["camera", "joints"]
    assert [len(lane.boxes) for lane in lanes.lanes] == [5, 1]
    assert concat.type == "concatenate" and concat.detail == ("128 + 9 → 137 features",)  # type: ignore[union-attr]
    heads = graph.columns[0].items[-1]
    assert isinstance(heads, Lanes) and [lane.boxes[0].path for lane in heads.lanes] == ["action_net", "log_std"]
    log_std = heads.lanes[1].boxes[0]
    assert log_std.bare and log_std.detail == ("shape 3 · 3 params",)
    assert all(edge.dst != log_std.id for edge in graph.edges)  # nothing flows into a bare parameter


def test_sac_shared_extractor_feeds_actor_and_critic_not_the_target() -> None:
    graph = build_graph(
        sb3inspect.summary(
            {
                "algo": "SAC",
                "observation_space": 17,
                "action_space": "box:6",
                "policy_kwargs": {"share_features_extractor": True},
            }
        )
    )
    (shared,) = graph.shared
    assert shared.caption[-1].startswith("shared by actor and critic")
    assert [c.name for c in graph.columns] == ["actor", "critic", "critic_target"]
    target_first = items_boxes(graph.columns[2].items)[0]
    assert (graph.input.id, target_first.id) in {(e.src, e.dst) for e in graph.edges}


def test_big_widths_get_thousands_separators() -> None:
    boxes = items_boxes(build_graph(report("ppo-giant-2.7b.yaml")).columns[0].items)
    assert boxes[1].detail == ("16,384 → 16,384 · 268,451,840 params",)


# -- Mermaid --------------------------------------------------------------------------------------

NODE = re.compile(r'^\s+(n\d+)(\[/"|\[\("|\[")(.*?)("/\]|"\)\]|"\])$')
EDGE = re.compile(r'^\s+(n\d+) -->(?:\|"([^"]*)"\|)? (n\d+)$')


@pytest.mark.parametrize("name", PICTURED)
def test_mermaid_is_a_plausible_flowchart(name: str) -> None:
    source, graph = mermaid(report(name)), build_graph(report(name))
    lines = source.splitlines()
    assert lines[0] == "flowchart TB"
    nodes = [m.group(1) for line in lines if (m := NODE.match(line))]
    assert sorted(nodes) == sorted(box.id for box in graph.boxes()) and len(set(nodes)) == len(nodes)
    edges = [(m.group(1), m.group(3)) for line in lines if (m := EDGE.match(line))]
    assert edges and all(src in nodes and dst in nodes for src, dst in edges)
    subgraphs = [line for line in lines if line.lstrip().startswith("subgraph ")]
    networks = report(name).networks
    assert len(subgraphs) == len(networks) + len(graph.shared)
    assert sum(line.strip() == "end" for line in lines) == len(subgraphs)
    for network in networks:
        assert any(f'["{network.name} · ' in line for line in subgraphs), network.name
    for line in lines[1:]:  # every line is a node, an edge, a subgraph bracket or a style
        stripped = line.strip()
        assert (
            NODE.match(line)
            or EDGE.match(line)
            or stripped == "end"
            or stripped.split(" ")[0] in ("subgraph", "style", "classDef", "class")
        ), line
    labels = [match.group(3) for match in map(NODE.match, lines) if match]
    assert '"' not in "".join(labels)  # quotes escaped


def test_mermaid_labels_are_escaped() -> None:
    assert label('say "hi" <b> #1 → [x]') == "say #quot;hi#quot; #lt;b#gt; #35;1 → [x]"


def test_markdown_embeds_one_mermaid_block_per_report() -> None:
    result = CliRunner().invoke(app, ["inspect", SEED, str(CONFIGS / "td3-pendulum.yaml"), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    blocks = re.findall(r"```mermaid\n(.*?)```", result.stdout, flags=re.S)
    assert len(blocks) == 2 and blocks[0] == mermaid(report("ppo-101-64x64.yaml"))
    assert "Linear + ReLU ×2<br/>4 → 400 · 2,000 params each<br/>critic.qf{0,1}.0" in blocks[1]
    assert '-->|"⊕ action"|' in blocks[1] and "stroke-dasharray" in blocks[1]


# -- the diagram ----------------------------------------------------------------------------------


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_svg_parses_and_keeps_layer_labels_as_text() -> None:
    from sb3inspect.render.diagram import render_diagram

    data = render_diagram(report("ppo-101-64x64.yaml"), "svg")
    texts = svg_texts(data)
    for expected in (
        "PPO · ActorCriticPolicy (MlpPolicy)",
        "Linear + Tanh",
        "101 → 64 · 6,528 params",
        "mlp_extractor.policy_net.0",
        "64 → 4 · 260 params",
        "action_net",
        "value_net",
        "pi",
        "vf",
        "shared features extractor",
        "observation",
        "Box(101,) float32",
    ):
        assert expected in texts, expected
    assert any("21,701 params" in text for text in texts)
    assert b"DejaVuSans-" not in data  # no glyph outlines: the text is text
    assert b"Verdana" in data  # a fallback for viewers without DejaVu
    assert ET.fromstring(data).find(f"{SVG}title").text == "PPO · ActorCriticPolicy (MlpPolicy)"  # type: ignore[union-attr]
    assert render_diagram(report("ppo-101-64x64.yaml"), "svg") == data  # same report, same file


@pytest.mark.parametrize("name", PICTURED)
def test_layout_has_no_overlaps_and_text_fits(name: str) -> None:
    import matplotlib

    from sb3inspect.render import diagram

    graph = build_graph(report(name))
    metrics = diagram._Metrics()
    with matplotlib.rc_context(diagram._RC):  # measured as drawn
        drawing = diagram._Drawing(graph, metrics)
        placed, _, _ = drawing.layout()
        widest = {
            box.id: max(
                drawing.width(box.type, metrics.type_size, weight="bold"),
                drawing.width(box.path, metrics.path_size, family=diagram.MONO),
                *(drawing.width(line, metrics.detail_size) for line in box.detail),
            )
            for box in graph.boxes()
        }
    rects = list(placed.boxes.items())
    for index, (a, ra) in enumerate(rects):
        for b, rb in rects[index + 1 :]:
            apart = ra.x + ra.w <= rb.x or rb.x + rb.w <= ra.x or ra.bottom <= rb.y or rb.bottom <= ra.y
            assert apart, (a, b)
    frames = list(placed.frames.values())
    for index, fa in enumerate(frames):
        for fb in frames[index + 1 :]:
            assert fa.x + fa.w <= fb.x or fb.x + fb.w <= fa.x or fa.bottom <= fb.y or fb.bottom <= fa.y
    for box in graph.boxes():
        rect = placed.boxes[box.id]
        assert widest[box.id] <= rect.w - 2 * metrics.box_pad_x + 0.01, box
        if box.id in placed.stage_of:
            frame = placed.frames[placed.stage_of[box.id]]
            assert frame.x <= rect.x and rect.x + rect.w <= frame.x + frame.w and frame.y <= rect.y <= frame.bottom


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_diagram_command_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "arch.png"
    assert main(["diagram", SEED, "--output", str(output)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {output}"
    width, height = png_size(output.read_bytes())
    assert 400 < width < 1500 and 600 < height < 2000, (width, height)
    assert 10_000 < output.stat().st_size < 150_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch.png"]  # nothing else written


@pytest.mark.slow
def test_diagram_format_flag_and_pdf(tmp_path: Path) -> None:
    assert main(["diagram", SEED, "-o", str(tmp_path / "picture.img"), "--format", "svg"]) == 0
    assert svg_texts((tmp_path / "picture.img").read_bytes())
    assert main(["diagram", str(CONFIGS / "td3-pendulum.yaml"), "-o", str(tmp_path / "td3.pdf")]) == 0
    assert (tmp_path / "td3.pdf").read_bytes().startswith(b"%PDF")


def test_missing_matplotlib_is_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    code = main(["diagram", SEED, "-o", str(tmp_path / "arch.svg")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert "pip install 'sb3inspect[diagram]'" in err and "Traceback" not in err
    assert not (tmp_path / "arch.svg").exists()
    from sb3inspect.render.diagram import render_diagram

    with pytest.raises(MissingExtra, match=r"sb3inspect\[diagram\]"):
        render_diagram(report("ppo-101-64x64.yaml"), "svg")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml", "-o", "{tmp}/a.svg"], "error: missing.yaml: no such file"),
        (["{bad}", "-o", "{tmp}/a.svg"], "error: {bad}: "),
        ([SEED, "-o", "{tmp}/a.gif"], "cannot tell the diagram format from the file name"),
        ([SEED, "-o", "{tmp}/no/such/folder/a.svg"], "folder {tmp}/no/such/folder does not exist"),
        ([SEED, "-o", "{tmp}"], "error: {tmp}: is a directory"),
        (
            [SEED, "-o", "{tmp}/a.svg", "-f", "png"],
            "error: --format: png contradicts the output's suffix .svg (name the file a.png",
        ),
        ([SEED, "-o", "{tmp}/a.svg", "--dpi", "5"], "Invalid value for '--dpi'"),
        ([SEED], "Missing option '--output'"),
    ],
)
def test_diagram_bad_input_is_one_line_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("algo: PPO\nobservation_space: 4\naction_space: discrete:2\npolicy_kwargs: {net_arch: [64, -1]}\n")
    fill = {"tmp": str(tmp_path), "bad": str(bad)}
    code = main(["diagram", *(arg.format(**fill) for arg in args)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message.format(**fill) in err and err.startswith("error: ") and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]
    assert bad.read_text().endswith("[64, -1]}\n")  # the input is left alone


def test_diagram_error_paths_import_neither_torch_nor_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom sb3inspect.cli import main\n"
        f"main(['diagram', 'missing.yaml', '-o', {str(tmp_path / 'a.png')!r}])\n"
        f"main(['diagram', {SEED!r}, '-o', {str(tmp_path / 'a.gif')!r}])\n"
        "print(sorted(m for m in ('torch', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_readme_picture_is_committed_and_small() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "](docs/ppo-101-64x64.png)" in readme and "sb3inspect diagram configs/ppo-101-64x64.yaml" in readme
    data = (ROOT / "docs" / "ppo-101-64x64.png").read_bytes()
    width, _ = png_size(data)
    assert len(data) < 150_000 and 400 < width < 1200


def test_svg_shows_findings_and_the_macs_note() -> None:
    from sb3inspect.render.diagram import render_diagram

    texts = svg_texts(
        render_diagram(
            sb3inspect.summary(
                {
                    "algo": "PPO",
                    "observation_space": 5,
                    "action_space": "discrete:2",
                    "policy_kwargs": {"net_arch": {"pi": [8], "qf": [8]}},
                }
            ),
            "svg",
        )
    )
    assert any(text.startswith("error NA001 qf-key-on-policy") for text in texts), texts
    assert "findings" in texts and "Sequential (empty)" in texts
    assert any(text.startswith("MACs: multiply-accumulates") for text in texts)


def test_diagram_of_an_rl_zoo3_entry(tmp_path: Path) -> None:
    zoo = pytest.importorskip("rl_zoo3")
    hyperparams = Path(zoo.__file__).parent / "hyperparams" / "sac.yml"
    assert main(["diagram", str(hyperparams), "--env", "Pendulum-v1", "-o", str(tmp_path / "sac.svg")]) == 0
    texts = svg_texts((tmp_path / "sac.svg").read_bytes())
    assert "critic_target" in texts and "actor" in texts


def test_diagram_of_an_rl_zoo3_file_without_env_says_to_choose_an_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not '39 entries cannot be inspected (first: ... [default] ...)': the point is that a diagram draws one entry."""
    zoo = tmp_path / "ppo.yml"
    zoo.write_text("CartPole-v1:\n  n_envs: 8\nPendulum-v1:\n  n_envs: 4\ndefault:\n  n_envs: 1\n")
    code = main(["diagram", str(zoo), "-o", str(tmp_path / "a.svg")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "an rl-zoo3 file holds one entry per env (2: CartPole-v1, Pendulum-v1)" in err, err
    assert "(choose its entry with --env ID)" in err, err


def test_a_png_past_the_pixel_limit_is_refused_before_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.figure import Figure

    from sb3inspect.errors import ConfigError
    from sb3inspect.render import diagram

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("savefig was called")

    monkeypatch.setattr(diagram, "MAX_PIXELS", 1_000_000)
    monkeypatch.setattr(Figure, "savefig", refuse)
    with pytest.raises(
        ConfigError,
        match=r"^--dpi: a PNG of this diagram at 600 dpi would be [\d,]+×[\d,]+ pixels "
        r"\(\d+ Mpx\), more than sb3inspect draws \(1 Mpx\) \(lower --dpi to \d+ or less",
    ):
        diagram.render_diagram(report("ppo-101-64x64.yaml"), "png", dpi=600)
    monkeypatch.setattr(diagram, "MAX_PIXELS", 1_000)
    with pytest.raises(ConfigError, match=r"Mpx\) \(write SVG or PDF, which have no pixel limit\)$"):
        diagram.render_diagram(
            report("ppo-101-64x64.yaml"), "png", dpi=30
        )  # even 30 dpi is too many: no lower dpi named


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_unwritable_output_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", SEED, "-o", "/proc/self/a.svg"]) == 2
    err = capsys.readouterr().err
    assert err == "error: cannot write /proc/self/a.svg: No such file or directory\n", err


def test_notes_and_finding_parts_each_start_a_line() -> None:
    from sb3inspect.render.diagram import BULLET, render_diagram

    rep = sb3inspect.summary(
        {
            "algo": "PPO",
            "observation_space": 5,
            "action_space": "discrete:2",
            "policy_kwargs": {"net_arch": {"pi": [8], "qf": [8]}},
        }
    )
    rep = dataclasses.replace(rep, notes=("not rebuilt: the first note", "reported from the saved state dict alone"))
    assert len(rep.findings) == 1
    texts = svg_texts(render_diagram(rep, "svg"))
    headline, where, _fix = (part for part in build_graph(rep).findings[0])
    assert headline in texts and any(text.startswith(where[:40]) for text in texts)
    assert any(text.startswith("fix: ") for text in texts)
    assert texts.count(BULLET) == len(rep.findings) + len(rep.notes) + 1  # + the MACs note


def test_labels_from_input_stay_on_one_line() -> None:
    from sb3inspect.render.diagram import render_diagram

    rep = sb3inspect.summary(
        {
            "algo": "PPO",
            "action_space": "discrete:2",
            "policy_kwargs": {"net_arch": [4]},
            "observation_space": {"type": "Dict", "spaces": {"a\nb`c|d<e>": 3, "f": 2}},
        }
    )
    text = mermaid(rep)
    node_lines = [line for line in text.splitlines() if '["' in line or '[/"' in line]
    assert all(line.rstrip().endswith(("]", "/]", ")]")) for line in node_lines), text
    assert "a\\nb#96;c#124;d#lt;e#gt;" in text and "`" not in text and "|d" not in text  # a key's newline shown escaped
    assert label("x\r\ny|z`") == "x y#124;z#96;"
    texts = svg_texts(render_diagram(rep, "svg"))
    assert not any("\n" in t for t in texts) and any(t.startswith("a\\nb`c|d<e>: ") for t in texts), texts


def test_the_diagram_module_imports_as_the_readme_writes_it(tmp_path: Path) -> None:
    """``import sb3inspect.diagram`` and ``from sb3inspect.diagram import write_diagram`` work, not only the attribute."""
    import importlib

    module = importlib.import_module("sb3inspect.diagram")
    from sb3inspect.diagram import write_diagram

    assert module.write_diagram is write_diagram is sb3inspect.write_diagram
    assert sb3inspect.diagram is module
    output = write_diagram(sb3inspect.summary(SEED), tmp_path / "arch.svg")
    assert output.read_text().startswith("<?xml")


def test_the_diagram_attribute_loads_the_module_in_a_fresh_interpreter() -> None:
    """``sb3inspect.diagram`` before any import of it (the first use, as the README's snippet makes it)."""
    import subprocess
    import sys

    code = "import sb3inspect, sys; print(callable(sb3inspect.diagram.write_diagram), 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]
