"""SL6xx: YAML step interfaces (``*.step.yaml``), checked as the project's loader reads them.

The loader (public cursus repository, ``src/cursus/steps/interfaces/__init__.py`` and
``src/cursus/core/base/step_interface.py``) is ``yaml.safe_load`` (YAML 1.1) followed by
pydantic models that ignore unknown keys, with job-type variants deep-merged over the base.
So a misspelt key, a key written twice, or an unquoted ``no`` says something other than
what its author meant, and nothing complains. These rules read the YAML reader's facts
(``steplint.readers.yaml``): the located node tree of each file and its merged views.
Findings point at the YAML node; rules that compare across sections run on every view and
name only the ``step_type``, so a node every variant inherits is reported once.
"""

from __future__ import annotations

import difflib

from steplint.findings.finding import Edit
from steplint.readers.yaml.edits import quoted, removed_entry, removed_item
from steplint.readers.yaml.interface import View, variant_entries, views
from steplint.readers.yaml.keys import INTERFACE, STRING_LISTS, STRING_MAPS, ListOf, MapOf, Section
from steplint.readers.yaml.nodes import Mapping, Scalar, Sequence
from steplint.readers.yaml.steps import runs_own_command, sagemaker_step_type, step_type, string
from steplint.rule import Applicability, Example, Fix, Rule, Severity, fitted
from steplint.rules._interface_views import ByNode as _ByNode
from steplint.rules._interface_views import interface_files as _files
from steplint.rules._interface_views import interface_views as _views
from steplint.rules._resolver_scoring import COMPATIBLE_TYPES, DEFAULT_PORT_TYPE, LEGACY_ALIASES
from steplint.sagemaker.facts import STEP_KINDS

READER = "yaml"
INTERFACE_PATH = "steps/interfaces/tabular_preprocessing.step.yaml"
SCRIPT_PATH = "steps/scripts/tabular_preprocessing.py"
GOOD_INTERFACE = """\
step_type: TabularPreprocessing
node_type: internal
registry:
  sagemaker_step_type: Processing
patterns:
  direct_input_keys: [DATA]
contract:
  entry_point: tabular_preprocessing.py
  inputs:
    DATA:
      path: /opt/ml/processing/input/data
      required: true
  outputs:
    processed_data:
      path: /opt/ml/processing/output
  env_vars:
    required: []
    optional:
      USE_SECURE_PYPI: 'false'
spec:
  dependencies:
    DATA:
      type: processing_output
      required: true
      compatible_sources: [DataLoading]
  outputs:
    processed_data:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri
variants:
  training:
    spec:
      dependencies:
        DATA:
          semantic_keywords: [training, data]
"""
GOOD_SCRIPT = """\
import os

INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output"


def main():
    secure = os.environ.get("USE_SECURE_PYPI", "false")
    print(INPUT_DIR, OUTPUT_DIR, secure)


if __name__ == "__main__":
    main()
"""


def interface(*replacements: tuple) -> dict:
    """The example project (an interface and its script), with ``(old, new)`` text
    replacements applied to the interface."""
    text = GOOD_INTERFACE
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return {INTERFACE_PATH: text, SCRIPT_PATH: GOOD_SCRIPT}


def _hint(name, candidates) -> str:
    if not isinstance(name, str):
        return ""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.75)
    if not close:
        lowered = {candidate.lower(): candidate for candidate in candidates}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def _walk(node, schema, where: str):
    """``(entry, section, where)`` for every mapping entry below ``node`` whose key the
    ``schema`` does not list, following the schema into known keys."""
    if isinstance(schema, Section):
        if not isinstance(node, Mapping):
            return
        for entry in node.entries:
            if entry.name not in schema.fields or not isinstance(entry.key, Scalar):
                yield entry, schema, where
                continue
            child = schema.fields[entry.name]
            if child is not None:
                yield from _walk(entry.value, child, f"{where}.{entry.name}" if where else str(entry.name))
    elif isinstance(schema, MapOf):
        if isinstance(node, Mapping):
            for entry in node.entries:
                yield from _walk(entry.value, schema.item, f"{where}.{entry.name}")
    elif isinstance(schema, ListOf):
        if isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                yield from _walk(item, schema.item, f"{where}[{index}]")


