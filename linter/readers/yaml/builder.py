"""What the builder cursus synthesises for a YAML step interface configures, in the step model
(``BuilderConfig``), for the checks of SageMaker's request limits.

Only what that builder always makes is recorded (cursus ``core/base/builder_templates.py``):

- a processing step's ProcessingInputs: ``ProcessingHandler.get_inputs`` makes one per spec
  dependency that is not in ``contract.skip_inputs`` and is required (an optional one only
  when the pipeline wires it) or sourced from the config (``contract.input_source_overrides``),
  at its ``contract.inputs.<name>.path``; its ProcessingOutputs: ``get_outputs`` makes one
  per spec output, none for a ``contract.sink`` step. Whether ``code=`` adds one more input
  depends on the handler's knobs: not counted.
- a training step's channels: ``TrainingHandler.channels_for`` for each required dependency
  with a contract path (``steplint.readers.yaml.steps.channels_for``).
- the job's environment: every declared env var (``contract.env_vars``: required, and
  optional with its default) and every ``contract.computed_env_paths`` name
  (``builder_base._get_environment_variables``; the config may add more).

Every item's ``Origin`` is the YAML node that declares it, so limits are reported there.
"""

from __future__ import annotations

from steplint.model.steps import BuilderConfig, Declared, Entry, Job, Origin, Written
from steplint.model.values import Unknown
from steplint.readers.yaml.nodes import Mapping, Scalar, Sequence

JOB_KINDS = {"processing": "processor", "training": "estimator"}
INPUTS_HOW = ("makes one ProcessingInput per required spec dependency that contract.skip_inputs does not name "
              "(and per optional one the pipeline wires)")
OUTPUTS_HOW = "makes one ProcessingOutput per spec output"
PROCESSING = "processing"


def _string(node) -> str | None:
    return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


def _truthy(node) -> bool:
    return isinstance(node, Scalar) and node.value is True


def _required(dependency) -> bool:
    """Whether a ``spec.dependencies`` entry is required (cursus's default: yes); False when
    ``required`` is anything but absent or true."""
    node = dependency.value.get("required") if isinstance(dependency.value, Mapping) else None
    return node is None or _truthy(node)


def _names(node) -> set:
    """The string keys of a mapping node, or the string items of a sequence node."""
    if isinstance(node, Mapping):
        return {entry.name for entry in node.effective() if isinstance(entry.name, str)}
    if isinstance(node, Sequence):
        return {item.value for item in node.items if _string(item) is not None}
    return set()


def builder_config(view, path: str, name: str, kind: str | None, contract, env, channels_for) -> BuilderConfig | None:
    """The synthesised builder of one view (``view``: base or variant; ``path``: its file;
    ``name``: how the builder is named in messages; ``env``: the step's declared env vars),
    or None for a step that is not a processing or training job, or without a contract."""
    if kind not in JOB_KINDS or not isinstance(contract, Mapping):
        return None
    spec = view.section("spec")
    spec = spec if isinstance(spec, Mapping) else None
    inputs = contract.get("inputs")
    inputs = inputs if isinstance(inputs, Mapping) else None
    dependencies = spec.entry("dependencies") if spec is not None else None
    made = []  # (dependency entry, contract input port) of every input always made
    if dependencies is not None and isinstance(dependencies.value, Mapping) and inputs is not None:
        skipped = _names(contract.get("skip_inputs"))
        overridden = _names(contract.get("input_source_overrides"))
        for dependency in dependencies.value.effective():
            port = inputs.get(dependency.name)
            if (isinstance(dependency.name, str) and dependency.name not in skipped and isinstance(port, Mapping)
                    and (_required(dependency) or dependency.name in overridden)):
                made.append((dependency, port))
    if kind == PROCESSING:
        return BuilderConfig(name, path, jobs=_jobs(view, path, kind, contract, env),
                             processing_lists=_processing_lists(path, dependencies, made, spec, contract),
                             local_paths=_local_paths(path, made, spec, contract))
    return BuilderConfig(name, path, jobs=_jobs(view, path, kind, contract, env),
                         channels=_channels(path, made, channels_for))


def _jobs(view, path: str, kind: str, contract, env) -> tuple:
    """The processor or estimator, with the environment the builder gives it."""
    compute = view.section("compute")
    sdk_class = _string(compute.get("sdk_class")) if isinstance(compute, Mapping) else None
    node = view.root.entry("compute") or view.root.entry("contract")
    origin = Origin(path, node.key.span if node is not None else view.root.span)
    env_entry = contract.entry("env_vars")
    environment = None
    if isinstance(env, tuple) and env_entry is not None:
        entries = [Entry(declared.name, declared.value, declared.origin, declared.origin) for declared in env]
        computed = contract.get("computed_env_paths")
        if isinstance(computed, Mapping):
            entries.extend(Entry(entry.name, Unknown("set by the builder"), Origin(path, entry.key.span),
                                 Origin(path, entry.key.span))
                           for entry in computed.effective() if isinstance(entry.name, str))
        environment = Written(tuple(entries), Origin(path, env_entry.key.span))
    return (Job(sdk_class or JOB_KINDS[kind], JOB_KINDS[kind], origin, environment=environment),)


def _outputs_made(spec, contract) -> list:
    """(spec output entry, contract output port) of every ProcessingOutput always made."""
    if _truthy(contract.get("sink")) or spec is None:
        return []
    outputs = spec.get("outputs")
    ports = contract.get("outputs")
    if not isinstance(outputs, Mapping) or not isinstance(ports, Mapping):
        return []
    return [(entry, ports.get(entry.name)) for entry in outputs.effective()
            if isinstance(entry.name, str) and isinstance(ports.get(entry.name), Mapping)]


def _processing_lists(path: str, dependencies, made, spec, contract) -> tuple:
    found = []
    if made:
        found.append(("inputs", Written(tuple(Entry(None, "ProcessingInput", None, Origin(path, dependency.key.span))
                                              for dependency, _ in made), Origin(path, dependencies.key.span),
                                        INPUTS_HOW)))
    outputs = _outputs_made(spec, contract)
    if outputs:
        written = spec.entry("outputs")
        found.append(("outputs", Written(tuple(Entry(None, "ProcessingOutput", None, Origin(path, entry.key.span))
                                               for entry, _ in outputs), Origin(path, written.key.span),
                                         OUTPUTS_HOW)))
    return tuple(found)


def _local_paths(path: str, made, spec, contract) -> tuple:
    """The container paths of the inputs and outputs always made, at their ``path`` nodes."""
    found = []
    for keyword, ports in (("ProcessingInput.destination", [port for _, port in made]),
                           ("ProcessingOutput.source", [port for _, port in _outputs_made(spec, contract)])):
        for port in ports:
            node = port.get("path")
            if _string(node) is not None:
                found.append(Declared(keyword, node.value, Origin(path, node.span)))
    return tuple(found)


def _channels(path: str, made, channels_for) -> tuple:
    """The channels of the required dependencies, at the ``channels`` item that names one,
    else at the contract input's ``path``."""
    found: dict = {}
    for dependency, port in made:
        path_node = port.get("path")
        container_path = _string(path_node)
        if container_path is None:
            continue
        declared = port.get("channels")
        items = declared.items if isinstance(declared, Sequence) else ()
        if any(_string(item) is None for item in items):
            continue
        nodes = {item.value: item for item in items}
        for channel in channels_for(dependency.name, container_path, [item.value for item in items]):
            node = nodes.get(channel, path_node)
            found.setdefault(channel, Declared(channel, None, Origin(path, node.span)))
    return tuple(found.values())
