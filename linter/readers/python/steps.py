"""Steps of specification-driven Python code, in the source-agnostic step model.

One ``Step`` per script contract: its container declarations (``expected_input_paths``,
``expected_output_paths``, env vars, ``expected_arguments``), what reaches the container by
every route a builder has (the contract's declarations, which the spec-driven builder
passes on, plus ``env=`` / ``environment=`` of the estimator or processor it constructs,
``job_arguments=`` of its step and ``arguments=`` of ``processor.run``, and the training
channels it names), and the script the contract names. Then one ``Step`` per spec that links
no contract (a model, transform or registration step) and one per builder of neither: no
container and no script, only their ports and what their builders configure. Every step
carries its specs' ports with their property paths and response shapes, and what each
builder configures (``Step.builders``, from ``jobs``).

A route steplint cannot follow makes the answer for the names it does not know
``Answer.UNKNOWN``: a call it cannot resolve (``self.config.get_env()``), ``**kwargs``, a
dict or list with unknown keys or items. ``self.<method>()`` is followed to the builder's
method (or a base class's) when its body is one ``return``.
"""

from __future__ import annotations

import posixpath

from steplint.model.steps import (
    NOTHING,
    Declared,
    InferredLink,
    Interface,
    Origin,
    PassedKeys,
    Port,
    Script,
    ScriptOption,
    ScriptRead,
    Step,
    Supply,
    Terms,
)
from steplint.model.values import CallValue, ContractDerived, LogicalName, Mapping, ModuleRef, Ref, Seq, Unknown
from steplint.readers.python.declarations import contract_kind, mapping_entries, sequence_entries
from steplint.readers.python.jobs import builder_config, output_names, spec_response
from steplint.readers.python.project import Builder, Contract, ProjectModel, argument_span
from steplint.sagemaker.facts import ESTIMATORS, PROCESSORS, STEP_CLASSES

ENVIRONMENT_KEYWORDS = ("env", "environment")
CONTAINER_PREFIX = "/opt/ml/"
PATH_JOIN_MODULES = ("os.path", "posixpath")
ARGUMENT_KEYWORDS = ("job_arguments", "arguments")
MAX_FOLLOW = 8
READ_KINDS = ("path", "input_key", "output_key", "environ_key", "env")
# the ScriptContract fields (cursus's steps.core contract base) each kind of declaration lives in
CONTRACT_TERMS = Terms("expected_input_paths", "expected_output_paths", "required_env_vars or optional_env_vars",
                       "expected_arguments")


def steps_of(model: ProjectModel) -> list:
    """Every contract of the project as a ``Step``, in the order of ``model.contracts``, then
    every spec that links no contract and every builder of neither (``_unlinked_steps``)."""
    return model.derived(("steps",), lambda: [*(_step(model, contract) for contract in model.contracts),
                                              *_unlinked_steps(model)])


def _builders_of(model: ProjectModel, contract: Contract) -> list:
    builders = []
    for spec in model.specs_linking(contract):
        builders.extend(model.builders_of(spec))
    return builders


def _step(model: ProjectModel, contract: Contract) -> Step:
    builders = _builders_of(model, contract)
    inputs = _declared(mapping_entries(model, contract, "expected_input_paths"), "expected_input_paths", contract)
    outputs = _declared(mapping_entries(model, contract, "expected_output_paths"), "expected_output_paths",
                        contract)
    required = sequence_entries(model, contract, "required_env_vars")
    optional = mapping_entries(model, contract, "optional_env_vars")
    env = None if required is None or optional is None else _as_declared(required + optional)
    arguments = mapping_entries(model, contract, "expected_arguments")
    arguments = _as_declared(arguments) if arguments is not None else None
    declared = {"required_env_vars": required, "optional_env_vars": optional, "expected_arguments": arguments}
    specs = model.specs_linking(contract)
    return Step(
        name=contract.name,
        kind=contract_kind(model, contract),
        origin=Origin(contract.path, contract.binding.span),
        declared_by=contract.name,
        container_inputs=inputs,
        container_outputs=outputs,
        declared_env=env if env is not None else Unknown("the contract's env vars are not statically known"),
        declared_arguments=arguments if arguments is not None else Unknown(
            "the contract's expected_arguments are not statically known"),
        env=_names_supply(env, "the contract's env vars")
        | _builder_supply(model, builders, ENVIRONMENT_KEYWORDS, _mapping_keys, declared),
        arguments=_names_supply(arguments, "the contract's expected_arguments", _flag)
        | _builder_supply(model, builders, ARGUMENT_KEYWORDS, _argument_flags, declared),
        channels=_channels(model, builders, specs),
        built_by=tuple(builder.name for builder in builders),
        builder_paths=tuple(dict.fromkeys(builder.path for builder in builders)),
        script=_script(model, contract),
        related=tuple(dict.fromkeys([contract.path, *(spec.path for spec in specs),
                                     *(builder.path for builder in builders)])),
        delegated=bool(builders) and all(builder.delegated for builder in builders),
        interfaces=tuple(_interface(model, spec) for spec in specs),
        skipped_inputs=_skipped_inputs(builders),
        terms=CONTRACT_TERMS,
        inferred_links=_inferred_links(model, contract, specs, builders),
        output_names=output_names(model, builders),
        builders=_builder_configs(model, builders),
        # spec-level facts (issue 13)
        inputs_named_at=_inputs_named_at(contract),
        entry_point=contract.entry_point if isinstance(contract.entry_point, str) else Unknown(
            "the contract's entry_point is not a statically known string"),
        entry_point_origin=Origin(contract.path, contract.call.kwarg_span("entry_point") or contract.call.span),
    )


