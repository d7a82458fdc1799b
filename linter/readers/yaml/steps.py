"""Steps of YAML step interfaces, in the source-agnostic step model.

One ``Step`` per interface view (the base, and each job-type variant after the merge; see
``interface.views``). What the step model says, and where cursus establishes it (public
cursus repository, ``src/cursus/core/base/``):

- ``kind`` from ``registry.sagemaker_step_type`` (``Processing`` -> processing, ``Training``
  -> training, ``CreateModel`` -> model, ``Transform`` -> transform: ``steplint.sagemaker.
  facts.STEP_KINDS``). Steps whose ``sagemaker_step_type`` is an SDK-delegation verb
  (``CradleDataLoading``, ``RedshiftDataLoading``, ``MimsModelRegistrationProcessing``) or
  whose ``patterns.step_assembly`` is ``delegation`` are ``delegated``: their builder hands
  them to another package's step class (``builder_templates.SDKDelegationHandler``).
- container declarations from ``contract``: ``inputs.X.path`` / ``outputs.X.path`` (a null
  path is kept as a declaration with value None: script-less steps declare them so; for a
  processing step, the inputs named in ``skip_inputs`` keep their key but their path is
  Unknown, as ``ProcessingHandler.get_inputs`` never mounts them (the script loads them from
  its own files),
  ``env_vars.required`` (value None) and ``env_vars.optional`` (value: the default), and the
  arguments: ``job_arguments[].flag`` and the keys of ``arguments``.
- interfaces (``Port``) from ``spec.dependencies`` / ``spec.outputs``; the mapping key is
  the logical name, ``type`` the port's type, ``property_path`` an output's (at its scalar).
  ``response``: the kind's response shapes (``register_model`` for RegisterModel; none for a
  delegated step). ``output_names``: for a processing step, the spec outputs' logical names,
  as ``ProcessingHandler.get_outputs`` names each ProcessingOutput (``output_name=logical_name``).
- what reaches the container. The builder is synthesised (``TemplateStepBuilder``; there
  is no builder file): ``builder_base._get_environment_variables`` sets every optional env
  var the config does not supply to its declared default, asks the config for the
  declared names, adds ``contract.computed_env_paths`` and then whatever the config's own
  collector and ``config.env`` return; so the declared and computed names reach the
  container (YES), and any other name is UNKNOWN (the config class decides, which this
  reader does not read). ``_get_job_arguments`` returns ``config.get_job_arguments()``, of
  which ``job_arguments`` is the declared record: its flags are YES, others UNKNOWN.
  Training channels follow ``TrainingHandler.channels_for`` (``builder_templates.py``):
  an input's declared ``channels``; else ``train``/``val``/``test`` for ``input_path``;
  else the ``<channel>`` of an ``/opt/ml/input/data/<channel>`` path; else the logical
  name; one set per spec dependency with a contract path, made only for the inputs the
  pipeline wires (so the names are a superset).
- the script: ``contract.entry_point`` found under the configured ``script-roots``, else
  the one Python file of that name nearest the interface file; none when
  ``compute.container_entrypoint`` makes the container run the image's own command (a
  ``bash entrypoint.sh`` that may read the env vars and pass options itself).

Every item's ``Origin`` is the YAML node that declared it (the variant's node when the
variant overrides it). All views of a file share ``declared_by`` (the ``step_type``), so a
finding at a base node that every variant inherits is reported once.
"""

from __future__ import annotations

import os
import posixpath

from steplint.model.steps import Declared, Interface, Origin, Port, Step, Supply, Terms
from steplint.model.values import Unknown
from steplint.readers.yaml.builder import builder_config
from steplint.readers.yaml.interface import View, views
from steplint.readers.yaml.nodes import Mapping, Scalar, Sequence

# the keys of a step interface each kind of declaration lives in (cursus's step_interface.py)
INTERFACE_TERMS = Terms("contract.inputs", "contract.outputs", "contract.env_vars (required or optional)",
                        "contract.arguments")
from steplint.sagemaker.data import STEP_RESPONSE_SHAPES
from steplint.sagemaker.facts import STEP_KINDS

