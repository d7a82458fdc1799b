"""SL101, SL102, SL106, SL107: Python step specifications (SL103-SL105, which hold for every
source form, are in ``logical_names``)."""

from __future__ import annotations

from steplint.model.values import Mapping, Seq
from steplint.readers.python.project import (
    DEPENDENCY_FIELDS,
    Contract,
    argument,
)
from steplint.rule import Applicability, Example, Fix, Rule
from steplint.rules._catalog_examples import (
    BUILDER,
    CONTRACT,
    CORE,
    REGISTRY,
    SPEC,
    project,
)
from steplint.rules._examples import (
    CONFIG_DEPENDENCY,
    DATA_DEPENDENCY,
    training_project,
)
from steplint.rules._fixes import dependency_removal
from steplint.sagemaker.facts import (
    FRAMEWORK_ESTIMATORS,
    HYPERPARAMETERS_FILE,
    managed_config_dir,
)


def _reads_channel(script, logical_name: str, container_path: object) -> bool:
    """Whether a script reads a dependency's input: its contract key or a path under its channel."""
    if script is None:
        return False
    for access in script.accesses:
        if access.kind == "input_key" and access.key == logical_name:
            return True
        if access.kind == "path" and isinstance(container_path, str) and access.key.startswith(container_path):
            return True
    return False


class RedundantDependency(Rule):
    code = "SL101"
    reader = "python"
    name = "redundant-dependency"
    summary = "A spec dependency that nothing needs: hyperparameters the estimator already receives."
    rationale = (
        "A training step whose builder passes hyperparameters= to its estimator gets them from SageMaker, "
        "which writes /opt/ml/input/config/hyperparameters.json itself. A HYPERPARAMETERS dependency (or one "
        "mapped to a SageMaker-written config file) on such a step forces every pipeline to wire an input that "
        "no channel delivers and no script reads. Steps that deliberately ship hyperparameters through an "
        "input channel (the builder passes no hyperparameters=, the script reads the channel) are not flagged."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/data/config/hp.json"}',
        )),
    )
    good_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data"}',
        )),
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", '
                        '"config": "/opt/ml/input/data/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
            script='''\
                import json

                with open("/opt/ml/input/data/config/hyperparameters.json") as handle:
                    HYPERPARAMETERS = json.load(handle)
                ''',
        )),
    )

    def check(self, context):
        model = context.model
        for spec in model.specs:
            if not isinstance(spec.dependencies, tuple) or model.step_kind(spec) != "training":
                continue
            passing = [(builder, constructed) for builder in model.builders_of(spec)
                       for constructed in builder.constructed
                       if constructed.kind == "estimator" and constructed.call.has_kwarg("hyperparameters")
                       and model.resolve(constructed.call.kwarg("hyperparameters")) is not None]
            if not passing:
                continue
            builder, estimator = passing[0]
            contract = model.contract_of(spec)
            contract = contract if isinstance(contract, Contract) else None
            script = model.script_of(contract) if contract is not None else None
            for dependency in spec.dependencies:
                name = dependency.logical_name
                if not isinstance(name, str):
                    continue
                container_path = None
                if contract is not None and isinstance(contract.input_paths, Mapping):
                    container_path = model.resolve(contract.input_paths.get(name))
                managed = isinstance(container_path, str) and managed_config_dir(container_path) is not None
                if dependency.type_name != "HYPERPARAMETERS" and not managed:
                    continue
                if not managed and _reads_channel(script, name, container_path):
                    continue
                message = (f"dependency '{name}' is redundant: {builder.name} passes hyperparameters= "
                           f"to {estimator.class_name}(...)")
                established = (f"Its contract path {container_path} is written by SageMaker itself; no input "
                               "channel is delivered there." if managed else
                               f"It is a HYPERPARAMETERS dependency, and SageMaker writes {HYPERPARAMETERS_FILE} "
                               "from the estimator's hyperparameters=.")
                remedy = (f"Remove the dependency and its '{name}' entry in {contract.name}" if container_path
                          is not None else "Remove the dependency")
                remedy += (f"; a script that reads it through the contract's paths can open {container_path} "
                           "directly." if managed else ".")
                fix = dependency_removal(context, spec, dependency, contract)
                related = [builder.path] + ([contract.path] if contract is not None else [])
                yield self.finding(spec.path, dependency.span, message, fix, related,
                                   help=f"{established} {remedy}")