def _inputs_named_at(contract: Contract) -> Origin | None:
    """Where the contract call names ``expected_input_paths`` when it does not write the dict
    as its keyword argument (the keyword, else the call); None when it does or has none."""
    if not isinstance(contract.input_paths, Mapping) or contract.call.kwarg("expected_input_paths") is contract.input_paths:
        return None
    return Origin(contract.path, contract.call.kwarg_span("expected_input_paths") or contract.call.span)


def _unlinked_steps(model: ProjectModel) -> list:
    """Steps without a contract: one per spec that links none (a model, transform or
    registration step; its builders with it), then one per builder whose step is neither a
    contract's nor such a spec's. They declare no container and run no script steplint
    knows: only their ports, response shapes and what their builders configure are known."""
    linked = {spec.key for contract in model.contracts for spec in model.specs_linking(contract)}
    placed = {id(builder) for contract in model.contracts for builder in _builders_of(model, contract)}
    found = []
    for spec in model.specs:
        if spec.key in linked:
            continue
        builders = model.builders_of(spec)
        placed.update(id(builder) for builder in builders)
        found.append(_unlinked_step(model, spec.name, spec.path, spec.binding.span, builders, (spec,),
                                    model.step_kind(spec)))
    for builder in model.builders:
        if id(builder) not in placed:
            placed.add(id(builder))
            found.append(_unlinked_step(model, builder.name, builder.path, builder.cls.span, [builder], (), None))
    return found


def _unlinked_step(model: ProjectModel, name: str, path: str, span, builders, specs, kind) -> Step:
    unknown = Supply.unknown("the step has no contract")
    return Step(
        name=name, kind=kind, origin=Origin(path, span), declared_by=name,
        container_inputs=None, container_outputs=None, declared_env=None, declared_arguments=None,
        env=unknown, arguments=unknown, channels=None,
        built_by=tuple(builder.name for builder in builders),
        builder_paths=tuple(dict.fromkeys(builder.path for builder in builders)),
        script=None,
        related=tuple(dict.fromkeys([*(spec.path for spec in specs), *(builder.path for builder in builders)])),
        delegated=bool(builders) and all(builder.delegated for builder in builders),
        interfaces=tuple(_interface(model, spec) for spec in specs),
        terms=CONTRACT_TERMS,
        output_names=output_names(model, builders),
        builders=_builder_configs(model, builders),
    )


def _builder_configs(model: ProjectModel, builders) -> tuple:
    """What each builder configures (``BuilderConfig``), once per builder."""
    unique = list({id(builder): builder for builder in builders}.values())
    return tuple(builder_config(model, builder, lambda spec: _interface(model, spec)) for builder in unique)


def _inferred_links(model: ProjectModel, contract: Contract, specs, builders) -> tuple:
    """The links of the step that the code does not write but the evidence made: a spec
    without ``script_contract=`` paired with the contract, a builder passing no spec paired
    with its specs."""
    links = [InferredLink(spec.name, contract.name, evidence) for spec in specs
             if (evidence := model.pairing_of(spec)) is not None]
    keys = {spec.key for spec in specs}
    for builder in builders:
        evidence = model.builder_pairing_of(builder)
        if evidence is not None:
            links.extend(InferredLink(builder.name, spec.name, evidence) for spec in model.specs_of_builder(builder)
                         if spec.key in keys)
    return tuple(dict.fromkeys(links))


