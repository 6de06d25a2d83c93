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
from collections.abc import Mapping
from typing import Any

from sb3inspect.errors import SourceError

MAX_DEPTH = 32
"""Nesting of a plain JSON value inside a report (a space, net_arch, a saved model's facts)."""
MAX_ITEMS = 100_000
"""Entries of one list or mapping."""
MAX_TEXT = 65_536
"""Characters of one string (a note, a path)."""
MAX_INT_DIGITS = 40
"""Digits of one integer: a parameter count of 10**39 is already past any machine."""

_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))) - {"\n", "\t"}
"""Characters a terminal may act on (escape sequences); a report's text never needs them."""


def from_plain(cls: type[Any], data: Any, *, where: str = "report") -> Any:
    """An instance of the dataclass ``cls`` from the plain data its ``to_dict`` wrote."""
    return _record(cls, data, where)


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
    fields, rest, hints = _fields(cls)
    _count(data, where)
    values: dict[str, Any] = {}
    for field in fields:
        if field.name in data:
            values[field.name] = _value(hints[field.name], data[field.name], f"{where}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise invalid(where, f"has no {field.name!r}")
    if rest is not None:
        names = {field.name for field in fields}
        others = {key: item for key, item in data.items() if key not in names}
        values[rest.name] = _value(hints[rest.name], others, where)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a record's own checks (__post_init__)
        raise invalid(where, str(exc)) from None


_Fields = tuple[tuple[dataclasses.Field[Any], ...], "dataclasses.Field[Any] | None", dict[str, Any]]
_FIELDS: dict[type, _Fields] = {}


def _fields(cls: type) -> _Fields:
    """The fields read by name, the one taking the remaining keys (if any), and every field's annotation."""
    if cls not in _FIELDS:
        named, rest = [], None
        for field in dataclasses.fields(cls):
            if field.metadata.get("json") == "rest":
                rest = field
            else:
                named.append(field)
        _FIELDS[cls] = (tuple(named), rest, typing.get_type_hints(cls))
    return _FIELDS[cls]


def _value(hint: Any, value: Any, where: str) -> Any:
    """``value`` read as the annotation ``hint`` says."""
    if hint is Any:
        return plain_value(value, where)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _union(args, value, where)
    if origin is typing.Literal:
        if value not in args or isinstance(value, bool) != any(isinstance(a, bool) for a in args):
            raise invalid(where, f"expected one of {', '.join(map(repr, args))}, got {_short(value)}")
        return value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        own = getattr(hint, "from_dict", None)  # a record that reads itself (PolicyReport's schema_version)
        return own(value) if own is not None else _record(hint, value, where)
    if origin is tuple or origin is list:
        return _sequence(origin, args, value, where)
    if origin is dict or origin is Mapping:
        return _mapping(args, value, where)
    if hint in (bool, int, float, str):
        return _scalar(hint, value, where)
    raise invalid(where, f"has a field of type {hint!r}, which sb3inspect does not read from JSON")


def _union(args: tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in args:
        return None
    choices = [arg for arg in args if arg is not type(None)]
    for arg in choices[:-1]:
        try:
            return _value(arg, value, where)
        except SourceError:
            continue
    return _value(choices[-1], value, where)


def _sequence(origin: Any, args: tuple[Any, ...], value: Any, where: str) -> Any:
    pairs = origin is tuple and len(args) == 2 and args[1] is Ellipsis and typing.get_origin(args[0]) is tuple
    if pairs and isinstance(value, dict):  # (("weight", (64, 101)), ...) written as {"weight": [64, 101]}
        value = [[key, item] for key, item in value.items()]
    if not isinstance(value, list):
        raise invalid(where, f"expected a list, got {_kind(value)}")
    _count(value, where)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return tuple(_value(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
    if origin is tuple:
        if len(value) != len(args):
            raise invalid(where, f"expected {len(args)} items, got {len(value)}")
        return tuple(_value(arg, item, f"{where}[{i}]") for i, (arg, item) in enumerate(zip(args, value, strict=True)))
    (item_hint,) = args or (Any,)
    return [_value(item_hint, item, f"{where}[{i}]") for i, item in enumerate(value)]


def _mapping(args: tuple[Any, ...], value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(where, f"expected an object, got {_kind(value)}")
    _count(value, where)
    key_hint, item_hint = args or (str, Any)
    return {_value(key_hint, key, where): _value(item_hint, item, f"{where}.{key}") for key, item in value.items()}


def _scalar(hint: type, value: Any, where: str) -> Any:
    if hint is bool and isinstance(value, bool):
        return value
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return _int(value, where)
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is str and isinstance(value, str):
        return _text(value, where)
    raise invalid(where, f"expected {hint.__name__}, got {_kind(value)}")


def _int(value: int, where: str) -> int:
    if abs(value) >= 10**MAX_INT_DIGITS:
        raise invalid(where, f"has an integer of more than {MAX_INT_DIGITS} digits")
    return value


def _text(value: str, where: str) -> str:
    if len(value) > MAX_TEXT:
        raise invalid(where, f"has a string of {len(value):,} characters (at most {MAX_TEXT:,})")
    if not _CONTROL.isdisjoint(value):
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