class UnknownInterfaceKey(Rule):
    code = "SL601"
    reader = "yaml"
    name = "unknown-interface-key"
    summary = "A key the project's loader does not read in this section of a step interface (often a typo)."
    rationale = (
        "The loader validates each section with a pydantic model that ignores unknown keys, so a misspelt key "
        "(compatable_sources, requried, env_var) is dropped without a word and the setting it meant to make "
        "silently keeps its default: a dependency with no compatible sources, an input that stays required. "
        "The accepted keys per section are the fields of cursus's models in "
        "src/cursus/core/base/step_interface.py (plus config_class and builder_step_name, which the registry "
        "loader reads from the registry block). Keys under a variant other than spec, contract and patterns "
        "are SL602's."
    )
    bad_examples = (
        Example(interface(("      compatible_sources: [DataLoading]", "      compatable_sources: [DataLoading]"))),
        Example(interface(("  env_vars:\n", "  env_var:\n"))),
    )
    good_examples = (Example(interface()),)

    def check(self, context):
        for path, file in sorted(_files(context).items()):
            for entry, section, where in _walk(file.root, INTERFACE, ""):
                if where.startswith("variants.") and where.count(".") == 1:
                    continue  # a variant's own keys: SL602
                place = f"in {where}" if where else "at the top level"
                name = entry.name if isinstance(entry.key, Scalar) else "(a mapping or list)"
                hint = _hint(name, section.fields)
                yield self.finding(path, entry.key.span,
                                   fitted(f"unknown key '{name}' {place}{hint}", f"unknown key '{name}'{hint}"),
                                   help="The project's loader (pydantic, unknown keys ignored) drops it without a "
                                        "word, so it has no effect. Correct the key, or remove it.")


class VariantKeyIgnored(Rule):
    code = "SL602"
    reader = "yaml"
    name = "variant-key-ignored"
    summary = "A key under a job-type variant that the loader's merge never reads."
    severity = Severity.WARNING
    rationale = (
        "For a job type, StepInterface.from_yaml deep-merges only the variant's spec, contract and patterns over "
        "the base; every other key under variants.<job type> (step_type, registry, compute, node_type) is "
        "ignored, so a variant that sets them changes nothing: the step keeps the base's step type, SageMaker "
        "step type and compute. Move the setting into spec/contract/patterns, or to the base, or remove it."
    )
    bad_examples = (Example(interface(("  training:\n", "  training:\n    step_type: TabularPreprocessing_Training\n"))),)
    good_examples = (Example(interface()),)

    def check(self, context):
        for path, file in sorted(_files(context).items()):
            for variant in variant_entries(file):
                if not isinstance(variant.value, Mapping):
                    continue
                for entry in variant.value.entries:
                    if entry.name in ("spec", "contract", "patterns"):
                        continue
                    hint = _hint(entry.name, ("spec", "contract", "patterns"))
                    yield self.finding(path, entry.key.span, fitted(
                        f"key '{entry.name}' under variant '{variant.name}' is ignored: the merge reads only spec, "
                        f"contract and patterns{hint}",
                        f"key '{entry.name}' under variant '{variant.name}' is ignored{hint}"),
                        help=(f"StepInterface.from_yaml merges only a variant's spec, contract and patterns over the "
                              f"base, so this changes nothing for job type '{variant.name}'. Move the setting into "
                              f"one of those sections or to the base, or remove it."))


class DuplicateInterfaceKey(Rule):
    code = "SL603"
    reader = "yaml"
    name = "duplicate-interface-key"
    summary = "A key written twice in one mapping of a step interface: yaml.safe_load keeps only the last."
    fix_applicability = Applicability.SAFE
    rationale = (
        "YAML says keys are unique, but PyYAML's safe_load accepts a repeated key and keeps the last value "
        "without a warning. The earlier entry looks like it takes effect and does not: two `required:` lines, "
        "two ports of the same logical name, two env_vars sections (the first one's variables vanish). The fix "
        "removes the earlier entry when its key and value sit alone on their lines; that is what the loader "
        "already does, so behaviour is unchanged."
    )
    bad_examples = (Example(interface(("      required: true\n  outputs:", "      required: false\n"
                                                                              "      required: true\n  outputs:"))),)
    good_examples = (Example(interface()),)

    def check(self, context):
        for path, file in sorted(_files(context).items()):
            for first, later in file.duplicates:
                shown = later.value.text if isinstance(later.value, Scalar) else "the later block"
                fix = removed_entry(file, first)
                yield self.finding(path, first.key.span,
                                   f"key '{first.name}' is written again at line {later.key.span.line} of the same "
                                   f"mapping; this earlier entry is ignored",
                                   fix=Fix("remove the earlier entry", Applicability.SAFE, (fix,)) if fix else None,
                                   help=(f"yaml.safe_load keeps only the last value ({shown}), so this entry has no "
                                         f"effect. Remove it, or merge what it meant into the later one."))


