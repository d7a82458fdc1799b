"""Trust over recall: replacing any one value steplint extracted with Unknown ("cannot
tell") never creates a finding.

Each example picks a file of a fixture project and one statically evaluated value in its
facts (a module constant, a call argument, a list item, a dict key or value, a method's
return value, a class base) and replaces it with ``Unknown``, as if steplint could not
have resolved it. The findings of that run must be a subset of the findings without the
replacement (SL904, which exists to report unresolved values, aside).
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest
import steplint.readers.python.parse as parse_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure
from steplint.model.values import CallValue, Concat, Mapping, Seq, Unknown
from steplint.readers.python.facts import Binding, ClassFact, FunctionFact, MethodFact, ModuleFacts

from tests.conftest import FIXTURES, fast_and_full

PROJECTS = ("catalog_clean", "catalog_defects", "container_routes", "evidence_pairs", "hidden_links", "legacy_layout",
            "orphan_scripts", "own_path_tables")
UNKNOWN = Unknown("replaced by the test: steplint cannot tell")
IGNORED = {"SL904"}


def value_paths(value, path=()):
    """Paths (tuples of field names and indexes) to every evaluated value below ``value``."""
    if isinstance(value, ModuleFacts):
        for name, binding in value.bindings.items():
            yield from value_paths(binding, path + (("bindings", name),))
        for name, function in value.functions.items():
            yield from value_paths(function, path + (("functions", name),))
        for name, cls in value.classes.items():
            yield from value_paths(cls, path + (("classes", name),))
    elif isinstance(value, Binding):
        yield path + ("value",)
        yield from value_paths(value.value, path + ("value",))
    elif isinstance(value, FunctionFact):
        yield path + ("returns",)
    elif isinstance(value, ClassFact):
        for index, base in enumerate(value.bases):
            yield path + (("bases", index),)
        for name, method in value.methods.items():
            yield from value_paths(method, path + (("methods", name),))
    elif isinstance(value, MethodFact):
        if value.returns is not None:
            yield path + ("returns",)
        for index, call in enumerate(value.calls):
            yield from value_paths(call, path + (("calls", index),))
        if value.super_init is not None:
            yield from value_paths(value.super_init, path + ("super_init",))
    elif isinstance(value, CallValue):
        for index, argument in enumerate(value.args):
            yield path + (("args", index),)
            yield from value_paths(argument, path + (("args", index),))
        for index, (_, argument) in enumerate(value.kwargs):
            yield path + (("kwargs", index),)
            yield from value_paths(argument, path + (("kwargs", index),))
    elif isinstance(value, (Seq, Concat)):
        field = "items" if isinstance(value, Seq) else "parts"
        for index, item in enumerate(getattr(value, field)):
            yield path + ((field, index),)
            yield from value_paths(item, path + ((field, index),))
    elif isinstance(value, Mapping):
        for index, entry in enumerate(value.entries):
            yield path + (("entries", index), "key")
            yield path + (("entries", index), "value")
            yield from value_paths(entry.value, path + (("entries", index), "value"))


def replaced(value, path):
    """``value`` with the value at ``path`` replaced by UNKNOWN."""
    if not path:
        return UNKNOWN
    step, rest = path[0], path[1:]
    if isinstance(step, str):
        return dataclasses.replace(value, **{step: replaced(getattr(value, step), rest)})
    field, key = step
    container = getattr(value, field)
    if isinstance(container, dict):
        return dataclasses.replace(value, **{field: {**container, key: replaced(container[key], rest)}})
    items = list(container)
    if field == "kwargs":
        name, argument = items[key]
        items[key] = (name, replaced(argument, rest))
    else:
        items[key] = replaced(items[key], rest)
    return dataclasses.replace(value, **{field: tuple(items)})


def findings_of(root, monkeypatch, target=None, path=None):
    real = parse_module.extract_source

    def extract(source, module_name, config):
        facts, problem = real(source, module_name, config)
        if facts is not None and source.display == target:
            facts = replaced(facts, path)
        return facts, problem

    monkeypatch.setattr(parse_module, "extract_source", extract)
    monkeypatch.chdir(root)
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors, result.internal_errors
    return {(finding.code, finding.path, finding.line, finding.column) for finding in result.findings
            if finding.code not in IGNORED}


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Each project copied once, with its baseline findings and its files' value paths."""
    found = {}
    patcher = pytest.MonkeyPatch()
    try:
        for name in PROJECTS:
            root = tmp_path_factory.mktemp("unknown") / name
            shutil.copytree(FIXTURES / name, root)
            collected = {}
            real = parse_module.extract_source

            def record(source, module_name, config, _real=real, _collected=collected):
                facts, problem = _real(source, module_name, config)
                if facts is not None:
                    _collected[source.display] = list(value_paths(facts))
                return facts, problem

            patcher.setattr(parse_module, "extract_source", record)
            patcher.chdir(root)
            result = check_paths(["."], configure(["."]))  # nothing replaced: the baseline
            patcher.undo()
            assert not result.internal_errors, result.internal_errors
            baseline = {(finding.code, finding.path, finding.line, finding.column) for finding in result.findings
                        if finding.code not in IGNORED}
            targets = [(display, path) for display, paths in sorted(collected.items()) for path in paths]
            found[name] = (root, baseline, targets)
    finally:
        patcher.undo()
    return found


