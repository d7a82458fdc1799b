"""SL904: spec and contract fields steplint cannot determine without running the code."""

from __future__ import annotations

from steplint.model.values import CallValue, Unknown, final_name
from steplint.readers.python.project import (
    CONTRACT_FIELDS,
    SPEC_FIELDS,
    argument,
    argument_span,
)
from steplint.rule import MESSAGE_WIDTH, Example, Rule, Severity

_CORE = ("steps/core.py", "class StepSpecification: ...\nclass DependencySpec: ...\n"
                          "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n")
_SPEC_FIELDS_CHECKED = ("step_type", "dependencies", "outputs", "script_contract")
_CONTRACT_FIELDS_CHECKED = ("entry_point", "expected_input_paths", "expected_output_paths",
                            "required_env_vars", "optional_env_vars", "expected_arguments")


class UnresolvedValue(Rule):
    code = "SL904"
    reader = "python"
    name = "unresolved-value"
    summary = "A spec or contract field the other rules need cannot be determined statically."
    rationale = (
        "steplint never imports or runs your code: it reads specifications and contracts as written. A field "
        "built at run time (a loop, a comprehension, **kwargs, a call to a function steplint cannot follow) "
        "is unknown, and every rule that needs it stays silent for that step, so a broken channel or path "
        "there goes unnoticed until SageMaker fails the job. Write the field as a literal (a list of "
        "DependencySpec(...), a dict of paths) or suppress this warning where run-time construction is meant."
    )
    severity = Severity.WARNING
    bad_examples = (
        Example({_CORE[0]: _CORE[1], "steps/specs/dynamic_spec.py": (
            "from steps.core import DependencySpec, StepSpecification\n\n"
            "NAMES = ['data', 'config']\n"
            "DYNAMIC_SPEC = StepSpecification(\n"
            "    step_type='Dynamic',\n"
            "    dependencies=[DependencySpec(logical_name=name) for name in NAMES],\n"
            ")\n")}),
        Example({_CORE[0]: _CORE[1], "steps/contracts/dynamic_contract.py": (
            "from steps.core import TrainingScriptContract\n"
            "from steps.paths import build_paths\n\n"
            "SETTINGS = dict(entry_point='train.py')\n"
            "DYNAMIC_CONTRACT = TrainingScriptContract(\n"
            "    expected_input_paths=build_paths(),\n"
            "    **SETTINGS,\n"
            ")\n")}, expect=2),
    )
    good_examples = (
        Example({_CORE[0]: _CORE[1], "steps/specs/static_spec.py": (
            "from steps.core import DependencySpec, StepSpecification\n\n"
            "STATIC_SPEC = StepSpecification(\n"
            "    step_type='Static',\n"
            "    dependencies=[DependencySpec(logical_name='data')],\n"
            ")\n")}),
    )

    def check(self, context):
        model = context.model
        for spec in model.specs:
            fields = {"step_type": spec.step_type, "dependencies": spec.dependencies, "outputs": spec.outputs}
            contract = model.contract_of(spec)
            if isinstance(contract, Unknown):
                fields["script_contract"] = contract
            yield from self._report(model, "specification", spec.name, spec.path, spec.call, SPEC_FIELDS,
                                    _SPEC_FIELDS_CHECKED, fields)
            for kind, elements in (("dependency", spec.dependencies), ("output", spec.outputs)):
                if isinstance(elements, Unknown):
                    continue
                for element in elements:
                    if isinstance(element.logical_name, Unknown):
                        origin = spec.path if element.list_span is not None else None
                        yield self._finding(spec.path, element.span, f"{kind} of {spec.name}", ["logical_name"],
                                            element.logical_name, origin)
        for contract in model.contracts:
            fields = {name: getattr(contract, attribute) for name, attribute in (
                ("entry_point", "entry_point"), ("expected_input_paths", "input_paths"),
                ("expected_output_paths", "output_paths"), ("required_env_vars", "required_env_vars"),
                ("optional_env_vars", "optional_env_vars"), ("expected_arguments", "expected_arguments"))}
            yield from self._report(model, "contract", contract.name, contract.path, contract.call, CONTRACT_FIELDS,
                                    _CONTRACT_FIELDS_CHECKED, fields)

    def _report(self, model, kind: str, name: str, path: str, call, order: tuple, checked: tuple, fields: dict):
        """One finding per cause: fields that are unknown for the same reason at the same place share it."""
        groups: dict = {}
        for field in checked:
            value = _as_unknown(model, fields.get(field))
            if value is None:
                continue
            raw = argument(call, field, order)
            origin = path if isinstance(raw, Unknown) or raw == fields.get(field) else _origin(model, raw)
            reason, span = value.reason, value.span
            if isinstance(raw, Unknown) and not call.has_kwarg(field) and call.has_star_args:
                reason, span = "the call passes *args or **kwargs", call.span
            key = (reason, span, origin, argument_span(call, field))
            groups.setdefault(key, []).append(field)
        for (reason, span, origin, report_span), names in groups.items():
            yield self._finding(path, report_span, f"{kind} {name}", names, Unknown(reason, span), origin)

    def _finding(self, path: str, report_span, what: str, names: list, unknown: Unknown, origin: str | None):
        quoted = ", ".join(f"'{name}'" for name in names)
        located = ""
        if unknown.span is not None and origin is not None:
            located = f"The cause is at {origin}:{unknown.span.line}:{unknown.span.col + 1}. "
        one = len(names) == 1
        verb = "is" if one else "are"
        # The longest of these that fits in MESSAGE_WIDTH; what it leaves out goes to the help.
        layouts = [(f"{what}: {quoted} {verb} not statically known ({unknown.reason})", "")]
        if not one:
            layouts.append((f"{what}: {len(names)} fields {verb} not statically known ({unknown.reason})",
                            f"The fields: {quoted}. "))
        layouts.append((f"{what}: {quoted} {verb} not statically known", f"Cause: {unknown.reason}. "))
        if not one:
            layouts.append((f"{what}: {len(names)} fields {verb} not statically known",
                            f"The fields: {quoted}. Cause: {unknown.reason}. "))
        message, left_out = next((layout for layout in layouts if len(layout[0]) <= MESSAGE_WIDTH), layouts[-1])
        return self.finding(
            path, report_span, message,
            help=(f"{left_out}{located}Rules that need {'it' if one else 'them'} skip this step. Write "
                  f"{'it' if one else 'them'} as a literal, or suppress SL904 here if run-time construction is "
                  "meant."))


def _as_unknown(model, value) -> Unknown | None:
    """``value`` as an Unknown when it cannot be used: Unknown itself, or the result of a call
    the model could not follow (a function outside the tree or with arguments)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, CallValue):
        callee = model.resolve(value.func)
        if isinstance(callee, Unknown):
            return Unknown(callee.reason, value.span)  # the called function is the unknown part
        return Unknown(f"a call to {final_name(callee) or 'a function'}(), which steplint does not run", value.span)
    return None


def _origin(model, raw) -> str | None:
    """The file a referenced value is defined in, when steplint can tell."""
    found = model.binding_of(raw)
    return found[0].path if found is not None else None