def _string_nodes(contract):
    """``(node, where)`` for every value of the contract that the loader types as a string."""
    if not isinstance(contract, Mapping):
        return
    for keys in STRING_MAPS:
        node = contract
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            for entry in node.entries:
                yield entry.value, f"{'.'.join(keys)}.{entry.name}"
    for keys in STRING_LISTS:
        node = contract
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Sequence):
            for index, item in enumerate(node.items):
                yield item, f"{'.'.join(keys)}[{index}]"


def _contracts(file):
    """The contract sections written in a file: the base's and each variant's."""
    yield file.root.get("contract"), "contract"
    for variant in variant_entries(file):
        if isinstance(variant.value, Mapping):
            yield variant.value.get("contract"), f"variants.{variant.name}.contract"


class NonStringValue(Rule):
    code = "SL604"
    reader = "yaml"
    name = "non-string-value"
    summary = "An unquoted env var default or other string value that YAML 1.1 reads as a bool, number or null."
    fix_applicability = Applicability.SAFE
    rationale = (
        "yaml.safe_load follows YAML 1.1: unquoted no, yes, on, off, true, false are booleans, 0, 42, 0.7 and "
        "1_000 are numbers, ~ and null are null. The loader types env var defaults, arguments, framework "
        "requirements and input source overrides as strings (Dict[str, str] / List[str] in cursus's "
        "ContractSection and EnvVars), and pydantic does not turn a bool or a number into a string: the "
        "interface fails to load, and an environment variable's value must be a string for SageMaker anyway. "
        "The fix quotes the value exactly as written ('no', '0'), which is the string the author meant."
    )
    bad_examples = (
        Example(interface(("      USE_SECURE_PYPI: 'false'\n", "      USE_SECURE_PYPI: no\n")),
                fixed=interface(("      USE_SECURE_PYPI: 'false'\n", "      USE_SECURE_PYPI: 'no'\n"))),
        Example(interface(("      USE_SECURE_PYPI: 'false'\n", "      USE_SECURE_PYPI: false\n      MAX_ROWS: 0\n")),
                expect=2),
    )
    good_examples = (Example(interface()),)

    def check(self, context):
        for path, file in sorted(_files(context).items()):
            for contract, where in _contracts(file):
                for node, place in _string_nodes(contract):
                    if not isinstance(node, Scalar) or node.tag.endswith(":str"):
                        continue
                    kind = {"int": "number", "float": "number"}.get(node.tag.rsplit(":", 1)[-1],
                                                                     node.tag.rsplit(":", 1)[-1])
                    edit = quoted(file, node) if node.text else None
                    written = node.text or "(nothing)"
                    yield self.finding(path, node.span, fitted(
                        f"{where}.{place} is written {written}, which YAML 1.1 reads as {_reading(node)}",
                        f"{place} is written {written}, which YAML 1.1 reads as {_reading(node)}"),
                        fix=Fix(f"quote the value: '{node.text}'", Applicability.SAFE, (edit,)) if edit else None,
                        help=(f"The loader types it as a string and pydantic rejects a {kind} there, so the "
                              f"interface fails to load. Quote it"
                              + (f": '{node.text}'." if node.text else " (write the string meant, in quotes).")))


def _reading(node: Scalar) -> str:
    if node.value is None:
        return "null"
    if isinstance(node.value, bool):
        return f"the boolean {node.value}"
    return f"the {type(node.value).__name__} {node.value!r}"


