"""SL103-SL105: the logical names and node type a step's specification declares.

These rules read only the step model's interfaces (``RuleContext.interfaces``): they hold for
every source form whose reader records a specification's ports (Python specs, YAML ``spec``).
"""

from __future__ import annotations

from steplint.rule import Applicability, Example, Fix, Rule
from steplint.rules._catalog_examples import CORE, REGISTRY, SPEC, project

YAML_INTERFACE = "steps/interfaces/tabular_preprocessing.step.yaml"
YAML_SPEC = """\
step_type: TabularPreprocessing
node_type: internal
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: tabular_preprocessing.py
  inputs:
    DATA:
      path: /opt/ml/processing/input/data
  outputs:
    processed_data:
      path: /opt/ml/processing/output
spec:
  dependencies:
    DATA:
      type: processing_output
  outputs:
    processed_data:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri
      aliases: [training_data]
"""


def _spec_project(*changes):
    return project((CORE, REGISTRY, SPEC), *changes)


def _yaml(*changes) -> dict:
    """The example YAML interface with each ``(old, new)`` text replaced once."""
    text = YAML_SPEC
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return {YAML_INTERFACE: text}


class AliasConflict(Rule):
    code = "SL103"
    name = "alias-conflict"
    summary = "An output alias equal to its own logical name, or shadowing another output's name or alias."
    rationale = (
        "Aliases let downstream specs find an output under other names. An alias equal to the output's own "
        "logical name adds nothing; one equal to another output's name or alias makes matching ambiguous, so "
        "the dependency resolver may wire the wrong S3 location into the next step. The fix removes a "
        "redundant alias from a list written in place (in the OutputSpec(...) call, or a one-line item of the "
        "YAML aliases list)."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(_spec_project((SPEC, 'aliases=["training_data"]', 'aliases=["processed_data", "training_data"]')),
                fixed=_spec_project()),
        Example(_spec_project((SPEC, '''            aliases=["training_data"],
        ),
''', '''            aliases=["training_data"],
        ),
        OutputSpec(
            logical_name="metadata",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['metadata'].S3Output.S3Uri",
            aliases=["training_data"],
        ),
'''))),
        Example(_yaml(("aliases: [training_data]", "aliases: [processed_data, training_data]")), fixed=_yaml()),
    )
    good_examples = (Example(_spec_project()), Example(_yaml()))

    def check(self, context):
        for interface in context.interfaces:
            if not isinstance(interface.outputs, tuple):
                continue
            owners: dict = {}
            for output in interface.outputs:
                owners.setdefault(output.name, (output, "logical name"))
            for output in interface.outputs:
                if not isinstance(output.aliases, tuple):
                    continue
                for alias in output.aliases:
                    if not isinstance(alias.name, str):
                        continue
                    where = alias.origin
                    if alias.name == output.name:
                        # an alias located at its output is not written in place: it cannot be removed alone
                        edit = context.removal(where) if where != output.origin else None
                        fix = Fix(f"remove alias '{alias.name}'", Applicability.SAFE, (edit,)) if edit else None
                        yield self.finding(
                            where.path, where.span, f"output '{output.name}' lists its own logical name as an alias",
                            fix, help="The output is already found under its logical name. Remove the alias.")
                        continue
                    owner, what = owners.setdefault(alias.name, (output, "alias"))
                    if owner is not output:
                        yield self.finding(
                            where.path, where.span,
                            f"alias '{alias.name}' of output '{output.name}' is also the {what} of output "
                            f"'{owner.name}'",
                            help=(f"A downstream dependency asking for '{alias.name}' could be wired to either "
                                  "output's S3 location. Rename the alias."))


def _in_contract(term: str) -> str:
    """Where the contract keeps a declaration, in the form's words: ``the contract's
    expected_output_paths`` for a field name, ``contract.outputs`` for a key path."""
    return term if "." in term else f"the contract's {term}"


