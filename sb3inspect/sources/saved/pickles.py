"""Pickles read statically, opcode by opcode, with ``pickletools``: nothing is ever built or called.

A saved SB3 zip holds pickles in three places: base64 ``:serialized:`` values inside the ``data``
JSON (``json_to_data`` unpickles every one under ``PPO.load``), the torch files (``policy.pth``,
``*.optimizer.pth``, ``pytorch_variables.pth``: zips whose ``data.pkl`` torch unpickles), and an
rl-zoo3 run folder's ``vecnormalize.pkl``. Reading them here means listing opcodes and following the
strings the GLOBAL / STACK_GLOBAL opcodes use, never running them.
"""

from __future__ import annotations

import _compat_pickle
import base64
import binascii
import io
import opcode as opcodes
import pickletools
import struct
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sb3inspect import catalog
from sb3inspect.errors import one_line, printable

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


# --- the symbolic machine: what a pickle would import, call and build ---------------------------------


@dataclass(frozen=True)
class Allowed:
    """What a kind of pickle may name: an allow-list, never a deny-list."""

    names: frozenset[str]
    """``module.qualname`` pairs harmless to import and call with any arguments."""
    checked: Mapping[str, str] = field(default_factory=dict)
    """Names safe in one form only (``catalog.PICKLE_CHECKED``): name -> kind of check at each call."""
    references: frozenset[str] = frozenset()
    """Names that may be named but never called (``catalog.PICKLE_REFERENCE_ONLY``)."""


def data_allowed(*, references: bool = True) -> Allowed:
    """What the pickles of ``data``, ``vecnormalize.pkl`` and replay buffers may name (``references``: the
    algorithm classes HER's ``model_class`` names, too)."""
    return Allowed(
        catalog.PICKLE_ALLOWED, catalog.PICKLE_CHECKED, catalog.PICKLE_REFERENCE_ONLY if references else frozenset()
    )


def torch_allowed() -> Allowed:
    """What the pickle of a state dict or an optimizer's state may name."""
    return Allowed(catalog.TORCH_PICKLE_ALLOWED)


def policy_file_allowed() -> Allowed:
    """A file from ``policy.save()``: the state dict and the constructor's arguments, pickled together."""
    return Allowed(
        catalog.PICKLE_ALLOWED | catalog.TORCH_PICKLE_ALLOWED, catalog.PICKLE_CHECKED, catalog.PICKLE_REFERENCE_ONLY
    )


@dataclass
class Budget:
    """Opcodes left for one file's pickles, nested ones included: past it the verdict is unknown."""

    opcodes: int = 2_000_000


MAX_KEPT_ARGUMENT = 16 << 20
"""A bytes or text argument longer than this is skipped, not read into memory (an array's data)."""
MAX_LINE = 64 << 10
"""A protocol-0 text argument (INT, LONG, FLOAT, STRING, UNICODE, GLOBAL, INST, PERSID, GET, PUT ends at a
newline): longer lines are skipped, not read into memory, and are a finding (no legitimate save writes
protocol 0, let alone such lines)."""
MAX_FINDINGS = 100
"""Findings kept for one pickle; the rest are counted (``and 5,000 more``)."""


@dataclass
class PickleRead:
    """What reading one pickle found."""

    findings: list[str] = field(default_factory=list)
    """Each thing it would do that a legitimate save never does, in words (``calls posix.system``)."""
    unreadable: str | None = None
    """Why it could not be read to its STOP (the verdict is then unknown, unless something was found)."""
    tensors: int = 0
    """Tensor entries it rebuilds (``torch._utils._rebuild_tensor_v2`` calls)."""
    nested: list[Nested] = field(default_factory=list)
    """Pickles it hands to a loader, for the caller to read in turn."""
    value: Any = None
    """What it would return, as symbols (``tensor_entries`` reads a state dict's shapes from it)."""
    exhausted: bool = False
    """It was not read to its end: the file's opcode budget ran out first."""
    bytecode: dict[str, str] = field(default_factory=dict)
    """The findings (among ``findings``) that come from reading a function's bytecode with this Python's opcode
    table -> the function's name: another Python's bytecode reads as other instructions here."""


@dataclass(frozen=True)
class Nested:
    """A pickle inside a pickle: bytes given to ``torch.storage._load_from_bytes`` or to a ``loads``."""

    label: str
    """How its findings are introduced (``in the torch file it loads``)."""
    raw: bytes
    torch_file: bool
    """A torch file (zip or legacy format), else one pickle."""


class _Unreadable(Exception):
    """The pickle cannot be read on (truncated, malformed, over budget)."""


@dataclass(eq=False)
class _Global:
    """A global the pickle looks up, and how the allow-list treats it."""

    name: str
    role: str
    """``allowed``, ``reference``, ``unsafe`` or a ``PICKLE_CHECKED`` kind."""
    pushes: int = 0
    checked: int = 0


@dataclass(eq=False)
class _Type:
    """``types.<name>``, from cloudpickle's ``_builtin_type``."""

    name: str
    pushes: int = 0
    calls: int = 0


@dataclass(eq=False)
class _Code:
    qualname: str
    globals: frozenset[str] = frozenset()
    """Names outside CODE_NAMES it (or a code object among its constants) only looks up as globals: each must be
    a key of the globals its function is given (data, as ``_reach`` holds them), else it finds a builtin."""


@dataclass(eq=False)
class _Function:
    qualname: str
    code: _Code | None = None
    globals: Any = None
    """The globals dict it was made with (``_function_setstate`` updates it, as cloudpickle does)."""


@dataclass(eq=False)
class _Module:
    name: str