def _input_names(view: View) -> set | None:
    dependencies = view.section("spec", "dependencies")
    if dependencies is None:
        return set()
    if not isinstance(dependencies, Mapping):
        return None
    return {entry.name for entry in dependencies.entries}


# Handlers that walk the spec's dependencies to build inputs (builder_templates.py:
# ProcessingHandler, TrainingHandler, TransformHandler); ModelCreationHandler reads
# inputs["model_data"] whatever the spec says, and delegation handlers have their own modes.
DEPENDENCY_WALKING_KINDS = ("processing", "training", "transform")


class UnknownInputPort(Rule):
    code = "SL605"
    reader = "yaml"
    name = "unknown-input-port"
    fix_applicability = Applicability.SAFE
    summary = "direct_input_keys, skip_inputs or input_source_overrides names no dependency of the step."
    rationale = (
        "The synthesised builder walks the spec's dependencies: patterns.direct_input_keys picks which builder "
        "keyword arguments become inputs, contract.skip_inputs which dependencies are not mounted, and "
        "contract.input_source_overrides which take their source from a config attribute "
        "(builder_templates.py, ProcessingHandler.get_inputs). A name that is no dependency's logical name is "
        "never looked up: the input it meant to skip is still mounted and required, the override never "
        "applies. Usually the dependency was renamed. (direct_input_keys are checked for Processing, Training "
        "and Transform steps, whose handlers walk the dependencies.) The fix removes the entry, which changes "
        "nothing the builder does; if the dependency was renamed, write its new name instead."
    )
    bad_examples = (
        Example(interface(("  direct_input_keys: [DATA]", "  direct_input_keys: [DATA, input_data]")),
                fixed=interface()),
        Example(interface(("contract:\n", "contract:\n  skip_inputs: [config]\n"))),
    )
    good_examples = (Example(interface()),)

    def check(self, context):
        found = _ByNode()
        for view in _views(context):
            names = _input_names(view)
            if names is None:
                continue
            lists = [("contract", "skip_inputs")]
            if STEP_KINDS.get(sagemaker_step_type(view)) in DEPENDENCY_WALKING_KINDS and not _delegates(view):
                lists.append(("patterns", "direct_input_keys"))
            for keys in lists:
                node = view.section(*keys)
                for index, item in enumerate(node.items if isinstance(node, Sequence) else ()):
                    if string(item) is not None and item.value not in names:
                        found.add(view, item, (".".join(keys), names, (node, index)))
            overrides = view.section("contract", "input_source_overrides")
            for entry in overrides.entries if isinstance(overrides, Mapping) else ():
                if isinstance(entry.name, str) and entry.name not in names:
                    found.add(view, entry.key, ("contract.input_source_overrides", names, entry))
        for view, node, (where, names, place), variants in found.items():
            edit = (removed_item(view.file, *place) if isinstance(place, tuple)
                    else removed_entry(view.file, place))
            fix = Fix(f"remove '{node.value}'", Applicability.SAFE, (edit,)) if edit is not None else None
            yield self._finding(view, node, where, names, variants, fix)

    def _finding(self, view: View, node, where: str, names: set, variants: str, fix):
        hint = _hint(node.value, [n for n in names if isinstance(n, str)])
        return self.finding(view.file.path, node.span, fitted(
            f"{where} of {step_type(view)} names '{node.value}', no dependency of the step{variants}{hint}",
            f"{where} names '{node.value}', no dependency of the step{variants}{hint}",
            f"{where} names '{node.value}', no dependency of the step{hint}"),
            fix=fix,
            help=("The builder walks the spec's dependencies, so this entry is never used. Write the dependency's "
                  "logical name, or remove the entry."))


