"""Stage 2, build: a ``PolicySpec`` -> the real SB3 / sb3-contrib policy, on PyTorch's meta device.

- ``meta``: what makes a real SB3 constructor run on meta (no storage), with bounds on what it builds;
- ``policy``: the algorithm class created around a stand-in env, then the policy as ``_setup_model`` makes it;
- ``shapes``: each features-extractor layer's input and output shape, from one sample observation.
"""
