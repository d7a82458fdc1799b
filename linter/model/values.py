"""Static values: what the evaluator can say about an expression without running it.

Plain Python ``str``/``int``/``float``/``bool``/``None`` stand for themselves. Everything
else is one of the frozen dataclasses below. ``Unknown`` is explicit: it carries why and
where evaluation stopped, and rules treat it as "cannot tell".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Span:
    """A source range: 1-based lines, 0-based columns (LibCST's convention)."""

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the static evaluator could not determine.

    ``self_attribute`` is set for ``self.<name>`` inside a method (``self`` is not a module
    name, so the evaluator cannot know it): a reader that knows the class may follow it
    to the method ``<name>``; ``unbound_name`` is set for a name that is not a module name
    (a local variable, a parameter), which a reader that knows the function's local
    assignments may follow. Everyone else treats it as any Unknown."""

    reason: str
    span: Span | None = None
    self_attribute: str | None = None
    unbound_name: str | None = None


@dataclass(frozen=True, slots=True)
class Ref:
    """A module-level name, ``module.name``; resolved later by the project model."""

    module: str
    name: str


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """An imported module (``import a.b as c``)."""

    module: str


@dataclass(frozen=True, slots=True)
class EnumMember:
    """``Enum.MEMBER`` for one of the enums steplint knows (``DependencyType``, ``NodeType``)."""

    enum: str
    member: str


@dataclass(frozen=True, slots=True)
class Seq:
    """A list, tuple or set display, with the span of each element."""

    kind: str
    items: tuple
    item_spans: tuple
    span: Span


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``key: value`` pair of a dict display."""

    key: object
    value: object
    key_span: Span
    span: Span


@dataclass(frozen=True, slots=True)
class Mapping:
    """A dict display."""

    entries: tuple
    span: Span

    def get(self, key: str, default=None):
        for entry in self.entries:
            if entry.key == key:
                return entry.value
        return default

    def entry(self, key: str) -> Entry | None:
        for entry in self.entries:
            if entry.key == key:
                return entry
        return None


@dataclass(frozen=True, slots=True)
class Concat:
    """String concatenation or f-string whose parts are resolved by the project model."""

    parts: tuple
    span: Span


@dataclass(frozen=True, slots=True)
class CallValue:
    """A call ``func(*args, **kwargs)`` with its arguments evaluated."""

    func: object
    args: tuple
    kwargs: tuple
    kw_spans: tuple
    span: Span
    has_star_args: bool = False

    def kwarg(self, name: str, default=None):
        for key, value in self.kwargs:
            if key == name:
                return value
        return default

    def kwarg_span(self, name: str) -> Span | None:
        for (key, _), span in zip(self.kwargs, self.kw_spans):
            if key == name:
                return span
        return None

    def has_kwarg(self, name: str) -> bool:
        return any(key == name for key, _ in self.kwargs)


@dataclass(frozen=True, slots=True)
class LogicalName:
    """A variable that holds the logical name of one element of the spec's ``collection``
    (``dependencies``): a builder's loop variable over ``self.spec.dependencies``."""

    collection: str


@dataclass(frozen=True, slots=True)
class ContractDerived:
    """What a builder method returns when it builds a collection from its contract's own
    declarations: a dict (``kind="mapping"``) keyed by, or a container argument list
    (``kind="options"``) with one ``--name`` option per, each name the contract declares in
    ``fields`` (``required_env_vars``, ``optional_env_vars``, ``expected_arguments``), plus the
    literal ``keys``."""

    kind: str
    fields: tuple
    keys: tuple


Value = Union[str, int, float, bool, None, Unknown, Ref, ModuleRef, EnumMember, Seq, Mapping, Concat, CallValue]


def final_name(value: object) -> str | None:
    """The last dotted component a callee or reference is known by (``a.b.C`` -> ``C``)."""
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, ModuleRef):
        return value.module.rsplit(".", 1)[-1]
    return None


def qualified_name(value: object) -> str | None:
    """``module.name`` for a reference, or None."""
    if isinstance(value, Ref):
        return f"{value.module}.{value.name}" if value.module else value.name
    return None


EMPTY_SPAN = Span(1, 0, 1, 0)
__all__ = [
    "Span", "Unknown", "Ref", "ModuleRef", "EnumMember", "Seq", "Entry", "Mapping", "Concat",
    "CallValue", "ContractDerived", "LogicalName", "Value", "final_name", "qualified_name", "EMPTY_SPAN",
]