@dataclass(eq=False)
class _Object:
    """Anything else made while loading: an instance, a cell, a tensor, a persistent id's object."""

    made_by: str | None = None
    args: Any = None
    """The arguments it was made with (a persistent id: the id)."""
    state: Any = None
    """The state BUILD gave it last."""


@dataclass(eq=False)
class _Big:
    """A bytes or text argument too long to keep (its length only)."""

    length: int


class _List(list[Any]):
    pass


class _Dict(list[tuple[Any, Any]]):
    """A dict's (key, value) pairs in order, duplicates kept."""


class _Set(list[Any]):
    pass


_BIG_ARGUMENTS = {"BINBYTES": 4, "BINBYTES8": 8, "BINUNICODE": 4, "BINUNICODE8": 8, "BYTEARRAY8": 8, "BINSTRING": 4}
"""Opcodes whose argument is a length-prefixed run of bytes (length size in bytes)."""
_CODE_ARGUMENTS = {15: 5, 16: 6, 18: 6}
"""Arguments of ``types.CodeType`` -> the index of ``co_code`` (Python 3.7; 3.8-3.10; 3.11+);
``co_consts`` and ``co_names`` follow it, and 3.11+ adds ``co_qualname`` at index 12."""


_NEW_LAYOUT = sys.version_info >= (3, 11)
"""3.11+ keeps locals, cells and free variables in one array; 3.10 keeps the cells and free ones apart."""
_FREEVARS_HERE = 16 if _NEW_LAYOUT else 14
"""Where this Python's ``types.CodeType`` takes ``freevars`` and ``cellvars``: both optional, so it accepts this many
arguments up to two more (a code object built with another count fails here)."""
_CODE_TYPES_HERE: tuple[type, ...] = (
    *(int,) * 6,
    *(bytes, tuple, tuple, tuple, str, str),  # code, consts, names, varnames, filename, name
    *((str, int, bytes, bytes) if _NEW_LAYOUT else (int, bytes)),  # (qualname,) firstlineno, linetable(, exceptions)
    *(tuple, tuple),  # freevars, cellvars
)
"""What this Python's ``types.CodeType`` takes, argument by argument. Another Python's layout fails to build here
(3.8-3.10's ``firstlineno`` where 3.11 takes ``co_qualname``: TypeError), so its bytecode never runs here."""
_PLAIN_VALUES = (int, float, str, bytes, tuple, list, type(None))
_INDEXED_BY_NAME = {"LOAD_GLOBAL": int(_NEW_LAYOUT), "LOAD_ATTR": int(sys.version_info >= (3, 12)), "LOAD_METHOD": 0}
"""Opcodes that index ``co_names`` -> how far their argument is shifted right first (flags in the low bits)."""
_COMPARE_SHIFT = 5 if sys.version_info >= (3, 13) else 4 if sys.version_info >= (3, 12) else 0
_FAST = {"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR", "STORE_FAST", "DELETE_FAST"}
_DEREF = {"MAKE_CELL", "LOAD_CLOSURE", "LOAD_DEREF", "STORE_DEREF", "DELETE_DEREF"}


def _bytecode(
    code: bytes, consts: tuple[Any, ...], names: tuple[Any, ...], local: tuple[Any, ...]
) -> tuple[list[str], set[str]]:
    """What a code object's bytecode does that an arithmetic schedule never does, read with this Python's opcode
    table (the one that would run it): an opcode outside CODE_OPCODES, or an argument indexing past its table
    (the interpreter does not check; it reads whatever memory lies there).

    ``local`` is (varnames, cellvars, freevars). Every two-byte unit is read as an instruction, inline caches
    included: a jump may land on one. Also returns the names it only looks up as globals (never as attributes)."""
    varnames, cellvars, freevars = (item if isinstance(item, tuple) else () for item in local)
    cells = len(cellvars) + len(freevars)
    plus = len(varnames) + len([c for c in cellvars if c not in varnames]) + len(freevars)
    limits = {
        **dict.fromkeys(("LOAD_CONST", "KW_NAMES", "RETURN_CONST"), len(consts)),
        **dict.fromkeys(_FAST, plus if _NEW_LAYOUT else len(varnames)),
        **dict.fromkeys(_DEREF, plus if _NEW_LAYOUT else cells),
        "COPY_FREE_VARS": len(freevars) + 1,
        "BINARY_OP": len(getattr(opcodes, "_nb_ops", ())),
        "COMPARE_OP": len(opcodes.cmp_op) << _COMPARE_SHIFT,
        **{name: len(names) << shift for name, shift in _INDEXED_BY_NAME.items()},
    }
    outside: list[str] = []
    past: list[str] = []
    looked_up: dict[str, set[int]] = {"LOAD_GLOBAL": set(), "attribute": set()}
    prefixes: list[int] = []  # the EXTENDED_ARG bytes before this unit: a jump may skip some of them
    for at in range(0, len(code) - 1, 2):
        name = opcodes.opname[code[at]]
        arguments = [_prefixed(prefixes[len(prefixes) - n :], code[at + 1]) for n in range(len(prefixes) + 1)]
        argument = arguments[-1]  # the largest: the bounds below hold for the others too
        prefixes = [*prefixes, code[at + 1]] if name == "EXTENDED_ARG" else []
        pair = name.endswith(("FAST_LOAD_FAST", "FAST_STORE_FAST"))  # 3.13: two locals, 4 bits each
        if name not in catalog.CODE_OPCODES:
            outside.append(name)
        elif argument >= limits.get(name, 1 << 32) or (pair and max(argument >> 4, argument & 15) >= plus):
            past.append(name)
        if name in _INDEXED_BY_NAME:
            kind = "LOAD_GLOBAL" if name == "LOAD_GLOBAL" else "attribute"
            looked_up[kind].update(each >> _INDEXED_BY_NAME[name] for each in arguments)
    found = []
    if outside:
        found.append("uses the opcodes " + ", ".join(printable(n, 40) for n in sorted(set(outside))[:6]))
    if past:
        found.append("indexes past its tables with " + ", ".join(sorted(set(past))[:6]))
    # by name, not index: co_names may hold a name twice, once looked up as a global and once as an attribute
    named = {
        kind: {names[i] for i in ids if i < len(names) and isinstance(names[i], str)} for kind, ids in looked_up.items()
    }
    return found, named["LOAD_GLOBAL"] - named["attribute"]