class RequiredMismatch(Rule):
    code = "SL606"
    reader = "yaml"
    name = "required-mismatch"
    summary = "contract.inputs.X.required and spec.dependencies.X.required disagree."
    rationale = (
        "Both default to true. The synthesised builder and the dependency resolver follow the spec: an optional "
        "dependency that the pipeline does not wire is skipped, a required one that is missing raises "
        "(ProcessingHandler.get_inputs / TrainingHandler.get_inputs in builder_templates.py). The contract's "
        "required then documents the opposite of what happens; the script, written against the contract, may "
        "treat an input as always present that can be absent, or the other way round. A variant that changes "
        "one side only is the usual cause."
    )
    bad_examples = (Example(interface(("      required: true\n  outputs:", "      required: false\n  outputs:"))),)
    good_examples = (Example(interface()),)

    def check(self, context):
        found = _ByNode()
        for view in _views(context):
            inputs = view.section("contract", "inputs")
            dependencies = view.section("spec", "dependencies")
            if not isinstance(inputs, Mapping) or not isinstance(dependencies, Mapping):
                continue
            for entry in inputs.effective():
                dependency = dependencies.get(entry.name)
                if not isinstance(entry.value, Mapping) or not isinstance(dependency, Mapping):
                    continue
                contract_node, spec_node = entry.value.get("required"), dependency.get("required")
                contract_value = _flag(contract_node)
                spec_value = _flag(spec_node)
                if contract_value is None or spec_value is None or contract_value == spec_value:
                    continue
                node = contract_node if contract_node is not None else entry.key
                found.add(view, node, (entry.name, contract_value, spec_value))
        for view, node, (name, contract_value, spec_value), variants in found.items():
            yield self.finding(view.file.path, node.span, fitted(
                f"input '{name}' of {step_type(view)} is {_state(contract_value)} in the contract but "
                f"{_state(spec_value)} in spec.dependencies{variants}",
                f"input '{name}' is {_state(contract_value)} in the contract but {_state(spec_value)} in "
                f"spec.dependencies{variants}",
                f"input '{name}' is {_state(contract_value)} in the contract but {_state(spec_value)} in "
                f"spec.dependencies"),
                help=(f"The builder and the dependency resolver follow the spec, so the pipeline treats the input "
                      f"as {_state(spec_value)}. Make the two agree."))


def _flag(node) -> bool | None:
    """A ``required`` value: True when absent (the models' default), None when not a bool."""
    if node is None:
        return True
    return node.value if isinstance(node, Scalar) and isinstance(node.value, bool) else None


def _state(required: bool) -> str:
    return "required" if required else "optional"


SCRIPT_KINDS = ("processing", "training")


class MissingEntryPoint(Rule):
    code = "SL607"
    reader = "yaml"
    name = "null-entry-point"
    summary = "A Processing or Training interface whose contract.entry_point is null or missing."
    rationale = (
        "Only script-less steps (CreateModel, Transform, the SDK-delegation steps) may leave entry_point null. "
        "The Processing and Training handlers run the contract's script (processor.run(code=...) / the "
        "estimator's entry_point), so a null entry point fails the build, or runs no script at all. The "
        "exception is a bring-your-own container whose compute.container_entrypoint runs the image's own "
        "command. Name the script (a .py file under the scripts directory)."
    )
    bad_examples = (Example(interface(("  entry_point: tabular_preprocessing.py", "  entry_point: null"))),)
    good_examples = (Example(interface()),
                     Example(interface(("  entry_point: tabular_preprocessing.py", "  entry_point: null"),
                                       ("contract:\n", "compute:\n  kind: byo_container\n  image_uri_field: image\n"
                                                       "  container_entrypoint: [bash, run.sh]\ncontract:\n"))))

    def check(self, context):
        for view in _views(context):
            kind = STEP_KINDS.get(sagemaker_step_type(view))
            contract = view.section("contract")
            if kind not in SCRIPT_KINDS or not isinstance(contract, Mapping) or _delegates(view):
                continue
            if runs_own_command(view, contract):
                continue
            node = contract.get("entry_point")
            if node is not None and not (isinstance(node, Scalar) and node.value is None):
                continue
            where = contract.entry("entry_point") or view.root.entry("contract")
            yield self.finding(view.file.path, where.key.span, (
                f"{step_type(view)} is a {sagemaker_step_type(view)} step but contract.entry_point is "
                f"{'null' if node is not None else 'missing'}"),
                help=(f"The {sagemaker_step_type(view)} handler runs the contract's script, so the step has nothing "
                      f"to run. Name the step's script (a .py file) in contract.entry_point."))


def _delegates(view: View) -> bool:
    return string(view.section("patterns", "step_assembly")) == "delegation"