DELEGATION_STEP_TYPES = frozenset({"CradleDataLoading", "RedshiftDataLoading", "MimsModelRegistrationProcessing"})
FANOUT_INPUT = "input_path"
DEFAULT_FANOUT_CHANNELS = ("train", "val", "test")  # TrainingHandler.DEFAULT_FANOUT_CHANNELS
TRAINING_DATA_PARTS = ["opt", "ml", "input", "data"]
ENV_ROUTE = ("the step's config supplies the environment (its get_environment_variables collector and "
             "config.env), which may add variables the interface does not declare")
ARGUMENT_ROUTE = "config.get_job_arguments() builds the container's arguments; job_arguments only records them"


def steps_of(files: dict, project) -> list:
    """Every view of every interface file as a ``Step``, in path order."""
    found = []
    for path in sorted(files):
        for view in views(files[path]):
            found.append(step_of(view, project))
    return found


def string(node) -> str | None:
    """The string a scalar node holds, else None."""
    return node.value if isinstance(node, Scalar) and isinstance(node.value, str) else None


def step_type(view: View) -> str:
    """The interface's ``step_type`` (the file name's stem when absent)."""
    return string(view.root.get("step_type")) or view.file.path.rsplit("/", 1)[-1].split(".", 1)[0]


def sagemaker_step_type(view: View) -> str | None:
    """``registry.sagemaker_step_type`` (Processing, Training, CreateModel, Transform, ...)."""
    return string(view.section("registry", "sagemaker_step_type"))


def step_of(view: View, project) -> Step:
    """One view (base or variant) as a ``Step``; ``project`` (a ``ReaderProject``, or None)
    finds the script."""
    path = view.file.path
    name = step_type(view)
    contract = view.section("contract")
    contract = contract if isinstance(contract, Mapping) else None
    kind = STEP_KINDS.get(sagemaker_step_type(view))
    script = _script(view, contract, project)
    skipped = skipped_inputs(contract) if kind == "processing" else frozenset()
    inputs = _unmounted(_ports(path, contract, "inputs", with_path=True), skipped)
    outputs = _ports(path, contract, "outputs", with_path=True)
    env = _env(path, contract)
    arguments = _arguments(path, contract)
    origin_node = view.root.entry("contract") or view.root.entry("spec")
    spec_outputs = _ports(path, view.section("spec"), "outputs")
    node_type, node_type_origin = _node_type(view)  # spec-level facts (issue 13)
    return Step(
        name=name if view.variant is None else f"{name}[{view.variant}]",
        kind=kind,
        origin=Origin(path, origin_node.key.span if origin_node else view.root.span),
        declared_by=name,
        container_inputs=inputs,
        container_outputs=outputs,
        declared_env=env,
        declared_arguments=arguments,
        env=_names(env, _computed_env(contract)) | Supply.unknown(ENV_ROUTE),
        arguments=_names(arguments, (), flag=True) | Supply.unknown(ARGUMENT_ROUTE),
        channels=_channels(view, contract) if kind == "training" else None,
        built_by=(f"the builder synthesised for {name}",),
        builder_paths=(),
        script=script,
        related=tuple(dict.fromkeys([path] + ([script.path] if script is not None else []))),
        delegated=_delegated(view),
        interfaces=(Interface(name, path, _ports(path, view.section("spec"), "dependencies"), spec_outputs,
                              # spec-level facts (issue 13)
                              node_type=node_type, node_type_origin=node_type_origin, terms=INTERFACE_TERMS),),
        terms=INTERFACE_TERMS,
        response=response_kind(view, kind),
        output_names=output_names(view, kind, spec_outputs),
        builders=_synthesised(view, path, name, kind, contract, env),
        # spec-level facts (issue 13)
        entry_point=_entry_point(view, contract),
        entry_point_origin=(Origin(path, contract.get("entry_point").span)
                            if contract is not None and contract.get("entry_point") is not None else None),
    )


def _synthesised(view: View, path: str, name: str, kind: str | None, contract, env) -> tuple:
    """What the builder cursus synthesises for the view configures (``yaml.builder``); none
    for a delegated step (another package's step class builds the job)."""
    if _delegated(view):
        return ()
    config = builder_config(view, path, f"the builder synthesised for {name}", kind, contract, env, channels_for)
    return (config,) if config is not None else ()


