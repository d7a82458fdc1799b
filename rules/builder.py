"""SL3xx: step builders that handle inputs and outputs ad hoc instead of from the spec and contract."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from steplint.model.values import Mapping, Seq
from steplint.readers.python.project import Builder, Contract, Spec
from steplint.rule import MESSAGE_WIDTH, Applicability, Example, Fix, Rule, lazy_examples
from steplint.rules import _builder_examples as examples
from steplint.sagemaker.facts import TRAINING_CHANNEL_ROOT

REFERENCE = {"training": "steplint.reference.TrainingStepBuilder",
             "processing": "steplint.reference.ProcessingStepBuilder"}


@dataclass
class _Review:
    """What one builder method does wrong: smells (``(tag, detail)``: a few words for the
    message, a clause naming the literals for the help) and dead names."""

    builder: Builder
    facts: object
    spec: Spec | None
    contract: Contract | None
    kind: str | None
    smells: list = field(default_factory=list)
    dead: list = field(default_factory=list)

    @property
    def spec_name(self) -> str:
        return self.spec.name if self.spec is not None else "its specification"


def _declared(spec: Spec | None, collection: str) -> set | None:
    """Logical names the spec declares, or None when they are not all statically known."""
    if spec is None:
        return None
    items = spec.dependencies if collection == "dependencies" else spec.outputs
    if not isinstance(items, tuple) or not all(isinstance(item.logical_name, str) for item in items):
        return None
    return {item.logical_name for item in items}


def _quoted(names) -> str:
    return ", ".join(f"'{name}'" for name in dict.fromkeys(names))


def _kind(model, builder: Builder, spec: Spec | None) -> str | None:
    if spec is not None:
        kind = model.step_kind(spec)
        if kind is not None:
            return kind
    kinds = {constructed.kind for constructed in builder.constructed}
    return {frozenset({"estimator"}): "training", frozenset({"processor"}): "processing"}.get(frozenset(kinds))


# Steps that mount nothing into a container: their inputs go to API arguments (a model's
# ModelDataUrl, a transform job's model name and TransformInput), not to channels or paths.
NO_CONTAINER_INPUTS = frozenset({"model", "transform"})


def _reviews(model, method_name: str):
    """A review per builder method the spec-driven form applies to: not for builders that
    delegate to another package's step class, not for model and transform steps, and not
    when the spec declares nothing and the method returns an empty collection."""
    collection = "dependencies" if method_name == "_get_inputs" else "outputs"
    for builder in model.builders:
        method = builder.cls.methods.get(method_name)
        facts = getattr(method, "builder", None) if method is not None else None
        if facts is None or builder.delegated:
            continue
        spec = model.spec_of(builder)
        spec = spec if isinstance(spec, Spec) else None
        kind = _kind(model, builder, spec)
        if kind in NO_CONTAINER_INPUTS or (_declared(spec, collection) == set() and _returns_empty(method)):
            continue
        if _delegates(facts):
            continue
        contract = model.contract_of(spec) if spec is not None else None
        contract = contract if isinstance(contract, Contract) else None
        yield _Review(builder, facts, spec, contract, kind)


def _delegates(facts) -> bool:
    """Whether the method only hands its work to a call (``return
    self._handler.get_inputs(self, inputs)``): it walks nothing, names nothing and builds no
    input itself, so whether what it returns follows the spec is cannot tell."""
    did_nothing = not (facts.walks or facts.contract_reads or facts.name_literals or facts.channels
                       or facts.processing or facts.literals or facts.self_calls)
    return did_nothing and facts.hands_over


def _returns_empty(method) -> bool:
    """Whether the method's whole body returns an empty list, tuple or dict."""
    returned = method.returns
    return (isinstance(returned, Seq) and not returned.items) or (isinstance(returned, Mapping)
                                                                  and not returned.entries)


