"""Links the code does not write, made from evidence when the evidence is unambiguous.

A spec written without ``script_contract=`` still describes the same step as the contract
nobody links when both are named after the step (``CHURN_TRAINING_SPEC`` and
``CHURN_TRAINING_CONTRACT``, ``churn_training_spec.py`` and ``churn_training_contract.py``,
step type ``ChurnTraining`` and ``entry_point="churn_training.py"``) or when the contract's
path keys are exactly the spec's logical names; a builder class named after a step type
(``ChurnTrainingStepBuilder``, or the registry's ``builder_step_name``) that passes no spec
steplint can resolve builds that step's specs. The project model pairs them so that the
rules about a spec and its contract, or a builder and its spec, run on them.

Pairing is conservative: only artefacts the code links to nothing take part (a spec with no
``script_contract=`` argument at all, a contract no spec names, a builder whose ``spec=``
resolves to no tree specification and to nothing outside the tree), and when two candidates
fit equally, or the evidence points two ways, nothing is paired: steplint cannot tell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from steplint.model.values import CallValue, Mapping, Ref, Unknown

NAME_EVIDENCE = "matching names"
KEY_EVIDENCE = "matching logical names"
BUILDER_NAME_EVIDENCE = "the builder's class name"
REGISTRY_EVIDENCE = "the registry's builder_step_name"
BUILDER_SUFFIXES = ("stepbuilder", "builder")


@dataclass(frozen=True)
class Pairing:
    """A link made from evidence: what was paired (a ``Contract`` for a spec, a tuple of
    ``Spec`` for a builder) and the evidence, as a phrase for messages."""

    target: object
    evidence: str


def normalized(text: str, suffix: str = "") -> str:
    """``text`` lower-cased without separators, and without ``suffix`` at its end
    (``"CHURN_TRAINING_SPEC"`` with suffix ``spec`` is ``"churntraining"``)."""
    flat = re.sub(r"[^a-z0-9]", "", text.lower())
    return flat[:-len(suffix)] if suffix and flat.endswith(suffix) and flat != suffix else flat


def _file_stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def base_step_type(spec) -> str | None:
    """The spec's step type without a job-type suffix (``"Churn_Training"`` is ``"Churn"``);
    None when the step type is not a known string."""
    return spec.step_type.split("_", 1)[0] if isinstance(spec.step_type, str) and spec.step_type else None


def spec_stems(spec) -> frozenset:
    """The names a spec goes by: its step type (with and without a job type), its constant and
    its module, each normalized and without ``spec``."""
    stems = {normalized(spec.name, "spec"), normalized(_file_stem(spec.path), "spec")}
    if isinstance(spec.step_type, str):
        stems |= {normalized(spec.step_type), normalized(base_step_type(spec) or "")}
    return frozenset(stem for stem in stems if stem)


def contract_stems(contract) -> frozenset:
    """The names a contract goes by: its constant and its module (not its entry point, which
    may be unknown: a name that could be missing must not decide a pairing)."""
    stems = {normalized(contract.name, "contract"), normalized(_file_stem(contract.path), "contract")}
    return frozenset(stem for stem in stems if stem)


def unreadable_declaration(model) -> bool:
    """Whether some module-level constant named like a spec or a contract (``*_SPEC``,
    ``*_CONTRACT``) has a value steplint cannot determine (Unknown, or the result of a call
    that constructs no spec or contract it knows): it may be a spec linking a contract or a
    contract fitting a spec, so which artefacts are free cannot be told."""
    classes = tuple(model.names.spec_classes) + tuple(model.names.contract_classes)
    for module in model.loaded_modules:
        for binding in module.bindings.values():
            flat = normalized(binding.name)
            if not (flat.endswith("spec") or flat.endswith("contract")):
                continue
            value = model.resolve(binding.value)
            if isinstance(value, Unknown) or (isinstance(value, CallValue)
                                              and model.call_class(value, classes) is None):
                return True
    return False


def spec_names(spec) -> tuple | None:
    """(dependency names, output names) of a spec; None when not all are known strings."""
    groups = []
    for elements in (spec.dependencies, spec.outputs):
        if not isinstance(elements, tuple) or not all(isinstance(e.logical_name, str) for e in elements):
            return None
        groups.append(frozenset(element.logical_name for element in elements))
    return tuple(groups)


def contract_keys(model, contract) -> tuple | None:
    """(input keys, output keys) of a contract's path dicts; None when not all are known."""
    groups = []
    for paths in (contract.input_paths, contract.output_paths):
        if not isinstance(paths, Mapping):
            return None
        keys = [model.resolve(entry.key) for entry in paths.entries]
        if not all(isinstance(key, str) for key in keys):
            return None
        groups.append(frozenset(keys))
    return tuple(groups)