def test_every_project_has_values_to_replace(copies):
    for name, (_, _, targets) in copies.items():
        assert len(targets) > 50, name


@fast_and_full(12, 60)
def test_replacing_one_value_with_unknown_never_creates_a_finding(copies, monkeypatch, max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def check(data):
        name = data.draw(st.sampled_from(PROJECTS))
        root, baseline, targets = copies[name]
        display, path = data.draw(st.sampled_from(targets))
        with monkeypatch.context() as patch:
            after = findings_of(root, patch, display, path)
        assert after <= baseline, (name, display, path, sorted(after - baseline))

    check()


# -- the same property on the step model, exhaustively: every part of every step ------------
STEP_RULES = ("SL202", "SL203", "SL204", "SL401", "SL402", "SL403", "SL404", "SL405", "SL406", "SL407", "SL408", "SL409")


class _StepsOnly:
    """The part of a RuleContext the step-model rules use."""

    def __init__(self, steps) -> None:
        self.steps = steps


def unknown_variants(step):
    """``(what, step)`` for each way of making one part of ``step`` unknown."""
    from steplint.model.steps import Supply

    for field in ("container_inputs", "container_outputs", "declared_env", "declared_arguments"):
        if getattr(step, field) is not None and not isinstance(getattr(step, field), Unknown):
            yield field, dataclasses.replace(step, **{field: UNKNOWN})
    for field in ("env", "arguments", "channels"):
        supply = getattr(step, field)
        if supply is not None and supply.complete:
            yield f"{field} partly", dataclasses.replace(step, **{field: supply | Supply.unknown("test")})
        if supply is not None and supply.names:
            yield f"{field} wholly", dataclasses.replace(step, **{field: Supply.unknown("test")})
    if step.kind is not None:
        yield "kind", dataclasses.replace(step, kind=None)
    for index, interface in enumerate(step.interfaces):
        for field in ("inputs", "outputs"):
            if isinstance(getattr(interface, field), tuple):
                changed = dataclasses.replace(interface, **{field: UNKNOWN})
                yield f"interface {field}", dataclasses.replace(
                    step, interfaces=step.interfaces[:index] + (changed,) + step.interfaces[index + 1:])
    script = step.script
    if script is not None:
        if not script.reads_all_env:
            yield "script env", dataclasses.replace(step, script=dataclasses.replace(script, reads_all_env=True))
        if script.options is not None:
            yield "script options", dataclasses.replace(step, script=dataclasses.replace(script, options=None))
        for index, mapping in enumerate(script.passed):
            unknown = dataclasses.replace(mapping, keys=mapping.keys + (frozenset(),),
                                          complete=mapping.complete + (False,))
            passed = script.passed[:index] + (unknown,) + script.passed[index + 1:]
            yield "script's own paths", dataclasses.replace(step, script=dataclasses.replace(script, passed=passed))


def test_making_any_part_of_any_step_unknown_never_creates_a_finding(copies, monkeypatch):
    from steplint.readers.python.steps import steps_of
    from steplint.rules import all_rules

    from tests.test_model import build_model

    rules = [rule for rule in all_rules() if rule.code in STEP_RULES]
    checked = 0
    for name, (root, _, _) in copies.items():
        steps = steps_of(build_model(root, monkeypatch))

        def run(candidate_steps):
            context = _StepsOnly(candidate_steps)
            return {(finding.code, finding.path, finding.line, finding.column)
                    for rule in rules for finding in rule.check(context)}

        baseline = run(steps)
        for index, step in enumerate(steps):
            for what, variant in unknown_variants(step):
                after = run(steps[:index] + [variant] + steps[index + 1:])
                assert after <= baseline, (name, step.name, what, sorted(after - baseline))
                checked += 1
    assert checked > 40