def _skipped_inputs(builders) -> frozenset:
    """The logical names that the ``_get_inputs`` of every builder (one at least) always skips."""
    skipped = None
    for builder in builders:
        method = builder.cls.methods.get("_get_inputs")
        names = frozenset(method.builder.skipped) if method is not None and method.builder is not None else frozenset()
        skipped = names if skipped is None else skipped & names
    return skipped or frozenset()


def interfaces_of(model: ProjectModel) -> list:
    """The logical ports of every specification of the project (``Interface``), in the order
    of ``model.specs``: those a contract links (the steps' ``interfaces``) and those none does."""
    return model.derived(("interfaces",), lambda: [_interface(model, spec) for spec in model.specs])


def _interface(model: ProjectModel, spec) -> Interface:
    """A specification's logical ports, the response shapes of its step, where its
    ``dependencies=`` are written, and its node type."""
    return Interface(spec.name, spec.path, _ports(spec, spec.dependencies, "type_name"),
                     _ports(spec, spec.outputs, None, model), response=spec_response(model, spec),
                     inputs_origin=Origin(spec.path, spec.call.kwarg_span("dependencies") or spec.call.span),
                     # spec-level facts (issue 13)
                     node_type=_node_type(spec.node_type),
                     node_type_origin=Origin(spec.path, argument_span(spec.call, "node_type")),
                     terms=CONTRACT_TERMS)


def _ports(spec, elements, type_attribute, model: ProjectModel | None = None) -> tuple | Unknown:
    if not isinstance(elements, tuple):
        return Unknown(f"the {'dependencies' if type_attribute else 'outputs'} of {spec.name} are not statically known")
    if not all(isinstance(element.logical_name, str) for element in elements):
        return Unknown(f"a logical name of {spec.name} is not statically known")
    if type_attribute:
        return tuple(Port(element.logical_name, Origin(spec.path, element.span), getattr(element, type_attribute),
                          required=element.required if isinstance(element.required, bool) else None)
                     for element in elements)
    return tuple(Port(element.logical_name, Origin(spec.path, element.span), property_path=element.property_path,
                      property_path_origin=Origin(spec.path, element.call.kwarg_span("property_path") or element.span),
                      aliases=_aliases(model, spec, element) if model is not None else ())
                 for element in elements)


def _node_type(value: object) -> object:
    """A spec's ``node_type`` for the step model: the ``NodeType`` member name, None when the
    spec passes none, Unknown otherwise."""
    if value is None or isinstance(value, (str, Unknown)):
        return value
    return Unknown("node_type is not a NodeType member")


def _aliases(model: ProjectModel, spec, output) -> tuple | Unknown:
    """An output's ``aliases``, each located at the item when the list is written in the
    ``OutputSpec(...)`` call, else at the output."""
    aliases = output.aliases
    if aliases == ():
        return ()
    if not isinstance(aliases, Seq):
        return Unknown(f"the aliases of output '{output.logical_name}' of {spec.name} are not statically known")
    inline = output.call.kwarg("aliases") is aliases
    return tuple(Declared(value if isinstance(value := model.resolve(item), str) else Unknown("not a known string"),
                          None, Origin(spec.path, span if inline else output.span))
                 for item, span in zip(aliases.items, aliases.item_spans))


def _declared(entries, field: str, contract: Contract):
    if entries is None:
        return Unknown(f"{field} of {contract.name} is not statically known")
    return _as_declared(entries)


def _as_declared(entries) -> tuple:
    """Located contract entries as step-model declarations."""
    return tuple(Declared(entry.name, entry.value, Origin(entry.file, entry.span)) for entry in entries)


def _flag(name: str) -> str:
    """The option name argparse derives from a flag or an expected_arguments key."""
    return name.lstrip("-").replace("-", "_")


def _names_supply(entries, what: str, key=lambda name: name) -> Supply:
    if entries is None:
        return Supply.unknown(f"{what} are not statically known")
    return Supply(frozenset(key(entry.name) for entry in entries))


