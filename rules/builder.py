"""SL3xx: step builders that handle inputs and outputs ad hoc instead of from the spec and contract."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from steplint.model.values import Mapping, Seq
from steplint.readers.python.project import Builder, Contract, Spec
from steplint.rule import Applicability, Example, Fix, Rule, lazy_examples
from steplint.rules import _builder_examples as examples
from steplint.sagemaker.facts import TRAINING_CHANNEL_ROOT

CONSEQUENCE = {
    "training": ("SageMaker mounts each channel at /opt/ml/input/data/<channel>, so channels chosen apart from the "
                 "spec and contract drift from the paths the script reads"),
    "processing": ("SageMaker copies each ProcessingInput to its destination, so inputs placed apart from the spec "
                   "and contract drift from the paths the script reads"),
    None: "inputs handled apart from the spec and contract drift from what the pipeline passes and the script reads",
}
REFERENCE = {"training": "steplint.reference.TrainingStepBuilder",
             "processing": "steplint.reference.ProcessingStepBuilder"}


@dataclass
class _Review:
    """What one builder method does wrong: smells (phrases for the message) and dead names."""

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
        contract = model.contract_of(spec) if spec is not None else None
        contract = contract if isinstance(contract, Contract) else None
        yield _Review(builder, facts, spec, contract, kind)


def _returns_empty(method) -> bool:
    """Whether the method's whole body returns an empty list, tuple or dict."""
    returned = method.returns
    return (isinstance(returned, Seq) and not returned.items) or (isinstance(returned, Mapping)
                                                                  and not returned.entries)


def _review_inputs(review: _Review) -> _Review:
    facts = review.facts
    declared = _declared(review.spec, "dependencies")
    if "dependencies" not in facts.walks:
        review.smells.append("it iterates the inputs it is given instead of walking self.spec.dependencies"
                             if "parameter" in facts.walks else "it does not walk self.spec.dependencies")
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
        review.smells.append(f"it handles logical names as string literals ({_quoted(live)})")
    if review.dead:
        review.smells.append(f"it handles {_quoted(literal.value for literal in review.dead)}, which "
                             f"{review.spec_name} does not declare (dead code)")
    dead_names = {literal.value for literal in review.dead}
    channels = [channel.name for channel in facts.channels if channel.under not in dead_names]
    if channels:
        review.smells.append(f"it names channels with literals ({_quoted(channels)})")
    literal_inputs = [io.name for io in facts.processing if io.kind == "ProcessingInput" and io.name_kind == "literal"]
    if literal_inputs:
        review.smells.append(f"it names ProcessingInputs with literals ({_quoted(literal_inputs)}) instead of "
                             "their logical names")
    paths = [literal.value for literal in facts.literals if literal.kind == "container-path"]
    if paths:
        review.smells.append(f"it writes container paths as literals ({_quoted(paths)}) instead of reading "
                             "self.contract.expected_input_paths")
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


def _rewrite_notes(model, review: _Review) -> list:
    """How the rewritten training ``_get_inputs`` will differ for declared dependencies: those the
    contract maps where no channel is mounted raise, and literal channels that disagree with the
    contract's channel are renamed to it."""
    declared = _declared(review.spec, "dependencies")
    contract = review.contract
    if review.kind != "training" or not declared or contract is None or not isinstance(contract.input_paths, Mapping):
        return []
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
            renamed.append(f"channel {_quoted(built)} for '{name}' becomes '{channel}' as the contract's path says")
    notes = renamed
    if unmounted:
        notes.append(f"it raises for {_quoted(unmounted)}: the contract maps "
                     f"{'it' if len(unmounted) == 1 else 'them'} where no channel is mounted")
    return notes


def _only_dead(review: _Review) -> bool:
    """Whether the dead branches are the method's only problem."""
    return len(review.smells) == 1 and bool(review.dead)


class AdHocGetInputs(Rule):
    code = "SL301"
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
            message = (f"_get_inputs of {builder.name} is not driven by {review.spec_name}: "
                       + "; ".join(review.smells) + f". {CONSEQUENCE.get(review.kind, CONSEQUENCE[None])}; walk "
                       "self.spec.dependencies and take container paths from self.contract")
            fix = None
            if reference is not None:
                message += f" (reference: {reference}._get_inputs)"
                fix = functools.partial(_rewrite_fix, context, review)
            related = [path for path in (review.spec and review.spec.path, review.contract and review.contract.path)
                       if path]
            yield self.finding(builder.path, review.facts.span, message, fix, related)


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
    description = "rewrite _get_inputs in the spec-driven reference form"
    description += "".join(f"; {note}" for note in _rewrite_notes(context.model, review))
    return Fix(description, Applicability.UNSAFE, edits)


def _branch_removal_fix(context, review, literal) -> Fix | None:
    """SL303's safe fix: remove the dead branch."""
    from steplint.rules import _builder_rewrite

    edit = _builder_rewrite.remove_branch(context, review.builder.path, review.facts.span, literal.branch)
    return Fix(f"remove the branch for '{literal.value}'", Applicability.SAFE, (edit,)) if edit else None


class DeadInputBranch(Rule):
    code = "SL303"
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
                message = (f"branch for input '{literal.value}', which {review.spec_name} does not declare: the "
                           f"pipeline never passes {review.builder.name} that input, so the branch never runs; "
                           "remove it")
                related = [review.spec.path] if review.spec is not None else []
                yield self.finding(review.builder.path, literal.span, message, fix, related)


class AdHocGetOutputs(Rule):
    code = "SL302"
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
            if review.kind == "processing" or outputs:
                if "outputs" not in facts.walks:
                    smells.append("it does not walk self.spec.outputs")
                live = [literal.value for literal in facts.name_literals
                        if declared is None or literal.value in declared]
                if live:
                    smells.append(f"it handles output names as string literals ({_quoted(live)})")
                wrong = [io.name for io in outputs if io.name_kind == "literal" and declared is not None
                         and io.name not in declared]
                if wrong:
                    smells.append(f"ProcessingOutput output_name {_quoted(wrong)} is not a logical name "
                                  f"{review.spec_name} declares, so properties.ProcessingOutputConfig."
                                  f"Outputs['<logical name>'] does not resolve")
                elif any(io.name_kind == "literal" for io in outputs):
                    smells.append("it names ProcessingOutputs with literals instead of their logical names")
                paths = [literal.value for literal in facts.literals if literal.kind == "container-path"]
                if paths:
                    smells.append(f"it writes container paths as literals ({_quoted(paths)}) instead of reading "
                                  "self.contract.expected_output_paths")
            undeclared = [literal.value for literal in facts.name_literals
                          if declared is not None and literal.value not in declared]
            if undeclared:
                smells.append(f"it looks up {_quoted(undeclared)}, which {review.spec_name} does not declare, "
                              "so that output location is never given")
            for literal in facts.literals:
                if literal.kind == "s3-bucket":
                    smells.append(f"it writes to the literal bucket {literal.value}: every account and region "
                                  "shares it; take the location from the configuration")
                elif literal.kind == "date":
                    smells.append(f"it writes a literal date ({literal.value}) into the destination: every run "
                                  "overwrites the same prefix; use the execution or a configured prefix")
            if not smells:
                continue
            message = (f"_get_outputs of {review.builder.name} is not driven by {review.spec_name}: "
                       + "; ".join(dict.fromkeys(smells)))
            related = [path for path in (review.spec and review.spec.path, review.contract and review.contract.path)
                       if path]
            yield self.finding(review.builder.path, facts.span, message, None, related)
