"""``steplint rules`` and ``steplint rule CODE``: the rules' own documentation."""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import sys
from collections import Counter

from steplint.reporting.links import rule_anchor, rule_url
from steplint.rule import RuleDoc, source_form


def _text(content) -> str:
    return content.decode("utf-8", "backslashreplace") if isinstance(content, bytes) else content


def _fence(path: str) -> str:
    return "yaml" if path.endswith((".yaml", ".yml")) else "toml" if path.endswith(".toml") else "python"


CONTEXT_LINES = 2  # unchanged lines shown around a change
WHOLE_FILE_LINES = 12  # files this short are shown whole


def _files_markdown(files: dict, against: dict | None = None) -> list:
    """Each file as its path and a fenced block: whole, or (when ``against`` holds another
    version of a longer file) the lines that differ from it with a little context, the
    rest elided as ``...``."""
    lines = []
    for path, content in files.items():
        text = _text(content).rstrip()
        other = (against or {}).get(path)
        if other is not None and text.count("\n") >= WHOLE_FILE_LINES:
            text = _excerpt(_text(other).rstrip().splitlines(), text.splitlines())
        lines += [f"`{path}`:", "", f"```{_fence(path)}", text, "```", ""]
    return lines


def _excerpt(before: list, after: list) -> str:
    """The lines of ``after`` that differ from ``before``, with ``CONTEXT_LINES`` around them;
    each run of omitted lines is one ``...`` line."""
    keep: set = set()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag != "equal":
            keep.update(range(max(0, start - CONTEXT_LINES), min(len(after), max(end, start + 1) + CONTEXT_LINES)))
    shown: list = []
    for number, line in enumerate(after):
        if number in keep:
            shown.append(line)
        elif not shown or shown[-1] is not _ELIDED:
            shown.append(_ELIDED)
    return "\n".join(line if line is not _ELIDED else "..." for line in shown)


_ELIDED = object()


def shared_files(examples) -> dict:
    """path -> content shared by at least two of ``examples`` (``Example`` objects; for a path
    with several shared versions, the most common): the project the examples are variations of."""
    counts = Counter((path, content) for example in examples for path, content in example.files.items())
    shared: dict = {}
    best: dict = {}
    for (path, content), count in counts.most_common():
        if count >= 2 and count > best.get(path, 0):
            shared[path], best[path] = content, count
    return shared


