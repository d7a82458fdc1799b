"""SL612: two dependencies of a YAML step interface that the dependency resolver can only bind
to the same output of a source both list.

cursus wires a step's inputs from the steps the pipeline DAG puts upstream of it, scoring each
dependency against each upstream output (``UnifiedDependencyResolver._calculate_compatibility``,
copied in ``steplint.rules._resolver_scoring``). Which steps are upstream is the DAG's choice,
not the interfaces', so this rule asks a question the interfaces answer alone: for a source
step P that two dependencies both list in ``compatible_sources``, which of P's outputs can
each of them take? It reads the YAML reader's facts (every view of every interface file).
"""

from __future__ import annotations

from steplint.readers.yaml.interface import views
from steplint.readers.yaml.nodes import Mapping, Scalar, Sequence
from steplint.readers.yaml.steps import step_type, string
from steplint.rule import Example, Rule, fitted
from steplint.rules._interface_views import ByNode, interface_files, interface_views
from steplint.rules._resolver_scoring import (
    COMPATIBLE_TYPES,
    DEFAULT_DATA_TYPE,
    DEFAULT_PORT_TYPE,
    MARGIN,
    THRESHOLD,
    Dependency,
    Output,
    compatibility,
    provider_in_compatible_sources,
)
from steplint.rules.interfaces import interface

LOADER = {"steps/interfaces/data_loading.step.yaml": """\
step_type: DataLoading
node_type: source
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: data_loading.py
  outputs:
    DATA:
      path: /opt/ml/processing/output/data
spec:
  outputs:
    DATA:
      type: processing_output
      property_path: properties.ProcessingOutputConfig.Outputs['DATA'].S3Output.S3Uri
"""}
SECOND_DEPENDENCY = ("      compatible_sources: [DataLoading]\n  outputs:\n", """\
      compatible_sources: [DataLoading]
    DATA_SECONDARY:
      type: processing_output
      required: false
      compatible_sources: [DataLoading]
  outputs:
""")
OTHER_SOURCE = (SECOND_DEPENDENCY[0], SECOND_DEPENDENCY[1].replace(
    "false\n      compatible_sources: [DataLoading]", "false\n      compatible_sources: [FeatureStoreLoading]"))
SECOND_INPUT = ("      required: true\n  outputs:\n", """\
      required: true
    DATA_SECONDARY:
      path: /opt/ml/processing/input/data_secondary
      required: false
  outputs:
""")


def _replaced(text: str, *replacements: tuple) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _loader(*replacements: tuple) -> dict:
    return {path: _replaced(text, *replacements) for path, text in LOADER.items()}


class DependenciesShareOneOutput(Rule):
    code = "SL612"
    reader = "yaml"
    name = "dependencies-share-one-output"
    summary = ("Two dependencies of a step that list the same source, which has only one output either can take: "
               "fed from it, both inputs get the same data.")
    rationale = (
        "cursus wires a step from the steps upstream of it in the pipeline DAG, scoring each dependency against "
        "each upstream output (src/cursus/core/deps/dependency_resolver.py, UnifiedDependencyResolver."
        "_calculate_compatibility): 0.4 for the same type, 0.2 for a compatible one, 0 for any other; 0.2 or 0.1 "
        "for the data type; 0.25 times the name similarity with the output's name and aliases (semantic_matcher.py, "
        "SemanticMatcher.calculate_similarity_with_aliases); 0.05 for an exact name or alias; +0.1 if the provider is in "
        "compatible_sources, -0.1 if not (_provider_in_compatible_sources); 0.05 times the share of "
        "semantic_keywords in the output's name. A pair above 0.5 is viable. The builder's resolve_step_"
        "dependencies (called by every handler's _merge_inputs) takes each dependency's best viable output on its "
        "own (builder_base.py, extract_inputs_from_dependencies), so two dependencies can get the same one; "
        "PipelineAssembler._propagate_messages gives an output to "
        "one dependency of a consumer only (its comment calls one S3 URI wired to two inputs a bug), but lays its "
        "choices over the builder's, which still fill the dependency it left out. So when two dependencies both "
        "list a step P and only one output of P is viable for either (in every job-type variant of P), a pipeline "
        "that feeds them from P mounts the same data at both inputs (TabularPreprocessing would read DATA twice, "
        "as DATA and DATA_SECONDARY). The rule asks this per listed source, not over the whole project, because "
        "the resolver only sees the DAG's upstream steps. It is silent when a score cannot be computed (a value "
        "it cannot read, a step type with '_', a spec.step_type override, a step type declared twice) or lies "
        "within rounding of 0.5, and when P offers either dependency no viable output or several. Give P an "
        "output per input, or list for the second dependency the step that produces its data."
    )
    bad_examples = (Example({**interface(SECOND_DEPENDENCY, SECOND_INPUT), **_loader()}),)
    good_examples = (Example({**interface(OTHER_SOURCE, SECOND_INPUT), **_loader()}),)

    def check(self, context):
        providers = _providers(interface_files(context))
        found = ByNode()
        for view in interface_views(context):
            consumer = step_type(view)
            dependencies = view.section("spec", "dependencies")
            entries = [(entry, _dependency(entry)) for entry in dependencies.effective()] if isinstance(
                dependencies, Mapping) else []
            for provider, outputs in providers.items():
                if provider == consumer:
                    continue
                sharing: dict = {}
                for entry, dependency in entries:
                    if dependency is None or not provider_in_compatible_sources(provider, dependency.sources):
                        continue
                    only = _only_output(dependency, provider, outputs)
                    if only is not None:
                        sharing.setdefault(only, []).append(entry)
                for output, sharers in sharing.items():
                    if len(sharers) < 2:
                        continue
                    sharers.sort(key=lambda entry: not _required(entry))  # stable: declaration order within
                    names = tuple(entry.name for entry in sharers)
                    found.add(view, _source_item(sharers[-1], provider), ((provider, output, names),))
        for view, node, ((provider, output, names),), variants in found.items():
            yield self._finding(view, node, provider, output, names, variants)

    def _finding(self, view, node, provider: str, output: str, names: tuple, variants: str):
        listed = _listed(names)
        both, either, inputs = ("both", "either", "both inputs") if len(names) == 2 else (
            "all", "any of them", f"all {len(names)} inputs")
        return self.finding(view.file.path, node.span, fitted(
            f"dependencies {listed}{variants} {both} list {provider} and can take only its output '{output}'",
            f"{listed}{variants} {both} list {provider} and can take only its output '{output}'",
            f"{listed}{variants} can take only {provider}'s output '{output}'",
            f"{listed} can take only {provider}'s output '{output}'"),
            help=(f"{both.capitalize()} list {provider} in compatible_sources, and no other output of {provider} "
                  f"scores above the resolver's 0.5 threshold for {either}, so a "
                  f"pipeline that feeds them from {provider} mounts its '{output}' at {inputs}: the builder's "
                  f"resolve_step_dependencies binds each dependency on its own and fills in what the assembler "
                  f"leaves out. Give {provider} an output for each input, or feed '{names[-1]}' from a step with an "
                  f"output it scores higher (taking {provider} out of its list only lowers that score by 0.2)."))