class NameReused(Rule):
    code = "SL104"
    name = "name-reused"
    summary = "One logical name used for both a dependency and an output of a spec."
    rationale = (
        "Logical names are how the pipeline talks about a step's data: the job's ProcessingInput input_name "
        "and ProcessingOutput output_name, the S3 prefixes derived from them, the inputs/outputs dicts the "
        "builder receives and the contract's path dicts. One name for both an input and an output makes each "
        "of these ambiguous (which 'risk_tables' did the job read, which did it write?) and invites the "
        "builder or a reader to wire one in place of the other."
    )
    bad_examples = (
        Example(_spec_project((SPEC, 'logical_name="processed_data"', 'logical_name="DATA"'))),
        Example(_yaml(("    processed_data:\n      path", "    DATA:\n      path"),
                      ("    processed_data:\n      type", "    DATA:\n      type"),
                      ("Outputs['processed_data']", "Outputs['DATA']"))),
    )
    good_examples = (Example(_spec_project()), Example(_yaml()))

    def check(self, context):
        for interface in context.interfaces:
            if not isinstance(interface.inputs, tuple) or not isinstance(interface.outputs, tuple):
                continue
            inputs = {port.name: port for port in interface.inputs}
            outputs_term = _in_contract((interface.terms.output_paths if interface.terms is not None
                                         else "the step's declared outputs"))
            for output in interface.outputs:
                if output.name in inputs:
                    yield self.finding(
                        output.origin.path, output.origin.span,
                        f"'{output.name}' is both a dependency (line {inputs[output.name].origin.span.line}) and an "
                        f"output of {interface.name}",
                        help=(f"The job's input and output names, their S3 prefixes and the builder's inputs and "
                              f"outputs then use '{output.name}' for two data sets. Rename the output, with its key "
                              f"in {outputs_term}."))


NODE_SHAPES = {
    "SOURCE": (False, True),
    "INTERNAL": (True, True),
    "SINK": (True, False),
    "SINGULAR": (False, False),
}


class NodeTypeShape(Rule):
    code = "SL105"
    name = "node-type-shape"
    summary = "Dependencies and outputs that contradict the spec's node_type."
    rationale = (
        "node_type says where a step may sit in a pipeline: SOURCE has no dependencies and at least one "
        "output, INTERNAL has both, SINK has dependencies and no outputs, SINGULAR has neither (cursus's "
        "NodeType). A Python StepSpecification that contradicts its node_type is rejected by its own validation "
        "when it is built; a YAML interface's loader does not check the shape, so the contradiction goes "
        "unnoticed and whatever reads node_type (the step catalog, pipeline tooling) is told the wrong thing. "
        "Optional dependencies count: a SOURCE node has none at all. A YAML interface that writes no node_type "
        "is taken as internal by its loader; the rule judges only a node_type someone wrote."
    )
    bad_examples = (
        Example(_spec_project((SPEC, "NodeType.INTERNAL", "NodeType.SOURCE"))),
        Example(_yaml(("node_type: internal", "node_type: source"))),
    )
    good_examples = (Example(_spec_project()), Example(_yaml()))

    def check(self, context):
        for interface in context.interfaces:
            node_type = interface.node_type
            shape = NODE_SHAPES.get(node_type.upper()) if isinstance(node_type, str) else None
            where = interface.node_type_origin
            if (shape is None or where is None or not isinstance(interface.inputs, tuple)
                    or not isinstance(interface.outputs, tuple)):
                continue
            wants_inputs, wants_outputs = shape
            problems = []
            if wants_inputs != bool(interface.inputs):
                problems.append(_count(len(interface.inputs), "dependency", "dependencies"))
            if wants_outputs != bool(interface.outputs):
                problems.append(_count(len(interface.outputs), "output", "outputs"))
            if not problems:
                continue
            expected = (f"{'at least one dependency' if wants_inputs else 'no dependencies'} and "
                        f"{'at least one output' if wants_outputs else 'no outputs'}")
            yield self.finding(
                where.path, where.span, f"{interface.name} is a {node_type} node but has {' and '.join(problems)}",
                help=f"A {node_type} node has {expected}. Change node_type, or the spec's dependencies or outputs.")


def _count(number: int, one: str, many: str) -> str:
    """``no outputs``, ``1 output``, ``2 outputs``."""
    return f"no {many}" if number == 0 else f"1 {one}" if number == 1 else f"{number} {many}"