def _prefixed(prefixes: list[int], low: int) -> int:
    """An instruction's argument with the EXTENDED_ARG bytes before it."""
    value = 0
    for prefix in prefixes:
        value = value << 8 | prefix
    return value << 8 | low


def _shown(names: list[str]) -> str:
    return ", ".join(printable(n, 40) for n in names[:6]) + (" ..." if len(names) > 6 else "")


def _builds_here(args: tuple[Any, ...]) -> bool:
    """Whether this Python's ``types.CodeType`` builds a code object from these arguments: their count, and no
    argument plainly of another type (one computed while loading may be anything, so it counts as fitting)."""
    if not _FREEVARS_HERE <= len(args) <= _FREEVARS_HERE + 2:
        return False
    return not any(
        isinstance(value, _PLAIN_VALUES) and not isinstance(value, kind)
        for value, kind in zip(args, _CODE_TYPES_HERE, strict=False)
    )


def _optional(args: tuple[Any, ...], index: int) -> Any:
    """An argument given or left to its default (``()``: no free or cell variables)."""
    return args[index] if len(args) > index else ()


def _constants(value: Any, kind: type, depth: int = 0) -> Iterator[Any]:
    """The constants of one kind (strings, inner code objects) among a code object's, inside tuples and frozensets."""
    if isinstance(value, kind):
        yield value
    elif isinstance(value, (tuple, list, _Set)) and depth < 20:
        for item in value:
            yield from _constants(item, kind, depth + 1)


def _reach(value: Any, depth: int = 0) -> Iterator[_Global | _Type]:
    """The classes and functions looked up by name (and cloudpickle's ``types``) a function can reach without
    naming them: inside its globals, defaults, cells or constants, and the objects kept there (their arguments
    and state). Its code can call or match against any of them; an arithmetic schedule holds data only."""
    if isinstance(value, _Type) or (isinstance(value, _Global) and value.name not in catalog.CLOUDPICKLE_CELL_MAKERS):
        yield value
    elif depth >= 20:
        return
    elif isinstance(value, _Dict):
        for _, item in value:
            yield from _reach(item, depth + 1)
    elif isinstance(value, (tuple, list, _Set)):
        for item in value:
            yield from _reach(item, depth + 1)
    elif isinstance(value, _Object):
        if value.made_by not in catalog.NUMPY_ARRAY_MAKERS:  # their arguments (the ndarray class) are not kept
            yield from _reach(value.args, depth + 1)
        yield from _reach(value.state, depth + 1)


def _describe(value: Any) -> str:
    if isinstance(value, _Global):
        return value.name
    if isinstance(value, _Function):
        return f"the function {value.qualname}"
    if isinstance(value, _Object):
        return f"an object made by {value.made_by}" if value.made_by else "an object made while loading"
    if isinstance(value, _Type):
        return f"types.{value.name}"
    if isinstance(value, _Module):
        return f"the module {value.name}"
    return type(value).__name__.strip("_").lower()


