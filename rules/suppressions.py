"""SL903: ``# steplint: ignore[...]`` directives that suppress nothing.

The engine runs this rule after it has filtered the other rules' findings through the
suppressions, so every directive knows which codes it actually suppressed.
"""

from __future__ import annotations

from steplint.findings.suppressions import DIRECTIVE
from steplint.model.values import Span
from steplint.rule import Applicability, Edit, Example, Fix, Rule, Severity
from steplint.rules.specification import RedundantDependency

_USED_SPEC = "steps/specs/training_spec.py"


def _used_directive_example() -> dict:
    files = dict(RedundantDependency.bad_examples[0].files)
    files[_USED_SPEC] = files[_USED_SPEC].replace(
        "        DependencySpec(\n            logical_name=\"config\"",
        "        DependencySpec(  # steplint: ignore[SL101]\n            logical_name=\"config\"")
    return files


class UnusedSuppression(Rule):
    code = "SL903"
    name = "unused-suppression"
    summary = "A `# steplint: ignore` directive suppresses nothing."
    rationale = ("A suppression outlives the finding it was written for: once the spec, contract or builder "
                 "is fixed, the stale directive stays and would silently hide the next real defect of that "
                 "kind on the line, such as a channel SageMaker never mounts. Codes of rules that are not "
                 "enabled in the run are not judged.")
    severity = Severity.WARNING
    fix_applicability = Applicability.SAFE
    after_suppressions = True
    bad_examples = (
        Example({"steps/specs/settings.py": "BATCH_SIZE = 32  # steplint: ignore[SL101]\n"}, expect=1,
                fixed={"steps/specs/settings.py": "BATCH_SIZE = 32\n"}),
        Example({"steps/specs/settings.py": "# steplint: ignore[SL101, SL102]\nBATCH_SIZE = 32\n"}, expect=1,
                fixed={"steps/specs/settings.py": "BATCH_SIZE = 32\n"}),
    )
    good_examples = (Example(_used_directive_example()),)

    def check(self, context):
        return ()

    def check_suppressions(self, context, suppressions_by_path: dict):
        """Findings for directives (or codes in them) that suppressed nothing in this run."""
        for display, suppressions in sorted(suppressions_by_path.items()):
            for suppression in suppressions:
                finding = self._judge(context, display, suppression)
                if finding is not None:
                    yield finding

    def _judge(self, context, display: str, suppression):
        if suppression.codes is None:
            if suppression.used:
                return None
            unused, kept = ["every code"], []
        else:
            judged = [code for code in sorted(suppression.codes)
                      if code != self.code and _is_judged(context.config, code, display)]
            unused = [code for code in judged if not any(used.startswith(code) for used in suppression.used)]
            if not unused:
                return None
            kept = [code for code in sorted(suppression.codes) if code not in unused]
        what = ", ".join(unused)
        scope = "in this file" if suppression.kind == "ignore-file" else "on this line"
        remedy = f"Remove {what} from the directive." if kept else "Remove the directive."
        return self.finding(display, Span(suppression.line, suppression.col, suppression.line, suppression.col),
                            f"`# steplint: {suppression.kind}` for {what} suppresses nothing here",
                            self._fix(context, display, suppression, kept),
                            help=f"Left in place, it would hide the next such finding {scope}. {remedy}")

    def _fix(self, context, display: str, suppression, kept: list) -> Fix | None:
        parsed = context.parsed(display)
        if parsed is None:
            return None
        edit = removal_edit(parsed.source.text, display, suppression.line, suppression.col, kept)
        if edit is None:
            return None
        what = "remove the unused codes" if kept else "remove the directive"
        return Fix(what, Applicability.SAFE, (edit,))


def _is_judged(config, code: str, display: str) -> bool:
    """Whether a directive code names rules this run ran on the file (prefixes: any of them)."""
    from steplint.rules import rule_classes

    return any(rule.code.startswith(code) and config.is_selected(rule.code, display) for rule in rule_classes())


def _line_bounds(text: str, line: int) -> tuple[int, int, int]:
    """Start of ``line``, end of its content, and end including the line break."""
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    newline = text.find("\n", start)
    end_with_break = len(text) if newline < 0 else newline + 1
    end = end_with_break if newline < 0 else newline
    if end > start and text[end - 1] == "\r":
        end -= 1
    return start, end, end_with_break


def removal_edit(text: str, path: str, line: int, col: int, kept_codes: list) -> Edit | None:
    """The edit that drops the directive at ``line``/``col`` (or keeps only ``kept_codes``)."""
    try:
        start, end, end_with_break = _line_bounds(text, line)
    except ValueError:
        return None
    physical = text[start:end]
    match = DIRECTIVE.search(physical, col)
    if match is None:
        return None
    if kept_codes:
        replacement = f"# steplint: {match.group(1)}[{', '.join(kept_codes)}]"
        return Edit(path, start + match.start(), start + match.end(), replacement)
    before, after = physical[:match.start()], physical[match.end():].strip()
    if after and not after.startswith("#"):  # prose after the directive stays a comment
        after = "# " + after
    if match.start() == col:  # the directive opens the comment
        new_line = before + after if after else before.rstrip()
    else:  # the directive follows other comment text, which stays
        new_line = before.rstrip() + ("  " + after if after else "")
    if new_line.strip() == "" and physical[:col].strip() == "":
        return Edit(path, start, end_with_break, "")
    return Edit(path, start, end, new_line)