def _references(example, examples, shared: dict, known: dict) -> dict:
    """path -> the text each of ``example``'s own files is excerpted against: the shared
    version, else the most similar other version of that path among the rule's examples and
    ``known`` (path -> versions in other rules' examples), so a variation of a long file shows
    only where it differs from its nearest sibling."""
    against: dict = {}
    for path, content in example.files.items():
        if path in shared and shared[path] != content:
            against[path] = shared[path]
            continue
        text = _text(content).splitlines()
        others = {other.files[path] for other in examples if path in other.files} | set(known.get(path, ()))
        others.discard(content)
        best, best_ratio = None, 0.0
        for other in sorted(others, key=_text):
            ratio = difflib.SequenceMatcher(a=_text(other).splitlines(), b=text, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = other, ratio
        if best is not None and best_ratio >= MIN_SIMILARITY:
            against[path] = best
    return against


def known_files(rules) -> tuple:
    """``(versions, base)`` over every example of ``rules``: path -> the versions of that file,
    and path -> content for the files that at least two rules' examples hold unchanged (the
    base projects the examples vary)."""
    versions: dict = {}
    owners: dict = {}
    for rule in rules:
        for example in (*rule.bad_examples, *rule.good_examples):
            for path, content in example.files.items():
                versions.setdefault(path, set()).add(content)
                owners.setdefault((path, content), set()).add(rule.code)
    base = {path: content for (path, content), codes in owners.items() if len(codes) >= 2}
    return versions, base


MIN_SIMILARITY = 0.5  # a file less alike than this to every sibling is shown whole


def rule_markdown(rule, full: bool = False, known: tuple | None = None) -> str:
    """A rule's documentation as Markdown: summary, rationale, fix, bad and good examples.

    Examples are variations of one small project. Unless ``full``, the files every example
    shares are listed by path once, and each example shows only the files in which it
    differs from them (and a fix only the files it changes), longer files only around the
    lines that differ."""
    lines = [f"## {rule.code} {rule.name}", "", rule.summary, "", "**Why it matters.** " + rule.rationale, "",
             f"**Fix:** {rule.fix_applicability.value}. **Severity:** {rule.severity.value}. "
             f"**Checks:** {source_form(rule, long=True)}.", ""]
    examples = (*rule.bad_examples, *rule.good_examples)
    versions, base = known if known is not None and not full else ({}, {})
    shared = {} if full else shared_files(examples)
    if not full:  # a file another rule's examples also hold unchanged is part of the base project
        for example in examples:
            for path, content in example.files.items():
                if path not in shared and base.get(path) == content:
                    shared[path] = content
    if shared:
        lines += ["The examples are variations of one small project (" + ", ".join(f"`{path}`" for path in shared)
                  + "); each shows only the files it changes. `steplint rule " + rule.code
                  + " --full` shows every file.", ""]
    for title, group in (("Bad", rule.bad_examples), ("Good", rule.good_examples)):
        for example in group:
            own = {path: content for path, content in example.files.items() if shared.get(path) != content}
            against = {} if full else _references(example, examples, shared, versions)
            lines += [f"**{title}:**" + ("" if own else " the project as it is."), ""] + _files_markdown(own, against)
            if example.fixed:
                changed = {path: content for path, content in example.fixed.items()
                           if full or example.files.get(path) != content}
                lines += ["**After the fix:**", ""] + _files_markdown(changed, None if full else example.files)
    return "\n".join(lines)


def rules_markdown(rules) -> str:
    """The whole catalogue as one Markdown page (``docs/rules.md`` is this, generated)."""
    lines = ["# steplint rules", "",
             "<!-- Generated by `steplint rules --format markdown > docs/rules.md`; do not edit by hand. -->", "",
             "| Code | Name | Fix | Summary |", "| --- | --- | --- | --- |"]
    for rule in rules:
        anchor = rule_anchor(rule.code, rule.name)
        lines.append(f"| [{rule.code}](#{anchor}) | {rule.name} | {rule.fix_applicability.value} | "
                     f"{rule.summary.replace('|', '&#124;')} |")
    lines.append("")
    known = known_files(rules)
    return "\n".join(lines) + "\n" + "\n".join(rule_markdown(rule, known=known) for rule in rules)


def rule_json(rule) -> dict:
    doc = RuleDoc.of(rule)
    return {"code": doc.code, "name": doc.name, "summary": doc.summary, "rationale": doc.rationale,
            "severity": doc.severity, "fix": doc.fix, "reader": doc.reader, "url": rule_url(doc.code, doc.name)}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.exit(2, f"steplint: error: {message}\n")


def main(argv) -> int:
    """``steplint rule CODE`` or ``steplint rules`` (``argv[0]``); the exit code."""
    from steplint.rules import all_rules, rule_by_code

    parser = _Parser(prog=f"steplint {argv[0]}",
                     description="Print a rule's documentation." if argv[0] == "rule" else "List the rules.")
    if argv[0] == "rule":
        parser.add_argument("code", help="rule code or name, e.g. SL101 or redundant-dependency")
        parser.add_argument("--full", action="store_true",
                            help="show every file of each example, not only the files it changes")
    parser.add_argument("--output-format", "--format", dest="format", choices=("text", "json", "markdown"),
                        default="text", help="text (the default), json or markdown")
    arguments = parser.parse_args(argv[1:])
    if argv[0] == "rule":
        rule = rule_by_code(arguments.code)
        if rule is None:
            print(f"steplint: error: unknown rule '{arguments.code}'", file=sys.stderr)
            return 2
        if arguments.format == "json":
            print(json.dumps(rule_json(rule), indent=2))
        else:
            sys.stdout.write(rule_markdown(rule, arguments.full, None if arguments.full else known_files(all_rules())))
        return 0
    rules = all_rules()
    if arguments.format == "markdown":
        sys.stdout.write(rules_markdown(rules))
    elif arguments.format == "json":
        print(json.dumps([rule_json(rule) for rule in rules], indent=2))
    else:
        width = max(len(rule.name) for rule in rules)
        columns = shutil.get_terminal_size().columns if sys.stdout.isatty() else None  # piped: whole lines
        for rule in rules:
            line = (f"{rule.code}  {rule.name:<{width}}  {rule.fix_applicability.value:<6}  "
                    f"{rule.severity.value:<7}  {source_form(rule):<15}  {rule.summary}")
            print(line if columns is None or len(line) <= columns else line[:columns - 1] + "…")
    return 0