def _review_inputs(review: _Review) -> _Review:
    facts = review.facts
    declared = _declared(review.spec, "dependencies")
    if "dependencies" not in facts.walks:
        review.smells.append(
            ("iterates the inputs given",
             "it iterates the inputs it is given instead of walking self.spec.dependencies")
            if "parameter" in facts.walks else ("spec not walked", "it does not walk self.spec.dependencies"))
    walks = "dependencies" in facts.walks
    # Inside a method that walks the spec, a declared name looked up or assigned by literal
    # (an override of one optional input before the loop) is not ad hoc; comparing the loop's
    # name with literals (dispatching on it) is.
    overrides = {literal.value for literal in facts.name_literals if walks and _overrides_source(facts, literal)}
    live = [literal.value for literal in facts.name_literals if (declared is None or literal.value in declared)
            and (not walks or literal.how == "compare") and literal.value not in overrides]
    review.dead = [literal for literal in facts.name_literals
                   if declared is not None and literal.value not in declared and not literal.negated]
    if live:
        review.smells.append(("literal names", f"it handles logical names as string literals ({_quoted(live)})"))
    if review.dead:
        review.smells.append(("undeclared names",
                              f"it handles {_quoted(literal.value for literal in review.dead)}, which "
                              f"{review.spec_name} does not declare (dead code)"))
    dead_names = {literal.value for literal in review.dead}
    channels = [channel.name for channel in facts.channels if channel.under not in dead_names]
    if channels:
        review.smells.append(("literal channels", f"it names channels with literals ({_quoted(channels)})"))
    literal_inputs = [io.name for io in facts.processing if io.kind == "ProcessingInput" and io.name_kind == "literal"]
    if literal_inputs:
        review.smells.append(("literal input names", f"it names ProcessingInputs with literals "
                                                     f"({_quoted(literal_inputs)}) instead of their logical names"))
    paths = [literal.value for literal in facts.literals if literal.kind == "container-path"]
    if paths:
        review.smells.append(("literal paths", f"it writes container paths as literals ({_quoted(paths)}) "
                                               "instead of reading self.contract.expected_input_paths"))
    return review


def _overrides_source(facts, literal) -> bool:
    """Whether ``literal`` is the test of a branch on the loop's logical name
    (``if logical_name == "x":``) that builds the input itself with the name from the loop and
    a container path that is not a literal (the contract's), and names no channel: the branch
    changes where the input comes from (a config value instead of the wired source), not where
    it goes in the container, so the spec and the contract still place it."""
    branch = literal.branch
    if literal.how != "compare" or branch is None or literal.negated:
        return False
    built = [io for io in facts.processing if io.kind == "ProcessingInput" and _within(io.span, branch)]
    return (bool(built) and all(io.name_kind == "logical" and io.path is None for io in built)
            and not any(use.kind == "container-path" and _within(use.span, branch) for use in facts.literals)
            and not any(channel.under == literal.value for channel in facts.channels))


def _within(span, outer) -> bool:
    return (outer.line, outer.col) <= (span.line, span.col) and (span.end_line, span.end_col) <= (
        outer.end_line, outer.end_col)


def _rewrite_changes(model, review: _Review) -> tuple[list, list]:
    """How the rewritten training ``_get_inputs`` will differ for declared dependencies: the
    literal channels that disagree with the contract's channel and are renamed to it (as
    notes), and the names the contract maps where no channel is mounted (the rewrite raises
    for them)."""
    declared = _declared(review.spec, "dependencies")
    contract = review.contract
    if review.kind != "training" or not declared or contract is None or not isinstance(contract.input_paths, Mapping):
        return [], []
    unmounted, renamed = [], []
    for name in sorted(declared):
        path = model.resolve(contract.input_paths.get(name))
        if not isinstance(path, str) or path.rstrip("/") == TRAINING_CHANNEL_ROOT:
            continue
        if not path.startswith(TRAINING_CHANNEL_ROOT + "/"):
            unmounted.append(name)
            continue
        channel = path[len(TRAINING_CHANNEL_ROOT) + 1:].split("/")[0]
        built = [c.name for c in review.facts.channels if c.under == name and c.name != channel]
        if built:
            renamed.append(f"channel {_quoted(built)} becomes '{channel}'")
    return renamed, unmounted


def _unmounted_note(model, review: _Review) -> str:
    """The help's sentence on the dependencies the rewritten training ``_get_inputs`` raises for."""
    unmounted = _rewrite_changes(model, review)[1]
    if not unmounted:
        return ""
    return (f" The contract maps {_quoted(unmounted)} where no channel is mounted, so the reference form raises "
            f"for {'it' if len(unmounted) == 1 else 'them'}.")




def _headline(prefix: str, smells) -> str:
    """``prefix: tag, tag`` with as many tags as fit in ``MESSAGE_WIDTH`` characters (at least
    one), then ``(+N more)``; the help lists them all."""
    tags = list(dict.fromkeys(tag for tag, _ in smells))
    for shown in range(len(tags), 0, -1):
        more = len(tags) - shown
        text = f"{prefix}: {', '.join(tags[:shown])}" + (f" (+{more} more)" if more else "")
        if len(text) <= MESSAGE_WIDTH or shown == 1:
            return text
    return prefix


def _details(smells) -> str:
    """The smells' clauses as sentences' worth of help: ``It ...; it ....``"""
    text = "; ".join(dict.fromkeys(detail for _, detail in smells))
    return text[:1].upper() + text[1:] + "."


def _only_dead(review: _Review) -> bool:
    """Whether the dead branches are the method's only problem."""
    return len(review.smells) == 1 and bool(review.dead)


