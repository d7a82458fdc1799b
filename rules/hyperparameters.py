"""SL507: a hyperparameter value JSON-encoded by the code and again by the SDK (Python builders).

The rule reads the Python reader's own facts (the estimator a builder constructs, the dict
its ``hyperparameters=`` is, the ``json.dumps`` calls in it and the script the builder's
contract names), so it lives apart from the step-model rules of ``sagemaker_model``. Facts
about the SDK's encoding come from sagemaker/estimator.py (SDK 2.x), as the rationale says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from steplint.model.values import CallValue, Mapping, Ref
from steplint.readers.python.project import Contract, Spec
from steplint.rule import Applicability, Edit, Example, Fix, Rule, fitted
from steplint.rules._sagemaker_examples import builder_project, with_script
from steplint.sagemaker import data
from steplint.sagemaker.facts import FRAMEWORK_ESTIMATORS


def _where(model, value, default_path: str) -> str:
    """The file a value is written in: its module-level binding's file, else ``default_path``."""
    found = model.binding_of(value)
    return found[0].path if found is not None else default_path


def _fix(description: str, applicability: Applicability, edit) -> Fix | None:
    return Fix(description, applicability, (edit,)) if edit is not None else None


# -- SL507 ------------------------------------------------------------------------------
JSON_DUMPS = Ref("json", "dumps")
NOVA_RECIPE_ESTIMATOR = "PyTorch"  # the one framework estimator that can keep strings (Nova recipes)
HYPERPARAMETER_VALUES = "hyperparameters"
SDK_ESTIMATOR_MODULE = "sagemaker/estimator.py"
ARGPARSE_SCRIPT = """\
import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("--layers", type=json.loads, default=[64])
parser.add_argument("--optimizer", default="adam")
args = parser.parse_args()
"""


def _json_encoding(model, constructed) -> str | None:
    """Why the SDK JSON-encodes every value of this estimator's ``hyperparameters=``, or None
    when it does not, or when that cannot be told statically (sagemaker/estimator.py, 2.x)."""
    if not constructed.qualified.startswith("sagemaker."):
        return None
    call = constructed.call
    if constructed.class_name in FRAMEWORK_ESTIMATORS:
        if constructed.class_name == NOVA_RECIPE_ESTIMATOR and (
                call.has_star_args or model.resolve(call.kwarg("training_recipe")) is not None):
            return None  # a Nova recipe keeps string values (EstimatorBase._nova_encode_hyperparameters)
        return "Framework.hyperparameters() applies EstimatorBase._json_encode_hyperparameters"
    if constructed.class_name == "Estimator":
        source_dir = model.resolve(call.kwarg("source_dir"))
        if isinstance(source_dir, str) and source_dir:
            return ("with source_dir set, Estimator.set_hyperparameters applies "
                    "EstimatorBase._json_encode_hyperparameters")
    return None


def _encoded_values(model, written):
    """``(mapping, where)`` for the dict an estimator's ``hyperparameters=`` is statically known to
    be: a dict display (or ``dict(...)``), a module constant, or what a project function returns
    (whatever its arguments: its ``return`` is a dict display). ``where`` is 'call', 'constant'
    or 'function', and says where the mapping is written. None when it cannot be told."""
    if isinstance(written, Mapping):
        return written, "call"
    resolved = model.resolve(written)
    if isinstance(resolved, Mapping):
        return resolved, "constant"
    if isinstance(resolved, CallValue):
        func = model.resolve(resolved.func)
        module = model.module(func.module) if isinstance(func, Ref) else None
        function = module.functions.get(func.name) if module is not None else None
        if function is not None and isinstance(function.returns, Mapping):
            return function.returns, "function"
    return None


def _is_json_dumps(model, value) -> bool:
    return isinstance(value, CallValue) and model.resolve(value.func) == JSON_DUMPS


@dataclass(frozen=True)
class _ScriptReads:
    """How the step's script takes its hyperparameters, as far as it is known: the argparse
    ``dest``s it declares, whether an option's name is not a literal, and the ``SM_HP_*``
    variables it reads."""

    options: frozenset
    unknown_option: bool
    environment: frozenset

    def takes_directly(self, key: str) -> bool:
        """Whether ``key`` may reach the script on its command line or as ``SM_HP_<KEY>``, where
        the training toolkit hands over the once-decoded value as text."""
        return (self.unknown_option or key.replace("-", "_") in self.options
                or f"SM_HP_{key.upper()}" in self.environment)


