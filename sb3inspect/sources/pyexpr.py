"""Python-expression strings from rl-zoo3 files, read with ``ast`` against an allow-list; never evaluated.

rl-zoo3 ``eval``s ``policy_kwargs: "dict(net_arch=[64, 64], activation_fn=nn.ReLU)"``. Here the
string is parsed, and only these forms are read:

- literals: numbers, strings, ``True`` / ``False`` / ``None``, lists, tuples (read as lists), dicts
  with string keys, and ``dict(key=value, ...)``;
- a sign or ``+ - * /`` between numbers, ``**`` with a small exponent, ``[64] * 2`` (repeats are
  counted through nesting before they are built: an expression stands for at most 100,000 values);
- class references where a class is expected: ``nn.ReLU`` / ``th.nn.ReLU`` / ``torch.nn.ReLU``,
  ``th.optim.Adam``, and the SB3 names ``NatureCNN``, ``FlattenExtractor``, ``CombinedExtractor``,
  ``RMSpropTFLike``. Unlike a config file (``activation_fn: relu`` is fine there), the name must be
  exact: rl-zoo3 evaluates the string, and ``nn.Relu`` is an AttributeError there.

Anything else (a call, a name, an attribute of something else, a comprehension, ...) is a
``ConfigError`` that quotes the expression. Nothing is imported and nothing runs.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sb3inspect import catalog
from sb3inspect.errors import ConfigError, suggestion
from sb3inspect.sources import limits

MAX_EXPRESSION_CHARS = 20_000
MAX_REPEAT = 10_000
"""``[64] * n`` builds at most this many items."""
MAX_VALUES = limits.MAX_VALUES
"""Values an expression may stand for, counted through nesting: ``[[64] * 1000] * 1000`` is a million."""
MAX_EXPONENT = 64
MAX_BASE = 1_000_000
"""``a ** b`` is read for |a| <= MAX_BASE and |b| <= MAX_EXPONENT: no number grows without bound."""

_NUMBER_OPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
HINT = (
    "sb3inspect reads literals, dict(...), nn.<Activation> and SB3 class names in these strings, "
    "and never evaluates them"
)


@dataclass(frozen=True, slots=True)
class ClassRef:
    """A class named in an expression (``nn.ReLU``), kept as its dotted text."""

    name: str


def policy_kwargs_from_text(text: str, where: str) -> dict[str, Any]:
    """A zoo ``policy_kwargs`` string -> plain keywords; class references become their dotted names."""
    value = read_expression(text, where)
    if not isinstance(value, dict):
        raise ConfigError(where, f"expected dict(...) of policy keywords, got {text.strip()[:80]!r}", hint=HINT)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in catalog.CLASS_KWARGS:
            if not isinstance(item, ClassRef):
                raise ConfigError(
                    f"{where}.{key}",
                    f"expected a class such as {catalog.CLASS_KWARGS[key][0]}, got {item!r}",
                    hint="rl-zoo3 evaluates this string: a quoted name would be a str, not a class",
                )
            _exact_name(item, key, f"{where}.{key}")
            out[key] = item.name
        else:
            out[key] = _no_class_refs(item, f"{where}.{key}")
    return out


def read_expression(text: str, where: str) -> Any:
    """The value of a literal-like Python expression, read from its syntax tree."""
    if not isinstance(text, str):
        raise ConfigError(where, f"expected a Python expression string, got {type(text).__name__}")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ConfigError(
            where, f"expression of {len(text):,} characters is longer than sb3inspect reads ({MAX_EXPRESSION_CHARS:,})"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConfigError(where, f"not a Python expression: {exc.msg} in {text.strip()[:80]!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ConfigError(where, "cannot parse this expression (nested too deeply or not text)") from None
    try:
        value = _Reader(text.strip(), where).read(tree.body)
    except RecursionError:
        raise ConfigError(where, "expression nested too deeply") from None
    limits.check_size(value, where)
    return value


class _Reader:
    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where

    def fail(self, node: ast.AST, problem: str, hint: str = HINT) -> ConfigError:
        segment = ast.get_source_segment(self.source, node) or ast.dump(node)[:80]
        if len(segment) > 80:
            segment = segment[:77] + "..."
        return ConfigError(self.where, f"{problem}: {segment!r}", hint=hint)

    def read(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (bool, int, float, str)) or node.value is None:
                return node.value
            raise self.fail(node, "not a plain literal")
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.read(item) for item in node.elts if not self._starred(item)]
        if isinstance(node, ast.Dict):
            return self._dict_literal(node)
        if isinstance(node, ast.Call):
            return self._dict_call(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self._number(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self._class_ref(node)
        raise self.fail(node, "not allowed in a policy_kwargs string")

    def _starred(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Starred):
            raise self.fail(node, "unpacking is not read")
        return False

    def _dict_literal(self, node: ast.Dict) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise self.fail(value, "unpacking (**) is not read")
            name = self.read(key)
            if not isinstance(name, str):
                raise self.fail(key, "dict keys must be strings")
            out[name] = self.read(value)
        return out

    def _dict_call(self, node: ast.Call) -> dict[str, Any]:
        if not (isinstance(node.func, ast.Name) and node.func.id == "dict"):
            if not node.args and not node.keywords and isinstance(node.func, (ast.Name, ast.Attribute)):
                written = ast.get_source_segment(self.source, node.func)  # nn.ReLU() where SB3 takes nn.ReLU
                raise self.fail(
                    node,
                    "an instance, where SB3 takes the class (it creates the instances itself)",
                    hint=f"write {written}, without the parentheses",
                )
            raise self.fail(node, "calls other than dict(...) are not allowed")
        if node.args:
            raise self.fail(node, "dict(...) is read with keyword arguments only")
        out: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail(keyword.value, "unpacking (**) is not read")
            out[keyword.arg] = self.read(keyword.value)
        return out

    def _number(self, node: ast.AST) -> int | float:
        value = self.read(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(node, "arithmetic is read on numbers only")
        return value

    def _binop(self, node: ast.BinOp) -> Any:
        if isinstance(node.op, ast.Mult) and isinstance(node.left, (ast.List, ast.Tuple)):
            items, times = self.read(node.left), self._number(node.right)
            if not isinstance(times, int) or times < 0 or len(items) * times > MAX_REPEAT:
                raise self.fail(node, f"a list can be repeated a whole number of times, up to {MAX_REPEAT:,} items")
            if count_values(items) * times > MAX_VALUES:  # counted before the repeat: nesting multiplies
                raise self.fail(node, f"this repeat stands for more than {MAX_VALUES:,} values")
            return items * times
        left, right = self._number(node.left), self._number(node.right)
        try:
            if isinstance(node.op, ast.Pow):
                if abs(right) > MAX_EXPONENT or abs(left) > MAX_BASE:
                    raise self.fail(
                        node, f"powers are read with an exponent up to {MAX_EXPONENT} and a base up to {MAX_BASE:,}"
                    )
                result = left**right
            elif type(node.op) in _NUMBER_OPS:
                result = _NUMBER_OPS[type(node.op)](left, right)
            else:
                raise self.fail(node, "only + - * / ** are read")
        except (ZeroDivisionError, OverflowError):
            raise self.fail(node, "arithmetic that fails") from None
        if isinstance(result, complex) or (isinstance(result, float) and not math.isfinite(result)):
            raise self.fail(node, "arithmetic that gives no finite number")
        if isinstance(result, int) and abs(result) > limits.MAX_INTEGER:
            raise self.fail(node, f"arithmetic that gives {limits.number_problem(result)}")
        return result

    def _class_ref(self, node: ast.Name | ast.Attribute) -> ClassRef:
        parts: list[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name):
            raise self.fail(node, "not allowed in a policy_kwargs string")
        parts.append(current.id)
        dotted = ".".join(reversed(parts))
        if len(parts) == 1 and dotted in catalog.ZOO_BARE_CLASSES:
            return ClassRef(dotted)
        if len(parts) > 1 and parts[-1] in catalog.ZOO_CLASS_ROOTS and not any(p.startswith("_") for p in parts):
            return ClassRef(dotted)
        raise self.fail(node, "unknown name")


def _exact_name(ref: ClassRef, key: str, where: str) -> None:
    """rl-zoo3 evaluates the string: ``nn.Relu`` is an AttributeError there, however lenient a config file is."""
    owner, _, attr = ref.name.rpartition(".")
    choices = catalog.CLASS_KWARGS[key]
    if attr in choices:
        return
    hint = suggestion(attr, choices)
    if hint is not None:  # a near miss; a name that is nothing like a choice gets the config's error
        problem = f"{owner} has no attribute {attr!r}" if owner else f"name {attr!r} is not defined"
        raise ConfigError(where, f"{ref.name}: {problem}, so rl-zoo3 would fail on this", hint=hint)


def count_values(value: Any) -> int:
    """Values inside a list or dict as a walk would meet them, each repeat counted (shared lists counted once each)."""
    memo: dict[int, int] = {}

    def count(item: Any) -> int:
        if not isinstance(item, (list, dict)):
            return 1
        if id(item) not in memo:
            members = item.values() if isinstance(item, dict) else item
            memo[id(item)] = 1 + sum(count(member) for member in members)
        return memo[id(item)]

    return count(value) - 1


def _no_class_refs(value: Any, where: str) -> Any:
    if isinstance(value, ClassRef):
        raise ConfigError(
            where,
            f"{value.name} is a class; only {', '.join(catalog.CLASS_KWARGS)} take one here",
            hint="sb3inspect cannot build custom classes from a file",
        )
    if isinstance(value, list):
        return [_no_class_refs(item, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {key: _no_class_refs(item, f"{where}.{key}") for key, item in value.items()}
    return value
