"""YAML text to located nodes, bounded, with nothing constructed but plain scalars.

In: the text of one file. Out: a ``Document`` (the root node and every duplicate key) or a
``YamlProblem`` (why the text is not YAML, or too large/deep to analyse, with its position).

Parsing goes through PyYAML's event API (``yaml.parse``; the libyaml-based ``CSafeLoader``
when PyYAML was built with it, else ``SafeLoader``), the same parser and YAML 1.1 tag
resolution the project's own loader (``yaml.safe_load``) uses, so values resolve the same
way: ``no`` and ``on`` are booleans, unquoted ``0`` is an int, a duplicate key keeps the last
value. Nodes are composed here from the events with an explicit stack (no recursion, so no
depth the parser survives can crash steplint), aliases are shared node objects (an alias to
an enclosing node is refused), and only scalars are ever constructed, by
``yaml.SafeConstructor`` for the standard scalar tags; any other tag makes the file a
problem, as ``safe_load`` refuses it too. Nothing in a YAML file is executed.

Spans are steplint's convention (``steplint.model.values.Span``): 1-based lines, 0-based
columns, taken from the parser's marks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from steplint.model.values import Span

MAX_BYTES = 256 * 1024  # real interface files are a few kilobytes (cursus: 0.5-10 KiB)
MAX_DEPTH = 100  # real interface files nest 5 levels deep
MAX_NODES = 200_000  # nodes after expanding aliases (a "billion laughs" file stops here)
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
# the scalar tags yaml.SafeConstructor constructs (the YAML 1.1 resolver also gives ``=`` the
# tag ``value``, which safe_load refuses: "could not determine a constructor")
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "null", "bool", "int", "float", "str", "binary", "timestamp"))


@functools.cache
def pyyaml() -> tuple:
    """``(yaml, loader class, resolver)``: PyYAML, imported when the first YAML file is read (a
    run without one does not pay for the import); the loader is libyaml's ``CSafeLoader`` when
    PyYAML has it, else ``SafeLoader``."""
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader, yaml.resolver.Resolver()


@dataclass(frozen=True)
class Scalar:
    """A scalar: ``value`` as ``safe_load`` constructs it (str, int, float, bool, None,
    datetime, bytes), its resolved ``tag``, the ``text`` written, and ``style`` (None plain,
    ``'`` / ``"`` quoted, ``|`` / ``>`` block)."""

    value: object
    tag: str
    text: str
    style: str | None
    span: Span


@dataclass(frozen=True)
class Entry:
    """One ``key: value`` pair of a mapping; ``key`` is a node (almost always a Scalar)."""

    key: object
    value: object

    @property
    def name(self) -> object:
        """The key's constructed value (None for a non-scalar key)."""
        return self.key.value if isinstance(self.key, Scalar) else None

    @property
    def span(self) -> Span:
        """From the key's start to the value's end."""
        return Span(self.key.span.line, self.key.span.col, self.value.span.end_line, self.value.span.end_col)


@dataclass(frozen=True)
class Mapping:
    """A mapping, every entry in source order (duplicates included); ``get`` gives the last
    entry of a key, as ``safe_load`` keeps the last value."""

    entries: tuple
    span: Span
    flow: bool = False

    def entry(self, key) -> Entry | None:
        """The last entry whose scalar key is ``key`` (the one ``safe_load`` keeps), or None."""
        found = None
        for entry in self.entries:
            if entry.name == key and isinstance(entry.key, Scalar):
                found = entry
        return found

    def get(self, key, default=None):
        """The value node of ``entry(key)``, or ``default``."""
        entry = self.entry(key)
        return default if entry is None else entry.value

    def effective(self) -> list:
        """The entries ``safe_load`` keeps: the last of each key, at the first one's place."""
        last: dict = {}
        order = []
        for entry in self.entries:
            key = _hashable(entry.name)
            if key not in last:
                order.append(key)
            last[key] = entry
        return [last[key] for key in order]


@dataclass(frozen=True)
class Sequence:
    """A sequence of nodes."""

    items: tuple
    span: Span
    flow: bool = False


@dataclass(frozen=True)
class Document:
    """A parsed file: its root node (None for an empty file) and every key written twice in
    one mapping, as ``(first, later)`` entry pairs (``safe_load`` keeps the later value)."""

    root: object
    duplicates: tuple
    size: int = 0  # nodes with aliases expanded


@dataclass(frozen=True)
class YamlProblem:
    """Why a text is not analysed: ``kind`` is ``syntax`` (not YAML that ``safe_load``
    accepts) or ``limit`` (too large, deep or self-referencing to analyse)."""

    kind: str
    message: str
    span: Span


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return ("unhashable", id(value))
    # 1 == True and 0 == False in Python, but not as YAML keys of different tags
    return (type(value).__name__, value)


def _span(start, end) -> Span:
    return Span(start.line + 1, start.column, end.line + 1, end.column)


def _point(mark) -> Span:
    if mark is None:
        return Span(1, 0, 1, 0)
    return Span(mark.line + 1, mark.column, mark.line + 1, mark.column)


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _scalar(event, constructor) -> Scalar:
    yaml, _, resolver = pyyaml()
    tag = event.tag
    if tag is None or tag == "!":
        tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit) if tag is None else STR_TAG
    if tag == MERGE_TAG:
        return Scalar("<<", tag, event.value, event.style or None, _span(event.start_mark, event.end_mark))
    if tag not in _SCALAR_TAGS:
        raise _Refused("syntax", f"tag {tag} is not one yaml.safe_load constructs", _span(event.start_mark,
                                                                                           event.end_mark))
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        value = constructor.yaml_constructors[tag](constructor, node) if tag != STR_TAG else event.value
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        raise _Refused("syntax", f"value {event.value!r} is not a valid {tag.rsplit(':', 1)[-1]}: "
                       f"{_one_line(error)}", _span(event.start_mark, event.end_mark)) from None
    return Scalar(value, tag, event.value, event.style or None, _span(event.start_mark, event.end_mark))


