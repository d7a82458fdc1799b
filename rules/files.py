"""SL9xx: files steplint could not read or parse. Reported, never raised; other files are still checked."""

from __future__ import annotations

from steplint.rule import Example, Rule


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
                 "before any step runs. steplint reports it and goes on with the other files.")
    bad_examples = (Example({"steps/specs/broken_spec.py": "SPEC = StepSpecification(step_type='X'\n"}),)
    good_examples = (Example({"steps/specs/fine_spec.py": "SPEC = StepSpecification(step_type='X')\n"}),)


class UnreadableFileRule(_FileProblemRule):
    code = "SL902"
    name = "unreadable-file"
    summary = "A file cannot be read or decoded."
    rationale = ("Permissions, vanished files and bytes that are not valid in the file's declared encoding "
                 "keep steplint (and Python) from reading the file. It is reported and skipped.")
    bad_examples = (Example({"steps/specs/latin_spec.py": b"X_SPEC = StepSpecification(step_type='\xff')\n"}),)
    good_examples = (Example({"steps/specs/utf8_spec.py": "X_SPEC = StepSpecification(step_type='\u00e9')\n"}),)
