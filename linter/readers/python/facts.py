"""Facts extracted from one module: plain, picklable dataclasses with source spans.

Extraction is pure (same source and module name give the same facts), so facts are what
the cache stores and what worker processes send back. Nothing here holds a CST node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steplint.model.values import CallValue, Span


@dataclass(frozen=True, slots=True)
class Binding:
    """A module-level name and the value statically bound to it."""

    name: str
    value: object
    span: Span


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """A module-level function; ``returns`` is set when its body is a simple ``return``."""

    name: str
    params: tuple
    returns: object
    span: Span


@dataclass(frozen=True, slots=True)
class Channel:
    """A training channel a builder constructs: a dict key (or subscript) whose value is a
    ``TrainingInput``; ``name`` is the evaluated key (a str, or Unknown)."""

    name: object
    span: Span


@dataclass(frozen=True, slots=True)
class MethodFact:
    """A method of a class: every call it makes, with evaluated arguments."""

    name: str
    params: tuple
    span: Span
    calls: tuple = ()
    super_init: CallValue | None = None
    channels: tuple = ()
    builder: object = None  # steplint.readers.python.builder_facts.BuilderMethodFacts for _get_inputs/_get_outputs
    returns: object = None  # the value of a body that is (a docstring and) one ``return``, else None
    local_values: tuple = ()  # __init__ only: (name, value) per local assignment; both arms of an if-expression


@dataclass(frozen=True, slots=True)
class ClassFact:
    """A module-level class with its (evaluated) bases and methods."""

    name: str
    bases: tuple
    span: Span
    methods: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Access:
    """A read in a script: an env var, a container path, or a contract key.

    ``how`` says whether the read can fail: ``subscript`` (``mapping["k"]``, KeyError when
    absent), ``get`` (``mapping.get("k")``, ``getenv("k")``: a default when absent),
    ``fallback`` (a ``.get`` whose result is only the default of another lookup on the same
    mapping: read only when that one's key is absent), ``guarded`` (a subscript inside
    ``if "k" in mapping:``, made only when the key is present) or ``test`` (``"k" in
    os.environ``).
    """

    kind: str
    key: str
    span: Span
    how: str = "subscript"
    unless: tuple = ()  # groups of (kind, key): the read is never made when every key of one group is present


@dataclass(frozen=True, slots=True)
class PassedPaths:
    """The ``input_paths`` / ``output_paths`` / ``environ_vars`` mapping a script's own ``if
    __name__ == "__main__":`` block builds and hands to the code that reads it
    (``main(input_paths, output_paths, environ_vars, job_args)``).

    ``kind`` is ``input_key``, ``output_key`` or ``environ_key``. One entry of ``keys`` per value the mapping
    may be bound to (an assignment, a dict passed in a call): the literal keys of that dict;
    the same index of ``complete`` is False when that value may hold other keys (a key that
    is not a literal, ``**other``, a value that is not a dict literal, a later change).
    """

    kind: str
    keys: tuple
    complete: tuple
    span: Span


@dataclass(frozen=True, slots=True)
class ArgumentFact:
    """One ``add_argument`` call: its option strings (empty when not all are literals),
    ``dest`` as argparse derives it, and whether it is required."""

    flags: tuple
    dest: str | None
    required: bool | None
    span: Span


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything steplint needs from one module."""

    path: str
    module: str
    is_package: bool
    bindings: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    imports: dict = field(default_factory=dict)
    star_imports: tuple = ()
    accesses: tuple = ()
    arguments: tuple = ()
    argument_specs: tuple = ()
    unread_constants: frozenset = frozenset()  # module constants (scripts) that no code reads
    passed_paths: tuple = ()  # PassedPaths: the path mappings the script's __main__ builds itself
    main_guard: Span | None = None  # the module-level ``if __name__ == "__main__":`` (an entry point's mark)