def _named(elements) -> list:
    """(logical name, element) for every element whose name is a known string."""
    return [(element.logical_name, element) for element in elements if isinstance(element.logical_name, str)]


def _spec_project(*changes):
    return project((CORE, REGISTRY, SPEC), *changes)


class DuplicateLogicalName(Rule):
    code = "SL102"
    reader = "python"
    name = "duplicate-logical-name"
    summary = "Two dependencies, or two outputs, of one spec share a logical name."
    rationale = (
        "A logical name is the key the builder receives in inputs, the key of the contract's path dict and the "
        "input_name/output_name SageMaker shows for the job. Two entries with one name collapse into one: the "
        "dependency resolver wires only one of them, and the second declaration is silently lost."
    )
    bad_examples = (
        Example(_spec_project((SPEC, '''            compatible_sources=["CradleDataLoading"],
        ),
''', '''            compatible_sources=["CradleDataLoading"],
        ),
        DependencySpec(logical_name="DATA", dependency_type=DependencyType.PROCESSING_OUTPUT),
'''))),
    )
    good_examples = (Example(_spec_project()),)

    def check(self, context):
        for spec in context.model.specs:
            for kind, elements in (("dependency", spec.dependencies), ("output", spec.outputs)):
                if not isinstance(elements, tuple):
                    continue
                seen = {}
                for name, element in _named(elements):
                    if name in seen:
                        first = seen[name].span
                        yield self.finding(
                            spec.path, element.span,
                            f"{spec.name} declares {kind} '{name}' twice (first at line {first.line})",
                            help=(f"The builder's {'inputs' if kind == 'dependency' else 'outputs'} and the "
                                  f"contract's paths are keyed by logical name, so only one '{name}' can be wired. "
                                  "Rename one of the two or remove the duplicate."))
                    else:
                        seen[name] = element


JOB_TYPE_SEPARATORS = ("_", "-")