def _entry_point(view: View, contract):
    """``contract.entry_point`` as written; None when absent or null; Unknown when not a string,
    or (whatever it says) when ``compute.container_entrypoint`` makes the container run its own command (which
    may run any script of the uploaded code)."""
    if runs_own_command(view, contract):
        return Unknown("the container runs its own command (compute.container_entrypoint), which may run any script")
    node = contract.get("entry_point") if contract is not None else None
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return None
    return string(node) if string(node) is not None else Unknown("entry_point is not a string")


def skipped_inputs(contract) -> frozenset:
    """``contract.skip_inputs``: dependencies the script loads from its own files, which the
    processing handler neither mounts nor wires (``ProcessingHandler.get_inputs``)."""
    node = contract.get("skip_inputs") if contract is not None else None
    if not isinstance(node, Sequence):
        return frozenset()
    return frozenset(item.value for item in node.items if string(item) is not None)


def _unmounted(declared, names: frozenset):
    """``declared`` with the container path of every input named in ``names`` made Unknown:
    the key stays (the script's ``input_paths`` still has it), but nothing is mounted there."""
    if not names or not isinstance(declared, tuple):
        return declared
    return tuple(Declared(item.name, Unknown("listed in skip_inputs: not mounted, the script loads it itself"),
                          item.origin) if item.name in names else item for item in declared)


def _delegated(view: View) -> bool:
    """Whether the step's builder hands it to another package's step class: its SageMaker step
    type is a delegation verb (given by ``registry.sagemaker_step_type``, or, in files written
    before the registry block existed, by the top-level ``step_type``), or its patterns say so."""
    registered = sagemaker_step_type(view)
    step_type = registered if registered is not None else string(view.root.get("step_type"))
    return (step_type in DELEGATION_STEP_TYPES
            or string(view.section("patterns", "step_assembly")) == "delegation"
            or string(view.section("registry", "step_assembly")) == "delegation")


def _ports(path: str, section, key: str, with_path: bool = False):
    """Declarations (``with_path``: ``Declared`` of the port's container path) or ``Port``s
    of the mapping ``section[key]``; None when absent, Unknown when not a mapping of names."""
    if not isinstance(section, Mapping):
        return None if section is None or (isinstance(section, Scalar) and section.value is None) else Unknown(
            "the section is not a mapping")
    node = section.get(key)
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return None if with_path else ()
    if not isinstance(node, Mapping):
        return Unknown(f"{key} is not a mapping of logical names")
    found = []
    for entry in node.effective():
        if not isinstance(entry.name, str):
            return Unknown(f"a key of {key} is not a string")
        port = entry.value if isinstance(entry.value, Mapping) else None
        if with_path:
            value_node = port.get("path") if port is not None else None
            value = value_node.value if isinstance(value_node, Scalar) else (
                Unknown("the path is not a scalar") if value_node is not None else None)
            span = value_node.span if isinstance(value_node, Scalar) else entry.key.span
            found.append(Declared(entry.name, value, Origin(path, span)))
        else:
            port_type = string(port.get("type")) if port is not None else None
            property_path, where = _property_path(path, port)
            found.append(Port(entry.name, Origin(path, entry.key.span), port_type, property_path, where,
                              aliases=_aliases(path, port) if key == "outputs" else ()))
    return tuple(found)


NODE_TYPES = ("source", "internal", "sink", "singular")  # cursus core/base/enums.py NodeType values


def _node_type(view: View) -> tuple:
    """The top-level ``node_type`` as written and where: (value, Origin); the value is Unknown
    when it is no ``NodeType`` value (the loader coerces by value and rejects others), and
    (None, None) when absent (the loader then takes ``internal``, which nobody wrote)."""
    node = view.root.get("node_type")
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return None, None
    value = string(node)
    return (value if value in NODE_TYPES else Unknown("node_type is not a NodeType value"),
            Origin(view.file.path, node.span))


def _aliases(path: str, port) -> tuple | Unknown:
    """An output's ``aliases``: ``Declared(alias, None, origin of the item)`` per item (the
    alias Unknown when not a string); Unknown when the value is not a list."""
    node = port.get("aliases") if port is not None else None
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return ()
    if not isinstance(node, Sequence):
        return Unknown("aliases is not a list")
    return tuple(Declared(value if (value := string(item)) is not None else Unknown("not a string"), None,
                          Origin(path, item.span)) for item in node.items)


