"""Draw a report as a diagram file: SVG (text stays text), PNG or PDF.

The picture is ``render.graph``'s (the same one the Markdown's Mermaid flowchart draws): the
observation on top, the shared modules drawn once in a green frame, then one framed column per
network with a box per layer (type; in → out and parameters; module path), heads side by side,
identical q-networks as one stacked lane, target networks dashed and grey, the totals underneath.

matplotlib draws it (an optional extra: ``pip install 'sb3inspect[diagram]'``); it needs no system
binary, ships its fonts (DejaVu Sans, so boxes fit their text everywhere) and writes SVG with
``svg.fonttype = "none"``, so labels are ``<text>`` elements. It is imported only when drawing.
Layout is computed here, in points, top-down; nothing is placed by matplotlib's own layout.
"""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sb3inspect.errors import ConfigError, MissingExtra, SourceError, one_line
from sb3inspect.render.graph import (
    INK,
    PALETTE,
    SAFETY_LABELS,
    Box,
    Graph,
    Item,
    Lane,
    Lanes,
    Stage,
    build_graph,
    items_boxes,
)
from sb3inspect.report.model import PolicyReport

FORMATS = ("svg", "png", "pdf")
INSTALL_HINT = "pip install 'sb3inspect[diagram]'"


_OTHER_SUFFIXES = ("jpg", "jpeg", "gif", "tif", "tiff", "webp", "bmp", "eps", "ps", "svgz", "html", "md")
"""Suffixes that name a file format too: a diagram written under one of them would be mislabelled."""


def diagram_format(output: Path, fmt: str | None = None) -> str:
    """The file format to write: ``fmt`` when given, else the output's suffix (``.svg``, ``.png``, ``.pdf``).

    A suffix that names another format than ``fmt`` (``-o arch.svg -f png``) is refused rather than
    written as a file whose name says otherwise.
    """
    output = Path(output)
    if output.is_dir():
        raise ConfigError(str(output), "is a directory", hint=f"give a file name such as {output / 'arch.svg'}")
    suffix = output.suffix.removeprefix(".").lower()
    chosen = (fmt or suffix).lower()
    if fmt and chosen in FORMATS and suffix in (*FORMATS, *_OTHER_SUFFIXES) and suffix != chosen:
        raise ConfigError(
            "--format",
            f"{chosen} contradicts the output's suffix .{suffix}",
            hint=f"name the file {output.with_suffix('.' + chosen).name}, or drop --format",
        )
    if chosen in FORMATS:
        return chosen
    if fmt:
        raise ConfigError("--format", f"unknown diagram format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    raise ConfigError(
        str(output),
        "cannot tell the diagram format from the file name",
        hint="name it .svg, .png or .pdf, or pass --format",
    )


def check_output(output: Path) -> None:
    """Refuse an output whose folder does not exist (nothing is created but the file itself)."""
    if not output.parent.is_dir():
        raise ConfigError(
            str(output), f"folder {output.parent} does not exist", hint="create it first or write elsewhere"
        )
    if output.is_dir():
        raise ConfigError(str(output), "is a directory", hint=f"give a file name such as {output / 'arch.svg'}")


def require_matplotlib() -> None:
    """Fail early, without importing it, when matplotlib is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        raise MissingExtra(_missing())


def write_diagram(report: PolicyReport, output: Path | str, *, fmt: str | None = None, dpi: int = 150) -> Path:
    """Draw ``report`` into ``output`` (format from ``fmt`` or the suffix); PNG at ``dpi`` pixels per inch."""
    output = Path(output)
    chosen = diagram_format(output, fmt)
    check_output(output)
    data = render_diagram(report, chosen, dpi=dpi)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise SourceError(f"cannot write {output}: {exc.strerror or one_line(exc, 200)}") from None
    return output


def render_diagram(report: PolicyReport, fmt: str = "svg", *, dpi: int = 150) -> bytes:
    """The diagram file's bytes (``svg``, ``png`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise ConfigError("diagram", f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    if not 30 <= dpi <= 1200:
        raise ConfigError("--dpi", f"{dpi} is out of range", hint="use 30 to 1200; 150 is the default")
    mpl = _matplotlib()
    graph = build_graph(report)
    with mpl.rc_context(_RC):
        figure = _Drawing(graph, _Metrics()).draw()
        if fmt == "png":
            _check_pixels(figure, dpi)
        buffer = io.BytesIO()
        metadata: dict[str, Any] = {
            "svg": {"Date": None, "Title": graph.title},
            "pdf": {"CreationDate": None, "Title": graph.title},
            "png": {},
        }[fmt]
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    if fmt == "png":
        return _small_png(buffer.getvalue(), graph.title)
    if fmt != "svg":
        return buffer.getvalue()
    text = buffer.getvalue().decode("utf-8")
    for named, with_fallbacks in _SVG_FONTS.items():
        text = text.replace(named, with_fallbacks)
    return text.encode("utf-8")


