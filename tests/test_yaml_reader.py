"""The YAML reader (``steplint.readers.yaml``): located nodes, YAML 1.1 values, limits,
variants, steps, and bad input through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steplint.api import check_paths, configure
from steplint.model.values import Span
from steplint.readers.yaml import READER
from steplint.readers.yaml.interface import InterfaceFile, read_interface, views
from steplint.readers.yaml.nodes import MAX_DEPTH, Mapping, Scalar, YamlProblem, parse
from steplint.readers.yaml.steps import channels_for

from tests.conftest import FIXTURES, fast_and_full, run_steplint

CLEAN = FIXTURES / "yaml_interfaces"
INTERFACES = "src/claims_risk/steps/interfaces"
TABULAR = CLEAN / INTERFACES / "tabular_preprocessing.step.yaml"


def test_spans_are_one_based_lines_and_zero_based_columns():
    document = parse("contract:\n  inputs:\n    DATA:\n      path: /opt/ml/processing/input/data\n")
    path = document.root.get("contract").get("inputs").get("DATA").get("path")
    assert path.value == "/opt/ml/processing/input/data"
    assert path.span == Span(4, 12, 4, 41)


def test_values_resolve_as_yaml_1_1_safe_load_does():
    root = parse("a: no\nb: on\nc: 0\nd: '0'\ne: 1.5\nf: ~\ng: NA\n").root
    assert [root.get(key).value for key in "abcdefg"] == [False, True, 0, "0", 1.5, None, "NA"]
    assert root.get("a").tag.endswith(":bool") and root.get("d").style == "'"


def test_duplicate_keys_are_recorded_and_the_last_value_wins():
    document = parse("a: 1\nb: 2\na: 3\n")
    assert document.root.get("a").value == 3
    [(first, later)] = document.duplicates
    assert (first.key.span.line, later.key.span.line) == (1, 3)
    assert [entry.name for entry in document.root.effective()] == ["a", "b"]


def test_merge_keys_and_aliases_are_expanded_without_copying():
    root = parse("base: &b {path: /x, required: true}\nother:\n  <<: *b\n  required: false\n").root
    other = root.get("other")
    assert other.get("path").value == "/x" and other.get("required").value is False


@pytest.mark.parametrize("text, kind, line", [
    ("a: [\n", "syntax", 2),
    ("a: !!python/object/apply:os.system [ls]\n", "syntax", 1),
    ("a: 1\n---\nb: 2\n", "syntax", 2),
    ("a:\n  b: 2020-13-45\n", "syntax", 2),
    ("= #\n", "syntax", 1),  # the YAML 1.1 'value' tag: safe_load has no constructor for it
    ("a:\n  b: =\n", "syntax", 2),
    ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "limit", 1),
    ("a: &a [*a]\n", "limit", 1),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, "
        f"*{previous}, *{previous}, *{previous}, *{previous}]\n"
        for previous, name in zip("abcdef", "bcdefg")), "limit", None),
])
def test_bad_or_unbounded_input_is_a_problem_with_a_position(text, kind, line):
    problem = parse(text)
    assert isinstance(problem, YamlProblem) and problem.kind == kind
    assert "\n" not in problem.message
    if line is not None:
        assert problem.span.line == line


def test_a_huge_file_is_refused_before_parsing():
    problem = parse("a: b\n" * 300_000)
    assert isinstance(problem, YamlProblem) and problem.kind == "limit"


def test_variants_merge_mappings_key_by_key_and_keep_their_own_nodes():
    facts = read_interface("m.step.yaml", (CLEAN / INTERFACES / "model_calibration.step.yaml").read_text())
    base, calibration = views(facts)
    assert calibration.variant == "calibration"
    method = calibration.section("contract", "env_vars", "optional").get("CALIBRATION_METHOD")
    assert method.value == "platt" and method.span.line > 50
    # untouched base entries keep the base's nodes
    assert calibration.section("contract", "inputs") is base.section("contract", "inputs")


def test_a_list_in_a_variant_replaces_the_base_list():
    text = "contract:\n  skip_inputs: [a, b]\nvariants:\n  x:\n    contract:\n      skip_inputs: [c]\n"
    _, variant = views(read_interface("x.step.yaml", text))
    assert [item.value for item in variant.section("contract", "skip_inputs").items] == ["c"]


def test_keys_the_loader_ignores_under_a_variant_make_no_view():
    text = "contract: {}\nvariants:\n  x:\n    step_type: X_Training\n  y:\n    spec: {}\n"
    assert [view.variant for view in views(read_interface("x.step.yaml", text))] == [None]


def test_channels_follow_the_training_handler():
    assert channels_for("input_path", "/opt/ml/input/data", []) == ["train", "val", "test"]
    assert channels_for("input_path", "/opt/ml/input/data", ["train", "val"]) == ["train", "val"]
    assert channels_for("model", "/opt/ml/input/data/pretrained/x", []) == ["pretrained"]
    assert channels_for("config", "/opt/ml/code/hyperparams", []) == ["config"]


def test_the_clean_fixture_becomes_steps_with_their_scripts():
    result = check_paths([CLEAN], configure([CLEAN]))
    assert result.findings == [] and not result.internal_errors


def test_wants_only_files_with_a_contract_or_spec_section():
    class Source:
        def __init__(self, text):
            self.text = text

    assert READER.wants(Source("step_type: X\ncontract:\n  inputs: {}\n"))
    assert READER.wants(Source("spec: {}\n"))
    assert not READER.wants(Source("name: ci\njobs:\n  spec: 1\n"))


def _project(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(CLEAN, root)
    (root / INTERFACES / "tabular_preprocessing.step.yaml").write_text(text)
    return root


def _json_findings(root: Path) -> list:
    result = run_steplint("--format", "json", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_invalid_yaml_is_one_finding_at_the_parser_position(tmp_path):
    root = _project(tmp_path, TABULAR.read_text().replace("  inputs:\n", "  inputs: [\n", 1))
    findings = _json_findings(root)
    [finding] = [f for f in findings if f["code"] == "SL906"]
    assert finding["filename"].endswith("tabular_preprocessing.step.yaml")
    assert finding["location"]["row"] > 1 and "\n" not in finding["message"]


def test_a_self_referencing_file_is_reported_not_analysed(tmp_path):
    root = _project(tmp_path, "step_type: X\ncontract: &c\n  inputs: *c\n")
    findings = _json_findings(root)
    assert [f["code"] for f in findings] == ["SL907"]


def test_an_interface_that_is_not_a_mapping_is_a_syntax_problem(tmp_path):
    root = _project(tmp_path, '"a quoted scalar,\ncontract: only text"\n')
    result = run_steplint(".", cwd=root)
    assert result.returncode == 1 and "SL906" in result.stdout and "Traceback" not in result.stderr


# -- hypothesis: random edits to a valid interface file never crash the reader -------------

BASE_LINES = TABULAR.read_text().splitlines(keepends=True)
EDIT = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(BASE_LINES) - 1), st.just("")),
    st.tuples(st.just("duplicate"), st.integers(0, len(BASE_LINES) - 1), st.just("")),
    st.tuples(st.just("indent"), st.integers(0, len(BASE_LINES) - 1), st.sampled_from(["", " ", "   ", "\t"])),
    st.tuples(st.just("insert"), st.integers(0, sum(map(len, BASE_LINES))),
              st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\t \n\r\x85\u2028ab0~<=")),
                      min_size=1, max_size=6)),
)


def _edited(edits) -> str:
    lines = list(BASE_LINES)
    for kind, index, text in edits:
        if kind == "insert":
            joined = "".join(lines)
            index = min(index, len(joined))
            lines = (joined[:index] + text + joined[index:]).splitlines(keepends=True)
            continue
        if not lines:
            break
        index %= len(lines)
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        else:
            lines[index] = text + lines[index].lstrip(" ")
    return "".join(lines)


class _Source:
    def __init__(self, text):
        self.text = text
        self.display = "src/claims_risk/steps/interfaces/tabular_preprocessing.step.yaml"


class _Project:
    def __init__(self, facts):
        self.facts = facts
        self.sources = {}
        self.config = configure([CLEAN])

    def script(self, display):
        return None


@fast_and_full(100, 300)
def test_random_edits_never_crash_the_reader(max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(EDIT, min_size=1, max_size=4))
    def check(edits):
        text = _edited(edits)
        facts, problem = READER.read(_Source(text))
        if problem is not None:
            assert facts is None and problem.code in ("SL906", "SL907") and "\n" not in problem.message
            assert problem.span.line >= 1 and problem.span.col >= 0
            return
        assert isinstance(facts, InterfaceFile) and isinstance(facts.root, Mapping)
        for step in READER.steps(_Project({_Source(text).display: facts})):
            assert step.declared_by
        assert READER.reparses(text)

    check()


@fast_and_full(3, 12)  # each example is a steplint run
def test_random_edits_through_the_command_line(tmp_path_factory, max_examples):
    @settings(max_examples=max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(EDIT, min_size=1, max_size=3))
    def check(edits):
        root = _project(tmp_path_factory.mktemp("edit"), _edited(edits))
        result = run_steplint(".", cwd=root)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr.lower()
        assert result.returncode in (0, 1) or (result.returncode == 2
                                               and len(result.stderr.strip().splitlines()) == 1)

    check()


def test_scalars_keep_the_text_written():
    value = parse("a: 'x'\n").root.get("a")
    assert isinstance(value, Scalar) and value.text == "x" and value.style == "'"


def test_a_suppression_comment_in_yaml_silences_the_finding(tmp_path):
    text = TABULAR.read_text().replace("      OUTPUT_FORMAT: CSV\n",
                                       "      OUTPUT_FORMAT: CSV\n      USE_GPU: no  # steplint: ignore[SL604]\n")
    root = _project(tmp_path, text)
    assert [f["code"] for f in _json_findings(root) if f["code"] == "SL604"] == []
    root2 = _project(tmp_path / "again", text.replace("  # steplint: ignore[SL604]", ""))
    assert [f["code"] for f in _json_findings(root2) if f["code"] == "SL604"] == ["SL604"]


def test_script_roots_choose_the_entry_point_among_files_of_the_same_name(tmp_path):
    root = _project(tmp_path, TABULAR.read_text())
    scripts = root / "src/claims_risk/steps/scripts"
    other = root / "dockers"
    other.mkdir()
    # the same script name elsewhere, reading an undeclared env var: only found through script-roots
    (other / "tabular_preprocessing.py").write_text(
        (scripts / "tabular_preprocessing.py").read_text().replace('os.environ.get("OUTPUT_FORMAT", "CSV")',
                                                                   '"CSV"'))
    assert [f["code"] for f in _json_findings(root)] == []
    with (root / "pyproject.toml").open("a") as config:
        config.write('\n[tool.steplint]\nscript-roots = ["dockers"]\n')
    assert [f["code"] for f in _json_findings(root)] == ["SL407"]


def test_many_variants_over_a_large_base_are_refused_not_merged():
    import time

    text = ("contract:\n  env_vars:\n    optional:\n" + "".join(f"      K{i}: v\n" for i in range(5000))
            + "variants:\n" + "".join(f"  v{j}:\n    contract:\n      env_vars:\n        optional:\n          K1: w\n"
                                      for j in range(200)))
    start = time.perf_counter()
    problem = read_interface("x.step.yaml", text)
    assert isinstance(problem, YamlProblem) and problem.kind == "limit" and "variants" in problem.message
    assert time.perf_counter() - start < 5


def _interface_fix_examples():
    from steplint.rules import all_rules

    return [pytest.param(rule, example, id=f"{rule.code}-{index}")
            for rule in all_rules() if rule.code.startswith("SL6")
            for index, example in enumerate(rule.bad_examples) if example.fixed is not None]


@pytest.mark.parametrize(("rule", "example"), _interface_fix_examples())
def test_documented_interface_fixes_produce_the_fixed_example(tmp_path, monkeypatch, rule, example):
    from steplint.api import fix_paths_in_memory

    from tests.conftest import write_project

    monkeypatch.chdir(write_project(tmp_path, example.files))
    outcome = fix_paths_in_memory(["."], configure(["."]))
    fixed = {Path(path).as_posix(): source.text for path, source in outcome.workspace.sources.items()}
    assert fixed == example.fixed
    again = check_paths(["."], configure(["."]))
    assert not again.internal_errors


def test_every_fixable_interface_rule_documents_its_fix():
    assert {param.values[0].code for param in _interface_fix_examples()} >= {"SL604", "SL605"}


@pytest.mark.parametrize("text, index, expected", [
    ("a: [x, y, z]\n", 1, "a: [x, z]\n"),
    ("a: [x, y, z]\n", 2, "a: [x, y]\n"),
    ("a: [x]\n", 0, "a: []\n"),
    ("a:\n- x\n- y  # note\n- z\n", 1, "a:\n- x\n- z\n"),
    ("a:\n- x\n", 0, None),
    ("a: [x, {b: c}, z]\n", 2, "a: [x, {b: c}]\n"),
])
def test_removing_a_sequence_item_keeps_everything_else(text, index, expected):
    from steplint.readers.yaml.edits import removed_item

    facts = read_interface("x.step.yaml", text)
    edit = removed_item(facts, facts.root.get("a"), index)
    if expected is None:
        assert edit is None
    else:
        assert text[:edit.start] + edit.replacement + text[edit.end:] == expected


@pytest.mark.parametrize("step_type, reported", [("RedshiftDataLoading", False), ("SalesExtract", True)])
def test_a_delegated_step_named_only_by_its_step_type_mounts_what_its_class_mounts(tmp_path, step_type, reported):
    """Files written before the registry block existed name the step type only at the top: a
    delegation step type there still means another package's step class mounts the paths."""
    from tests.conftest import run_steplint, write_project

    root = write_project(tmp_path / "p", {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "steps/interfaces/extract.step.yaml": (
            f"step_type: {step_type}\nnode_type: source\ncontract:\n  entry_point: extract.py\n  inputs: {{}}\n"
            "  outputs:\n    output:\n      path: /opt/ml/processing/output/data\n"
            "spec:\n  dependencies: {}\n  outputs:\n    output:\n      type: processing_output\n"
            "      property_path: properties.ProcessingOutputConfig.Outputs['output'].S3Output.S3Uri\n"),
        "steps/scripts/extract.py": (
            'CONFIG = "/opt/ml/processing/config/config"\nOUT = "/opt/ml/processing/output/data"\n\n\n'
            'if __name__ == "__main__":\n    print(open(CONFIG).read(), OUT)\n'),
    })
    result = run_steplint("--no-cache", "--select", "SL405", ".", cwd=root)
    assert ("SL405" in result.stdout) is reported, result.stdout + result.stderr
