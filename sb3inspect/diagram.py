"""The public home of ``write_diagram``: ``import sb3inspect.diagram`` and
``sb3inspect.diagram.write_diagram(report, "arch.svg")``, as the README writes them.

Drawing lives in ``sb3inspect.render.diagram``; importing this module imports neither torch nor matplotlib.
"""

from __future__ import annotations

from sb3inspect.render.diagram import write_diagram

__all__ = ["write_diagram"]
