"""SL9xx: files steplint could not read, parse or analyse. Reported, never raised; other files are still checked."""

from __future__ import annotations

from steplint.readers.python.parse_guard import MAX_DEPTH, MAX_PARSE_CHARS, MAX_WORK
from steplint.readers.yaml.interface import MAX_VIEW_WORK as YAML_MAX_VIEW_WORK
from steplint.readers.yaml.nodes import MAX_BYTES as YAML_MAX_BYTES
from steplint.readers.yaml.nodes import MAX_DEPTH as YAML_MAX_DEPTH
from steplint.readers.yaml.nodes import MAX_NODES as YAML_MAX_NODES
from steplint.rule import Example, Rule, Severity


class _FileProblemRule(Rule):
    def check(self, context):
        for problem in context.file_problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message)


class SyntaxErrorRule(_FileProblemRule):
    code = "SL901"
    name = "syntax-error"
    summary = "A file cannot be parsed as Python."
    rationale = ("A step file that does not parse cannot be checked, and the pipeline that imports it fails "
                 "before any step runs. Python's own parser decides (it also rejects code nested too deeply for "
                 "it); steplint reports the file and goes on with the other files.")
    bad_examples = (Example({"steps/specs/broken_spec.py": "SPEC = StepSpecification(step_type='X'\n"}),)
    good_examples = (Example({"steps/specs/fine_spec.py": "SPEC = StepSpecification(step_type='X')\n"}),)


class UnreadableFileRule(_FileProblemRule):
    code = "SL902"
    name = "unreadable-file"
    summary = "A file cannot be read or decoded."
    rationale = ("Permissions, vanished files and bytes that are not valid in the file's declared encoding "
                 "keep steplint (and Python) from reading the file. It is reported and skipped, and so is a "
                 f"Python file of more than {MAX_PARSE_CHARS:,} characters (almost always generated code: "
                 "exclude it or split it).")
    bad_examples = (Example({"steps/specs/latin_spec.py": b"X_SPEC = StepSpecification(step_type='\xff')\n"}),)
    good_examples = (Example({"steps/specs/utf8_spec.py": "X_SPEC = StepSpecification(step_type='\u00e9')\n"}),)


class TooComplexRule(_FileProblemRule):
    code = "SL905"
    name = "too-complex"
    severity = Severity.WARNING
    summary = "A file Python accepts is nested too deeply or too large for steplint to analyse."
    rationale = ("LibCST, the parser steplint uses, crashes on code nested a few thousand levels deep and takes "
                 "time that grows with the square of a chain's length (1 + 1 + ..., a.b.b..., f()()...); steplint's "
                 "own passes recurse once per level. Files are measured with Python's own parser first, and those "
                 f"nested deeper than {MAX_DEPTH:,} levels or needing more parser work than steplint spends on one "
                 f"file (about {MAX_WORK:,} syntax nodes) are reported and not checked; the other files are. Such "
                 "code is almost always generated: exclude it (exclude = [...] in [tool.steplint]) or build the "
                 "value another way. Code Python itself rejects is SL901.")
    bad_examples = (Example({"steps/specs/generated_spec.py": (
        "X_SPEC = StepSpecification(step_type='X')\nLIMIT = " + " + ".join(["1"] * (MAX_DEPTH + 20)) + "\n")}),)
    good_examples = (Example({"steps/specs/generated_spec.py": (
        f"X_SPEC = StepSpecification(step_type='X')\nLIMIT = {MAX_DEPTH + 20}\n")}),)


class YamlSyntaxErrorRule(_FileProblemRule):
    code = "SL906"
    name = "yaml-syntax-error"
    summary = "A step interface file (*.step.yaml) is not YAML that yaml.safe_load accepts."
    rationale = ("The project's loader reads each interface with PyYAML's safe_load; a file it rejects (bad "
                 "indentation, an unclosed bracket, a tag that constructs an object, a second document, a value "
                 "that is not valid for its tag) fails every pipeline that uses the step, at compile time. "
                 "steplint parses with the same library and YAML 1.1 rules, reports the parser's position, and "
                 "checks nothing else in the file; nothing in a YAML file is ever constructed or executed.")
    bad_examples = (Example({"steps/interfaces/broken.step.yaml": (
        "step_type: Broken\ncontract:\n  inputs: [DATA\nspec: {}\n")}),)
    good_examples = (Example({"steps/interfaces/fine.step.yaml": (
        "step_type: Fine\ncontract:\n  inputs: {}\nspec: {}\n")}),)


class YamlTooComplexRule(_FileProblemRule):
    code = "SL907"
    name = "yaml-too-complex"
    severity = Severity.WARNING
    summary = "A step interface file is too large, too deeply nested or self-referencing for steplint to analyse."
    rationale = (f"Interface files are a few kilobytes nested a few levels deep. steplint reads up to "
                 f"{YAML_MAX_BYTES:,} characters, {YAML_MAX_DEPTH} levels and {YAML_MAX_NODES:,} nodes with aliases "
                 f"expanded (so an alias bomb costs nothing), {YAML_MAX_VIEW_WORK:,} nodes times views (the base and each "
                 "job-type variant, each merged and checked), and no alias to an enclosing node; a file beyond "
                 "these is reported and not checked, so that no input can make a run hang. Such a file is "
                 "almost always generated: exclude it, or split it.")
    bad_examples = (Example({"steps/interfaces/deep.step.yaml": (
        "step_type: Deep\ncontract: " + "[" * (YAML_MAX_DEPTH + 5) + "]" * (YAML_MAX_DEPTH + 5) + "\n")}),)
    good_examples = (Example({"steps/interfaces/flat.step.yaml": "step_type: Flat\ncontract: [[[]]]\n"}),)
