"""Rule documentation and the README's examples stay true to the code.

``python -m tests.test_docs`` regenerates the README's example outputs.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from steplint.rules import all_rules, rule_by_code

from tests.conftest import FIXTURES, REPO, run_steplint

README = REPO / "README.md"
RULES_MD = REPO / "docs" / "rules.md"
EXAMPLE = re.compile(r"<!-- steplint-output (\S+): steplint (.*?) -->\n```text\n(.*?)```", re.DOTALL)


def test_docs_rules_md_is_generated_from_the_rules():
    generated = run_steplint("rules", "--format", "markdown", cwd=REPO)
    assert generated.returncode == 0
    assert RULES_MD.read_text(encoding="utf-8") == generated.stdout, (
        "docs/rules.md is stale: run `steplint rules --format markdown > docs/rules.md`")


def test_rules_md_documents_every_rule():
    text = RULES_MD.read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"## {rule.code} {rule.name}\n" in text
        assert rule.rationale in text


def test_rule_command_prints_summary_rationale_examples_and_fix():
    result = run_steplint("rule", "SL201", cwd=REPO)
    assert result.returncode == 0
    text = result.stdout
    for part in ("## SL201 managed-contract-path", "**Why it matters.**", "**Fix:** safe", "**Bad:**",
                 "**Good:**", "```python"):
        assert part in text
    assert text.index("**Bad:**") < text.index("**Good:**")


def test_rule_command_shows_each_example_s_own_files_and_full_shows_the_whole_project():
    compact = run_steplint("rule", "SL401", cwd=REPO).stdout
    full = run_steplint("rule", "SL401", "--full", cwd=REPO).stdout
    rule = rule_by_code("SL401")
    bad, good = rule.bad_examples[0].files, rule.good_examples[0].files
    differing = [path for path in bad if bad[path] != good.get(path)]
    assert differing and len(differing) < len(bad)
    for path in bad:
        shown = f"`{path}`:" in compact
        assert shown == (path in differing), path
        assert f"`{path}`:" in full
    assert "--full` shows every file" in compact and len(compact.splitlines()) <= 60 < len(full.splitlines())


def test_a_long_file_is_shown_around_its_changed_lines():
    from steplint.cli.docs import _excerpt

    before = [f"line {number}" for number in range(40)]
    after = before[:20] + ["changed"] + before[21:]
    assert _excerpt(before, after).splitlines() == ["...", "line 18", "line 19", "changed", "line 21", "line 22",
                                                    "..."]


def test_rules_command_lists_every_rule():
    lines = run_steplint("rules", cwd=REPO).stdout.splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in all_rules()]


def _run_example(directory: str, arguments: str) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(shutil.copytree(REPO / directory, Path(scratch) / Path(directory).name))
        return run_steplint(*shlex.split(arguments), cwd=root).stdout


def test_readme_examples_are_real_output():
    examples = EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert len(examples) >= 4
    for directory, arguments, shown in examples:
        assert (REPO / directory).is_relative_to(FIXTURES)
        assert _run_example(directory, arguments) == shown, (
            f"README output of `steplint {arguments}` is stale: run `python -m tests.test_docs`")


def regenerate_readme() -> None:
    text = README.read_text(encoding="utf-8")

    def fill(match):
        directory, arguments = match.group(1), match.group(2)
        return (f"<!-- steplint-output {directory}: steplint {arguments} -->\n```text\n"
                f"{_run_example(directory, arguments)}```")

    README.write_text(EXAMPLE.sub(fill, text), encoding="utf-8")


if __name__ == "__main__":
    regenerate_readme()
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", __file__]))


def test_each_rule_says_which_source_forms_it_checks():
    rows = {row["code"]: row for row in json.loads(run_steplint("rules", "--output-format", "json", cwd=REPO).stdout)}
    assert rows["SL301"]["reader"] == "python" and rows["SL602"]["reader"] == "yaml"
    assert rows["SL401"]["reader"] is None and rows["SL701"]["reader"] is None
    shown = run_steplint("rule", "SL602", cwd=REPO).stdout
    assert "**Checks:** YAML interfaces." in shown
    assert "**Checks:** any form (it reads the step model" in run_steplint("rule", "SL405", cwd=REPO).stdout


def test_rules_command_shows_fix_severity_and_form():
    lines = run_steplint("rules", cwd=REPO).stdout.splitlines()
    sl903 = next(line for line in lines if line.startswith("SL903"))
    assert sl903.split()[1:4] == ["unused-suppression", "safe", "warning"] and " any form " in sl903
    assert " YAML interfaces " in next(line for line in lines if line.startswith("SL612"))
    assert next(line for line in lines if line.startswith("SL101")).endswith(rule_by_code("SL101").summary)
