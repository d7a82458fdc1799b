"""The project model: a cross-file index of specs, contracts, builders, scripts and the registry.

It resolves the symbolic values of ``ModuleFacts`` across modules (imports, re-exports,
lazy getter functions, constants) and links each spec to its contract, each builder to
its spec and each contract to its script. What cannot be resolved stays ``Unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from steplint.config import NameSettings
from steplint.model.values import (
    CallValue,
    Concat,
    EnumMember,
    Mapping,
    ModuleRef,
    Ref,
    Seq,
    Span,
    Unknown,
)
from steplint.readers.python.facts import Binding, ClassFact, ModuleFacts
from steplint.readers.python.pairing import builder_pairings, contract_pairings
from steplint.sagemaker.facts import ESTIMATORS, PROCESSORS, PROPERTY_PATH_KINDS, STEP_CLASS_KINDS, STEP_KINDS

MAX_RESOLVE_DEPTH = 40
SPEC_FIELDS = ("step_type", "node_type", "script_contract", "dependencies", "outputs")
DEPENDENCY_FIELDS = ("logical_name", "dependency_type", "required", "compatible_sources", "semantic_keywords",
                     "data_type", "description")
OUTPUT_FIELDS = ("logical_name", "output_type", "property_path", "aliases", "data_type", "description")
CONTRACT_FIELDS = ("entry_point", "expected_input_paths", "expected_output_paths", "required_env_vars",
                   "optional_env_vars", "expected_arguments", "framework_requirements", "description")


def argument(call: CallValue, name: str, order: tuple, default=None):
    """A call's argument by keyword, or by its position in ``order``."""
    if call.has_kwarg(name):
        return call.kwarg(name)
    position = order.index(name)
    if position < len(call.args):
        return call.args[position]
    if call.has_star_args:
        return Unknown(f"'{name}' may be passed through *args/**kwargs", call.span)
    return default


def argument_span(call: CallValue, name: str) -> Span:
    return call.kwarg_span(name) or call.span


@dataclass(frozen=True)
class Dependency:
    logical_name: object
    dependency_type: object
    required: object
    compatible_sources: object
    call: CallValue
    index: int
    list_span: Span | None
    span: Span

    @property
    def type_name(self) -> str | None:
        return self.dependency_type.member if isinstance(self.dependency_type, EnumMember) else None


@dataclass(frozen=True)
class Output:
    logical_name: object
    output_type: object
    property_path: object
    aliases: object
    call: CallValue
    index: int
    list_span: Span | None
    span: Span


@dataclass(frozen=True)
class Contract:
    name: str
    module: ModuleFacts
    binding: Binding
    call: CallValue
    class_name: str
    is_training: bool
    entry_point: object
    input_paths: object
    output_paths: object
    required_env_vars: object
    optional_env_vars: object
    expected_arguments: object

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def key(self) -> tuple:
        return (self.module.module, self.name)


@dataclass(frozen=True)
class Spec:
    name: str
    module: ModuleFacts
    binding: Binding
    call: CallValue
    step_type: object
    registry_entry: Mapping | None
    node_type: object
    dependencies: object
    outputs: object
    contract_value: object

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def key(self) -> tuple:
        return (self.module.module, self.name)

    @property
    def sagemaker_step_type(self) -> str | None:
        if self.registry_entry is None:
            return None
        value = self.registry_entry.get("sagemaker_step_type")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ConstructedCall:
    """An estimator or processor a builder constructs."""

    class_name: str
    qualified: str
    kind: str
    call: CallValue
    method: str


@dataclass(frozen=True)
class Builder:
    """A concrete step builder class. ``constructed`` are the SageMaker estimators and
    processors it constructs; ``step_classes`` the qualified names of the pipeline step
    classes (``...Step``) it constructs, SageMaker's or another package's. When ``spec=``
    passes a local variable (``spec = TRAIN_SPEC if job_type == "training" else
    VALID_SPEC``), ``spec_candidates`` are the values assigned to it."""

    name: str
    module: ModuleFacts
    cls: ClassFact
    spec_value: object
    constructed: tuple
    step_classes: tuple = ()
    spec_candidates: tuple = ()  # what ``spec=`` may be: its value, or the values of the local it names

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def delegated(self) -> bool:
        """Whether the builder hands its step to a step class outside the SageMaker SDK and
        the project (a vendor's step with its own image and script) and creates no SageMaker
        job itself: the contract is then nominal, and rules about the container, the entry
        point and the spec-driven input form do not apply."""
        return not self.constructed and any(not qualified.startswith("sagemaker.")
                                            for qualified in self.step_classes)