JOB_TYPE_SUFFIXES = ("_Training", "_Testing", "_Validation", "_Calibration")


def _normalized(name: str) -> str:
    """A step type as the resolver compares it: job-type suffix and trailing ``Step`` removed
    (cursus ``UnifiedDependencyResolver._normalize_step_type_for_compatibility`` and
    ``_provider_in_compatible_sources``)."""
    for suffix in JOB_TYPE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name[: -len("Step")] if name.endswith("Step") else name


def _loosely(name: str) -> str:
    """``_normalized`` after the slips the resolver does not forgive: a job-type suffix after
    ``-`` or a space instead of ``_``, and letter case."""
    for suffix in JOB_TYPE_SUFFIXES:
        for separator in ("-", " "):
            written = separator + suffix[1:]
            if name.lower().endswith(written.lower()) and len(name) > len(written):
                name = name[: -len(written)]
                break
    return _normalized(name).lower()


def _compatible_source_lists(file):
    """``(dependency entry, compatible_sources node)`` in the base spec and every variant's."""
    specs = [file.root.get("spec")]
    specs += [variant.value.get("spec") for variant in variant_entries(file) if isinstance(variant.value, Mapping)]
    for spec in specs:
        dependencies = spec.get("dependencies") if isinstance(spec, Mapping) else None
        for entry in dependencies.entries if isinstance(dependencies, Mapping) else ():
            sources = entry.value.get("compatible_sources") if isinstance(entry.value, Mapping) else None
            if isinstance(sources, Sequence):
                yield entry, sources


class UnknownCompatibleSource(Rule):
    code = "SL608"
    reader = "yaml"
    name = "misspelt-compatible-source"
    summary = "A compatible source that names no step type, but almost names one (a typo the resolver does not forgive)."
    fix_applicability = Applicability.UNSAFE
    rationale = (
        "The dependency resolver rewards a provider listed in a dependency's compatible_sources (+0.1) and "
        "penalises one that is not (-0.1) when the list is not empty (UnifiedDependencyResolver."
        "_calculate_compatibility). It compares the provider's step type with job-type suffixes (_Training, "
        "_Validation, ...) and a trailing Step removed, and through StepCatalog.LEGACY_ALIASES. A token that "
        "matches no step type that way is dead; many are deliberate categories (ProcessingStep, S3Source), so "
        "steplint reports only tokens one slip away from a step type of the project: a job-type suffix after "
        "'-' or a space, a difference of letter case, or one character added, dropped, changed or swapped. "
        "The provider the author meant "
        "is then penalised instead of rewarded, and can lose its edge to a worse match. The fix (unsafe: it "
        "changes how the resolver scores) writes the step type it is close to."
    )
    bad_examples = (Example({**interface(("compatible_sources: [DataLoading]",
                                          "compatible_sources: [DataLoading-Training]")),
                             "steps/interfaces/data_loading.step.yaml": (
                                 "step_type: DataLoading\nnode_type: source\nregistry:\n  sagemaker_step_type: Processing\n"
                                 "contract:\n  entry_point: null\nspec: {}\n")}),
                    Example({**interface(("compatible_sources: [DataLoading]", "compatible_sources: [DataLaoding]")),
                             "steps/interfaces/data_loading.step.yaml": (
                                 "step_type: DataLoading\nnode_type: source\nregistry:\n  sagemaker_step_type: Processing\n"
                                 "contract:\n  entry_point: null\nspec: {}\n")}))
    good_examples = (Example({**interface(("compatible_sources: [DataLoading]",
                                           "compatible_sources: [DataLoading_Training, DataLoadingStep, ProcessingStep]")),
                              "steps/interfaces/data_loading.step.yaml": (
                                  "step_type: DataLoading\nnode_type: source\nregistry:\n  sagemaker_step_type: Processing\n"
                                  "contract:\n  entry_point: null\nspec: {}\n")}),)

    def check(self, context):
        files = _files(context)
        known = {step_type(View(file, None, file.root)) for file in files.values()}
        if len(known) < 2:
            return  # too few interfaces in the run to tell a typo from a step type defined elsewhere
        accepted = {_normalized(name) for name in known} | {_normalized(name) for name in LEGACY_ALIASES}
        for path, file in sorted(files.items()):
            for dependency, sources in _compatible_source_lists(file):
                for item in sources.items:
                    token = string(item)
                    if token is None or token in accepted or _normalized(token) in accepted:
                        continue
                    meant = _meant(token, known)
                    if meant is None:
                        continue
                    edit = None
                    if item.style is None and item.span.line == item.span.end_line:
                        start, end = file.offsets(item.span)
                        if file.text[start:end] == token:
                            edit = Edit(path, start, end, meant)
                    yield self.finding(path, item.span, fitted(
                        f"compatible source '{token}' of dependency '{dependency.name}' names no step type (close: "
                        f"'{meant}')",
                        f"compatible source '{token}' names no step type (close: '{meant}')"),
                        fix=Fix(f"write '{meant}'", Applicability.UNSAFE, (edit,)) if edit else None,
                        help=(f"The resolver compares step types with a job-type suffix after '_' and a trailing "
                              f"Step removed, and through StepCatalog.LEGACY_ALIASES, so as written the provider "
                              f"meant is penalised (-0.1) instead of rewarded (+0.1) when the resolver scores it. "
                              f"Write '{meant}'."))


