"""SL206: scripts that belong to no step."""

from __future__ import annotations

import difflib
import posixpath

from steplint.rule import Example, Rule, Severity
from steplint.rules._catalog_examples import CONTRACT, CORE, REGISTRY, SCRIPT, SPEC, project

_STEP = (CORE, REGISTRY, SPEC, CONTRACT, SCRIPT)

# Files that are never a step's entry point, whatever they contain.
NOT_ENTRY_POINTS = frozenset({"__init__.py", "__main__.py", "setup.py", "conftest.py"})
RUNS_SCRIPT = ("processing", "training")
CLOSE_MATCH = 0.8
MAX_MESSAGE = 120  # difflib ratio above which a missing entry point's name is shown as the likely one

_BACKFILL = '''\
import os

if __name__ == "__main__":
    print(os.listdir("/opt/ml/processing/input/data"))
'''
_HELPER = '''\
def clean(frame):
    return frame.dropna()
'''
_IMPORTED = '''\
def split(frame):
    return frame.sample(frac=0.7), frame


if __name__ == "__main__":
    print("a quick manual check of split()")
'''


_YAML_STEP = {
    "steps/interfaces/preprocessing.step.yaml": ("step_type: Preprocessing\nregistry:\n  sagemaker_step_type: Processing\n"
                                                 "contract:\n  entry_point: preprocess.py\n"),
    "steps/scripts/preprocess.py": 'if __name__ == "__main__":\n    print("preprocessing")\n',
}


class OrphanScript(Rule):
    code = "SL206"
    name = "orphan-script"
    summary = "An entry-point script beside the project's step scripts that no contract names."
    rationale = (
        "steplint checks what a script reads (container paths, env vars, arguments) against the contract "
        "whose entry_point names it. A script with an `if __name__ == \"__main__\":` block in the directory "
        "where the project keeps its step scripts, which no contract names and no other file imports, is "
        "either a step whose contract is missing (or names it wrongly), or dead code: in both cases nothing "
        "checks it. Files that no `__main__` block marks as an entry point, files another file imports or "
        "names, and files in directories with no contract's script are not reported; nor is anything when "
        "a contract's entry_point cannot be determined (it could be this script), a YAML interface makes its "
        "container run its own command (compute.container_entrypoint, which may run any script), or a step "
        "interface cannot be read (SL906, SL907). A contract is "
        "a Python script contract or a YAML interface's contract section."
    )
    severity = Severity.WARNING
    bad_examples = (
        Example(project(_STEP, add={"steps/scripts/backfill.py": _BACKFILL})),
        Example({**_YAML_STEP, "steps/scripts/backfill.py": _BACKFILL}),
    )
    good_examples = (
        Example(project(_STEP, add={"steps/scripts/cleaning.py": _HELPER})),
        Example(project(_STEP, (SCRIPT, "import os\n", "import os\n\nfrom splitting import split\n"),
                                 add={"steps/scripts/splitting.py": _IMPORTED})),
        Example(project(_STEP, (CONTRACT, 'entry_point="preprocess.py"', "entry_point=ENTRY_POINT"),
                                 add={"steps/scripts/backfill.py": _BACKFILL})),
        Example({**_YAML_STEP, "steps/scripts/cleaning.py": _HELPER}),
    )

    def check(self, context):
        steps = context.steps
        declaring = [step for step in steps if step.sdk is None and step.entry_point is not None]
        if not declaring or not all(isinstance(step.entry_point, str) for step in declaring):
            return  # no step declares an entry point, or one whose entry point could be any script: cannot tell
        if any(not problem.path.endswith((".py", ".pyi")) for problem in context.file_problems):
            return  # a step interface steplint could not read may name any of them
        builder_paths = context.builder_paths
        if any(step.sdk is not None and step.script is None and step.kind in RUNS_SCRIPT
               and step.origin.path not in builder_paths for step in steps):
            return  # a pipeline step (not a spec-driven builder's) whose script is unknown could run any of them
        named = {step.script.path for step in steps if step.script is not None}
        directories = {posixpath.dirname(step.script.path) for step in declaring if step.script is not None}
        missing = _missing_entry_points(context.run_paths, declaring)
        wanted = context.report_paths
        if wanted is not None and any(path in wanted for _, _, path in missing):
            wanted = None  # a finding may name the file declaring a missing entry point: every script counts
        for display in context.run_paths:
            file_name = posixpath.basename(display)
            if (wanted is not None and display not in wanted) or display in named \
                    or posixpath.dirname(display) not in directories or not file_name.endswith(".py") \
                    or file_name in NOT_ENTRY_POINTS or file_name.startswith("test_") or file_name.endswith("_test.py"):
                continue
            script = context.script(display)
            if script is None or script.main_block is None:
                continue
            stem = file_name[:-len(".py")]
            naming = context.files_naming(stem)
            if naming is None or naming - {display}:
                continue  # imported or named by another file (a contract, a builder, a script): not an orphan
            yield self._finding(display, script.main_block.span, file_name, posixpath.dirname(display), missing)

    def _finding(self, display: str, span, file_name: str, directory: str, missing: list):
        close = [(owner, entry, path) for owner, entry, path in missing
                 if difflib.SequenceMatcher(None, posixpath.basename(entry), file_name).ratio() >= CLOSE_MATCH]
        if len(close) == 1:
            owner, entry, path = close[0]
            message = f"no contract names entry point {file_name} (close: '{entry}' of {owner})"
            if len(message) > MAX_MESSAGE:
                message = f"no contract names entry point {file_name} (close: '{entry}')"
            return self.finding(
                display, span, message,
                related_paths=[path],
                help=(f"The entry_point '{entry}' of {owner} matches no file. If it means this script, "
                      f"set it to '{file_name}'; steplint then checks the script's reads against that contract."))
        return self.finding(
            display, span, f"no contract names entry point {file_name} (it has a __main__ block)",
            help=(f"steplint checks a script only against the contract that names it, so none of this script's "
                  f"paths, env vars or arguments are checked. If a step runs it, name it in that step's contract "
                  f"(entry_point=\"{file_name}\"); if no step does, move it out of {directory or 'this directory'}."))


def _missing_entry_points(paths, steps) -> list:
    """(declaring step's name, entry point, the file declaring it) for each step whose entry
    point matches no file of the run (``paths``), each once (a YAML file's views share one)."""
    by_name: dict = {}  # file name -> "/"-prefixed paths of that name, so each lookup is one bucket
    for path in paths:
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append("/" + path)
    missing = {}
    for step in steps:
        entry = step.entry_point.strip()
        if not entry.endswith(".py"):
            continue
        suffix = "/" + entry.lstrip("./")
        if not any(path.endswith(suffix) for path in by_name.get(suffix.rsplit("/", 1)[-1], ())):
            missing[(step.declared_by, entry, (step.entry_point_origin or step.origin).path)] = None
    return list(missing)