MAX_PIXELS = 50_000_000
"""A PNG past this many pixels is refused: matplotlib, then the palette pass, hold several copies of it."""


def _check_pixels(figure: Any, dpi: int) -> None:
    """Refuse a PNG too large to draw in bounded memory, before any pixel is drawn."""
    inches_w, inches_h = figure.get_size_inches()
    width, height = round(inches_w * dpi), round(inches_h * dpi)
    if width * height <= MAX_PIXELS:
        return
    fitting = int(dpi * (MAX_PIXELS / (width * height)) ** 0.5)
    lower = f"lower --dpi to {fitting} or less, or " if fitting >= 30 else ""
    raise ConfigError(
        "--dpi",
        f"a PNG of this diagram at {dpi} dpi would be {width:,}×{height:,} pixels "
        f"({width * height / 1e6:,.0f} Mpx), more than sb3inspect draws ({MAX_PIXELS / 1e6:.0f} Mpx)",
        hint=lower + "write SVG or PDF, which have no pixel limit",
    )


def _small_png(data: bytes, title: str) -> bytes:
    """The PNG with a 256-colour palette: a third of the size, no visible change (flat fills, grey text).

    Pillow comes with matplotlib.
    """
    from PIL import Image, PngImagePlugin

    source = Image.open(io.BytesIO(data))
    image = source.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", title)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True, pnginfo=info, dpi=source.info.get("dpi", (72, 72)))
    return buffer.getvalue()


def _missing() -> str:
    return f"drawing a diagram needs matplotlib, which is not installed; install it with: {INSTALL_HINT}"


def _matplotlib() -> Any:
    try:
        import matplotlib
        import matplotlib.figure
        import matplotlib.patches
    except ImportError as exc:
        raise MissingExtra(_missing()) from exc
    return matplotlib


# -- style ----------------------------------------------------------------------------------------

SANS = "DejaVu Sans"
MONO = "DejaVu Sans Mono"
_RC = {
    "svg.fonttype": "none",  # text stays <text>: searchable, selectable, read by screen readers
    "svg.hashsalt": "sb3inspect",  # stable ids: the same report gives the same file
    "pdf.fonttype": 42,  # TrueType in PDFs, text stays text there too
    "font.family": "sans-serif",
    "font.sans-serif": [SANS],
    "font.monospace": [MONO],
    "text.hinting": "no_hinting",  # text as wide at every dpi as it was measured
}

BULLET = "•"
MUTED = "#5f5f5f"
ALERT = "#b3261e"
FAINT = "#8a8a8a"
ARROW = "#555555"
# the SVG names DejaVu (measured here); a viewer without it falls back to fonts about as wide
_SVG_FONTS = {
    "font-family: 'DejaVu Sans Mono'": "font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace",
    "font-family: 'DejaVu Sans'": "font-family: 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif",
}


