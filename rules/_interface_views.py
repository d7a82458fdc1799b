"""What the SL6xx rules share to walk YAML step interfaces: the YAML reader's files, every view
(the base and each job-type variant after the merge, ``steplint.readers.yaml.interface``), and
the grouping of findings that rules running on every view report once per node."""

from __future__ import annotations

from steplint.readers.yaml.interface import View, views

READER = "yaml"


def interface_files(context) -> dict:
    """The YAML reader's facts: display path -> ``InterfaceFile``."""
    return context.reader_facts(READER)


def interface_views(context):
    """Every view of every interface file, files in path order."""
    files = interface_files(context)
    for path in sorted(files):
        yield from views(files[path])


class ByNode:
    """Findings of rules that run on every view, gathered per node so that a node every
    variant inherits is reported once, saying which variants it concerns."""

    def __init__(self) -> None:
        self._found: dict = {}

    def add(self, view: View, node, details: tuple) -> None:
        """Record a finding at ``node`` of ``view``; ``details[0]`` tells problems at one node apart."""
        key = (view.file.path, node.span, repr(details[:1]))
        entry = self._found.setdefault(key, [view, node, details, []])
        entry[3].append(view.variant)

    def items(self):
        """``(view, node, details, variants note)`` per node and problem, in the order added."""
        for view, node, details, variants in self._found.values():
            yield view, node, details, variants_note(variants)


def variants_note(variants: list) -> str:
    """'' when the base interface is concerned, else which job-type variants are."""
    if None in variants:
        return ""
    named = ", ".join(f"'{name}'" for name in variants)
    return f" (in variant{'s' if len(variants) > 1 else ''} {named})"