def _builder_supply(model: ProjectModel, builders, keywords: tuple, names_of, declared: dict) -> Supply:
    """Names the builders pass through ``keywords`` of any call they make (constructors of
    estimators, processors and steps, ``processor.run``). ``declared`` maps contract fields
    to their entries (None when unknown), for collections a builder derives from them.
    Without a builder linked to the step, what it passes cannot be told."""
    if not builders:
        return Supply.unknown("no builder of this step was found")
    supply = NOTHING
    for builder in builders:
        for method in builder.cls.methods.values():
            for call in method.calls:
                for keyword in keywords:
                    if not call.has_kwarg(keyword):
                        if call.has_star_args and _is_sagemaker_call(model, call, builder):
                            supply |= Supply.unknown(f"{keyword}= may be passed through **kwargs in {builder.name}")
                        continue
                    value = _follow(model, builder, call.kwarg(keyword))
                    if value is None:
                        continue
                    found = _derived(value, declared) if isinstance(value, ContractDerived) else names_of(model, value)
                    supply |= found if found is not None else Supply.unknown(
                        f"{keyword}= of a call in {builder.name}.{method.name} is not statically known")
    return supply


def _is_sagemaker_call(model: ProjectModel, call: CallValue, builder: Builder) -> bool:
    """Whether the call constructs a SageMaker estimator, processor or step (whose keyword
    arguments ``**kwargs`` may carry)."""
    callee = model.resolve(call.func)
    return isinstance(callee, Ref) and (callee.name in ESTIMATORS or callee.name in PROCESSORS
                                        or callee.name in STEP_CLASSES)


def _follow(model: ProjectModel, builder: Builder, value: object, depth: int = 0) -> object:
    """``value`` resolved, following ``self.<method>()`` into the builder's methods."""
    value = model.resolve(value)
    if depth >= MAX_FOLLOW or not isinstance(value, CallValue) or value.args or value.kwargs:
        return value
    func = value.func
    if not isinstance(func, Unknown) or func.self_attribute is None:
        return value
    method = _method(model, builder.cls, func.self_attribute)
    if method is None or method.returns is None:
        return value
    return _follow(model, builder, method.returns, depth + 1)


def _method(model: ProjectModel, cls, name: str, depth: int = 0):
    """The method ``name`` of a tree class or of its in-tree bases."""
    if name in cls.methods:
        return cls.methods[name]
    if depth >= MAX_FOLLOW:
        return None
    for base in cls.bases:
        resolved = model.resolve(base)
        fact = model.class_fact(resolved) if isinstance(resolved, Ref) else None
        if fact is not None:
            found = _method(model, fact, name, depth + 1)
            if found is not None:
                return found
    return None


def _derived(value: ContractDerived, declared: dict) -> Supply | None:
    """The names a collection derived from the contract holds: the declared names of its
    fields (as options, for an argument list) and its literal keys; None when a field is
    not statically known."""
    names = set(value.keys)
    for field in value.fields:
        entries = declared.get(field)
        if entries is None:
            return None
        names.update(entry.name for entry in entries)
    if value.kind == "options":
        names = {_flag(name) for name in names}
    return Supply(frozenset(names))


def _mapping_keys(model: ProjectModel, value: object) -> Supply | None:
    """The keys of a dict literal, or None when it is not one with known string keys."""
    if not isinstance(value, Mapping):
        return None
    keys = [model.resolve(entry.key) for entry in value.entries]
    if not all(isinstance(key, str) for key in keys):
        return None
    return Supply(frozenset(keys))


def _argument_flags(model: ProjectModel, value: object) -> Supply | None:
    """The options of a container argument list (``["--job_type", x, ...]``): items that are
    known strings starting with ``-``. An item steplint cannot read right after an option is
    taken as that option's value (``--name value``, as the SDK and argparse pair them); one
    anywhere else may itself be an option, so the list is then incomplete. None when the
    value is not a list."""
    if not isinstance(value, Seq):
        return None
    flags = set()
    known = True
    expects_value = False
    for item in value.items:
        item = model.resolve(item)
        if isinstance(item, str) and item.startswith("-"):
            name, _, inline = item.partition("=")
            flags.add(_flag(name))
            expects_value = not inline
        elif isinstance(item, str) or expects_value:
            expects_value = False
        else:
            known = False
    return Supply(frozenset(flags), known, "" if known else "an item of the argument list is not statically known")