@dataclass(frozen=True, slots=True)
class _Metrics:
    """Sizes in points (1/72 inch): the figure is laid out at its printed size."""

    type_size: float = 9.5
    detail_size: float = 8.5
    path_size: float = 7.0
    name_size: float = 10.5
    caption_size: float = 8.0
    lane_size: float = 7.5
    title_size: float = 13.0
    fact_size: float = 8.5
    margin: float = 18.0
    box_pad_x: float = 9.0
    box_pad_y: float = 6.0
    box_min_w: float = 118.0
    gap: float = 16.0  # between boxes in a chain
    stage_gap: float = 30.0  # between the observation, the shared frame and the network frames
    column_gap: float = 20.0
    lane_gap: float = 10.0
    frame_pad: float = 9.0
    stack: float = 3.0  # offset of each copy behind a stacked box
    max_text_w: float = 520.0  # header and footer lines wrap here when the networks are narrower

    @property
    def box_h(self) -> float:
        return self.box_pad_y * 2 + self.type_size * 1.3 + self.detail_size * 1.3 + self.path_size * 1.35


@dataclass(slots=True)
class _Rect:
    x: float
    y: float  # top; y grows downwards while laying out
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(slots=True)
class _Placed:
    """Where everything goes, top-down in points."""

    boxes: dict[str, _Rect] = field(default_factory=dict)
    frames: dict[str, _Rect] = field(default_factory=dict)
    lane_labels: list[tuple[float, float, str]] = field(default_factory=list)  # centre x, y, text
    stage_of: dict[str, str] = field(default_factory=dict)  # box id -> stage id