def _meant(token: str, known: set) -> str | None:
    """The step type ``token`` is one slip away from, written the way the resolver accepts it
    (keeping a job-type suffix, with '_'); None when there is none or several."""
    suffix = next((candidate for candidate in JOB_TYPE_SUFFIXES for separator in ("-", " ")
                   if token.lower().endswith((separator + candidate[1:]).lower())), "")
    loose = {name for name in known if _loosely(name) == _loosely(token)}
    if len(loose) == 1:
        return loose.pop() + suffix
    close = [name for name in known if len(name) >= 8 and _one_slip(name.lower(), token.lower())]
    return close[0] if len(close) == 1 else None


def _one_slip(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one character added, dropped, changed, or two adjacent
    characters swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [index for index in range(len(a)) if a[index] != b[index]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:index] + longer[index + 1:] == shorter for index in range(len(longer)))


class VariantChangesPortType(Rule):
    code = "SL609"
    reader = "yaml"
    name = "variant-changes-port-type"
    summary = "A job-type variant that changes the type of a dependency or output the base declares."
    rationale = (
        "The dependency resolver matches a dependency to an upstream output first by type: a mismatch outside "
        "its compatibility table scores 0 and is never wired (UnifiedDependencyResolver._calculate_compatibility"
        "). Variants restate the base's ports to refine their keywords and sources; one that also changes a "
        "port's type makes the same logical port wire differently per job type (a training variant that "
        "expects model_artifacts where the base takes processing_output), which is rarely meant and is easy to "
        "miss in a long file. Declare the type once in the base, or give the variant's port its own name."
    )
    bad_examples = (Example(interface(("          semantic_keywords: [training, data]",
                                       "          type: training_data\n          semantic_keywords: [training, data]"))),)
    good_examples = (Example(interface()),)

    def check(self, context):
        for path, file in sorted(_files(context).items()):
            base_spec = file.root.get("spec")
            for variant in variant_entries(file):
                spec = variant.value.get("spec") if isinstance(variant.value, Mapping) else None
                for group, noun in (("dependencies", "dependency"), ("outputs", "output")):
                    base = base_spec.get(group) if isinstance(base_spec, Mapping) else None
                    override = spec.get(group) if isinstance(spec, Mapping) else None
                    if not isinstance(base, Mapping) or not isinstance(override, Mapping):
                        continue
                    for entry in override.effective():
                        before = base.get(entry.name)
                        after = entry.value.get("type") if isinstance(entry.value, Mapping) else None
                        before = before.get("type") if isinstance(before, Mapping) else None
                        if string(after) is None or string(before) is None or after.value == before.value:
                            continue
                        yield self.finding(path, after.span, fitted(
                            f"variant '{variant.name}' changes the type of {noun} '{entry.name}' from "
                            f"{before.value} (line {before.span.line}) to {after.value}",
                            f"variant '{variant.name}' changes the type of {noun} '{entry.name}' to {after.value}"),
                            help=(f"The resolver matches ports by type first, so this port wires differently for "
                                  f"job type '{variant.name}'. Keep one type, or give the variant's port its own "
                                  f"name."))