def _channels(model: ProjectModel, builders, specs) -> Supply | None:
    """Training channels the builders name: None when no builder names one. A channel named
    by a loop variable over the spec's dependencies may be any of their logical names."""
    names = set()
    complete = True
    superset = False
    for builder in builders:
        for method in builder.cls.methods.values():
            for channel in method.channels:
                name = model.resolve(channel.name)
                if isinstance(name, str):
                    names.add(name)
                elif isinstance(name, LogicalName) and _dependency_names(specs) is not None:
                    names.update(_dependency_names(specs))
                    superset = True
                else:
                    complete = False
    if not names and complete:
        return None
    return Supply(frozenset(names), complete, "" if complete else "a channel name is not statically known", superset)


def _dependency_names(specs) -> set | None:
    """The logical names the specs declare as dependencies; None when any is not known."""
    names = set()
    for spec in specs:
        if not isinstance(spec.dependencies, tuple):
            return None
        for dependency in spec.dependencies:
            if not isinstance(dependency.logical_name, str):
                return None
            names.add(dependency.logical_name)
    return names


def _script(model: ProjectModel, contract: Contract) -> Script | None:
    facts = model.script_of(contract)
    return None if facts is None else script_from(model, facts)


def script_at(model: ProjectModel, display: str) -> Script | None:
    """The script in the Python file at display path ``display`` (what it reads and the
    options its parser defines), for any reader's steps; None when the file is not part of
    the run or does not parse."""
    facts = model.module_at(display)
    return None if facts is None else script_from(model, facts)


def script_from(model: ProjectModel, facts) -> Script:
    """A ``Script`` from a module's facts and those of the tree modules it imports."""
    reads = tuple(ScriptRead(access.kind, access.key, Origin(facts.path, access.span), access.how, access.unless)
                  for access in facts.accesses if access.kind in READ_KINDS) + _composed_paths(model, facts)
    passed = tuple(PassedKeys(mapping.kind, mapping.keys, mapping.complete, Origin(facts.path, mapping.span))
                   for mapping in facts.passed_paths)
    options = None
    if facts.argument_specs and all(spec.flags for spec in facts.argument_specs):
        options = tuple(ScriptOption(spec.flags, spec.dest, spec.required, Origin(facts.path, spec.span))
                        for spec in facts.argument_specs)
    elif not facts.argument_specs:
        options = ()
    modules = _with_imported_modules(model, facts)
    accesses = [access for module in modules for access in module.accesses]
    return Script(facts.path, facts.path.rsplit("/", 1)[-1], reads,
                  frozenset(access.key for access in accesses if access.kind == "env"),
                  any(access.kind == "env_dynamic" for access in accesses), options, passed,
                  main_block=Origin(facts.path, facts.main_guard) if facts.main_guard is not None else None)


def _composed_paths(model: ProjectModel, facts) -> tuple:
    """Container paths a script builds in module constants from parts steplint can fold:
    ``os.path.join(PREFIX, "input/data")``, f-strings and ``+`` over known strings (plain
    literals are reads already)."""
    found = []
    for binding in facts.bindings.values():
        if isinstance(binding.value, str) or binding.name in facts.unread_constants:
            continue
        path = _folded_path(model, binding.value)
        if isinstance(path, str) and path.startswith(CONTAINER_PREFIX):
            found.append(ScriptRead("path", path, Origin(facts.path, binding.span)))
    return tuple(found)


def _folded_path(model: ProjectModel, value: object, depth: int = 0) -> object:
    """The string ``value`` evaluates to, folding ``os.path.join`` calls; Unknown otherwise."""
    value = model.resolve(value)
    if isinstance(value, str) or depth >= MAX_FOLLOW:
        return value
    if isinstance(value, CallValue) and not value.kwargs and not value.has_star_args:
        callee = model.resolve(value.func)
        if isinstance(callee, Ref) and callee.name == "join" and callee.module in PATH_JOIN_MODULES:
            parts = [_folded_path(model, argument, depth + 1) for argument in value.args]
            if parts and all(isinstance(part, str) for part in parts):
                return posixpath.join(*parts)
    return Unknown("not a path steplint can fold")


def _with_imported_modules(model: ProjectModel, facts) -> list:
    """The script's facts and those of the tree modules it imports."""
    modules = [facts]
    for value in facts.imports.values():
        dotted = value.module if isinstance(value, (Ref, ModuleRef)) else None
        imported = model.module(dotted) if dotted else None
        if imported is not None and imported is not facts:
            modules.append(imported)
    return modules