def key_relation(names: tuple | None, keys: tuple | None) -> str:
    """How a spec's logical names and a contract's path keys relate: ``equal`` (the same
    dependencies and outputs, at least one), ``disjoint`` (both have names, none shared),
    ``overlap`` (anything between) or ``unknown``."""
    if names is None or keys is None:
        return "unknown"
    if names == keys and (names[0] or names[1]):
        return "equal"
    ours, theirs = names[0] | names[1], keys[0] | keys[1]
    if ours and theirs and not ours & theirs:
        return "disjoint"
    return "overlap"


def names_no_contract(spec) -> bool:
    """Whether the spec's call passes no ``script_contract`` at all (not even ``None``, and no
    ``*args`` / ``**kwargs`` that could carry one)."""
    call = spec.call
    return not call.has_kwarg("script_contract") and len(call.args) < 3 and not call.has_star_args


def contract_pairings(model, specs, contracts, explicit_contract_of, explicitly_linked) -> dict:
    """Spec key -> ``Pairing`` of a contract, for specs that name no contract.

    Only specs with a known step type take part, and only contracts no spec links
    (``explicitly_linked`` holds their keys). When a contract named like the spec is linked by
    another spec, nothing is paired. One contract named like the spec whose keys share a name
    with the spec's logical names is paired by name; several named like it are narrowed to
    the one whose keys equal its names; with none named like it, the one free contract whose
    keys equal its names is paired by logical names. Whenever a name or key that could decide
    the choice is unknown, nothing is paired (so an unknown value never makes a pairing that
    a known one would not). A contract the evidence gives to specs of different step types
    is paired with none of them."""
    free = [contract for contract in contracts if contract.key not in explicitly_linked]
    if not free or any(isinstance(explicit_contract_of(spec), Unknown) for spec in specs) \
            or unreadable_declaration(model):
        return {}  # a link steplint cannot follow may name any contract: which are free cannot be told
    keys = {contract.key: contract_keys(model, contract) for contract in free}
    stems = {contract.key: contract_stems(contract) for contract in contracts}
    chosen: dict = {}
    for spec in specs:
        if not names_no_contract(spec) or explicit_contract_of(spec) is not None or base_step_type(spec) is None:
            continue
        names = spec_names(spec)
        ours = spec_stems(spec)
        relation = {contract.key: key_relation(names, keys[contract.key]) for contract in free}
        named = [contract for contract in contracts if ours & stems[contract.key]]
        pairing = None
        if any(contract.key in explicitly_linked for contract in named):
            pass  # a contract named like the spec serves another spec: not the evidence of a missing link
        elif len(named) == 1 and relation[named[0].key] in ("equal", "overlap"):
            pairing = Pairing(named[0], NAME_EVIDENCE)
        elif len(named) > 1 and all(relation[contract.key] != "unknown" for contract in named):
            equal = [contract for contract in named if relation[contract.key] == "equal"]
            if len(equal) == 1:
                pairing = Pairing(equal[0], f"{NAME_EVIDENCE} and {KEY_EVIDENCE}")
        elif not named and all(relation[contract.key] != "unknown" for contract in free):
            equal = [contract for contract in free if relation[contract.key] == "equal"]
            if len(equal) == 1:
                pairing = Pairing(equal[0], KEY_EVIDENCE)
        if pairing is not None:
            chosen[spec.key] = (spec, pairing)
    step_types: dict = {}
    for spec, pairing in chosen.values():
        step_types.setdefault(pairing.target.key, set()).add(base_step_type(spec))
    return {key: pairing for key, (spec, pairing) in chosen.items()
            if len(step_types[pairing.target.key]) == 1 and None not in step_types[pairing.target.key]}


