"""Saved SB3 models, read without running anything from the file.

- ``zipread``: the bounded zip reader (limits first), the ``data`` JSON, ``policy.pth``'s shapes;
- ``pickles``: pickles read opcode by opcode with ``pickletools``, never built or called;
- ``fields``: ``data``'s readable fields -> the ``PolicySpec`` that rebuilds the policy.
"""