class _Drawing:
    """Lay out a graph and draw it on a matplotlib figure of exactly its size."""

    def __init__(self, graph: Graph, metrics: _Metrics) -> None:
        from matplotlib.backends.backend_agg import RendererAgg

        self.graph = graph
        self.m = metrics
        self._renderer = RendererAgg(8, 8, 72)  # type: ignore[no-untyped-call]  # 72 dpi: text extents in points
        self._fonts: dict[tuple[float, str, str, str], Any] = {}

    # -- measuring

    def font(self, size: float, *, weight: str = "normal", family: str = SANS, style: Any = "normal") -> Any:
        key = (size, weight, family, style)
        if key not in self._fonts:
            from matplotlib.font_manager import FontProperties

            self._fonts[key] = FontProperties(family=family, size=size, weight=weight, style=style)
        return self._fonts[key]

    def width(self, text: str, size: float, **font: str) -> float:
        if not text:
            return 0.0
        font_properties = self.font(size, **font)
        w, _, _ = self._renderer.get_text_width_height_descent(text, font_properties, ismath=False)  # type: ignore[no-untyped-call]
        return float(w)

    def box_width(self, box: Box) -> float:
        m = self.m
        texts = [self.width(box.type, m.type_size, weight="bold"), self.width(box.path, m.path_size, family=MONO)]
        texts += [self.width(line, m.detail_size) for line in box.detail]
        stack = m.stack * min(box.copies - 1, 2)
        return max(max(texts) + 2 * m.box_pad_x, m.box_min_w) + stack

    def box_height(self, box: Box) -> float:
        m = self.m
        if box.part == "input":
            return m.box_pad_y * 2 + m.type_size * 1.3 + len(box.detail) * m.detail_size * 1.3
        return m.box_h

    def item_size(self, item: Item) -> tuple[float, float]:
        if isinstance(item, Box):
            return self.box_width(item), self.box_height(item)
        widths = [self.lane_width(lane) for lane in item.lanes]
        heights = [self._lane_boxes_height(lane.boxes) for lane in item.lanes]
        return sum(widths) + self.m.lane_gap * (len(widths) - 1), self.lane_label_h(item) + max(heights)

    def lane_width(self, lane: Lane) -> float:
        return max([self.box_width(box) for box in lane.boxes] + [self.width(lane.label, self.m.lane_size) + 4])

    def lane_label_h(self, item: Lanes) -> float:
        """Room above the lanes for their labels and for the copies peeking out of a stack."""
        label = self.m.lane_size * 1.6 if any(lane.label for lane in item.lanes) else 0.0
        return label + self.m.stack * max(min(box.copies - 1, 2) for lane in item.lanes for box in lane.boxes[:1])

    def _lane_boxes_height(self, boxes: tuple[Box, ...]) -> float:
        return sum(self.box_height(box) for box in boxes) + self.m.gap * (len(boxes) - 1)

    def header_h(self, stage: Stage) -> float:
        """Name and caption; network frames share the tallest, so their first boxes line up."""
        row = self.graph.shared if stage.feeds else self.graph.columns
        lines = max(len(other.caption) for other in row)
        return self.m.frame_pad + self.m.name_size * 1.35 + lines * self.m.caption_size * 1.3 + 8

    def stage_size(self, stage: Stage) -> tuple[float, float]:
        m = self.m
        sizes = [self.item_size(item) for item in stage.items]
        header = max(
            [self.width(stage.name, m.name_size, weight="bold")]
            + [self.width(line, m.caption_size) for line in stage.caption]
        )
        inner_w = max([w for w, _ in sizes] + [header])
        inner_h = sum(h for _, h in sizes) + m.gap * (len(sizes) - 1)
        return inner_w + 2 * m.frame_pad, self.header_h(stage) + inner_h + m.frame_pad

    # -- layout

    def layout(self) -> tuple[_Placed, float, float]:
        """Positions of everything from y = 0: (placed, content width, content bottom).

        The observation on top; a row of shared frames, each centred over the networks it feeds;
        a row of network frames of one height, so that their first boxes line up.
        """
        m, graph = self.m, self.graph
        placed = _Placed()
        sizes = {stage.id: self.stage_size(stage) for stage in graph.stages}
        row_h = max(sizes[column.id][1] for column in graph.columns)
        shared_h = max((sizes[stage.id][1] for stage in graph.shared), default=0.0)
        source = _Rect(0.0, 0.0, self.box_width(graph.input), self.box_height(graph.input))
        shared_y = source.bottom + m.stage_gap
        columns_y = shared_y + (shared_h + m.stage_gap if graph.shared else 0.0)
        x = 0.0
        for shared, columns in self._groups():
            widths = [sizes[column.id][0] for column in columns]
            columns_w = sum(widths) + m.column_gap * (len(widths) - 1)
            shared_w = sizes[shared.id][0] if shared else 0.0
            group_w = max(columns_w, shared_w)
            if shared:
                placed.frames[shared.id] = _Rect(x + (group_w - shared_w) / 2, shared_y, shared_w, shared_h)
            column_x = x + (group_w - columns_w) / 2
            for column, width in zip(columns, widths, strict=True):
                placed.frames[column.id] = _Rect(column_x, columns_y, width, row_h)
                column_x += width + m.column_gap
            x += group_w + m.column_gap
        under = placed.frames[graph.shared[0].id] if len(graph.shared) == 1 else _Rect(0.0, 0.0, x - m.column_gap, 0.0)
        source.x = under.cx - source.w / 2
        shift = m.margin - min(source.x, 0.0)  # a wide Dict observation pushes everything right
        for rect in (*placed.frames.values(), source):
            rect.x += shift
        placed.boxes[graph.input.id] = source
        for stage in graph.stages:
            self._place_items(stage, placed.frames[stage.id], placed)
        right = max(rect.x + rect.w for rect in [*placed.frames.values(), source])
        return placed, right - m.margin, columns_y + row_h

    def _groups(self) -> list[tuple[Stage | None, list[Stage]]]:
        """Each shared stage with the networks it feeds, then the networks no shared stage feeds."""
        by_id = {column.id: column for column in self.graph.columns}
        groups: list[tuple[Stage | None, list[Stage]]] = []
        for shared in self.graph.shared:
            groups.append((shared, [by_id.pop(name) for name in shared.feeds if name in by_id]))
        rest = [column for column in self.graph.columns if column.id in by_id]
        return groups + ([(None, rest)] if rest else [])

    def _place_items(self, stage: Stage, frame: _Rect, placed: _Placed) -> None:
        m = self.m
        x, w = frame.x + m.frame_pad, frame.w - 2 * m.frame_pad
        y = frame.y + self.header_h(stage)
        for item in stage.items:
            if isinstance(item, Box):
                self._place_box(item, _Rect(x, y, w, self.box_height(item)), stage, placed)
                y += self.box_height(item) + m.gap
                continue
            natural = [self.lane_width(lane) for lane in item.lanes]
            extra = (w - sum(natural) - m.lane_gap * (len(natural) - 1)) / len(natural)
            label_h = self.lane_label_h(item)
            lane_x = x
            for lane, lane_w in zip(item.lanes, natural, strict=True):
                lane_w += extra
                if lane.label:
                    placed.lane_labels.append((lane_x + lane_w / 2, y + m.lane_size * 0.8, lane.label))
                box_y = y + label_h
                for box in lane.boxes:
                    self._place_box(box, _Rect(lane_x, box_y, lane_w, self.box_height(box)), stage, placed)
                    box_y += self.box_height(box) + m.gap
                lane_x += lane_w + m.lane_gap
            y += self.item_size(item)[1] + m.gap

    def _place_box(self, box: Box, rect: _Rect, stage: Stage, placed: _Placed) -> None:
        stack = self.m.stack * min(box.copies - 1, 2)
        rect.w -= stack  # copies peek out to the upper right, inside the lane
        placed.boxes[box.id] = rect
        placed.stage_of[box.id] = stage.id

    # -- drawing

    def draw(self) -> Any:
        from matplotlib.figure import Figure

        m = self.m
        placed, content_w, content_bottom = self.layout()
        text_w = max(content_w, min(self._text_width(), max(content_w, m.max_text_w)))
        placed = self._centre(placed, (text_w - content_w) / 2)
        title_h, title_draw = self._title_block(text_w)
        footer_h, footer_draw = self._footer_block(text_w)
        width = text_w + 2 * m.margin
        height = m.margin + title_h + content_bottom + footer_h + m.margin
        offset = m.margin + title_h  # content was laid out from y = 0
        figure = Figure(figsize=(width / 72, height / 72), dpi=72, facecolor="white")
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)  # y grows downwards, as laid out
        ax.set_axis_off()
        title_draw(ax, m.margin)
        self._draw_content(ax, placed, offset)
        footer_draw(ax, offset + content_bottom + 14)
        return figure

    def _text_width(self) -> float:
        """The width the title, facts and totals would take unwrapped (findings and notes wrap to fit)."""
        m, graph = self.m, self.graph
        label_w = max((self.width(label, m.fact_size) for label, _ in graph.facts), default=0.0) + 10
        footer_w = self._footer_label_w()
        widths = [self.width(graph.title, m.title_size, weight="bold")]
        widths += [label_w + self.width(value, m.fact_size) for _, value in graph.facts]
        widths.append(footer_w + self.width(graph.totals, m.fact_size))
        return max(widths)

    def _footer_label_w(self) -> float:
        return self.width("findings" if self.graph.findings else "totals", self.m.fact_size, weight="bold") + 10

    @staticmethod
    def _centre(placed: _Placed, dx: float) -> _Placed:
        for rect in (*placed.boxes.values(), *placed.frames.values()):
            rect.x += dx
        placed.lane_labels = [(x + dx, y, text) for x, y, text in placed.lane_labels]
        return placed

    def _title_block(self, text_w: float) -> tuple[float, Any]:
        m, graph = self.m, self.graph
        label_w = max(self.width(label, m.fact_size) for label, _ in graph.facts) + 10 if graph.facts else 0.0
        lines = [
            (label if index == 0 else "", part, label in SAFETY_LABELS)
            for label, value in graph.facts
            for index, part in enumerate(self._wrap(value, m.fact_size, text_w - label_w))
        ]
        line_h = m.fact_size * 1.45
        height = m.title_size * 1.5 + len(lines) * line_h + 14

        def draw(ax: Any, top: float) -> None:
            _text(ax, m.margin, top + m.title_size * 0.5, graph.title, size=m.title_size, weight="bold", ha="left")
            y = top + m.title_size * 1.5 + line_h / 2
            for label, value, alert in lines:  # a saved model's safety findings come first, in red
                _text(ax, m.margin, y, label, size=m.fact_size, color=ALERT if alert else MUTED, ha="left")
                _text(ax, m.margin + label_w, y, value, size=m.fact_size, color=ALERT if alert else INK, ha="left")
                y += line_h

        return height, draw

    def _footer_block(self, text_w: float) -> tuple[float, Any]:
        """Totals, then lint findings (in red: what SB3 built is not what the config meant), then notes.

        Each finding and each note is a bullet; a finding's parts (what, where, fix) each start a line
        under it, so that neither runs into the next.
        """
        m, graph = self.m, self.graph
        label_w = self._footer_label_w()
        bullet_w = self.width(BULLET + " ", m.fact_size)
        sections: list[tuple[str, list[tuple[str, ...]], str, float, bool]] = [
            ("totals", [(graph.totals,)], INK, m.fact_size, False),
            ("findings", list(graph.findings), ALERT, m.fact_size, True),
            ("notes", [(note,) for note in graph.notes], MUTED, m.fact_size - 0.5, True),
        ]
        lines: list[tuple[str, bool, float, str, str, float]] = []  # section name, bullet, indent, text, colour, size
        for name, items, color, size, bulleted in sections:
            indent = bullet_w if bulleted else 0.0
            for parts in items:
                first = True
                for part in parts:
                    for line in self._wrap(part, size, text_w - label_w - indent):
                        lines.append((name, bulleted and first, indent, line, color, size))
                        name, first = "", False  # the section's name on its first line only
        line_h = m.fact_size * 1.45
        height = 14 + len(lines) * line_h

        def draw(ax: Any, top: float) -> None:
            y = top + line_h / 2
            for name, bullet, indent, line, color, size in lines:
                _text(ax, m.margin, y, name, size=size, weight="bold", color=color, ha="left")
                if bullet:
                    _text(ax, m.margin + label_w, y, BULLET, size=size, color=color, ha="left")
                _text(ax, m.margin + label_w + indent, y, line, size=size, color=color, ha="left")
                y += line_h

        return height, draw

    def _wrap(self, text: str, size: float, width: float, *, sep: str = " · ") -> list[str]:
        """Greedy wrap by measured width: at `` · `` first, between words only inside a part too long for a line."""
        lines: list[str] = []
        for part in text.split(sep):
            if lines and self.width(f"{lines[-1]}{sep}{part}", size) <= width:
                lines[-1] += sep + part
            elif sep != " " and self.width(part, size) > width:
                lines += self._wrap(part, size, width, sep=" ")
            else:
                lines.append(part)
        return lines

    def _draw_content(self, ax: Any, placed: _Placed, offset: float) -> None:
        graph = self.graph
        for rect in (*placed.boxes.values(), *placed.frames.values()):
            rect.y += offset
        for stage in graph.stages:
            self._draw_frame(ax, stage, placed.frames[stage.id])
        for x, y, label in placed.lane_labels:
            _text(ax, x, y + offset, label, size=self.m.lane_size, color=MUTED, style="italic")
        self._draw_box(ax, graph.input, placed.boxes[graph.input.id], "input", dashed=False)
        for stage in graph.stages:
            for box in items_boxes(stage.items):
                self._draw_box(ax, box, placed.boxes[box.id], stage.style, dashed=stage.target)
        self._draw_edges(ax, placed)

    def _draw_frame(self, ax: Any, stage: Stage, rect: _Rect) -> None:
        from matplotlib.patches import FancyBboxPatch

        m = self.m
        line, fill = PALETTE[stage.style]
        ax.add_patch(
            FancyBboxPatch(
                (rect.x, rect.y),
                rect.w,
                rect.h,
                boxstyle="round,pad=0,rounding_size=7",
                linewidth=1.0,
                edgecolor=line,
                facecolor=fill,
                linestyle=(0, (5, 3)) if stage.target else "-",
            )
        )
        y = rect.y + m.frame_pad + m.name_size * 0.6
        _text(ax, rect.cx, y, stage.name, size=m.name_size, weight="bold", color=INK if not stage.target else MUTED)
        y += m.name_size * 0.75 + m.caption_size * 0.65
        for caption in stage.caption:
            _text(ax, rect.cx, y, caption, size=m.caption_size, color=MUTED)
            y += m.caption_size * 1.3

    def _draw_box(self, ax: Any, box: Box, rect: _Rect, style: str, *, dashed: bool) -> None:
        from matplotlib.patches import FancyBboxPatch

        m = self.m
        line, _ = PALETTE[style]
        linestyle: Any = (0, (4, 2.5)) if dashed else (0, (1, 1.6)) if box.bare else "-"
        for copy in range(min(box.copies - 1, 2), 0, -1):  # copies behind, offset to the upper right
            shift = m.stack * copy
            ax.add_patch(
                FancyBboxPatch(
                    (rect.x + shift, rect.y - shift),
                    rect.w,
                    rect.h,
                    boxstyle="round,pad=0,rounding_size=4",
                    linewidth=0.7,
                    edgecolor=line,
                    facecolor="white",
                )
            )
        ax.add_patch(
            FancyBboxPatch(
                (rect.x, rect.y),
                rect.w,
                rect.h,
                boxstyle="round,pad=0,rounding_size=4",
                linewidth=1.1,
                edgecolor=line,
                facecolor="white",
                linestyle=linestyle,
            )
        )
        ink = MUTED if dashed else INK
        y = rect.y + m.box_pad_y + m.type_size * 0.65
        _text(ax, rect.cx, y, box.type, size=m.type_size, weight="bold", color=ink)
        y += m.type_size * 0.65 + m.detail_size * 0.65
        for line_text in box.detail:
            _text(ax, rect.cx, y, line_text, size=m.detail_size, color=ink)
            y += m.detail_size * 1.3
        if box.path:
            y += m.path_size * 0.05
            _text(ax, rect.cx, y, box.path, size=m.path_size, color=FAINT, family=MONO)

    def _draw_edges(self, ax: Any, placed: _Placed) -> None:
        m = self.m
        outgoing: dict[str, int] = {}
        for edge in self.graph.edges:
            outgoing[edge.src] = outgoing.get(edge.src, 0) + 1
        drawn: set[tuple[str, str]] = set()
        for edge in self.graph.edges:
            src = placed.boxes[edge.src]
            src_stage, dst_stage = placed.stage_of.get(edge.src), placed.stage_of[edge.dst]
            if src_stage != dst_stage:  # into another frame: the arrow ends at the frame's top
                if (edge.src, dst_stage) in drawn:
                    continue
                drawn.add((edge.src, dst_stage))
                dst = placed.frames[dst_stage]
                container = placed.frames[src_stage] if src_stage else src
                turn = container.bottom + m.stage_gap / 2
            else:
                dst = placed.boxes[edge.dst]
                turn = src.bottom + m.gap / 2 if outgoing[edge.src] > 1 else dst.y - m.gap / 2
            top = dst.y - (0.0 if src_stage != dst_stage else self._peek(edge.dst))
            self._arrow(ax, (src.cx, src.bottom), (dst.cx, top), turn)
            if edge.label:  # beside the arrow's last straight run, clear of the copies of a stack
                y = (turn + top) / 2 if src_stage != dst_stage else src.bottom + m.lane_size * 0.9
                _text(ax, dst.cx + 5, y, edge.label, size=m.lane_size, color=MUTED, style="italic", ha="left")

    def _peek(self, box_id: str) -> float:
        """How far the copies behind a stacked box rise above it."""
        copies = next(box.copies for box in self.graph.boxes() if box.id == box_id)
        return self.m.stack * min(copies - 1, 2)

    def _arrow(self, ax: Any, start: tuple[float, float], end: tuple[float, float], turn: float) -> None:
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path as MplPath

        (x0, _), (x1, _) = start, end  # down, across at ``turn`` if the ends are not aligned, down
        points = [start, end] if abs(x0 - x1) < 0.5 else [start, (x0, turn), (x1, turn), end]
        path = MplPath(points, [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1))
        ax.add_patch(
            FancyArrowPatch(
                path=path,
                arrowstyle="-|>,head_length=4.5,head_width=2.4",
                color=ARROW,
                linewidth=0.9,
                shrinkA=0,
                shrinkB=0.5,
                joinstyle="miter",
                zorder=3,
            )
        )


def _text(
    ax: Any,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    weight: str = "normal",
    color: str = INK,
    family: str = SANS,
    style: str = "normal",
    ha: str = "center",
) -> None:
    if text:
        ax.text(
            x,
            y,
            text,
            fontsize=size,
            fontweight=weight,
            color=color,
            family=family,
            fontstyle=style,
            ha=ha,
            va="center_baseline",
            parse_math=False,
            zorder=4,
        )