def builder_step_name(builder) -> str | None:
    """The normalized step type a builder's class name gives (``ChurnTrainingStepBuilder`` is
    ``churntraining``); None for a name without the builder suffix."""
    flat = normalized(builder.name)
    for suffix in BUILDER_SUFFIXES:
        if flat.endswith(suffix) and flat != suffix:
            return flat[:-len(suffix)]
    return None


def passes_no_tree_spec(model, builder) -> bool:
    """Whether what the builder passes as ``spec=`` is nothing steplint can place: no
    argument, ``None``, a value it cannot resolve, or the result of a call it does not
    follow (``get_spec(job_type)``, ``config.load_spec()``); not a name or a function from
    outside the tree (a spec from another package) and not a tree value that is no
    specification."""
    for value in builder.spec_candidates or (builder.spec_value,):
        resolved = model.resolve(value)
        if resolved is None or isinstance(resolved, Unknown):
            continue
        if isinstance(resolved, CallValue):
            callee = model.resolve(resolved.func)
            if isinstance(callee, Unknown) or (isinstance(callee, Ref) and model.is_in_tree(callee)):
                continue
        return False
    return True


def unreadable_builder(model, builders) -> bool:
    """Whether some class may be a builder steplint cannot read: a class with a base it cannot
    resolve whose ``__init__`` passes ``spec=`` (it may build any spec, so which specs no
    builder passes cannot be told)."""
    known = {(builder.module.module, builder.name) for builder in builders}
    for module in model.loaded_modules:
        for cls in module.classes.values():
            init = cls.methods.get("__init__")
            if (module.module, cls.name) in known or init is None or init.super_init is None:
                continue
            if init.super_init.has_kwarg("spec") and any(isinstance(model.resolve(base), Unknown)
                                                         for base in cls.bases):
                return True
    return False


def builder_pairings(model, builders, specs, explicit_specs_of_builder, explicitly_built) -> dict:
    """Builder key -> ``Pairing`` of a tuple of specs, for builders that pass no spec.

    A builder's candidates are the specs no builder passes (``explicitly_built`` holds their
    keys) whose step type, without a job type, is the one the builder's class name gives, or
    whose registry entry names the builder as ``builder_step_name``; all of them are paired
    (job-type variants of one step) when they share one step type. Two builders that would
    take the same spec take none."""
    if unreadable_builder(model, builders):
        return {}
    chosen: dict = {}
    for builder in builders:
        if explicit_specs_of_builder(builder) or not passes_no_tree_spec(model, builder):
            continue
        by_name = builder_step_name(builder)
        matches, evidence = [], set()
        for spec in specs:
            if spec.key in explicitly_built:
                continue
            entry = spec.registry_entry
            if entry is not None and entry.get("builder_step_name") == builder.name:
                matches.append(spec)
                evidence.add(REGISTRY_EVIDENCE)
            elif by_name is not None and base_step_type(spec) is not None \
                    and normalized(base_step_type(spec)) == by_name:
                matches.append(spec)
                evidence.add(BUILDER_NAME_EVIDENCE)
        if matches and len({base_step_type(spec) for spec in matches}) == 1:
            chosen[(builder.module.module, builder.name)] = Pairing(
                tuple(matches), " and ".join(sorted(evidence)))
    claims: dict = {}
    for pairing in chosen.values():
        for spec in pairing.target:
            claims[spec.key] = claims.get(spec.key, 0) + 1
    return {key: pairing for key, pairing in chosen.items()
            if all(claims[spec.key] == 1 for spec in pairing.target)}