def _property_path(path: str, port) -> tuple:
    """An output port's ``property_path`` and where it is written: (str, Origin) for a
    string scalar, (Unknown, Origin) for any other value, (None, None) when absent or null."""
    node = port.get("property_path") if port is not None else None
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return None, None
    value = node.value if string(node) is not None else Unknown("the property_path is not a string")
    return value, Origin(path, node.span)


def response_kind(view: View, kind: str | None) -> str | None:
    """Which botocore response shapes the step's properties mirror (``STEP_RESPONSE_SHAPES``):
    ``register_model`` for a RegisterModel step, else its kind; None for a delegated step,
    whose step class is another package's."""
    if _delegated(view):
        return None
    response = "register_model" if sagemaker_step_type(view) == "RegisterModel" else kind
    return response if response in STEP_RESPONSE_SHAPES else None


def output_names(view: View, kind: str | None, outputs) -> Supply | None:
    """The ``output_name`` of each ProcessingOutput the synthesised builder makes: the logical
    name of every spec output (cursus ``builder_templates.ProcessingHandler.get_outputs``);
    None for a step of another kind, a delegated one, or outputs not statically known."""
    if kind != "processing" or _delegated(view) or not isinstance(outputs, tuple):
        return None
    return Supply(frozenset(port.name for port in outputs))


def _env(path: str, contract):
    if contract is None:
        return None
    env_vars = contract.get("env_vars")
    if env_vars is None or (isinstance(env_vars, Scalar) and env_vars.value is None):
        return ()
    if not isinstance(env_vars, Mapping):
        return Unknown("env_vars is not a mapping")
    found = []
    required = env_vars.get("required")
    if isinstance(required, Sequence):
        for item in required.items:
            if string(item) is None:
                return Unknown("an item of env_vars.required is not a string")
            found.append(Declared(item.value, None, Origin(path, item.span)))
    elif required is not None and not (isinstance(required, Scalar) and required.value is None):
        return Unknown("env_vars.required is not a list")
    optional = _named_values(path, env_vars.get("optional"), "env_vars.optional")
    return optional if isinstance(optional, Unknown) else tuple(found) + optional


def _computed_env(contract) -> tuple:
    computed = contract.get("computed_env_paths") if contract is not None else None
    if not isinstance(computed, Mapping):
        return ()
    return tuple(entry.name for entry in computed.effective() if isinstance(entry.name, str))


def _arguments(path: str, contract):
    if contract is None:
        return None
    found = []
    job_arguments = contract.get("job_arguments")
    if isinstance(job_arguments, Sequence):
        for item in job_arguments.items:
            flag = item.get("flag") if isinstance(item, Mapping) else None
            if string(flag) is None:
                return Unknown("an item of job_arguments has no string flag")
            found.append(Declared(flag.value, string(item.get("source")), Origin(path, flag.span)))
    elif job_arguments is not None and not (isinstance(job_arguments, Scalar) and job_arguments.value is None):
        return Unknown("job_arguments is not a list")
    arguments = _named_values(path, contract.get("arguments"), "arguments")
    return arguments if isinstance(arguments, Unknown) else tuple(found) + arguments


def _named_values(path: str, node, what: str) -> tuple | Unknown:
    """``Declared`` for each entry of the mapping ``node`` (``what`` names it in messages):
    its key, its scalar value (Unknown when not a scalar) and the key's place; ``()`` when
    the section is absent or null, Unknown when it is not a mapping or a key is not a string."""
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return ()
    if not isinstance(node, Mapping):
        return Unknown(f"{what} is not a mapping")
    found = []
    for entry in node.effective():
        if not isinstance(entry.name, str):
            return Unknown(f"a key of {what} is not a string")
        value = entry.value.value if isinstance(entry.value, Scalar) else Unknown("not a scalar")
        found.append(Declared(entry.name, value, Origin(path, entry.key.span)))
    return tuple(found)


def _option(name: str) -> str:
    return name.lstrip("-").replace("-", "_")


