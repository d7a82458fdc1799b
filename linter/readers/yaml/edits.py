"""Text edits on interface files, made at node spans (never through a YAML emitter).

Each function returns an ``Edit`` or None when the text around the node is not the simple
shape the edit assumes (then no fix is offered). The fixer re-parses every edited file with
the reader's ``reparses`` and withdraws an edit whose result is not YAML; the functions here
also re-parse the edited text themselves to confirm the structure they intend.
"""

from __future__ import annotations

from steplint.findings.finding import Edit
from steplint.readers.yaml.interface import InterfaceFile
from steplint.readers.yaml.nodes import Document, Entry, Mapping, Scalar, Sequence, parse


def quoted(file: InterfaceFile, node: Scalar) -> Edit | None:
    """Quote a plain one-line scalar (``no`` -> ``'no'``) so YAML reads it as the string
    written; None when the scalar is not plain, spans lines, or the quoted text would not
    parse as that string."""
    if node.style is not None or node.span.line != node.span.end_line:
        return None
    start, end = file.offsets(node.span)
    if file.text[start:end] != node.text:
        return None
    replacement = "'" + node.text.replace("'", "''") + "'"
    edited = file.text[:start] + replacement + file.text[end:]
    document = parse(edited)
    if not isinstance(document, Document) or _scalar_at(document.root, start, file, edited) != node.text:
        return None
    return Edit(file.path, start, end, replacement)


def _scalar_at(root, offset: int, file: InterfaceFile, edited: str):
    """The string value of the scalar that starts at ``offset`` in ``edited`` (same lines as
    the original up to that point), or None."""
    line = sum(1 for start in file.line_starts if start <= offset)
    col = offset - file.line_starts[line - 1]
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Scalar):
            if (node.span.line, node.span.col) == (line, col):
                return node.value if node.tag.endswith(":str") else None
        elif isinstance(node, Mapping):
            stack.extend(part for entry in node.entries for part in (entry.key, entry.value))
        else:
            stack.extend(getattr(node, "items", ()))
    return None


def removed_entry(file: InterfaceFile, entry: Entry) -> Edit | None:
    """Remove a block-mapping entry whose key and scalar value sit alone on their lines
    (comments after the value go with it); None for any other shape."""
    key, value = entry.key, entry.value
    if not isinstance(key, Scalar) or not isinstance(value, Scalar) or value.style in ("|", ">"):
        return None
    start = file.offset(key.span.line, 0)
    if file.text[start:file.offset(key.span.line, key.span.col)].strip():
        return None  # something else precedes the key on its line (a flow mapping, "- ")
    after = file.offset(value.span.end_line, value.span.end_col)
    line_end = file.line_starts[value.span.end_line] if value.span.end_line < len(file.line_starts) else len(
        file.text)
    rest = file.text[after:line_end].strip()
    if rest and not rest.startswith("#"):
        return None
    edited = file.text[:start] + file.text[line_end:]
    if not isinstance(parse(edited), Document):
        return None
    return Edit(file.path, start, line_end, "")


def removed_item(file: InterfaceFile, sequence, index: int) -> Edit | None:
    """Remove the ``index``-th item (a one-line scalar) of a sequence: in a flow sequence
    (``[a, b, c]``) with the comma that separates it; in a block sequence, its ``- item``
    line (comments after it go with it), never the last item left. None for any other
    shape, or when the edited text does not parse."""
    items = sequence.items
    item = items[index]
    if not isinstance(item, Scalar) or item.span.line != item.span.end_line or item.style in ("|", ">"):
        return None
    start, end = file.offsets(item.span)
    text = file.text
    if sequence.flow:
        if index + 1 < len(items):
            following = file.offset(items[index + 1].span.line, items[index + 1].span.col)
            if text[end:following].strip() != ",":
                return None
            start, end = start, following
        elif index > 0:
            previous = file.offset(items[index - 1].span.end_line, items[index - 1].span.end_col)
            if text[previous:start].strip() != ",":
                return None
            start = previous
    else:
        if len(items) < 2:
            return None
        line_start = file.offset(item.span.line, 0)
        if text[line_start:start].strip() != "-":
            return None
        line_end = file.line_starts[item.span.line] if item.span.line < len(file.line_starts) else len(text)
        rest = text[end:line_end].strip()
        if rest and not rest.startswith("#"):
            return None
        start, end = line_start, line_end
    if not isinstance(parse(text[:start] + text[end:]), Document):
        return None
    return Edit(file.path, start, end, "")


def removed_sequence_item(file: InterfaceFile, span) -> Edit | None:
    """Remove the scalar item at ``span`` from the sequence that holds it (``removed_item``);
    None when no sequence item is there."""
    stack = [file.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend(entry.value for entry in node.entries)
        elif isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                if isinstance(item, Scalar) and item.span == span:
                    return removed_item(file, node, index)
            stack.extend(node.items)
    return None


def replaced_string(file: InterfaceFile, span, value: str) -> Edit | None:
    """Rewrite the one-line string scalar at ``span`` so that it reads ``value``, in the
    scalar's own style: plain stays plain when the new text reads back as that string (else it
    is single-quoted), ``'...'`` doubles its quotes, ``"..."`` escapes ``\\`` and ``"``. None
    for a block scalar (``|`` / ``>``), one spanning lines, or an edited text that does not
    parse with that string at that place."""
    node = _node_at(file.root, span)
    if node is None or node.style in ("|", ">") or span.line != span.end_line:
        return None
    start, end = file.offsets(span)
    candidates = {
        None: (value, _single(value)),
        "'": (_single(value),),
        '"': ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"',),
    }.get(node.style, ())
    for replacement in candidates:
        if "\n" in replacement:
            return None
        edited = file.text[:start] + replacement + file.text[end:]
        document = parse(edited)
        if isinstance(document, Document) and _scalar_at(document.root, start, file, edited) == value:
            return Edit(file.path, start, end, replacement)
    return None


def _single(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _node_at(root, span):
    """The scalar node whose span is ``span`` (values only, not keys), or None."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Scalar):
            if node.span == span:
                return node
        elif isinstance(node, Mapping):
            stack.extend(entry.value for entry in node.entries)
        else:
            stack.extend(getattr(node, "items", ()))
    return None
