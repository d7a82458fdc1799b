"""What the plain-pipeline evaluator knows about an expression, without running it.

Plain ``str``/``int``/``float``/``bool``/``None`` stand for themselves; ``Unknown``
(``steplint.model.values``) is *cannot tell*. The rest are the classes below: ``Obj`` is
the result of a call (an SDK constructor such as ``ProcessingStep(...)``, or a method call
such as ``processor.run(...)``), compared by identity so that a step bound to a variable
and referenced later is the same object; ``Seq`` and ``Dict`` are list/tuple and dict
displays; ``Prop`` is a chain ``<step>.properties.X['k'].Y``; ``Name`` a module-qualified
name (``sagemaker.workflow.steps.ProcessingStep``); ``Here`` the pipeline file's own
directory (``os.path.dirname(os.path.realpath(__file__))``) and ``Local`` a path relative
to it; ``StepName`` is ``<step>.name``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from steplint.model.values import Span, Unknown


@dataclass(frozen=True)
class Name:
    """A module-level name from an import: ``qualified`` is ``module.name``."""

    qualified: str

    @property
    def last(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class File:
    """``__file__`` (or its ``realpath`` / ``abspath``)."""


@dataclass(frozen=True)
class Here:
    """The directory of the pipeline file."""


@dataclass(frozen=True)
class Local:
    """A path relative to the pipeline file's directory (``os.path.join(BASE_DIR, "x.py")``)."""

    path: str


@dataclass(eq=False)
class Obj:
    """The result of a call. ``func`` is the callee's qualified name for a constructor or
    function (``sagemaker.processing.ProcessingInput``), or ``.method`` for a method call
    on ``receiver``. ``kwargs`` maps keyword -> value, ``spans`` keyword -> span of the
    keyword argument; ``star`` is True when ``*args`` / ``**kwargs`` were passed.
    ``calls`` collects later method calls on the object (``set_hyperparameters``) and
    ``changed`` the attributes assigned on it."""

    func: str
    receiver: object
    args: tuple
    kwargs: dict
    spans: dict
    span: Span
    star: bool
    calls: list = field(default_factory=list)
    changed: set = field(default_factory=set)

    @property
    def last(self) -> str:
        return self.func.rsplit(".", 1)[-1]

    def kwarg(self, name: str, position: int | None = None) -> object:
        """The argument passed as ``name`` (or at ``position``), None when absent, Unknown
        when ``**kwargs`` / ``*args`` may carry it."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        if self.star:
            return Unknown(f"{name}= may be passed through *args/**kwargs", self.span)
        return None

    def span_of(self, name: str) -> Span:
        return self.spans.get(name, self.span)


@dataclass(frozen=True)
class Seq:
    items: tuple
    span: Span


@dataclass(frozen=True)
class Dict:
    """A dict display: ``keys`` (values, Unknown for ``**x``), ``values``, ``key_spans``."""

    keys: tuple
    values: tuple
    key_spans: tuple
    span: Span


@dataclass(frozen=True)
class Key:
    """A literal ``['k']`` subscript in a property chain, with the offsets of its string
    literal in the file's text (for fixes)."""

    value: object
    span: Span
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Prop:
    """``<step>.properties...`` (or ``<step>.arguments[...]``, the request the step renders):
    ``parts`` are attribute names (str) and ``Key``s."""

    target: Obj
    parts: tuple
    span: Span

    @property
    def path(self) -> str:
        text = ""
        for part in self.parts:
            if isinstance(part, Key):
                text += f"[{part.value!r}]" if isinstance(part.value, (str, int)) else "[...]"
            else:
                text += ("." if text else "") + part
        return text


@dataclass(frozen=True)
class StepName:
    """``<step>.name``."""

    target: Obj
