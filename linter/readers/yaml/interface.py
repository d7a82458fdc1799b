"""One ``*.step.yaml`` file as facts, and its base interface and job-type variants.

In: a ``SourceFile`` whose text is a step interface. Out: ``InterfaceFile`` (the located
node tree of ``nodes``, its duplicate keys, and the offsets of its lines for text edits),
and ``views(file)``: the base interface and one per variant, each a merged node tree
whose every value is the node it came from (the base's or the variant's).

The merge is the project's own (cursus ``src/cursus/core/base/step_interface.py``,
``StepInterface.from_yaml`` and ``_deep_merge``): for a job type that names a variant, the
variant's ``spec``, ``contract`` and ``patterns`` (each only when truthy) are deep-merged
over the base sections, mappings key by key, any other value (lists, scalars, null)
replacing the base's; every other key under a variant (``step_type``, ``registry``, ...) is
ignored by that loader.
"""

from __future__ import annotations

from dataclasses import dataclass

from steplint.model.values import Span
from steplint.readers.yaml.nodes import Document, Entry, Mapping, Scalar, YamlProblem, parse

MERGED_SECTIONS = ("spec", "contract", "patterns")
# Nodes times views (the base and every variant) that a file may cost: each view merges and
# is read by the steps and several rules. Real files: about 1,000 nodes and up to 8 views.
MAX_VIEW_WORK = 200_000
# YAML line breaks (PyYAML's Reader and libyaml alike): the parser's line numbers count these.
_BREAKS = "\n\r\x85\u2028\u2029"


@dataclass(frozen=True)
class InterfaceFile:
    """A parsed interface file: display ``path``, ``root`` mapping, ``duplicates`` (pairs of
    ``nodes.Entry``), ``line_starts`` (offset of each line's first character, for turning
    spans into text offsets) and the ``text`` read (for fixes that check the text around a
    node)."""

    path: str
    root: Mapping
    duplicates: tuple
    line_starts: tuple
    text: str = ""

    def offset(self, line: int, col: int) -> int:
        """The text offset of a 1-based line and 0-based column."""
        return self.line_starts[min(line, len(self.line_starts)) - 1] + col

    def offsets(self, span: Span) -> tuple:
        """``(start, end)`` text offsets of a span."""
        return self.offset(span.line, span.col), self.offset(span.end_line, span.end_col)


@dataclass(frozen=True)
class View:
    """The base interface (``variant`` None) or one job-type variant after the merge:
    ``root`` is the merged top-level mapping; ``variant_entry`` the variant's entry under
    ``variants``."""

    file: InterfaceFile
    variant: str | None
    root: Mapping
    variant_entry: Entry | None = None

    def section(self, *keys):
        """The node at ``keys`` below the merged root, or None when any level is missing or
        not a mapping."""
        node = self.root
        for key in keys:
            if not isinstance(node, Mapping):
                return None
            node = node.get(key)
        return node


def line_starts(text: str) -> tuple:
    """Offsets of the first character of every line, counting line breaks as YAML does
    (``\\r\\n`` is one break)."""
    starts = [0]
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in _BREAKS:
            if char == "\r" and index + 1 < length and text[index + 1] == "\n":
                index += 1
            starts.append(index + 1)
        index += 1
    return tuple(starts)


def read_interface(path: str, text: str) -> InterfaceFile | YamlProblem:
    """The file's facts, or why it cannot be read (not YAML, too large or deep, or a
    document that is not a mapping)."""
    parsed = parse(text)
    if isinstance(parsed, YamlProblem):
        return parsed
    assert isinstance(parsed, Document)
    if not isinstance(parsed.root, Mapping):
        span = parsed.root.span if parsed.root is not None else Span(1, 0, 1, 0)
        return YamlProblem("syntax", "the file is not a mapping of sections (step_type, contract, spec, ...): the "
                           "loader cannot build a step interface from it", span)
    variants = parsed.root.get("variants")
    count = len(variants.entries) if isinstance(variants, Mapping) else 0
    if parsed.size * (1 + count) > MAX_VIEW_WORK:
        return YamlProblem("limit", f"the file has {parsed.size:,} nodes and {count:,} variants; steplint analyses "
                           f"up to {MAX_VIEW_WORK:,} nodes times views (the base and each variant)",
                           variants.span if count else Span(1, 0, 1, 0))
    return InterfaceFile(path, parsed.root, parsed.duplicates, line_starts(text), text)


def merge(base, override):
    """``override`` deep-merged over ``base`` (cursus ``_deep_merge``): mappings key by key
    (an entry of the override replaces the base's entry, keeping the override's nodes),
    anything else replaced."""
    if not (isinstance(base, Mapping) and isinstance(override, Mapping)):
        return override
    merged: dict = {}
    for entry in base.effective():
        merged[_key(entry)] = entry
    for entry in override.effective():
        key = _key(entry)
        earlier = merged.get(key)
        if earlier is not None and isinstance(earlier.value, Mapping) and isinstance(entry.value, Mapping):
            merged[key] = Entry(entry.key, merge(earlier.value, entry.value))
        else:
            merged[key] = entry
    return Mapping(tuple(merged.values()), base.span, base.flow)


def _key(entry: Entry):
    name = entry.name
    return (type(name).__name__, name) if isinstance(entry.key, Scalar) else ("node", id(entry.key))


def _truthy(node) -> bool:
    """Whether ``safe_load``'s value of ``node`` is truthy (``if variant.get("spec"):``)."""
    if isinstance(node, Scalar):
        return bool(node.value)
    if isinstance(node, Mapping):
        return bool(node.entries)
    return bool(getattr(node, "items", ()))


def variant_entries(file: InterfaceFile) -> list:
    """The entries under ``variants`` (job type -> overrides), the last of each key."""
    variants = file.root.get("variants")
    return variants.effective() if isinstance(variants, Mapping) else []


def views(file: InterfaceFile) -> list:
    """The base interface, then one ``View`` per variant that overrides a merged section
    with a mapping (a variant that changes nothing the loader reads is the base again).
    Computed once per file (the steps and several rules ask)."""
    cached = file.__dict__.get("_views")
    if cached is None:
        cached = tuple(_views(file))
        object.__setattr__(file, "_views", cached)
    return list(cached)


def _views(file: InterfaceFile) -> list:
    found = [View(file, None, file.root)]
    for entry in variant_entries(file):
        if not isinstance(entry.name, str) or not isinstance(entry.value, Mapping):
            continue
        root = file.root
        changed = False
        for section in MERGED_SECTIONS:
            override = entry.value.get(section)
            if not _truthy(override) or not isinstance(override, Mapping):
                continue
            base = root.get(section)
            merged = merge(base if isinstance(base, Mapping) else Mapping((), override.span), override)
            root = _replaced(root, section, merged, entry.value.entry(section))
            changed = True
        if changed:
            found.append(View(file, entry.name, root, entry))
    return found


def _replaced(root: Mapping, section: str, value, source: Entry) -> Mapping:
    """``root`` with its ``section`` entry's value replaced (added when absent)."""
    entries = []
    done = False
    for entry in root.effective():
        if entry.name == section and isinstance(entry.key, Scalar):
            entries.append(Entry(entry.key, value))
            done = True
        else:
            entries.append(entry)
    if not done:
        entries.append(Entry(source.key, value))
    return Mapping(tuple(entries), root.span, root.flow)