def _squashed(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def _close_matches(name: str, known: set) -> list:
    """Registry names equal to ``name`` up to case, '-'/'_' and a job-type suffix."""
    candidates = {_squashed(name)}
    for separator in JOB_TYPE_SEPARATORS:
        if separator in name:
            candidates.add(_squashed(name.rsplit(separator, 1)[0]))
    return sorted(step for step in known if _squashed(step) in candidates)


class UnknownCompatibleSource(Rule):
    code = "SL106"
    reader = "python"
    name = "unknown-compatible-source"
    summary = "A compatible_sources entry that is no step name in the registry."
    rationale = (
        "compatible_sources tells the dependency resolver which upstream steps may satisfy a dependency, by "
        "their registry step name, and the resolver prefers those providers. A name the registry does not know "
        "(a typo, a different case, a job-type variant such as 'TabularPreprocessing_Training') never matches, "
        "so the intended upstream step gets no preference and the dependency may be wired to another step's "
        "output by a weaker semantic match, or not at all."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(_spec_project((SPEC, '["CradleDataLoading"]', '["cradle_data_loading"]')),
                fixed=_spec_project()),
        Example(_spec_project((SPEC, '["CradleDataLoading"]', '["CradleDataLoading", "DataLoad"]'))),
    )
    good_examples = (Example(_spec_project()),)

    def check(self, context):
        model = context.model
        known = _registry_names(model)
        if known is None:
            return
        for spec in model.specs:
            if not isinstance(spec.dependencies, tuple):
                continue
            for dependency in spec.dependencies:
                sources = dependency.compatible_sources
                if not isinstance(sources, Seq):
                    continue
                raw = argument(dependency.call, "compatible_sources", DEPENDENCY_FIELDS)
                inline = raw is sources
                for item, span in zip(sources.items, sources.item_spans):
                    source = model.resolve(item)
                    if not isinstance(source, str) or source in known:
                        continue
                    matches = _close_matches(source, known)
                    close = ", ".join(f"'{match}'" for match in matches)
                    remedy = (f"Use {close}." if len(matches) == 1 else f"Use one of {close}." if matches
                              else "Use a key of the step registry.")
                    fix = None
                    if len(matches) == 1 and inline and isinstance(item, str):
                        fix = _replace_string(context, spec.path, span, matches[0])
                    yield self.finding(
                        spec.path, span if inline else dependency.span,
                        f"compatible source '{source}' is not in the registry"
                        + (f" (close: {close})" if matches else ""),
                        fix, help=(f"The dependency resolver never matches '{source}' (of dependency "
                                   f"'{dependency.logical_name}') to an upstream step. {remedy}"))


def _registry_names(model) -> set | None:
    """Every registry key and spec_type, plus the SageMaker step classes the registry's steps use
    (``ProcessingStep`` for ``sagemaker_step_type: "Processing"``), which specs list as generic
    sources; None without a registry or with a key that is not a string."""
    if not model.registries:
        return None
    names = set()
    for _, registry in model.registries:
        for entry in registry.entries:
            key = model.resolve(entry.key)
            if not isinstance(key, str):
                return None
            names.add(key)
            if not isinstance(entry.value, Mapping):
                continue
            if isinstance(spec_type := entry.value.get("spec_type"), str):
                names.add(spec_type)
            if isinstance(sagemaker_type := entry.value.get("sagemaker_step_type"), str):
                names.add(f"{sagemaker_type}Step")
    return names


def _replace_string(context, path: str, span, value: str) -> Fix | None:
    import libcst as cst  # loaded only to build fixes

    parsed = context.parsed(path)
    node = parsed.find(span, cst.SimpleString) if parsed is not None else None
    if node is None:
        return None
    quote = node.quote
    if quote in value or "\\" in value:
        return None
    edit = parsed.replace(node, node.with_changes(value=f"{node.prefix}{quote}{value}{quote}"))
    return Fix(f"replace with '{value}'", Applicability.SAFE, (edit,)) if edit is not None else None


SCRIPT_PROCESSORS_WITHOUT_CODE = frozenset({"Processor", "SparkJarProcessor"})


def _runs_script(builder) -> str | None:
    """The class of the first estimator or processor of ``builder`` that runs a user script."""
    for constructed in builder.constructed:
        if constructed.kind == "estimator" and (constructed.class_name in FRAMEWORK_ESTIMATORS
                                                or constructed.call.has_kwarg("entry_point")):
            return constructed.class_name
        if constructed.kind == "processor" and constructed.class_name not in SCRIPT_PROCESSORS_WITHOUT_CODE:
            return constructed.class_name
    return None


class MissingScriptContract(Rule):
    code = "SL107"
    reader = "python"
    name = "missing-script-contract"
    summary = "A spec whose step runs a script but links no script contract."
    rationale = (
        "The contract is what maps a spec's logical names to container paths (/opt/ml/processing/input/<name>, "
        "/opt/ml/input/data/<channel>) and lists the env vars and arguments the script needs. Without it the "
        "builder cannot place inputs and outputs where the script looks, and nothing checks the script."
    )
    bad_examples = (
        Example(project((CORE, REGISTRY, SPEC, BUILDER),
                        (SPEC, "from steps.contracts.preprocessing_contract import PREPROCESSING_CONTRACT\n", ""),
                        (SPEC, "    script_contract=PREPROCESSING_CONTRACT,\n", ""))),
    )
    good_examples = (Example(project((CORE, REGISTRY, SPEC, CONTRACT, BUILDER))),)

    def check(self, context):
        model = context.model
        for spec in model.specs:
            if spec.contract_value is not None:
                continue
            for builder in model.builders_of(spec):
                runner = _runs_script(builder)
                if runner is not None:
                    paired, evidence = model.contract_of(spec), model.pairing_of(spec)
                    if isinstance(paired, Contract) and evidence is not None:
                        help = (f"At run time nothing maps {spec.name}'s logical names to the container paths the "
                                f"script uses. steplint paired the spec with {paired.name} by {evidence} to check "
                                f"the rest; add script_contract={paired.name}.")
                    else:
                        help = (f"Nothing maps {spec.name}'s logical names to the container paths the script uses, "
                                "and the script is not checked against the spec. Add script_contract=<the step's "
                                "contract>.")
                    yield self.finding(
                        spec.path, spec.binding.span,
                        f"the spec links no script_contract, but {builder.name} runs a script with {runner}",
                        related_paths=[builder.path], help=help)
                    break