def _names(declared, extra: tuple, flag: bool = False) -> Supply:
    """The names a declaration makes reach the container (YES); complete only as far as
    ``declared`` is known."""
    if not isinstance(declared, tuple):
        return Supply.unknown("the declarations are not statically known") if isinstance(
            declared, Unknown) else Supply(frozenset(extra))
    names = {_option(entry.name) if flag else entry.name for entry in declared}
    return Supply(frozenset(names | set(extra)))


def channels_for(logical_name: str, container_path, declared) -> list:
    """The training channels one dependency maps to (cursus ``TrainingHandler.channels_for``)."""
    if declared:
        return list(declared)
    if logical_name == FANOUT_INPUT:
        return list(DEFAULT_FANOUT_CHANNELS)
    parts = (container_path or "").split("/")
    if len(parts) > 5 and parts[1:5] == TRAINING_DATA_PARTS:
        return [parts[5]]
    return [logical_name]


def _channels(view: View, contract) -> Supply | None:
    spec_dependencies = view.section("spec", "dependencies")
    inputs = contract.get("inputs") if contract is not None else None
    if not isinstance(spec_dependencies, Mapping) or not isinstance(inputs, Mapping):
        return Supply.unknown("the step's dependencies or inputs are not statically known")
    names = set()
    for dependency in spec_dependencies.effective():
        port = inputs.get(dependency.name)
        if not isinstance(port, Mapping):
            continue  # no container path: the handler raises before creating a channel
        path = string(port.get("path"))
        declared = port.get("channels")
        if declared is not None and not isinstance(declared, Sequence):
            return Supply.unknown(f"channels of input '{dependency.name}' is not a list")
        channels = [string(item) for item in declared.items] if isinstance(declared, Sequence) else []
        if None in channels:
            return Supply.unknown(f"a channel of input '{dependency.name}' is not a string")
        if path is None:
            continue
        names.update(channels_for(dependency.name, path, channels))
    return Supply(frozenset(names), superset=True) if names else None


def runs_own_command(view: View, contract) -> bool:
    """Whether ``compute.container_entrypoint`` (top level, or the ``contract.compute``
    mirror) makes the container run the image's own command instead of the entry point
    (cursus ``builder_base._create_byo_container_compute``): what that command reads is not
    the entry point's business."""
    mirrored = contract.get("compute") if contract is not None else None
    for compute in (view.section("compute"), mirrored):
        if isinstance(compute, Mapping):
            value = compute.get("container_entrypoint")
            if value is not None and not (isinstance(value, Scalar) and value.value is None):
                return True
    return False


def _script(view: View, contract, project):
    entry = string(contract.get("entry_point")) if contract is not None else None
    if entry is None or not entry.endswith(".py") or project is None or runs_own_command(view, contract):
        return None
    display = script_path(view.file.path, entry, project)
    return project.script(display) if display is not None else None


def script_path(interface_path: str, entry_point: str, project) -> str | None:
    """The display path of the script ``entry_point`` names: the file at ``<root>/<entry
    point>`` for a configured script root, else the one Python file whose path ends with the
    entry point nearest the interface file (most leading directories in common, then a
    ``scripts`` directory); None when there is none or no single nearest one."""
    suffix = "/" + entry_point.lstrip("./")
    candidates = [display for display in project.sources if ("/" + display).endswith(suffix)]
    roots = getattr(project.config, "script_roots", ()) or ()
    if roots:
        root = project.config.root
        wanted = {posixpath.normpath(posixpath.join(str(entry).strip("/"), entry_point.lstrip("./")))
                  for entry in roots}
        chosen = [display for display in candidates
                  if _relative(project.sources[display].path, root) in wanted]
        return chosen[0] if len(chosen) == 1 else None
    if not candidates:
        return None
    here = interface_path.split("/")[:-1]

    def score(display: str) -> tuple:
        there = display.split("/")[:-1]
        common = 0
        for mine, theirs in zip(here, there):
            if mine != theirs:
                break
            common += 1
        return (common, "scripts" in there)

    ranked = sorted(candidates, key=score, reverse=True)
    if len(ranked) > 1 and score(ranked[0]) == score(ranked[1]):
        return None
    return ranked[0]


def _relative(path, root) -> str | None:
    try:
        return posixpath.normpath(os.path.relpath(os.path.realpath(path), os.path.realpath(root)).replace(os.sep, "/"))
    except ValueError:
        return None