class AdHocGetInputs(Rule):
    code = "SL301"
    reader = "python"
    name = "ad-hoc-get-inputs"
    summary = "A builder's _get_inputs that is not driven by the step specification and script contract."
    rationale = (
        "The spec's dependencies are the inputs the pipeline wires to a step, and the contract maps each to the "
        "container path the script reads; SageMaker mounts a training channel at /opt/ml/input/data/<channel> "
        "and a ProcessingInput at its destination. A _get_inputs that compares logical names with string "
        "literals, names channels or container paths itself, or keeps branches for names the spec no longer "
        "declares drifts from both without any error: inputs land where no script looks. The spec-driven form "
        "walks self.spec.dependencies, skips optional inputs that were not given, takes the container path "
        "from self.contract.expected_input_paths and leaves channel construction to "
        "_create_data_channel_from_source. The fix (unsafe: it changes code paths) replaces the method with "
        "the reference form shipped in steplint.reference, keeping the builder's own channel construction in "
        "_create_data_channel_from_source and dropping dead branches."
    )
    fix_applicability = Applicability.UNSAFE
    bad_examples = lazy_examples(lambda: (
        Example(examples.training_project(examples.AD_HOC_INPUTS)),
        Example(examples.processing_project(examples.PROCESSING_INPUTS_LITERALS)),
    ))
    good_examples = lazy_examples(lambda: (
        Example(examples.training_project(examples.REFERENCE_INPUTS)),
        Example(examples.training_project(examples.COMPREHENSION_INPUTS)),
        Example(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS)),
        Example(examples.training_project(examples.DEAD_BRANCH_INPUTS)),
    ))

    def check(self, context):
        for review in _reviews(context.model, "_get_inputs"):
            review = _review_inputs(review)
            if not review.smells or _only_dead(review):
                continue
            builder = review.builder
            reference = REFERENCE.get(review.kind)
            message = _headline(f"_get_inputs is not driven by {review.spec_name}", review.smells)
            remedy = ("Walk self.spec.dependencies, skip optional inputs that were not given and take container "
                      "paths from self.contract.expected_input_paths")
            if review.dead:
                remedy += ", without the branches for undeclared names"
            fix = None
            note = ""
            if reference is not None:
                remedy += f", as {reference}._get_inputs does"
                fix = functools.partial(_rewrite_fix, context, review)
                note = _unmounted_note(context.model, review)
            related = [path for path in (review.spec and review.spec.path, review.contract and review.contract.path)
                       if path]
            yield self.finding(builder.path, review.facts.span, message, fix, related,
                               help=f"{_details(review.smells)} {remedy}.{note}")


def _rewrite_fix(context, review) -> Fix | None:
    """SL301's unsafe fix: the reference ``_get_inputs`` for the builder's step kind."""
    from steplint.rules import (
        _builder_rewrite as _rewrite,  # LibCST is loaded only to build fixes
    )

    try:
        edits = _rewrite.rewrite_get_inputs(context, review.builder, review.facts, review.kind, review.contract)
    except _rewrite.RewriteError:
        return None
    if not edits:
        return None
    renamed, unmounted = _rewrite_changes(context.model, review)
    notes = renamed + ([f"raises for {_quoted(unmounted)}"] if unmounted else [])
    description = "rewrite in the reference form" + (f" ({'; '.join(notes)})" if notes else "")
    return Fix(description, Applicability.UNSAFE, edits)


def _branch_removal_fix(context, review, literal) -> Fix | None:
    """SL303's safe fix: remove the dead branch."""
    from steplint.rules import _builder_rewrite

    edit = _builder_rewrite.remove_branch(context, review.builder.path, review.facts.span, literal.branch)
    return Fix(f"remove the branch for '{literal.value}'", Applicability.SAFE, (edit,)) if edit else None