class _Refused(Exception):
    def __init__(self, kind: str, message: str, span: Span) -> None:
        super().__init__(message)
        self.kind, self.message, self.span = kind, message, span


class _Open:
    """A collection being composed: its start event, children so far and expanded size."""

    __slots__ = ("event", "children", "size", "anchor")

    def __init__(self, event) -> None:
        self.event = event
        self.children: list = []
        self.size = 1
        self.anchor = event.anchor


def parse(text: str) -> Document | YamlProblem:
    """The first document of ``text`` as nodes, or why it cannot be read. Never raises for
    any input text (``safe_load`` reads only one document; a second one is a problem, as
    ``safe_load`` raises for it)."""
    if len(text) > MAX_BYTES:
        return YamlProblem("limit", f"the file is {len(text):,} characters long; steplint reads interface files "
                           f"of up to {MAX_BYTES:,}", Span(1, 0, 1, 0))
    yaml = pyyaml()[0]
    try:
        return _compose(text)
    except _Refused as refused:
        return YamlProblem(refused.kind, refused.message, refused.span)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = " ".join(part for part in (error.context, error.problem) if part)
        return YamlProblem("syntax", _one_line(what or "invalid YAML"), _point(mark))
    except yaml.YAMLError as error:
        return YamlProblem("syntax", _one_line(error) or "invalid YAML", Span(1, 0, 1, 0))
    except (RecursionError, MemoryError):
        return YamlProblem("limit", "the file is nested too deeply for the YAML parser", Span(1, 0, 1, 0))


def _compose(text: str) -> Document:
    anchors: dict = {}
    duplicates: list = []
    stack: list = []
    root = None
    root_size = 0
    documents = 0
    sizes: dict = {}
    open_anchors: set = set()
    yaml, loader, _ = pyyaml()
    constructor = yaml.constructor.SafeConstructor()
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _Refused("syntax", "a second document in the file: yaml.safe_load expects a single "
                               "document", _point(event.start_mark))
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise _Refused("limit", f"the file nests more than {MAX_DEPTH} levels deep; steplint does not "
                               "analyse it", _point(event.start_mark))
            if event.tag not in (None, "!") and event.tag not in (
                    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"):
                raise _Refused("syntax", f"tag {event.tag} is not one yaml.safe_load constructs",
                               _point(event.start_mark))
            opened = _Open(event)
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            stack.append(opened)
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            opened = stack.pop()
            start = opened.event
            span = _span(start.start_mark, event.end_mark)
            flow = bool(start.flow_style)
            if isinstance(event, yaml.MappingEndEvent):
                node = _mapping(opened.children, span, flow, duplicates)
            else:
                node = Sequence(tuple(opened.children), span, flow)
            if opened.anchor is not None:
                anchors[opened.anchor] = node
                open_anchors.discard(opened.anchor)
            sizes[id(node)] = opened.size
            size = opened.size
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _Refused("limit", f"alias *{event.anchor} refers to a node that contains it (a recursive "
                               "structure); steplint does not analyse it", _point(event.start_mark))
            if event.anchor not in anchors:
                raise _Refused("syntax", f"found undefined alias *{event.anchor}", _point(event.start_mark))
            node = anchors[event.anchor]
            size = sizes.get(id(node), 1)
        elif isinstance(event, yaml.ScalarEvent):
            node = _scalar(event, constructor)
            if event.anchor is not None:
                anchors[event.anchor] = node
            size = 1
        else:  # pragma: no cover - PyYAML has no other event types
            continue
        if stack:
            stack[-1].children.append(node)
            stack[-1].size += size
            if stack[-1].size > MAX_NODES:
                raise _Refused("limit", f"the file expands to more than {MAX_NODES:,} nodes (aliases included); "
                               "steplint does not analyse it", _point(stack[-1].event.start_mark))
        else:
            root, root_size = node, size
            if size > MAX_NODES:
                raise _Refused("limit", f"the file expands to more than {MAX_NODES:,} nodes (aliases included); "
                               "steplint does not analyse it", Span(1, 0, 1, 0))
    return Document(root, tuple(duplicates), root_size)


def _mapping(children: list, span: Span, flow: bool, duplicates: list) -> Mapping:
    """A mapping from its alternating keys and values, with merge keys (``<<``) expanded as
    ``safe_load`` does (explicit keys win over merged ones) and duplicate keys recorded."""
    pairs = [Entry(children[index], children[index + 1]) for index in range(0, len(children) - 1, 2)]
    explicit = []
    merged = []
    for entry in pairs:
        if isinstance(entry.key, Scalar) and entry.key.tag == MERGE_TAG:
            sources = entry.value.items if isinstance(entry.value, Sequence) else (entry.value,)
            for source in sources:
                if not isinstance(source, Mapping):
                    raise _Refused("syntax", "a merge key (<<) must name a mapping or a list of mappings",
                                   entry.value.span)
                merged.extend(source.effective())
            continue
        explicit.append(entry)
    for entry in explicit:
        if isinstance(entry.key, (Mapping, Sequence)):
            raise _Refused("syntax", "a mapping or sequence used as a key: yaml.safe_load cannot construct it",
                           entry.key.span)
    seen: dict = {}
    for entry in explicit:
        key = _hashable(entry.name)
        if key in seen:
            duplicates.append((seen[key], entry))
        seen[key] = entry
    names = set(seen)
    inherited = [entry for entry in merged if _hashable(entry.name) not in names]
    return Mapping(tuple(inherited + explicit), span, flow)
