"""Stage 4, analysis: pure functions on reports (no torch, nothing built here).

- ``lint``: net_arch mistakes SB3 builds silently, as findings with a code and a fix;
- ``checks``: expectations (``--expect``, ``max_params``) held against a report;
- ``compare``: two reports side by side, layer by layer.
"""