class DeadInputBranch(Rule):
    code = "SL303"
    reader = "python"
    name = "dead-input-branch"
    summary = "A _get_inputs branch for a logical name the step specification does not declare."
    rationale = (
        "The pipeline only ever passes a builder the inputs its spec declares, so a branch comparing the "
        "logical name with any other literal never runs. It usually survives a dependency that was removed "
        "from the spec (such as a 'config' dependency made redundant by hyperparameters=) and misleads readers "
        "into thinking the input is still delivered. When the rest of the method is spec-driven the fix "
        "removes the branch; otherwise SL301's rewrite drops it."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = lazy_examples(lambda: (Example(examples.training_project(examples.DEAD_BRANCH_INPUTS)),))
    good_examples = lazy_examples(lambda: (Example(examples.training_project(examples.REFERENCE_INPUTS)),))

    def check(self, context):
        for review in _reviews(context.model, "_get_inputs"):
            review = _review_inputs(review)
            for literal in review.dead:
                if literal.branch is None:
                    continue
                fix = functools.partial(_branch_removal_fix, context, review, literal) if _only_dead(review) else None
                message = f"branch for input '{literal.value}', which {review.spec_name} does not declare"
                related = [review.spec.path] if review.spec is not None else []
                yield self.finding(review.builder.path, literal.span, message, fix, related,
                                   help=(f"The pipeline passes {review.builder.name} only the inputs "
                                         f"{review.spec_name} declares, so this branch never runs. Remove it."))


class AdHocGetOutputs(Rule):
    code = "SL302"
    reader = "python"
    name = "ad-hoc-get-outputs"
    summary = "A builder's _get_outputs that hard-codes outputs instead of following the spec and contract."
    rationale = (
        "A processing step's outputs are found downstream through "
        "properties.ProcessingOutputConfig.Outputs['<output_name>'], where the spec's property paths name "
        "each output by its logical name: a ProcessingOutput whose output_name differs, or that is not built "
        "from self.spec.outputs and self.contract.expected_output_paths, breaks that link or uploads from a "
        "directory the script does not write. A literal S3 bucket or date as the default destination makes "
        "every run, account and region write to the same place and overwrite each other's results. Build one "
        "ProcessingOutput per spec output with output_name=logical_name and source=the contract path, and "
        "derive default destinations from the configuration (see steplint.reference.ProcessingStepBuilder)."
    )
    bad_examples = lazy_examples(lambda: (
        Example(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=examples.PROCESSING_AD_HOC_OUTPUTS)),
        Example(examples.training_project(examples.REFERENCE_INPUTS, outputs=examples.TRAINING_LITERAL_OUTPUTS)),
    ))
    good_examples = lazy_examples(lambda: (
        Example(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=examples.SPEC_DRIVEN_OUTPUTS)),
        Example(examples.processing_project(examples.PROCESSING_REFERENCE_INPUTS, outputs=examples.PROCESSING_REFERENCE_OUTPUTS)),
        Example(examples.training_project(examples.REFERENCE_INPUTS)),
    ))

    def check(self, context):
        for review in _reviews(context.model, "_get_outputs"):
            facts = review.facts
            declared = _declared(review.spec, "outputs")
            smells = []
            outputs = [io for io in facts.processing if io.kind == "ProcessingOutput"]
            remedies = []
            if review.kind == "processing" or outputs:
                if "outputs" not in facts.walks:
                    smells.append(("spec not walked", "it does not walk self.spec.outputs"))
                live = [literal.value for literal in facts.name_literals
                        if declared is None or literal.value in declared]
                if live:
                    smells.append(("literal names",
                                   f"it handles output names as string literals ({_quoted(live)})"))
                wrong = [io.name for io in outputs if io.name_kind == "literal" and declared is not None
                         and io.name not in declared]
                if wrong:
                    smells.append(("undeclared output_name",
                                   f"ProcessingOutput output_name {_quoted(wrong)} is not a logical name "
                                   f"{review.spec_name} declares, so properties.ProcessingOutputConfig."
                                   "Outputs['<logical name>'] paths of the spec do not reach it"))
                elif any(io.name_kind == "literal" for io in outputs):
                    smells.append(("literal output_name",
                                   "it names ProcessingOutputs with literals instead of their logical names"))
                paths = [literal.value for literal in facts.literals if literal.kind == "container-path"]
                if paths:
                    smells.append(("literal paths",
                                   f"it writes container paths as literals ({_quoted(paths)}) instead of reading "
                                   "self.contract.expected_output_paths"))
                if smells:
                    remedies.append("Build one ProcessingOutput per entry of self.spec.outputs, with output_name="
                                    "its logical name and source=self.contract.expected_output_paths[logical name] "
                                    "(see steplint.reference.ProcessingStepBuilder._get_outputs).")
            undeclared = [literal.value for literal in facts.name_literals
                          if declared is not None and literal.value not in declared]
            if undeclared:
                smells.append(("undeclared names",
                               f"it looks up {_quoted(undeclared)}, which {review.spec_name} does not declare, so "
                               "the pipeline never gives that output location"))
                if not remedies:
                    remedies.append(f"Look up only the outputs {review.spec_name} declares.")
            literal_destination = False
            for literal in facts.literals:
                if literal.kind == "s3-bucket":
                    smells.append(("literal bucket", f"it writes to the literal bucket {literal.value}, which "
                                                     "every account and region shares"))
                    literal_destination = True
                elif literal.kind == "date":
                    smells.append(("literal date", f"it writes a literal date ({literal.value}) into the "
                                                   "destination, so every run overwrites the same prefix"))
                    literal_destination = True
            if literal_destination:
                remedies.append("Take the destination from the configuration and the pipeline execution.")
            if not smells:
                continue
            message = _headline(f"_get_outputs is not driven by {review.spec_name}", smells)
            related = [path for path in (review.spec and review.spec.path, review.contract and review.contract.path)
                       if path]
            yield self.finding(review.builder.path, facts.span, message, None, related,
                               help=" ".join([_details(smells), *remedies]))