def _script_reads(model, builder) -> _ScriptReads | None:
    """What the script of the builder's spec's contract reads, or None when it is not found."""
    spec = model.spec_of(builder)
    contract = model.contract_of(spec) if isinstance(spec, Spec) else None
    script = model.script_of(contract) if isinstance(contract, Contract) else None
    if script is None:
        return None
    return _ScriptReads(frozenset(fact.dest for fact in script.argument_specs if fact.dest),
                        any(not fact.flags for fact in script.argument_specs),
                        frozenset(access.key for access in script.accesses if access.kind == "env"))


def _has_comment(node) -> bool:
    """Whether a LibCST node holds a comment (which replacing the node would drop)."""
    import libcst as cst  # loaded only to build fixes

    class Comments(cst.CSTVisitor):
        found = False

        def visit_Comment(self, comment) -> None:
            self.found = True

    visitor = Comments()
    node.visit(visitor)
    return visitor.found


def _received(value) -> str | None:
    """What the job receives for ``json.dumps(value)`` once the SDK encodes it again, and what it
    should receive, for a literal ``value``."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return f"'{json.dumps(json.dumps(value))}' instead of '{json.dumps(value)}'"
    return None


class HyperparametersEncodedTwice(Rule):
    code = "SL507"
    reader = "python"
    name = "hyperparameters-encoded-twice"
    summary = ("A hyperparameter value that is already json.dumps(...) passed to an estimator that JSON-encodes "
               "it again.")
    rationale = (
        "Framework estimators (PyTorch, TensorFlow, SKLearn, XGBoost, HuggingFace, MXNet, Chainer, RLEstimator: "
        "subclasses of sagemaker.estimator.Framework) JSON-encode every hyperparameter value themselves: "
        "Framework.hyperparameters() applies EstimatorBase._json_encode_hyperparameters, json.dumps per value "
        "(sagemaker/estimator.py, SDK 2.x). A value that is already a json.dumps result is encoded twice: "
        "hyperparameters.json holds lr as \"\\\"3e-05\\\"\", so a script reading that file, SM_HPS or the "
        "training toolkit's decoded hyperparameters gets the string '3e-05' instead of a number (and 'false', "
        "which is true), and a string value keeps its quotes ('\"adam\"') everywhere, its command line included. "
        "The generic Estimator is different: without source_dir it str()s each value "
        "(_TrainingJob._get_train_args), so a json.dumps there is the single encoding a JSON-reading container "
        "needs; with source_dir set, Estimator.set_hyperparameters JSON-encodes like a framework estimator. "
        "PyTorch with a Nova training_recipe keeps strings and is not checked. Where the step's script (the "
        "contract's entry point) takes the key as a command-line option or as SM_HP_<KEY>, a number arrives the "
        "same either way and a list or dict arrives as JSON text only when encoded twice, which argparse code "
        "may rely on: there only a value known to be a string is reported. Values are followed through module "
        "constants and project functions whose return is a dict display; a call or value steplint cannot follow "
        "(self.config.hyperparameters.serialize_config()) is not reported. The fix, offered when the json.dumps(x) "
        "call is written in the dict passed as hyperparameters=, replaces it with x. It is unsafe: it changes "
        "what the job receives, and a script written around the double encoding (decoding twice) must change "
        "with it."
    )
    fix_applicability = Applicability.UNSAFE
    bad_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "lr": json.dumps(0.01), '
                                '"optimizer": json.dumps("adam")},',
                                imports="import json\n"),
                expect=2,
                fixed=builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                      'hyperparameters={"epochs": 10, "lr": 0.01, "optimizer": "adam"},',
                                      imports="import json\n")),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters=encode(self.config.hyperparameters),',
                                imports="import json\n",
                                helpers='def encode(hp):\n'
                                        '    return {"lr": json.dumps(hp.lr), "epochs": hp.epochs}\n')),
        Example(builder_project('image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",\n'
                                'source_dir="scripts",\nhyperparameters={"lr": json.dumps(0.01)},',
                                estimator="Estimator", imports="import json\n")),
        Example(with_script(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                            'hyperparameters={"optimizer": json.dumps("adam")},',
                                            imports="import json\n"), ARGPARSE_SCRIPT)),
    )
    good_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "lr": 0.01, "optimizer": "adam"},')),
        Example(builder_project('image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",\n'
                                'hyperparameters={"lr": json.dumps(0.01), "layers": json.dumps([64, 32])},',
                                estimator="Estimator", imports="import json\n")),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters=self.config.hyperparameters.serialize_config(),')),
        Example(with_script(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                            'hyperparameters={"layers": json.dumps(self.config.layers)},',
                                            imports="import json\n"), ARGPARSE_SCRIPT)),
    )

    def check(self, context):
        model = context.model
        reported = set()
        for builder in model.builders:
            for constructed in builder.constructed:
                if constructed.kind != "estimator" or not constructed.call.has_kwarg(HYPERPARAMETER_VALUES):
                    continue
                reason = _json_encoding(model, constructed)
                if reason is None:
                    continue
                written = constructed.call.kwarg(HYPERPARAMETER_VALUES)
                found = _encoded_values(model, written)
                if found is None:
                    continue
                mapping, where = found
                path = builder.path if where == "call" else self._written_in(model, written, builder)
                if path is None:
                    continue
                reads = _script_reads(model, builder)
                for entry in mapping.entries:
                    value = model.resolve(entry.value)
                    if not _is_json_dumps(model, value) or (path, entry.span) in reported:
                        continue
                    if self._may_be_meant(model, entry, value, reads):
                        continue
                    reported.add((path, entry.span))
                    yield self._finding(context, builder, constructed, reason, path, entry, value,
                                        local=where == "call" and entry.value is value)

    @staticmethod
    def _may_be_meant(model, entry, value: CallValue, reads: _ScriptReads | None) -> bool:
        """Cannot tell whether the double encoding is wrong: the script takes the key on its
        command line or as SM_HP_<KEY>, where a number arrives the same either way and a list or
        dict arrives as JSON text only when encoded twice (argparse ``type=json.loads``). A value
        known to be a string is wrong everywhere: its quotes arrive with it."""
        key = model.resolve(entry.key)
        argument = model.resolve(value.args[0]) if len(value.args) == 1 else None
        if isinstance(argument, str) or reads is None:
            return False
        return not isinstance(key, str) or reads.takes_directly(key)

    @staticmethod
    def _written_in(model, written, builder) -> str | None:
        """The file a constant's or a function's returned dict is written in."""
        resolved = model.resolve(written)
        if isinstance(resolved, CallValue):
            func = model.resolve(resolved.func)
            module = model.module(func.module) if isinstance(func, Ref) else None
            return module.path if module is not None else None
        return _where(model, written, builder.path)

    def _finding(self, context, builder, constructed, reason, path, entry, value, local: bool):
        key = context.model.resolve(entry.key)
        name = f"hyperparameter '{key}'" if isinstance(key, str) else "a hyperparameter"
        argument = context.model.resolve(value.args[0]) if len(value.args) == 1 else None
        received = _received(argument)
        what = (f"the job receives {received}" if received is not None
                else "the job receives the value encoded twice (json.dumps(0.01) arrives as '\"0.01\"')")
        estimator = constructed.class_name + ("" if constructed.class_name == "Estimator" else " estimator")
        message = fitted(f"{name} is already json.dumps(...); the {estimator} in {builder.name} encodes it again",
                          f"{name} is already json.dumps(...); the {estimator} encodes it again")
        help = (f"{reason[:1].upper()}{reason[1:]} ({SDK_ESTIMATOR_MODULE}, {data.sdk_source()}), so {what} and "
                f"decoding it once yields JSON text, not the value. Pass the value itself.")
        fix = self._fix(context, path, value) if local else None
        return self.finding(path, value.span if local else entry.span, message, fix, related_paths=[builder.path],
                            help=help)

    @staticmethod
    def _fix(context, path: str, value: CallValue):
        """Replace ``json.dumps(x)`` written in the dict display with ``x``: one positional
        argument, no keywords, no comments inside the call, and ``x`` something a dict value
        can be without parentheses (not a bare ``a := b`` or generator). The edit keeps the
        argument's text as written (its own parentheses and line breaks included)."""
        if len(value.args) != 1 or value.kwargs or value.has_star_args:
            return None
        import libcst as cst  # loaded only to build fixes

        parsed = context.parsed(path)
        node = parsed.find(value.span, cst.Call) if parsed is not None else None
        if node is None or len(node.args) != 1:
            return None
        [arg] = node.args
        if arg.keyword is not None or arg.star or isinstance(arg.comma, cst.Comma):
            return None
        if isinstance(arg.value, (cst.NamedExpr, cst.GeneratorExp)) and not arg.value.lpar:
            return None
        text = parsed.source.text
        start = parsed.offset(value.span.line, value.span.col)
        end = parsed.offset(value.span.end_line, value.span.end_col)
        func = parsed.span_of(node.func)
        opening = text.find("(", parsed.offset(func.end_line, func.end_col), end)
        if opening < 0 or not text[start:end].endswith(")") or _has_comment(node):
            return None
        inner = text[opening + 1:end - 1].strip()
        shown = inner if "\n" not in inner and len(inner) <= 40 else "the value"
        return _fix(f"pass {shown} itself, not json.dumps(...)", Applicability.UNSAFE,
                    Edit(parsed.source.display, start, end, inner))
