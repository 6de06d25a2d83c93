"""Stage 3, report: a policy (or a saved state dict) -> ``PolicyReport``, plain frozen data.

- ``model``: the report's data classes (``PolicyReport``, ``Network``, ``Layer``, ...), no torch;
- ``walk``: an ``nn.Module`` policy -> report, by the attributes SB3's families define;
- ``statedict``: a saved state dict alone -> report, for policies that cannot be rebuilt.
"""
