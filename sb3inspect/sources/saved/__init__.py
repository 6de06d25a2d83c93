"""Saved SB3 models, read without running anything from the file.

- ``zipread``: the bounded zip reader (limits first), the ``data`` JSON, ``policy.pth``'s shapes;
- ``fields``: ``data``'s readable fields -> the ``PolicySpec`` that rebuilds the policy.
"""
