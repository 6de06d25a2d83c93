"""Pickles read statically, opcode by opcode, with ``pickletools``: nothing is ever built or called.

A saved SB3 zip holds pickles in three places: base64 ``:serialized:`` values inside the ``data``
JSON (``json_to_data`` unpickles every one under ``PPO.load``), the torch files (``policy.pth``,
``*.optimizer.pth``, ``pytorch_variables.pth``: zips whose ``data.pkl`` torch unpickles), and an
rl-zoo3 run folder's ``vecnormalize.pkl``. Reading them here means listing opcodes and following the
strings the GLOBAL / STACK_GLOBAL opcodes use, never running them.
"""

from __future__ import annotations

import base64
import binascii
import pickletools
from typing import Any

MAX_PICKLE_BYTES = 1 << 16
"""The ``:serialized:`` pickle of a policy class is a few dozen bytes."""

_STRING_OPS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BINSTRING", "STRING"}
_MEMO_PUT = {"MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT"}
_MEMO_GET = {"GET", "BINGET", "LONG_BINGET"}
_CLASS_PICKLE_OPS = _STRING_OPS | _MEMO_PUT | _MEMO_GET | {"PROTO", "FRAME", "GLOBAL", "STACK_GLOBAL", "STOP"}


def pickle_globals(raw: bytes) -> tuple[list[str], bool]:
    """The ``module.name`` globals a pickle refers to, and whether it is only a class reference.

    Read with ``pickletools.genops``: opcodes are listed, nothing is built or called. A plain class
    reference pushes two strings and a STACK_GLOBAL (or one GLOBAL); any other opcode (REDUCE,
    BUILD, NEWOBJ, ...) means the pickle would construct or call something.
    """
    stack: list[Any] = []
    memo: dict[Any, Any] = {}
    found: list[str] = []
    plain = True
    for opcode, arg, _ in pickletools.genops(raw):
        name = opcode.name
        plain = plain and name in _CLASS_PICKLE_OPS
        if name in _STRING_OPS:
            stack.append(arg if isinstance(arg, str) else str(arg))
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1] if stack else None
        elif name in _MEMO_PUT:
            memo[arg] = stack[-1] if stack else None
        elif name in _MEMO_GET:
            stack.append(memo.get(arg))
        elif name == "GLOBAL":
            found.append(str(arg).replace(" ", "."))
            stack.append(found[-1])
        elif name == "STACK_GLOBAL":
            attr, module = (stack.pop() if stack else None), (stack.pop() if stack else None)
            found.append(f"{module}.{attr}")
            stack.append(found[-1])
        elif name not in ("PROTO", "FRAME", "STOP"):
            stack.append(None)
    return found, plain and len(found) == 1


def class_reference(entry: Any, field: str) -> tuple[str | None, str | None, list[str]]:
    """(module, class name, problems) of a saved class (``data["policy_class"]``), from its pickle's opcodes."""
    if not isinstance(entry, dict) or not isinstance(entry.get(":serialized:"), str):
        return None, None, [f"its data has no readable {field}"]
    text = entry[":serialized:"]
    if len(text) > MAX_PICKLE_BYTES * 2:
        return None, None, [f"its {field} pickle is {len(text):,} characters long, not a class reference"]
    try:
        found, plain = pickle_globals(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, IndexError, KeyError, TypeError):
        return None, None, [f"its {field} pickle cannot be read"]
    if not plain:
        calls = (
            ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
            if found
            else "no named global"
        )
        return (
            None,
            None,
            [f"its {field} pickle is not a plain class reference (it names {calls}); it was not run"],
        )
    module, _, name = found[0].rpartition(".")
    return module, name, []