class ModuleIndex:
    """Module names known in the tree, matched exactly or as a dotted suffix (src layouts)."""

    def __init__(self, names) -> None:
        self.names = set(names)
        self._by_suffix: dict[str, list[str]] = {}
        for name in self.names:
            parts = name.split(".")
            for start in range(1, len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(name)

    def find(self, dotted: str) -> str | None:
        if dotted in self.names:
            return dotted
        candidates = self._by_suffix.get(dotted, [])
        return candidates[0] if len(candidates) == 1 else None


class ProjectModel:
    """Everything the project rules read. ``load`` extracts a module on demand (lazy files)."""

    def __init__(self, modules: dict, load, names: NameSettings, script_paths=()) -> None:
        self._modules: dict[str, ModuleFacts | None] = dict(modules)
        self._load = load
        self.names = names
        self.index = ModuleIndex(set(modules) | set(getattr(load, "module_names", ())))
        self._script_paths = tuple(script_paths)
        self._ref_cache: dict = {}
        self._derived: dict = {}
        self._texts: dict | None = None

    def derived(self, key: tuple, compute):
        """``compute()``, once per ``key`` for this model: facts derived from an artefact that
        several rules read (the key names the artefact by ``id``; artefacts live as long as
        the model). The value is shared, so callers must not change it."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def module(self, dotted: str) -> ModuleFacts | None:
        found = self.index.find(dotted)
        if found is None:
            return None
        if found not in self._modules:
            self._modules[found] = self._load(found)
        return self._modules[found]

    @property
    def loaded_modules(self):
        return [facts for facts in self._modules.values() if facts is not None]

    # -- resolution -------------------------------------------------------------------
    def lookup(self, ref: Ref, depth: int = 0) -> object:
        """What ``module.name`` is bound to: a value, a canonical Ref for functions/classes,
        the unchanged Ref for names outside the tree, or Unknown."""
        cached = self._ref_cache.get(ref)
        if cached is not None:
            return cached
        result = self._lookup(ref, depth)
        self._ref_cache[ref] = result
        return result

    def _lookup(self, ref: Ref, depth: int) -> object:
        module = self.module(ref.module)
        if module is None:
            submodule = self.index.find(f"{ref.module}.{ref.name}") if ref.module else None
            return ModuleRef(submodule) if submodule else ref
        name = ref.name
        if name in module.bindings:
            return module.bindings[name].value
        if name in module.functions or name in module.classes:
            return Ref(module.module, name)
        if name in module.imports:
            return module.imports[name]
        submodule = self.index.find(f"{module.module}.{name}")
        if submodule is not None:
            return ModuleRef(submodule)
        if depth < MAX_RESOLVE_DEPTH:
            for star in module.star_imports:
                found = self.lookup(Ref(star, name), depth + 1)
                if not isinstance(found, Unknown) and self.module(star) is not None:
                    return found
        return Unknown(f"'{name}' is not defined in module {module.module}")

    def resolve(self, value: object, depth: int = 0) -> object:
        """Follow references, getter calls and string concatenations as far as they go;
        ``depth`` counts nested resolutions so that a cycle through a call's callee
        (``x = x()``) ends as Unknown rather than in a RecursionError."""
        if depth > MAX_RESOLVE_DEPTH:
            return Unknown("reference chain too long or cyclic")
        for _ in range(MAX_RESOLVE_DEPTH):
            if isinstance(value, Ref):
                target = self.lookup(value, depth)
                if target == value:
                    return value
                value = target
            elif isinstance(value, CallValue):
                returned = self._getter_return(value, depth + 1)
                if returned is None:
                    return value
                value = returned
            elif isinstance(value, Concat):
                parts = [self.resolve(part, depth + 1) for part in value.parts]
                if all(isinstance(part, (str, int, float)) for part in parts):
                    return "".join(str(part) for part in parts)
                return Unknown("string built from parts that are not all known strings", value.span)
            else:
                return value
        return Unknown("reference chain too long or cyclic")

    def binding_of(self, value: object) -> tuple[ModuleFacts, Binding] | None:
        """The module-level binding a value finally comes from (through imports and getters)."""
        last = None
        for _ in range(MAX_RESOLVE_DEPTH):
            if isinstance(value, Ref):
                module = self.module(value.module)
                if module is not None and value.name in module.bindings:
                    last = (module, module.bindings[value.name])
                target = self.lookup(value)
                if target == value:
                    return last
                value = target
            elif isinstance(value, CallValue):
                returned = self._getter_return(value)
                if returned is None:
                    return last
                value = returned
            else:
                return last
        return last

    def _getter_return(self, call: CallValue, depth: int = 0) -> object | None:
        """The static return value of a call to a tree function that takes no arguments."""
        if call.args or call.kwargs or call.has_star_args:
            return None
        func = self.resolve(call.func, depth)
        if not isinstance(func, Ref):
            return None
        module = self.module(func.module)
        if module is None or func.name not in module.functions:
            return None
        function = module.functions[func.name]
        if function.params:
            return None
        return function.returns

    def callee_name(self, call: CallValue) -> str | None:
        """The final name of what a call invokes (class or function), resolved through imports."""
        func = self.resolve(call.func)
        if isinstance(func, Ref):
            return func.name
        return None

    def is_in_tree(self, ref: Ref) -> bool:
        return self.module(ref.module) is not None

    # -- classes ----------------------------------------------------------------------
    def class_fact(self, ref: Ref) -> ClassFact | None:
        module = self.module(ref.module)
        return module.classes.get(ref.name) if module is not None else None

    def derives_from(self, ref: Ref, base_names: tuple, depth: int = 0) -> bool:
        """Whether a class is (or derives, through the tree's classes, from) one of ``base_names``."""
        if depth > MAX_RESOLVE_DEPTH:
            return False
        if ref.name in base_names:
            return True
        fact = self.class_fact(ref)
        if fact is None:
            return False
        for base in fact.bases:
            resolved = self.resolve(base)
            if isinstance(resolved, Ref) and self.derives_from(resolved, base_names, depth + 1):
                return True
        return False

    def call_class(self, value: object, base_names: tuple) -> Ref | None:
        """The tree or known class a call constructs when it is (or derives from) one of
        ``base_names``; None otherwise."""
        return self._call_class(value, base_names)

    def _call_class(self, value: object, base_names: tuple) -> Ref | None:
        if not isinstance(value, CallValue):
            return None
        func = self.resolve(value.func)
        if isinstance(func, Ref) and self.derives_from(func, base_names):
            return func
        return None

    # -- specs ------------------------------------------------------------------------
    @cached_property
    def registries(self) -> list[tuple[ModuleFacts, Mapping]]:
        found = []
        for module in self.loaded_modules:
            for name in self.names.registry_names:
                binding = module.bindings.get(name)
                if binding is not None and isinstance(binding.value, Mapping):
                    found.append((module, binding.value))
        return found

    def registry_entry(self, step_name: str, function: Ref | None = None) -> Mapping | None:
        registries = self.registries
        if function is not None:
            same_module = [registry for module, registry in registries if module.module == function.module]
            registries = [(None, r) for r in same_module] or registries
        for _, registry in registries:
            entry = registry.get(step_name)
            if isinstance(entry, Mapping):
                return entry
        for _, registry in registries:
            for candidate in registry.entries:
                if isinstance(candidate.value, Mapping) and candidate.value.get("spec_type") == step_name:
                    return candidate.value
        return None

    def _step_type(self, value: object) -> tuple[object, Mapping | None]:
        if isinstance(value, CallValue):
            func = self.resolve(value.func)
            if isinstance(func, Ref) and func.name in self.names.step_type_functions:
                name = self.resolve(value.args[0]) if value.args else self.resolve(value.kwarg("step_name"))
                if not isinstance(name, str):
                    return Unknown("step name passed to the registry function is not a known string", value.span), None
                entry = self.registry_entry(name, func)
                spec_type = entry.get("spec_type", name) if entry is not None else name
                job_type = value.args[1] if len(value.args) > 1 else value.kwarg("job_type")
                job_type = self.resolve(job_type)
                if isinstance(job_type, str):
                    spec_type = f"{spec_type}_{job_type.capitalize()}"
                elif job_type is not None:
                    spec_type = Unknown("job type is not a known string", value.span)
                return spec_type, entry
        resolved = self.resolve(value)
        if isinstance(resolved, str):
            return resolved, self.registry_entry(resolved.split("_")[0]) or self.registry_entry(resolved)
        if isinstance(resolved, Unknown):
            return resolved, None
        return Unknown("step_type is not a string or registry call", getattr(value, "span", None)), None

    @cached_property
    def specs(self) -> list[Spec]:
        found = []
        for module in self.loaded_modules:
            for binding in module.bindings.values():
                if self._call_class(binding.value, self.names.spec_classes) is not None:
                    found.append(self._spec(module, binding))
        return sorted(found, key=lambda spec: (spec.path, spec.binding.span.line))

    def _spec(self, module: ModuleFacts, binding: Binding) -> Spec:
        call = binding.value
        step_type, entry = self._step_type(argument(call, "step_type", SPEC_FIELDS))
        node_type = self.resolve(argument(call, "node_type", SPEC_FIELDS))
        return Spec(
            name=binding.name,
            module=module,
            binding=binding,
            call=call,
            step_type=step_type,
            registry_entry=entry,
            node_type=node_type.member if isinstance(node_type, EnumMember) else node_type,
            dependencies=self._elements(argument(call, "dependencies", SPEC_FIELDS, ()), self.names.dependency_classes,
                                        self._dependency),
            outputs=self._elements(argument(call, "outputs", SPEC_FIELDS, ()), self.names.output_classes, self._output),
            contract_value=argument(call, "script_contract", SPEC_FIELDS),
        )

    def _elements(self, value: object, classes: tuple, build) -> object:
        if value == ():
            return ()
        resolved = self.resolve(value)
        if isinstance(resolved, Unknown):
            return resolved
        if isinstance(resolved, Mapping):
            items = [entry.value for entry in resolved.entries]
            spans = [entry.span for entry in resolved.entries]
            list_span = None
        elif isinstance(resolved, Seq):
            items = list(resolved.items)
            spans = list(resolved.item_spans)
            list_span = resolved.span if isinstance(value, Seq) else None
        else:
            return Unknown("not a list of specifications", getattr(value, "span", None))
        built = []
        for index, item in enumerate(items):
            item = self.resolve(item)
            if self._call_class(item, classes) is None:
                return Unknown("an element is not a statically known specification", getattr(item, "span", None))
            built.append(build(item, index, list_span, spans[index] if list_span else item.span))
        return tuple(built)

    def _dependency(self, call: CallValue, index: int, list_span, span: Span) -> Dependency:
        def get(name, default=None):
            return self.resolve(argument(call, name, DEPENDENCY_FIELDS, default))

        return Dependency(get("logical_name"), get("dependency_type"), get("required", True),
                          get("compatible_sources", ()), call, index, list_span, span)

    def _output(self, call: CallValue, index: int, list_span, span: Span) -> Output:
        def get(name, default=None):
            return self.resolve(argument(call, name, OUTPUT_FIELDS, default))

        return Output(get("logical_name"), get("output_type"), get("property_path"), get("aliases", ()),
                      call, index, list_span, span)

    # -- contracts --------------------------------------------------------------------
    @cached_property
    def contracts(self) -> list[Contract]:
        found = []
        for module in self.loaded_modules:
            for binding in module.bindings.values():
                cls = self._call_class(binding.value, self.names.contract_classes)
                if cls is not None:
                    found.append(self._contract(module, binding, cls))
        return sorted(found, key=lambda contract: (contract.path, contract.binding.span.line))

    def _contract(self, module: ModuleFacts, binding: Binding, cls: Ref) -> Contract:
        call = binding.value

        def get(name, default=None):
            return self.resolve(argument(call, name, CONTRACT_FIELDS, default))

        return Contract(
            name=binding.name,
            module=module,
            binding=binding,
            call=call,
            class_name=cls.name,
            is_training=self.derives_from(cls, self.names.training_contract_classes),
            entry_point=get("entry_point"),
            input_paths=get("expected_input_paths", Mapping((), call.span)),
            output_paths=get("expected_output_paths", Mapping((), call.span)),
            required_env_vars=get("required_env_vars", ()),
            optional_env_vars=get("optional_env_vars", Mapping((), call.span)),
            expected_arguments=get("expected_arguments", Mapping((), call.span)),
        )

    @cached_property
    def _contracts_by_key(self) -> dict:
        return {contract.key: contract for contract in self.contracts}

    def contract_of(self, spec: Spec) -> Contract | Unknown | None:
        """The contract a spec links, or, when it names none, the one the evidence pairs it
        with (``pairing_of`` says by what); None when it has none, Unknown when it cannot tell."""
        links = self._contract_links
        return links[spec.key] if spec.key in links else self._contract_of(spec)

    def pairing_of(self, spec: Spec) -> str | None:
        """The evidence (``"matching names"``, ``"matching logical names"``) by which the
        spec, which names no contract, was paired with the contract ``contract_of`` gives;
        None when the spec links its contract itself or is paired with none."""
        pairing = self._contract_pairings.get(spec.key)
        return pairing.evidence if pairing is not None else None

    @cached_property
    def _explicit_contract_links(self) -> dict:
        return {spec.key: self._contract_of(spec) for spec in self.specs}

    @cached_property
    def _contract_pairings(self) -> dict:
        """Spec key -> ``Pairing`` with a contract, for specs without ``script_contract=``."""
        explicit = self._explicit_contract_links
        linked = {contract.key for contract in explicit.values() if isinstance(contract, Contract)}
        return contract_pairings(self, self.specs, self.contracts, lambda spec: explicit.get(spec.key), linked)

    @cached_property
    def _contract_links(self) -> dict:
        links = dict(self._explicit_contract_links)
        links.update({key: pairing.target for key, pairing in self._contract_pairings.items()})
        return links

    def _contract_of(self, spec: Spec) -> Contract | Unknown | None:
        if spec.contract_value is None:
            return None
        if self.resolve(spec.contract_value) is None:
            return None
        return self._linked(spec.contract_value, self._contracts_by_key, "script contract",
                            spec.call.kwarg_span("script_contract"))

    def _linked(self, value: object, index: dict, what: str, span: Span | None):
        """The indexed artefact a value's binding names, or Unknown saying why not."""
        found = self.binding_of(value)
        if found is not None:
            module, binding = found
            linked = index.get((module.module, binding.name))
            if linked is not None:
                return linked
        resolved = self.resolve(value)
        reason = resolved.reason if isinstance(resolved, Unknown) else f"not a known {what}"
        return Unknown(f"cannot resolve the {what}: {reason}", span)

    def specs_linking(self, contract: Contract) -> list[Spec]:
        return list(self._specs_by_contract.get(contract.key, ()))

    @cached_property
    def _specs_by_contract(self) -> dict:
        """Contract key -> the specs linking that contract."""
        index: dict = {}
        for spec in self.specs:
            contract = self.contract_of(spec)
            if isinstance(contract, Contract):
                index.setdefault(contract.key, []).append(spec)
        return index

    # -- builders ---------------------------------------------------------------------
    @cached_property
    def builders(self) -> list[Builder]:
        """Concrete step builders: tree classes deriving from a builder base that no other
        builder derives from (intermediate bases are not steps)."""
        found = []
        for module in self.loaded_modules:
            for cls in module.classes.values():
                ref = Ref(module.module, cls.name)
                if cls.name in self.names.builder_bases:
                    continue
                if any(isinstance(b := self.resolve(base), Ref) and self.derives_from(b, self.names.builder_bases)
                       for base in cls.bases):
                    found.append(self._builder(module, cls, ref))
        subclassed = {base for builder in found for base in map(self.resolve, builder.cls.bases)
                      if isinstance(base, Ref)}
        found = [builder for builder in found if Ref(builder.module.module, builder.name) not in subclassed]
        return sorted(found, key=lambda builder: (builder.path, builder.cls.span.line))

    def _builder(self, module: ModuleFacts, cls: ClassFact, ref: Ref) -> Builder:
        init = cls.methods.get("__init__")
        spec_value: object = Unknown("builder has no __init__ calling super().__init__(spec=...)", cls.span)
        if init is not None and init.super_init is not None:
            call = init.super_init
            if call.has_kwarg("spec"):
                spec_value = call.kwarg("spec")
            elif len(call.args) > 1:
                spec_value = call.args[1]
        constructed = []
        step_classes = []
        for method in cls.methods.values():
            for call in method.calls:
                func = self.resolve(call.func)
                if not isinstance(func, Ref) or self.class_fact(func) is not None:
                    continue
                kind = "estimator" if func.name in ESTIMATORS else "processor" if func.name in PROCESSORS else None
                if kind is not None:
                    constructed.append(ConstructedCall(func.name, f"{func.module}.{func.name}", kind, call,
                                                       method.name))
                elif func.name.endswith("Step") and func.module:
                    step_classes.append(f"{func.module}.{func.name}")
        candidates = (spec_value,)
        if isinstance(spec_value, Unknown) and spec_value.unbound_name and init is not None:
            assigned = tuple(value for name, value in init.local_values
                             if name == spec_value.unbound_name and value is not None)
            candidates = assigned or candidates
        return Builder(cls.name, module, cls, spec_value, tuple(constructed), tuple(dict.fromkeys(step_classes)),
                       candidates)

    @cached_property
    def _specs_by_key(self) -> dict:
        index: dict = {}
        for spec in self.specs:
            index.setdefault(spec.key, spec)
        return index

    def spec_of(self, builder: Builder) -> Spec | Unknown:
        """The spec a builder passes to ``super().__init__`` (or, when it passes none steplint
        can place, the one the evidence pairs it with: ``builder_pairing_of``), or Unknown
        saying why not."""
        links = self._spec_links
        key = (builder.module.module, builder.name)
        return links[key] if key in links else self._spec_of(builder)

    @cached_property
    def _spec_links(self) -> dict:
        return {(builder.module.module, builder.name): self._spec_of(builder) for builder in self.builders}

    def _spec_of(self, builder: Builder) -> Spec | Unknown:
        specs = self.specs_of_builder(builder)
        if specs:
            return specs[0]
        return self._linked(builder.spec_value, self._specs_by_key, "step specification", builder.cls.span)

    def specs_of_builder(self, builder: Builder) -> list:
        """Every spec the builder may pass to ``super().__init__`` (several for a builder that
        picks one per job type), in source order; when it passes none steplint can place, the
        specs the evidence pairs it with (``builder_pairing_of``)."""
        found = self._explicit_specs_of_builder(builder)
        if found:
            return found
        pairing = self._builder_pairings.get((builder.module.module, builder.name))
        return list(pairing.target) if pairing is not None else []

    def builder_pairing_of(self, builder: Builder) -> str | None:
        """The evidence (``"the builder's class name"``, ``"the registry's builder_step_name"``)
        by which a builder that passes no spec steplint can place was paired with the specs
        ``specs_of_builder`` gives; None when it links its spec itself or is paired with none."""
        pairing = self._builder_pairings.get((builder.module.module, builder.name))
        return pairing.evidence if pairing is not None else None

    @cached_property
    def _builder_pairings(self) -> dict:
        """Builder key -> ``Pairing`` with specs, for builders that pass no spec."""
        built = {spec.key for builder in self.builders for spec in self._explicit_specs_of_builder(builder)}
        return builder_pairings(self, self.builders, self.specs, self._explicit_specs_of_builder, built)

    def _explicit_specs_of_builder(self, builder: Builder) -> list:
        found = []
        for value in builder.spec_candidates or (builder.spec_value,):
            linked = self._linked(value, self._specs_by_key, "step specification", builder.cls.span)
            if isinstance(linked, Spec) and linked not in found:
                found.append(linked)
        return found

    def pairing_paths(self) -> frozenset:
        """Display paths of the artefacts whose links pairing decides, or could once an edit
        elsewhere changes the evidence (``steplint.readers.python.pairing``): specs that name no
        contract, or one steplint cannot resolve; contracts no spec names; builders that pass no
        spec steplint can place; specs no builder passes."""
        explicit = self._explicit_contract_links
        linked = {contract.key for contract in explicit.values() if isinstance(contract, Contract)}
        built = {spec.key for builder in self.builders for spec in self._explicit_specs_of_builder(builder)}
        return frozenset([
            *(spec.path for spec in self.specs if not isinstance(explicit.get(spec.key), Contract)),
            *(contract.path for contract in self.contracts if contract.key not in linked),
            *(builder.path for builder in self.builders if not self._explicit_specs_of_builder(builder)),
            *(spec.path for spec in self.specs if spec.key not in built)])

    def builders_of(self, spec: Spec) -> list[Builder]:
        return list(self._builders_by_spec.get(spec.key, ()))

    @cached_property
    def _builders_by_spec(self) -> dict:
        """Spec key -> the builders passing that spec."""
        index: dict = {}
        for builder in self.builders:
            for spec in self.specs_of_builder(builder):
                index.setdefault(spec.key, []).append(builder)
        return index

    # -- kinds and scripts ------------------------------------------------------------
    def step_kind(self, spec: Spec) -> str | None:
        """'training', 'processing', ... from the registry, else the contract, else the builder."""
        if spec.sagemaker_step_type in STEP_KINDS:
            return STEP_KINDS[spec.sagemaker_step_type]
        contract = self.contract_of(spec)
        if isinstance(contract, Contract) and contract.is_training:
            return "training"
        for builder in self.builders_of(spec):
            kinds = {constructed.kind for constructed in builder.constructed}
            if kinds == {"estimator"}:
                return "training"
            if kinds == {"processor"}:
                return "processing"
            stepped = {STEP_CLASS_KINDS.get(qualified.rsplit(".", 1)[-1]) for qualified in builder.step_classes
                       if qualified.startswith("sagemaker.")} - {None}
            if len(stepped) == 1:
                return stepped.pop()
        return self._kind_from_property_paths(spec)

    def _kind_from_property_paths(self, spec: Spec) -> str | None:
        """The kind every output's property path names unambiguously: only a processing job's
        description has ``ProcessingOutputConfig``, only a transform job's ``TransformOutput``."""
        if not isinstance(spec.outputs, tuple) or not spec.outputs:
            return None
        kinds = set()
        for output in spec.outputs:
            path = output.property_path
            kind = next((kind for prefix, kind in PROPERTY_PATH_KINDS if isinstance(path, str)
                         and path.startswith(prefix)), None)
            if kind is None:
                return None
            kinds.add(kind)
        return kinds.pop() if len(kinds) == 1 else None

    def script_of(self, contract: Contract) -> ModuleFacts | None:
        """The module of a contract's entry point, when exactly one file in the tree matches."""
        entry = contract.entry_point
        if not isinstance(entry, str) or not entry.endswith(".py"):
            return None
        suffix = "/" + entry.lstrip("./")
        candidates = self._script_paths_by_name.get(suffix.rsplit("/", 1)[-1], ())
        matches = [path for path in candidates if ("/" + path).endswith(suffix)]
        if len(matches) > 1:
            preferred = [path for path in matches if "/scripts/" in "/" + path]
            matches = preferred if len(preferred) == 1 else matches
        if len(matches) != 1:
            return None
        return self._load_path(matches[0])

    def module_at(self, display: str) -> ModuleFacts | None:
        """The facts of the Python file at display path ``display``, loading it on first use;
        None when it is not a file of the run or has a problem (e.g. does not parse)."""
        return self._load_path(display) if display in self._script_paths else None

    @cached_property
    def _script_paths_by_name(self) -> dict:
        index: dict = {}
        for path in self._script_paths:
            index.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        return index

    @property
    def script_paths(self) -> tuple:
        """Display paths of every file in the run (where entry points are looked for)."""
        return self._script_paths

    def files_naming(self, word: str) -> frozenset | None:
        """Display paths of the run's files (any kind: Python, YAML ...) whose text holds
        ``word`` as a whole word (``tide_utils`` in ``from tide_utils import x``, in
        ``"tide_utils.py"``): a superset of the files that import or name that module. None
        when the loader keeps no texts (cannot tell)."""
        texts = getattr(self._load, "source_texts", None)
        if texts is None:
            return None
        if self._texts is None:
            self._texts = texts()
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        return frozenset(display for display, text in self._texts.items() if word in text and pattern.search(text))

    def _load_path(self, path: str) -> ModuleFacts | None:
        loader = getattr(self._load, "by_path", None)
        return loader(path) if loader is not None else None