def _required(entry) -> bool:
    """A dependency's ``required`` (the model's default, True, unless written false)."""
    node = entry.value.get("required")
    return not (isinstance(node, Scalar) and node.value is False)


def _listed(names: tuple) -> str:
    quoted = [f"'{name}'" for name in names]
    return " and ".join(quoted) if len(quoted) == 2 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _providers(files: dict) -> dict:
    """Step type -> one tuple of ``Output``s per view (the base and each variant), for every
    interface whose every view the resolver's scoring can be computed for; a step type declared
    by two files, written with '_' (the registry may normalise it to another step type,
    ``get_step_name_from_spec_type``) or renamed by ``spec.step_type`` is left out."""
    found: dict = {}
    seen: set = set()
    for path in sorted(files):
        file = files[path]
        name = string(file.root.get("step_type"))
        if name is None:
            continue
        if name in seen:
            found.pop(name, None)
            continue
        seen.add(name)
        per_view = [_outputs(view) for view in views(file)]
        if "_" not in name and all(outputs is not None for outputs in per_view):
            found[name] = tuple(per_view)
    return found


def _outputs(view) -> tuple | None:
    """The view's spec outputs as ``Output``s; None when any cannot be read."""
    spec = view.section("spec")
    if spec is None or (isinstance(spec, Scalar) and spec.value is None):
        return ()
    if not isinstance(spec, Mapping) or spec.get("step_type") is not None:
        return None
    outputs = spec.get("outputs")
    if outputs is None:
        return ()
    if not isinstance(outputs, Mapping):
        return None
    found = []
    for entry in outputs.effective():
        port = _port(entry)
        aliases = _strings(port[0].get("aliases")) if port is not None else None
        if port is None or aliases is None:
            return None
        found.append(Output(entry.name, port[1], port[2], aliases))
    return tuple(found)


def _dependency(entry) -> Dependency | None:
    """A ``spec.dependencies`` entry as the resolver reads it; None when anything it scores
    cannot be read."""
    port = _port(entry)
    if port is None:
        return None
    mapping, kind, data_type = port
    sources, keywords = _strings(mapping.get("compatible_sources")), _strings(mapping.get("semantic_keywords"))
    if sources is None or keywords is None:
        return None
    return Dependency(entry.name, kind, data_type, sources, keywords)


def _port(entry) -> tuple | None:
    """``(mapping, type, data_type)`` of a port entry (the models' defaults when absent); None
    when the name, type or data type is not a plain value the loader accepts, or when
    ``logical_name`` renames the port."""
    if not isinstance(entry.key, Scalar) or not isinstance(entry.name, str) or not isinstance(entry.value, Mapping):
        return None
    port = entry.value
    renamed = port.get("logical_name")
    if renamed is not None and string(renamed) != entry.name:
        return None
    kind = port.get("type")
    kind = DEFAULT_PORT_TYPE if kind is None else string(kind)
    data_type = port.get("data_type")
    data_type = DEFAULT_DATA_TYPE if data_type is None else string(data_type)
    if kind not in COMPATIBLE_TYPES or data_type is None:
        return None
    return port, kind, data_type


def _strings(node) -> tuple | None:
    """A list of strings (empty when absent); None for anything else (``null`` included: the
    loader's models reject it)."""
    if node is None:
        return ()
    if not isinstance(node, Sequence) or not all(string(item) is not None for item in node.items):
        return None
    return tuple(item.value for item in node.items)


def _only_output(dependency: Dependency, provider: str, per_view: tuple) -> str | None:
    """The name of the one output of ``provider`` the dependency can be bound to, the same in
    every view of the provider; None when a view offers none, several, or a score too close
    to the threshold to tell."""
    names = set()
    for outputs in per_view:
        viable = []
        for output in outputs:
            score = compatibility(dependency, output, provider)
            if abs(score - THRESHOLD) <= MARGIN:
                return None
            if score > THRESHOLD:
                viable.append(output.name)
        if len(viable) != 1:
            return None
        names.add(viable[0])
    return names.pop() if len(names) == 1 else None


def _source_item(entry, provider: str):
    """The first item of the dependency's ``compatible_sources`` that names ``provider``."""
    sources = entry.value.get("compatible_sources")
    return next(item for item in sources.items if provider_in_compatible_sources(provider, (item.value,)))