def _port_type(port) -> str | None:
    """A port's ``type`` (the default when absent); None when not a known string."""
    node = port.get("type") if isinstance(port, Mapping) else None
    if node is None:
        return DEFAULT_PORT_TYPE
    value = string(node)
    return value if value in COMPATIBLE_TYPES else None


def _output_types(files: dict) -> dict:
    """Normalised step type -> the types of every output it declares in any view; a step
    with an output of unknown type maps to None."""
    found: dict = {}
    for file in files.values():
        for view in views(file):
            name = _normalized(step_type(view))
            outputs = view.section("spec", "outputs")
            if not isinstance(outputs, Mapping):
                found.setdefault(name, set())
                continue
            types = found.setdefault(name, set())
            for entry in outputs.effective():
                port_type = _port_type(entry.value)
                if port_type is None or types is None:
                    found[name] = None
                    break
                types.add(port_type)
    return found


class IncompatibleCompatibleSource(Rule):
    code = "SL610"
    reader = "yaml"
    name = "incompatible-compatible-source"
    summary = "A compatible source whose step declares no output of a type the dependency can take."
    rationale = (
        "The dependency resolver scores a dependency against each upstream output, and a pair whose types are "
        "not compatible scores 0 and is never wired, whatever compatible_sources says "
        "(UnifiedDependencyResolver._calculate_compatibility and _are_types_compatible: model_artifacts takes "
        "only model_artifacts; training_data and processing_output take each other; hyperparameters takes "
        "hyperparameters and custom_property; payload_samples takes payload_samples and processing_output; "
        "custom_property only custom_property). A listed source none of whose outputs has such a type can never "
        "provide the dependency: usually a CreateModel step (whose output is the model name, custom_property) "
        "listed where the training step's model_artifacts are meant, or a port declared with the wrong type."
    )
    bad_examples = (Example({**interface(("compatible_sources: [DataLoading]", "compatible_sources: [DataModel]")),
                             "steps/interfaces/data_model.step.yaml": (
                                 "step_type: DataModel\nregistry:\n  sagemaker_step_type: CreateModel\n"
                                 "contract:\n  entry_point: null\nspec:\n  outputs:\n    model_name:\n"
                                 "      type: custom_property\n      property_path: properties.ModelName\n")}),)
    good_examples = (Example({**interface(("compatible_sources: [DataLoading]", "compatible_sources: [DataLoading]")),
                              "steps/interfaces/data_loading.step.yaml": (
                                  "step_type: DataLoading\nregistry:\n  sagemaker_step_type: Processing\n"
                                  "contract:\n  entry_point: null\nspec:\n  outputs:\n    DATA:\n"
                                  "      type: processing_output\n")}),)

    def check(self, context):
        files = _files(context)
        providers = _output_types(files)
        found = _ByNode()
        for view in _views(context):
            dependencies = view.section("spec", "dependencies")
            for entry in dependencies.effective() if isinstance(dependencies, Mapping) else ():
                wanted = _port_type(entry.value)
                sources = entry.value.get("compatible_sources") if isinstance(entry.value, Mapping) else None
                if wanted is None or not isinstance(sources, Sequence):
                    continue
                for item in sources.items:
                    token = string(item)
                    offered = providers.get(_normalized(token)) if token is not None else None
                    if not offered or offered & set(COMPATIBLE_TYPES[wanted]):
                        continue
                    found.add(view, item, (token, entry.name, wanted, tuple(sorted(offered))))
        for view, item, (token, dependency, wanted, offered), variants in found.items():
            types = ", ".join(offered)
            yield self.finding(view.file.path, item.span, fitted(
                f"compatible source '{token}' of dependency '{dependency}' ({wanted}){variants} has only "
                f"{types} outputs",
                f"compatible source '{token}' of dependency '{dependency}' ({wanted}) has only {types} outputs",
                f"compatible source '{token}' ({wanted}) has only {types} outputs"),
                help=(f"The resolver pairs no {types} output with {wanted}: every pairing scores 0, so '{token}' can "
                      f"never provide this dependency. List the step that produces {wanted}, or correct the port's "
                      f"type."))
