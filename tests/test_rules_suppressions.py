"""SL903 unused-suppression: a bad and a good case per branch of the rule's condition, and
each shape of its fix (whole line, trailing comment, codes kept, prose kept)."""

from __future__ import annotations

import pytest
from steplint.rules._examples import SPEC

from tests.rule_projects import findings, fixed
from tests.test_rules_sl101 import config_line, step

SETTINGS = "steps/specs/settings.py"


def settings(text: str, **more) -> dict:
    return {SETTINGS: text, **more}


def with_directive(files: dict, directive: str) -> dict:
    """SL101's bad case with ``directive`` at the end of the finding's line."""
    lines = files[SPEC].splitlines(keepends=True)
    index = config_line(files) - 1
    lines[index] = lines[index].rstrip("\n") + f"  {directive}\n"
    return {**files, SPEC: "".join(lines)}


def test_unused_code_is_reported_and_the_trailing_directive_removed():
    files = settings("BATCH_SIZE = 32  # steplint: ignore[SL101]\n")
    [finding] = findings(files, "SL903")
    assert (finding.path, finding.line) == (SETTINGS, 1)
    assert finding.says("`# steplint: ignore` for SL101 suppresses nothing here")
    assert finding.helps("it would hide the next such finding on this line", "Remove the directive.")
    assert finding.fix == "remove the directive"
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32\n"}


def test_a_directive_on_its_own_line_is_removed_with_the_line():
    files = settings("A = 1\n# steplint: ignore[SL101]\nBATCH_SIZE = 32\n")
    [finding] = findings(files, "SL903")
    assert finding.line == 2
    assert fixed(files) == {SETTINGS: "A = 1\nBATCH_SIZE = 32\n"}


def test_prose_after_the_directive_stays_a_comment():
    files = settings("BATCH_SIZE = 32  # steplint: ignore[SL101] legacy value\n")
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32  # legacy value\n"}


def test_comment_text_before_the_directive_stays():
    files = settings("BATCH_SIZE = 32  # tuned by hand  # steplint: ignore[SL101]\n")
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32  # tuned by hand\n"}


def test_a_used_directive_is_fine():
    assert findings(with_directive(step(), "# steplint: ignore[SL101]"), "SL101", "SL903") == []


def test_only_the_unused_codes_of_a_used_directive_are_reported_and_removed():
    files = with_directive(step(), "# steplint: ignore[SL101, SL102]")
    [finding] = findings(files, "SL903")
    assert finding.says("for SL102 suppresses nothing") and "SL101" not in finding.message
    assert finding.helps("Remove SL102 from the directive.")
    assert finding.fix == "remove the unused codes"
    assert "# steplint: ignore[SL101]\n" in fixed(files)[SPEC]


def test_a_prefix_counts_as_used_when_a_rule_under_it_was_suppressed():
    assert findings(with_directive(step(), "# steplint: ignore[SL1]"), "SL101", "SL903") == []


def test_bare_ignore_unused_names_every_code():
    files = settings("BATCH_SIZE = 32  # steplint: ignore\n")
    [finding] = findings(files, "SL903")
    assert finding.says("`# steplint: ignore` for every code suppresses nothing")
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32\n"}


def test_bare_ignore_used_is_fine():
    assert findings(with_directive(step(), "# steplint: ignore"), "SL101", "SL903") == []


def test_unused_ignore_file():
    files = settings("# steplint: ignore-file[SL201]\nBATCH_SIZE = 32\n")
    [finding] = findings(files, "SL903")
    assert finding.says("`# steplint: ignore-file` for SL201 suppresses nothing")
    assert finding.helps("the next such finding in this file")
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32\n"}


@pytest.mark.parametrize("configuration", ['ignore = ["SL101"]', 'select = ["SL2", "SL903"]',
                                           'per-file-ignores = { "steps/specs/*" = ["SL1"] }'])
def test_codes_of_rules_not_run_on_the_file_are_not_judged(configuration):
    files = settings("BATCH_SIZE = 32  # steplint: ignore[SL101]\n",
                     **{"pyproject.toml": f"[tool.steplint]\n{configuration}\n"})
    assert findings(files, "SL903") == []


def test_a_rule_run_on_other_files_only_is_judged_where_it_runs():
    files = settings("BATCH_SIZE = 32  # steplint: ignore[SL101]\n",
                     **{"pyproject.toml": '[tool.steplint]\nper-file-ignores = { "steps/other/*" = ["SL1"] }\n'})
    assert [f.code for f in findings(files, "SL903")] == ["SL903"]


def test_its_own_code_is_never_judged():
    assert findings(settings("BATCH_SIZE = 32  # steplint: ignore[SL903]\n"), "SL903") == []


def test_the_fix_keeps_windows_line_endings():
    files = settings("BATCH_SIZE = 32  # steplint: ignore[SL101]\r\nEPOCHS = 3\r\n".encode())
    assert [f.code for f in findings(files, "SL903")] == ["SL903"]
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32\r\nEPOCHS = 3\r\n"}


def test_prose_after_the_directive_keeps_the_code_spacing():
    files = settings("BATCH_SIZE = 32 # steplint: ignore[SL101] legacy value\n")
    assert fixed(files) == {SETTINGS: "BATCH_SIZE = 32 # legacy value\n"}


def test_a_comment_line_with_text_before_the_directive_keeps_the_text():
    files = settings("# tuned by hand  # steplint: ignore[SL101]\nBATCH_SIZE = 32\n")
    assert fixed(files) == {SETTINGS: "# tuned by hand\nBATCH_SIZE = 32\n"}