class _Machine:
    """Runs a pickle's opcodes on symbols: a stack, marks and a memo of values, never an object built."""

    def __init__(self, allowed: Allowed, budget: Budget) -> None:
        self.allowed = allowed
        self.budget = budget
        self.read = PickleRead()
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.proto = 0
        self.globals: dict[str, _Global] = {}
        self.functions: list[_Function] = []
        self.types: list[_Type] = []
        """What ``_builtin_type`` returned: each time one is on the stack, it must be called (as cloudpickle does)."""
        self.unsafe: dict[str, bool] = {}
        """Names outside the allow-list -> whether the pickle calls them."""
        self.seen: set[str] = set()

    # -- running -----------------------------------------------------------------------------------

    def run(self, stream: BinaryIO) -> PickleRead:
        handlers = _HANDLERS
        try:
            while True:
                code = stream.read(1)
                if not code:
                    raise _Unreadable("it ends before its STOP opcode")
                opcode = _CODE2OP.get(code.decode("latin-1"))
                if opcode is None:
                    raise _Unreadable(f"unknown opcode {code!r}")
                self.budget.opcodes -= 1
                if self.budget.opcodes < 0:
                    self.read.exhausted = True
                    raise _Unreadable("it holds more opcodes than sb3inspect reads in one file")
                if opcode.name == "STOP":
                    break
                handlers[opcode.name](self, opcode, stream)
        except _Unreadable as exc:
            self.read.unreadable = f"{exc} (at byte {stream.tell():,})"
        except (ValueError, EOFError, UnicodeDecodeError, OverflowError, struct.error, IndexError, KeyError) as exc:
            self.read.unreadable = f"{one_line(exc, 120)} (at byte {stream.tell():,})"
        if self.read.unreadable is None and self.stack:
            self.read.value = self.stack[-1]
        self._finish()
        return self.read

    def _finish(self) -> None:
        for value in self.globals.values():
            if value.role in _CHECK_KINDS and value.pushes > value.checked:
                self._find(f"uses {value.name} other than in the one call sb3inspect can check")
        for function in self.functions:  # a global its globals lack is a builtin (open, getattr, __import__)
            given = {key for key, _ in function.globals} if isinstance(function.globals, _Dict) else set()
            lacking = sorted(function.code.globals - given) if function.code is not None else []
            if lacking:
                self._find(f"defines a function {function.qualname} whose code uses {_shown(lacking)}")
        for made in self.types:  # CodeType / FunctionType kept as a value: code can build code with it at run time
            if made.pushes > made.calls:
                self._find(f"uses types.{made.name} other than to build what cloudpickle builds with it")
        names = [f"{'calls' if called else 'imports'} {name}" for name, called in self.unsafe.items()]
        findings = names + self.read.findings  # the names first: what runs, then how
        self.read.findings = findings[:MAX_FINDINGS]
        if len(findings) > MAX_FINDINGS:
            self.read.findings.append(f"and {len(findings) - MAX_FINDINGS:,} more findings")

    def _find(self, what: str) -> None:
        if what not in self.seen:
            self.seen.add(what)
            self.read.findings.append(what)

    def push(self, value: Any) -> None:
        if isinstance(value, (_Global, _Type)):
            value.pushes += 1
        self.stack.append(value)

    def pop(self) -> Any:
        if not self.stack:
            raise _Unreadable("a stack underflow (the unpickler stops here)")
        return self.stack.pop()

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise _Unreadable("a missing MARK (the unpickler stops here)")
        items, self.stack = self.stack, self.marks.pop()
        return items

    def top(self) -> Any:
        if not self.stack:
            raise _Unreadable("a stack underflow (the unpickler stops here)")
        return self.stack[-1]

    # -- globals -----------------------------------------------------------------------------------

    def look_up(self, module: Any, name: Any) -> Any:
        """What GLOBAL / STACK_GLOBAL / INST finds, named as the unpickler resolves it."""
        if not isinstance(module, str) or not isinstance(name, str):
            self._find("looks up a global whose name is computed while loading")
            return _Object("a computed global")
        if self.proto < 3:  # the unpickler's fix_imports: Python 2 names -> Python 3 ones
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        dotted = f"{module}.{name}"
        known = self.globals.get(dotted)
        if known is not None:
            return known
        if dotted in self.allowed.names:
            role = "allowed"
        elif dotted in self.allowed.checked:
            role = self.allowed.checked[dotted]
        elif dotted in self.allowed.references:
            role = "reference"
        else:
            role = "unsafe"
            self.unsafe.setdefault(printable(dotted, 200), False)
        self.globals[dotted] = found = _Global(dotted, role)
        return found

    # -- calls -------------------------------------------------------------------------------------

    def call(self, callee: Any, args: Any, kwargs: Any = None) -> Any:
        """The value a call leaves on the stack; anything a legitimate save never calls is a finding."""
        if isinstance(callee, _Global):
            return self._call_global(callee, args, kwargs)
        if isinstance(callee, _Type):
            return self._call_type(callee, args)
        if isinstance(callee, _Function):
            self._find(f"calls the function {printable(callee.qualname, 200)} while loading")
        else:
            self._find(f"calls {_describe(callee)} while loading")
        return _Object()

    def _call_global(self, callee: _Global, args: Any, kwargs: Any) -> Any:
        role = callee.role
        if role == "unsafe":
            self.unsafe[printable(callee.name, 200)] = True
            self._nested_loads(callee, args)
            return _Object(callee.name)
        if role == "reference":
            self._find(f"calls {callee.name}, which may be named but not called")
            return _Object(callee.name)
        if role != "allowed":
            callee.checked += 1
            return self._checked_call(callee, args)
        name = callee.name
        argument = catalog.PICKLE_CALLS_ARGUMENT.get(name)
        if argument is not None and isinstance(args, tuple) and len(args) > argument:
            called = args[argument]
            if isinstance(called, (_Function, _Object, _Type)):
                self._find(f"has {name} call {_describe(called)} while loading")
        if name in catalog.CLOUDPICKLE_FUNCTION_SETSTATES:
            self._function_state(args)
        if name in catalog.CLOUDPICKLE_FUNCTION_MAKERS:
            return self._function(args)
        if name in catalog.TORCH_TENSOR_REBUILDS:
            self.read.tensors += 1
        if name == "collections.OrderedDict" and args == ():
            return _Dict()  # a state dict: SETITEMS fill it
        return _Object(name, args)

    def _function_state(self, args: Any) -> None:
        """cloudpickle's ``_function_setstate(func, (state, slotstate))``: attributes of a function it made."""
        target = args[0] if isinstance(args, tuple) and args else None
        state = args[1] if isinstance(args, tuple) and len(args) == 2 else None
        if not isinstance(target, _Function):
            self._find(f"sets the state of {_describe(target)} as a function's (cloudpickle _function_setstate)")
        if isinstance(state, tuple) and len(state) == 2:
            self.build(_Object(), state[0])
            slots = state[1]
            keys = [key for key, _ in slots] if isinstance(slots, _Dict) else []
            for key in keys:
                if key not in catalog.CLOUDPICKLE_FUNCTION_SLOTS:
                    self._find(f"sets {printable(key, 60)} on a function (cloudpickle _function_setstate)")
            # what the code reaches without naming it: its globals, defaults and closure hold data, modules
            # (subimport) and other functions; a class or function by reference there is a way out of them
            for key, value in slots if isinstance(slots, _Dict) else ():
                if key == "__globals__" and isinstance(target, _Function) and isinstance(value, _Dict):
                    if isinstance(target.globals, _Dict):
                        target.globals.extend(value)  # func.__globals__.update(...): the dict it was made with
                    else:
                        target.globals = _Dict(value)
                if key in ("__globals__", "__defaults__", "__kwdefaults__", "__closure__"):
                    for found in _reach(value):
                        self._find(f"gives a function {_describe(found)} through its {key}")

    def _checked_call(self, callee: _Global, args: Any) -> Any:
        """A PICKLE_CHECKED name called: its one legitimate form, else a finding."""
        args = args if isinstance(args, tuple) else None
        value = None if args is None else getattr(self, f"_checked_{callee.role}")(args)
        if value is None:
            self._find(f"calls {callee.name} in a form legitimate saves never use")
            return _Object(callee.name)
        return value

    def _checked_builtin_type(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return None
        if args[0] not in catalog.CODE_TYPES:
            self._find(f"makes types.{printable(args[0], 80)} (cloudpickle _builtin_type)")
            return _Object()
        self.types.append(_Type(args[0]))
        return self.types[-1]

    def _checked_subimport(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 1 or not isinstance(args[0], str):
            return None
        if args[0] not in catalog.CODE_MODULES:
            self._find(f"imports the module {printable(args[0], 80)} (cloudpickle subimport)")
        return _Module(args[0])

    def _checked_load_from_bytes(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 1 or not isinstance(args[0], bytes):
            return None
        self.read.nested.append(Nested("in the torch file it loads", args[0], torch_file=True))
        return _Object("torch.storage._load_from_bytes")

    def _checked_codecs_encode(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 2 or not isinstance(args[0], str) or args[1] not in ("latin1", "latin-1"):
            return None
        return args[0].encode("latin-1", "replace")  # protocol 2's bytes, kept for a nested pickle

    def _checked_getattr(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 2 or not isinstance(args[0], _Global) or args[0].role != "allowed":
            return None
        method = f"{args[0].name}.{args[1]}"
        return self.globals.setdefault(method, _Global(method, "allowed")) if method in self.allowed.names else None

    def _checked_reconstructor(self, args: tuple[Any, ...]) -> Any:
        if len(args) != 3 or not all(isinstance(cls, _Global) and cls.role == "allowed" for cls in args[:2]):
            return None
        return _Object(args[0].name)

    def _call_type(self, callee: _Type, args: Any) -> Any:
        callee.calls += 1
        if callee.name == "CodeType":
            return self._code(args)
        return self._function(args)

    def _function(self, args: Any) -> _Function:
        """A function made from a code object, globals, defaults and a closure (``_make_function``, cloudpickle
        1.x's ``FunctionType``): what it is given besides its code must hold data only."""
        code = args[0] if isinstance(args, tuple) and args else None
        qualname = code.qualname if isinstance(code, _Code) else "<unknown>"
        for found in _reach(args[1:] if isinstance(args, tuple) else args):
            self._find(f"gives the function {qualname} {_describe(found)} with its globals, defaults or closure")
        given = args[1] if isinstance(args, tuple) and len(args) > 1 else None
        self.functions.append(_Function(qualname, code if isinstance(code, _Code) else None, given))
        return self.functions[-1]

    def _code(self, args: Any) -> _Code:
        """A code object from ``CodeType(...)``'s arguments: the names it looks up must be CODE_NAMES, and the
        bytecode this Python would run (its own argument layout) must do arithmetic only."""
        here = isinstance(args, tuple) and _builds_here(args)
        at = 6 if here else _CODE_ARGUMENTS.get(len(args)) if isinstance(args, tuple) else None
        if at is None:
            self._find("builds a code object sb3inspect cannot read")
            return _Code("<unknown>")
        qualname = args[12] if len(args) == 18 or (here and _NEW_LAYOUT) else args[at + 5]
        qualname = printable(qualname if isinstance(qualname, str) else "<unknown>", 120)
        names = args[at + 2]
        consts = args[at + 1] if isinstance(args[at + 1], tuple) else ()
        only_global: set[str] = set()
        if here and isinstance(names, tuple):  # the bytecode this Python would run
            if not isinstance(args[at], bytes):
                self._find(f"defines a function {qualname} whose bytecode is too long to read")
            else:
                local = (args[at + 3], _optional(args, _FREEVARS_HERE + 1), _optional(args, _FREEVARS_HERE))
                found, only_global = _bytecode(args[at], consts, names, local)
                for what in found:
                    self._find(f"defines a function {qualname} whose bytecode {what}")
                    self.read.bytecode.setdefault(f"defines a function {qualname} whose bytecode {what}", qualname)
        if not isinstance(args[at], (bytes, _Big)) or not isinstance(names, tuple):
            self._find(f"builds a code object ({qualname}) sb3inspect cannot read")
        elif not all(isinstance(n, str) for n in names):
            self._find(f"builds a code object ({qualname}) whose names are computed while loading")
        else:
            outside = list(dict.fromkeys(n for n in names if n not in catalog.CODE_NAMES and n not in only_global))
            if outside:
                self._find(f"defines a function {qualname} whose code uses {_shown(outside)}")
        # a match statement's class patterns look attributes up by names kept among the constants, not co_names
        attributes = sorted({c for c in _constants(args[at + 1], str) if catalog.CODE_ATTRIBUTE_CONSTANT.fullmatch(c)})
        if attributes:
            self._find(f"defines a function {qualname} whose constants name the attributes {_shown(attributes)}")
        for found_global in _reach(args[at + 1]):
            self._find(f"defines a function {qualname} whose constants hold {_describe(found_global)}")
        inner = (code.globals for code in _constants(consts, _Code))
        return _Code(qualname, frozenset(only_global - catalog.CODE_NAMES).union(*inner))

    def _nested_loads(self, callee: _Global, args: Any) -> None:
        """A pickle handed to ``pickle.loads`` (or a copy of it): say what it would do too."""
        if callee.name.endswith(".loads") and isinstance(args, tuple) and args and isinstance(args[0], bytes):
            self.read.nested.append(Nested("in the pickle it loads", args[0], torch_file=False))

    # -- BUILD ---------------------------------------------------------------------------------------

    def build(self, target: Any, state: Any) -> None:
        """BUILD: ``__setstate__(state)``, else the state's keys become attributes of ``target``."""
        if isinstance(target, (_Global, _Type, _Module)):
            self._find(f"sets attributes of {_describe(target)} (BUILD)")
            return
        if isinstance(target, _Object):
            target.state = state
        parts = list(state) if isinstance(state, tuple) and len(state) == 2 else [state]
        for part in parts:
            if not isinstance(part, _Dict):
                continue
            for key, _ in part:
                if not isinstance(key, str):
                    self._find("sets an attribute whose name is computed while loading (BUILD)")
                elif key.startswith("__") and key.endswith("__"):
                    self._find(f"sets {printable(key, 60)} on an object (BUILD)")


def _argument(machine: _Machine, opcode: Any, stream: BinaryIO) -> Any:
    """An opcode's argument, read by ``pickletools``; a text line past MAX_LINE is skipped (None) and a finding."""
    if opcode.arg.n != pickletools.UP_TO_NEWLINE:
        return opcode.arg.reader(stream)
    line = _read_line(machine, opcode, stream)
    return None if line is None else opcode.arg.reader(io.BytesIO(line))


def _read_line(machine: _Machine, opcode: Any, stream: BinaryIO) -> bytes | None:
    """A text argument up to its newline (kept), or None when it is longer than MAX_LINE (skipped)."""
    line = stream.readline(MAX_LINE + 1)
    if line.endswith(b"\n"):
        return line
    if len(line) <= MAX_LINE:
        raise _Unreadable(f"it ends inside the line of a {opcode.name}")
    length = len(line)
    while not line.endswith(b"\n"):
        line = stream.readline(1 << 16)
        if not line:
            raise _Unreadable(f"it ends inside the line of a {opcode.name}")
        length += len(line)
    machine._find(f"has a {opcode.name} line of {length:,} bytes, longer than any legitimate save writes")
    return None


def _handle_push_arg(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    if opcode.name in ("INT", "LONG"):
        machine.push(_text_integer(machine, opcode, stream))
        return
    value = _argument(machine, opcode, stream)
    machine.push(_Object("an over-long line") if value is None else value)


def _text_integer(machine: _Machine, opcode: Any, stream: BinaryIO) -> Any:
    """INT / LONG as the unpickler reads them: ``int(text, 0)`` (or C's ``strtol``), so ``0x10``, ``010`` and
    ``1_0`` are numbers too; one ``pickletools`` would refuse is a number of unknown value, not the end."""
    line = _read_line(machine, opcode, stream)
    text = b"" if line is None else line[:-1].removesuffix(b"L") if opcode.name == "LONG" else line[:-1]
    if text in (b"00", b"01") and opcode.name == "INT":
        return text == b"01"
    try:
        return int(text, 0)
    except ValueError:
        return _Object("a number")


def _handle_big(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    size = _BIG_ARGUMENTS[opcode.name]
    raw = stream.read(size)
    if len(raw) < size:
        raise _Unreadable("it ends inside a length")
    length = int.from_bytes(raw, "little", signed=opcode.name == "BINSTRING")
    if length < 0:
        raise _Unreadable("a negative length")
    if length > MAX_KEPT_ARGUMENT:
        _skip(stream, length)
        machine.push(_Big(length))
        return
    data = stream.read(length)
    if len(data) < length:
        raise _Unreadable(f"it ends inside an argument of {length:,} bytes")
    if opcode.name in ("BINUNICODE", "BINUNICODE8"):
        machine.push(data.decode("utf-8", "surrogatepass"))
    elif opcode.name == "BINSTRING":
        machine.push(data.decode("latin-1"))
    else:
        machine.push(bytes(data))


def _skip(stream: BinaryIO, length: int) -> None:
    start = stream.tell()
    stream.seek(length, io.SEEK_CUR)
    end = stream.seek(0, io.SEEK_END)
    if end < start + length:
        raise _Unreadable(f"it ends inside an argument of {length:,} bytes")
    stream.seek(start + length)


def _handle_long4(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    raw = stream.read(4)
    if len(raw) < 4:
        raise _Unreadable("it ends inside a length")
    length = int.from_bytes(raw, "little", signed=True)
    if length < 0:
        raise _Unreadable("a negative length")
    if length > 1 << 16:
        _skip(stream, length)
        machine.push(_Object("a huge integer"))
        return
    data = stream.read(length)
    if len(data) < length:
        raise _Unreadable("it ends inside an integer")
    machine.push(int.from_bytes(data, "little", signed=True))


def _handle_global(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    module, name = _read_line(machine, opcode, stream), _read_line(machine, opcode, stream)
    if module is None or name is None:
        found: Any = _Object("an over-long name")
    else:
        found = machine.look_up(module[:-1].decode("utf-8"), name[:-1].decode("utf-8"))
    if opcode.name == "GLOBAL":
        machine.push(found)
        return
    if isinstance(found, _Global):
        found.pushes += 1
    machine.push(machine.call(found, tuple(machine.pop_mark())))  # INST: the class, called with the marked items


def _handle_stack_global(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name, module = machine.pop(), machine.pop()
    machine.push(machine.look_up(module, name))


def _handle_constant(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    machine.push(_CONSTANTS[opcode.name])


def _handle_proto(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    machine.proto = opcode.arg.reader(stream)
    if machine.proto > 5:
        raise _Unreadable(f"unsupported pickle protocol {machine.proto}")


def _handle_frame(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    opcode.arg.reader(stream)


def _handle_container(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name = opcode.name
    if name == "EMPTY_LIST":
        machine.push(_List())
    elif name == "EMPTY_DICT":
        machine.push(_Dict())
    elif name == "EMPTY_SET":
        machine.push(_Set())
    elif name == "EMPTY_TUPLE":
        machine.push(())
    elif name == "LIST":
        machine.push(_List(machine.pop_mark()))
    elif name == "TUPLE":
        machine.push(tuple(machine.pop_mark()))
    elif name == "FROZENSET":
        machine.push(_Set(machine.pop_mark()))
    elif name == "DICT":
        items = machine.pop_mark()
        machine.push(_Dict(zip(items[::2], items[1::2], strict=False)))
    else:  # TUPLE1-3
        count = int(name[-1])
        items = [machine.pop() for _ in range(count)]
        machine.push(tuple(reversed(items)))


def _handle_add(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name = opcode.name
    if name == "APPEND":
        items = [machine.pop()]
    elif name == "SETITEM":
        value, key = machine.pop(), machine.pop()
        items = [key, value]
    else:  # APPENDS, SETITEMS, ADDITEMS
        items = machine.pop_mark()
    target = machine.top()
    if name in ("SETITEM", "SETITEMS"):
        if isinstance(target, _Dict):
            target.extend(zip(items[::2], items[1::2], strict=False))
    elif isinstance(target, (_List, _Set)):
        target.extend(items)


def _handle_stack(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name = opcode.name
    if name == "MARK":
        machine.marks.append(machine.stack)
        machine.stack = []
    elif name == "POP":
        if machine.stack:
            machine.stack.pop()
        else:
            machine.pop_mark()
    elif name == "POP_MARK":
        machine.pop_mark()
    else:  # DUP
        machine.push(machine.top())


def _handle_memo(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name = opcode.name
    if name == "MEMOIZE":
        machine.memo[len(machine.memo)] = machine.top()
        return
    key = _argument(machine, opcode, stream)
    if key is None:
        raise _Unreadable(f"a {name} key of more than {MAX_LINE:,} digits (the unpickler stops here)")
    if name in ("PUT", "BINPUT", "LONG_BINPUT"):
        if key < 0:
            raise _Unreadable("a negative memo key")
        machine.memo[key] = machine.top()
    elif key in machine.memo:
        machine.push(machine.memo[key])
    else:
        raise _Unreadable(f"memo entry {key} was never stored (the unpickler stops here)")


def _handle_ext(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    code = opcode.arg.reader(stream)
    machine._find(f"looks up a global through the copyreg extension registry ({opcode.name} {code})")
    machine.push(_Object("the extension registry"))


def _handle_call(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    name = opcode.name
    if name == "REDUCE" or name == "NEWOBJ":
        args = machine.pop()
        machine.push(machine.call(machine.pop(), args))
    elif name == "NEWOBJ_EX":
        kwargs, args = machine.pop(), machine.pop()
        machine.push(machine.call(machine.pop(), args, kwargs))
    else:  # OBJ
        items = machine.pop_mark()
        if not items:
            raise _Unreadable("OBJ without a class (the unpickler stops here)")
        machine.push(machine.call(items[0], tuple(items[1:])))


def _handle_build(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    state = machine.pop()
    machine.build(machine.top(), state)


def _handle_persid(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    pid = _argument(machine, opcode, stream) if opcode.name == "PERSID" else machine.pop()
    machine.push(_Object("a persistent id", pid))


def _handle_buffer(machine: _Machine, opcode: Any, stream: BinaryIO) -> None:
    if opcode.name == "NEXT_BUFFER":
        machine.push(_Object("an out-of-band buffer"))
    else:
        machine.top()


_CODE2OP: dict[str, Any] = dict(pickletools.code2op)  # type: ignore[attr-defined]
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_CHECK_KINDS = frozenset(catalog.PICKLE_CHECKED.values())
_HANDLERS: dict[str, Any] = {
    **dict.fromkeys(
        (
            "INT",
            "BININT",
            "BININT1",
            "BININT2",
            "LONG",
            "LONG1",
            "STRING",
            "SHORT_BINSTRING",
            "SHORT_BINBYTES",
            "UNICODE",
            "SHORT_BINUNICODE",
            "FLOAT",
            "BINFLOAT",
        ),
        _handle_push_arg,
    ),
    **dict.fromkeys(_BIG_ARGUMENTS, _handle_big),
    "LONG4": _handle_long4,
    **dict.fromkeys(("NONE", "NEWTRUE", "NEWFALSE"), _handle_constant),
    **dict.fromkeys(("GLOBAL", "INST"), _handle_global),
    "STACK_GLOBAL": _handle_stack_global,
    "PROTO": _handle_proto,
    "FRAME": _handle_frame,
    **dict.fromkeys(
        (
            "EMPTY_LIST",
            "EMPTY_DICT",
            "EMPTY_SET",
            "EMPTY_TUPLE",
            "LIST",
            "TUPLE",
            "FROZENSET",
            "DICT",
            "TUPLE1",
            "TUPLE2",
            "TUPLE3",
        ),
        _handle_container,
    ),
    **dict.fromkeys(("APPEND", "APPENDS", "SETITEM", "SETITEMS", "ADDITEMS"), _handle_add),
    **dict.fromkeys(("MARK", "POP", "POP_MARK", "DUP"), _handle_stack),
    **dict.fromkeys(("MEMOIZE", "PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"), _handle_memo),
    **dict.fromkeys(("EXT1", "EXT2", "EXT4"), _handle_ext),
    **dict.fromkeys(("REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ"), _handle_call),
    "BUILD": _handle_build,
    **dict.fromkeys(("PERSID", "BINPERSID"), _handle_persid),
    **dict.fromkeys(("NEXT_BUFFER", "READONLY_BUFFER"), _handle_buffer),
}


def read_pickle(raw: bytes | BinaryIO, allowed: Allowed, budget: Budget | None = None) -> PickleRead:
    """What one pickle (up to its STOP) would import, call and build, read symbolically; nothing runs.

    ``raw`` is the pickle's bytes or a seekable stream at its start (left just after its STOP).
    Pickles it hands to a loader are in ``nested``, unread.
    """
    stream = io.BytesIO(raw) if isinstance(raw, (bytes, bytearray)) else raw
    return _Machine(allowed, budget or Budget()).run(stream)


# --- a state dict's tensors, read from its pickle --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TensorEntry:
    """One entry of a saved state dict, as its pickle describes it: no tensor is made."""

    shape: tuple[int, ...]
    dtype: str
    element_size: int
    storage: tuple[Any, ...]
    """(storage key, offset, shape, stride): equal for entries that are one tensor saved under two names."""


def tensor_entries(value: Any) -> dict[str, TensorEntry] | None:
    """Name -> shape, dtype and storage of every entry of a state dict's pickle; None when it is not one.

    torch pickles a tensor as ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``
    (a Parameter wraps that in ``_rebuild_parameter``) and a storage as a persistent id
    ``('storage', torch.FloatStorage, key, location, numel[, view])``, in the zip format and the legacy
    one alike: the shapes and dtypes are all there, read without loading a storage or calling torch.
    """
    if not isinstance(value, _Dict):
        return None
    entries: dict[str, TensorEntry] = {}
    for name, tensor in value:
        entry = _tensor_entry(tensor)
        if not isinstance(name, str) or entry is None:
            return None
        entries[name] = entry
    return entries


def _tensor_entry(tensor: Any) -> TensorEntry | None:
    if isinstance(tensor, _Object) and tensor.made_by == "torch._utils._rebuild_parameter":
        tensor = tensor.args[0] if isinstance(tensor.args, tuple) and tensor.args else None
    if not (isinstance(tensor, _Object) and tensor.made_by in catalog.TORCH_TENSOR_REBUILDS):
        return None
    args = tensor.args
    if not isinstance(args, tuple) or len(args) < 4:
        return None
    storage, offset, shape, stride = args[:4]
    pid = storage.args if isinstance(storage, _Object) and storage.made_by == "a persistent id" else None
    if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage" and isinstance(pid[1], _Global)):
        return None
    kind = catalog.TORCH_STORAGE_DTYPES.get(pid[1].name.rsplit(".", 1)[-1])
    sizes = (offset, *shape, *stride) if isinstance(shape, tuple) and isinstance(stride, tuple) else None
    if kind is None or sizes is None or not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes):
        return None
    return TensorEntry(shape, kind[0], kind[1], (pid[2], offset, shape, stride))


# --- reading what a pickle would return -----------------------------------------------------------------


def made_by(value: Any) -> str | None:
    """The global an object of the pickle was made by (``...VecNormalize``), or None."""
    return value.made_by if isinstance(value, _Object) else None


def built_state(value: Any) -> Any:
    """The state BUILD gave an object of the pickle (its ``__dict__``, usually a mapping), or None."""
    return value.state if isinstance(value, _Object) else None


def as_mapping(value: Any) -> dict[str, Any] | None:
    """A dict of the pickle as a mapping with text keys (the last of a repeated key wins), or None."""
    if not isinstance(value, _Dict):
        return None
    return {key: item for key, item in value if isinstance(key, str)}


def optimizer_groups(value: Any) -> list[dict[str, Any]] | None:
    """The options of each param_group of an optimizer's ``state_dict()`` (``*.optimizer.pth``): ``lr``, ``betas``,
    ``eps``, ``weight_decay``... as saved, plain numbers, flags and tuples of numbers only, ``params`` left out;
    None for a pickle that is not an optimizer's state dict."""
    top = as_mapping(value)
    if top is None or set(top) != {"state", "param_groups"} or not isinstance(top["param_groups"], _List):
        return None
    out = []
    for group in top["param_groups"]:
        options = as_mapping(group)
        if options is None:
            return None
        out.append({key: item for key, item in options.items() if key != "params" and _plain_option(item)})
    return out


def _plain_option(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_plain_option(item) and not isinstance(item, tuple) for item in value)
    return value is None or isinstance(value, (bool, int, float))


def array_shape(value: Any) -> tuple[int, ...] | None:
    """The shape of a numpy array of the pickle, or None.

    numpy pickles an array as ``_reconstruct(ndarray, (0,), b'b')`` and BUILD's state
    ``(version, shape, dtype, is_fortran, data)`` (protocols up to 4), or as ``_frombuffer(data,
    dtype, shape, order)`` (protocol 5); numpy 2 names its module ``numpy._core``.
    """
    if not isinstance(value, _Object) or value.made_by is None:
        return None
    if value.made_by.endswith("multiarray._reconstruct"):
        shape = value.state[1] if isinstance(value.state, tuple) and len(value.state) == 5 else None
    elif value.made_by.endswith("numeric._frombuffer"):
        shape = value.args[2] if isinstance(value.args, tuple) and len(value.args) == 4 else None
    else:
        return None
    if isinstance(shape, tuple) and all(isinstance(n, int) and not isinstance(n, bool) for n in shape):
        return shape
    return None
