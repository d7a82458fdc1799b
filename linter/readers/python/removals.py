"""Removing a step-model item from the Python file that declares it, by its ``Origin``.

Only items written in place are removed: a dependency or output in the spec's own
``dependencies=[...]`` / ``outputs=[...]`` list, an alias in the ``OutputSpec(...)``'s own
``aliases=[...]``, an entry of a contract's own dict field (``expected_input_paths={...}``).
An item of a module constant that other calls may share is never removed (no edit).
"""

from __future__ import annotations

from steplint.model.values import Mapping, Seq
from steplint.readers.python.project import CONTRACT_FIELDS, ProjectModel

DICT_FIELDS = tuple(field for field in CONTRACT_FIELDS if field.startswith(("expected_", "optional_")))


def removal(model: ProjectModel, remove_element, origin):
    """The edit removing the item declared at ``origin`` (an ``Origin`` the Python reader gave a
    step-model item), made by ``remove_element(path, container span, node types, index)``
    (``RuleContext.remove_element``); None when no item written in place is declared there."""
    for spec in model.specs:
        if spec.path != origin.path:
            continue
        for elements in (spec.dependencies, spec.outputs):
            for element in elements if isinstance(elements, tuple) else ():
                if element.span == origin.span and element.list_span is not None:
                    return remove_element(spec.path, element.list_span, ("List", "Tuple"), element.index)
        for output in spec.outputs if isinstance(spec.outputs, tuple) else ():
            aliases = output.aliases
            if isinstance(aliases, Seq) and output.call.kwarg("aliases") is aliases and origin.span in aliases.item_spans:
                return remove_element(spec.path, aliases.span, ("List", "Tuple"), aliases.item_spans.index(origin.span))
    for contract in model.contracts:
        if contract.path != origin.path:
            continue
        for field in DICT_FIELDS:
            written = contract.call.kwarg(field)
            if not isinstance(written, Mapping):
                continue
            for index, entry in enumerate(written.entries):
                if entry.key_span == origin.span:
                    return remove_element(contract.path, written.span, ("Dict", "Call"), index)
    return None
