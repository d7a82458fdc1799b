"""``steplint rules`` and ``steplint rule CODE``: the rules' own documentation."""

from __future__ import annotations

import argparse
import json
import sys

from steplint.rule import RuleDoc


def _example_text(example) -> str:
    parts = []
    for path, content in example.files.items():
        text = content.decode("utf-8", "backslashreplace") if isinstance(content, bytes) else content
        parts.append(f"# {path}\n{text.rstrip()}\n")
    return "\n".join(parts)


def rule_markdown(rule) -> str:
    """A rule's documentation as Markdown: summary, rationale, fix, bad and good examples."""
    lines = [f"## {rule.code} {rule.name}", "", rule.summary, "", "**Why it matters.** " + rule.rationale, "",
             f"**Fix:** {rule.fix_applicability.value}. **Severity:** {rule.severity.value}.", ""]
    for title, examples in (("Bad", rule.bad_examples), ("Good", rule.good_examples)):
        for example in examples:
            lines += [f"**{title}:**", "", "```python", _example_text(example).rstrip(), "```", ""]
    return "\n".join(lines)


def rule_json(rule) -> dict:
    doc = RuleDoc.of(rule)
    return {"code": doc.code, "name": doc.name, "summary": doc.summary, "rationale": doc.rationale,
            "severity": doc.severity, "fix": doc.fix}


def main(argv) -> int:
    from steplint.rules import all_rules, rule_by_code

    parser = argparse.ArgumentParser(prog=f"steplint {argv[0]}")
    if argv[0] == "rule":
        parser.add_argument("code", help="rule code or name, e.g. SL101 or redundant-dependency")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    arguments = parser.parse_args(argv[1:])
    if argv[0] == "rule":
        rule = rule_by_code(arguments.code)
        if rule is None:
            print(f"steplint: error: unknown rule '{arguments.code}'", file=sys.stderr)
            return 2
        if arguments.format == "json":
            print(json.dumps(rule_json(rule), indent=2))
        else:
            sys.stdout.write(rule_markdown(rule))
        return 0
    rules = all_rules()
    if arguments.format == "json":
        print(json.dumps([rule_json(rule) for rule in rules], indent=2))
    else:
        width = max(len(rule.name) for rule in rules)
        for rule in rules:
            print(f"{rule.code}  {rule.name:<{width}}  {rule.fix_applicability.value:<6}  {rule.summary}")
    return 0
