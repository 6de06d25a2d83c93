"""Reports rebuilt from their JSON: ``PolicyReport.from_dict`` and the records inside it.

Driven by the dataclass fields and their annotations, so a field added to a record round-trips
without code here: ``tuple[Layer, ...]`` reads a list of layer objects, ``int | None`` an integer
or null, ``dict[str, Any]`` / ``Any`` any plain JSON value. A record's ``to_dict`` may leave out a
field that has a default (a layer's ``None`` sizes) and may add keys derived from its fields
(ignored here, rebuilt by the record); a record with its own ``from_dict`` reads itself. A field marked ``metadata={"json": "rest"}`` takes the keys
no other field claims (``PolicyReport.extra``); a tuple of ``(name, value)`` pairs may be written
as a mapping (``Layer.param_shapes``).

The JSON may come from a file anyone could have written (the report cache), so it is read
defensively: every value is type-checked, strings carry no control characters, nesting, sizes and
numbers are bounded, and any failure is one ``SourceError`` (code ``invalid-report``), never a
half-built report.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from sb3inspect.errors import SourceError, has_unprintable

MAX_DEPTH = 32
"""Nesting of a plain JSON value inside a report (a space, net_arch, a saved model's facts)."""
MAX_ITEMS = 100_000
"""Entries of one list or mapping."""
MAX_TEXT = 65_536
"""Characters of one string (a note, a path)."""
MAX_INT_DIGITS = 40
"""Digits of one integer: a parameter count of 10**39 is already past any machine."""


def from_plain(cls: type[Any], data: Any, *, where: str = "report") -> Any:
    """An instance of the dataclass ``cls`` from the plain data its ``to_dict`` wrote."""
    return _record(cls, data, where)


def to_plain(record: Any) -> Any:
    """The JSON data ``from_plain`` reads back: a dataclass's fields by name, tuples and sets as lists."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {field.name: to_plain(getattr(record, field.name)) for field in dataclasses.fields(record)}
    if isinstance(record, Mapping):
        return {key: to_plain(value) for key, value in record.items()}
    if isinstance(record, (frozenset, set)):
        return sorted(to_plain(value) for value in record)
    if isinstance(record, (list, tuple)):
        return [to_plain(value) for value in record]
    return record


def plain_value(value: Any, where: str, depth: int = 0) -> Any:
    """``value`` itself when it is plain, bounded JSON data (None, bool, int, float, str, list, str-keyed dict)."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return _int(value, where)
    if isinstance(value, str):
        return _text(value, where)
    if depth >= MAX_DEPTH:
        raise invalid(where, f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, list):
        _count(value, where)
        for index, item in enumerate(value):
            plain_value(item, f"{where}[{index}]", depth + 1)
        return value
    if isinstance(value, dict):
        _count(value, where)
        for key, item in value.items():
            if not isinstance(key, str):
                raise invalid(where, f"has a key of type {type(key).__name__}")
            _text(key, where)
            plain_value(item, f"{where}.{key}", depth + 1)
        return value
    raise invalid(where, f"holds a {type(value).__name__}, not JSON data")


def _record(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise invalid(where, f"expected an object, got {_kind(data)}")
    named, rest = _layout(cls)
    _count(data, where)
    values: dict[str, Any] = {}
    for name, read, required in named:
        if name in data:
            values[name] = read(data[name], f"{where}.{name}")
        elif required:
            raise invalid(where, f"has no {name!r}")
    if rest is not None:
        name, read, _ = rest
        claimed = {field_name for field_name, _, _ in named}
        values[name] = read({key: item for key, item in data.items() if key not in claimed}, where)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a record's own checks (__post_init__)
        raise invalid(where, str(exc)) from None


Reader = Callable[[Any, str], Any]
"""Reads one JSON value at ``where`` as an annotation says, or raises ``invalid``."""
_Field = tuple[str, Reader, bool]
_LAYOUTS: dict[type, tuple[tuple[_Field, ...], _Field | None]] = {}
_READERS: dict[Any, Reader] = {}


def _layout(cls: type) -> tuple[tuple[_Field, ...], _Field | None]:
    """``(name, reader, required)`` of the fields read by name, and of the one taking the remaining keys."""
    if cls not in _LAYOUTS:
        hints = typing.get_type_hints(cls)
        named, rest = [], None
        for field in dataclasses.fields(cls):
            required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            entry = (field.name, _reader(hints[field.name]), required)
            if field.metadata.get("json") == "rest":
                rest = entry
            else:
                named.append(entry)
        _LAYOUTS[cls] = (tuple(named), rest)
    return _LAYOUTS[cls]


def _reader(hint: Any) -> Reader:
    """The reader of an annotation, made once (reports hold thousands of values of a dozen types)."""
    if hint not in _READERS:
        _READERS[hint] = _make_reader(hint)
    return _READERS[hint]


def _make_reader(hint: Any) -> Reader:
    if hint is Any:
        return plain_value
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_reader(args)
    if origin is typing.Literal:
        return partial(_literal, args)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        own = getattr(hint, "from_dict", None)  # a record that reads itself (PolicyReport's schema_version)
        return (lambda value, where: own(value)) if own is not None else partial(_record, hint)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        pairs = typing.get_origin(args[0]) is tuple
        return partial(_sequence, tuple, _reader(args[0]), pairs)
    if origin is tuple:
        return partial(_fixed, tuple(_reader(arg) for arg in args))
    if origin is list or origin is frozenset:
        return partial(_sequence, origin, _reader(args[0] if args else Any), False)
    if origin is dict or origin is Mapping:
        key, item = args or (str, Any)
        return partial(_mapping, _reader(key), _reader(item))
    if hint in _SCALARS:
        return _SCALARS[hint]
    return partial(_unreadable, hint)


def _union_reader(args: tuple[Any, ...]) -> Reader:
    optional = type(None) in args
    *first, last = [_reader(arg) for arg in args if arg is not type(None)]

    def read(value: Any, where: str) -> Any:
        if value is None and optional:
            return None
        for choice in first:
            try:
                return choice(value, where)
            except SourceError:
                continue
        return last(value, where)

    return read


def _literal(choices: tuple[Any, ...], value: Any, where: str) -> Any:
    if value not in choices or isinstance(value, bool) != any(isinstance(c, bool) for c in choices):
        raise invalid(where, f"expected one of {', '.join(map(repr, choices))}, got {_short(value)}")
    return value


def _sequence(kind: type, item: Reader, pairs: bool, value: Any, where: str) -> Any:
    if pairs and isinstance(value, dict):  # (("weight", (64, 101)), ...) written as {"weight": [64, 101]}
        value = [[key, entry] for key, entry in value.items()]
    if not isinstance(value, list):
        raise invalid(where, f"expected a list, got {_kind(value)}")
    _count(value, where)
    return kind(item(entry, f"{where}[{index}]") for index, entry in enumerate(value))


def _fixed(items: tuple[Reader, ...], value: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(value, list) or len(value) != len(items):
        raise invalid(where, f"expected a list of {len(items)} items, got {_short(value)}")
    return tuple(read(entry, f"{where}[{index}]") for index, (read, entry) in enumerate(zip(items, value, strict=True)))


def _mapping(key: Reader, item: Reader, value: Any, where: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise invalid(where, f"expected an object, got {_kind(value)}")
    _count(value, where)
    return {key(name, where): item(entry, f"{where}.{name}") for name, entry in value.items()}


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(where, f"expected a boolean, got {_kind(value)}")
    return value


def _integer(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(where, f"expected an integer, got {_kind(value)}")
    return _int(value, where)


def _float(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise invalid(where, f"expected a number, got {_kind(value)}")
    return float(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise invalid(where, f"expected a string, got {_kind(value)}")
    return _text(value, where)


_SCALARS: dict[Any, Reader] = {bool: _bool, int: _integer, float: _float, str: _string}


def _unreadable(hint: Any, value: Any, where: str) -> Any:
    raise invalid(where, f"has a field of type {hint!r}, which sb3inspect does not read from JSON")


def _int(value: int, where: str) -> int:
    if abs(value) >= 10**MAX_INT_DIGITS:
        raise invalid(where, f"has an integer of more than {MAX_INT_DIGITS} digits")
    return value


def _text(value: str, where: str) -> str:
    if len(value) > MAX_TEXT:
        raise invalid(where, f"has a string of {len(value):,} characters (at most {MAX_TEXT:,})")
    if has_unprintable(value.replace("\n", "").replace("\t", "")):  # notes and keys may hold lines and tabs
        raise invalid(where, "has a control character in a string")
    return value


def _count(value: list[Any] | dict[str, Any], where: str) -> None:
    if len(value) > MAX_ITEMS:
        raise invalid(where, f"has {len(value):,} entries (at most {MAX_ITEMS:,})")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def invalid(where: str, problem: str) -> SourceError:
    """The error for data that is not a report (or not this version's)."""
    return SourceError(where, problem, hint="not a report sb3inspect wrote", code="invalid-report")
