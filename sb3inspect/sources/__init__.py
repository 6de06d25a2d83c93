"""Stage 1, sources: what a user has -> plain data (a ``PolicySpec``, or a saved model's readable facts).

- ``config``: config files, dicts and CLI flags -> ``PolicySpec`` (validated without torch);
- ``spaces``: observation / action spaces as plain specs, and their gymnasium twins;
- ``pyexpr``: rl-zoo3's Python-expression strings, read from their syntax tree, never evaluated;
- ``zoo``: rl-zoo3 hyperparameter files -> one spec per entry, env made and wrapped as rl-zoo3 does;
- ``envs``: gymnasium env ids -> their spaces;
- ``saved``: saved SB3 zips, read statically (nothing in a file ever runs).

Nothing here imports a later stage (build, report, analysis, render).
"""
