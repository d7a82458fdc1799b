"""SL620: a script reads a key of ``environ_vars`` that its own ``__main__`` never puts there.

The cursus script convention (Python contracts and YAML step interfaces alike) is ``main(
input_paths, output_paths, environ_vars, job_args)``, with the ``if __name__ == "__main__":``
block copying the variables it needs out of ``os.environ`` into a dict: ``environ_vars =
{"LABEL_FIELD": os.environ.get("LABEL_FIELD"), ...}``. ``main()`` (and the helpers it hands
the dict to) then read ``environ_vars["X"]`` / ``environ_vars.get("X")``, never the
environment itself. A key the dict does not hold is never seen, whatever the container's
environment says. This rule reads the step model (``Step.script``: the script's key reads,
kind ``environ_key``, and ``Script.passed``, the dicts its ``__main__`` builds, as the
Python reader records them for ``input_paths`` / ``output_paths`` too).
"""

from __future__ import annotations

import difflib

from steplint.model.steps import Answer
from steplint.rule import Example, Rule, fitted

# reads that handle the key's absence themselves (rules/alignment.py's DEAD_READS)
DEAD_READS = ("fallback", "guarded", "test")
KIND = "environ_key"

CONTRACT = """\
from ..core.base.contract_base import ScriptContract

TABULAR_PREPROCESSING_CONTRACT = ScriptContract(
    entry_point="tabular_preprocessing.py",
    expected_input_paths={"DATA": "/opt/ml/processing/input/data"},
    expected_output_paths={"processed_data": "/opt/ml/processing/output"},
    required_env_vars=["LABEL_FIELD"],
    optional_env_vars={"TRAIN_RATIO": "0.7"},
)
"""
SCRIPT = """\
import os


def main(input_paths, output_paths, environ_vars, job_args):
    label = environ_vars["LABEL_FIELD"]
    ratio = float(environ_vars.get("TRAIN_RATIO", "0.7"))
    print(input_paths["DATA"], output_paths["processed_data"], label, ratio)


if __name__ == "__main__":
    environ_vars = {
        "LABEL_FIELD": os.environ.get("LABEL_FIELD"),
        "TRAIN_RATIO": os.environ.get("TRAIN_RATIO", "0.7"),
    }
    main({"DATA": "/opt/ml/processing/input/data"}, {"processed_data": "/opt/ml/processing/output"},
         environ_vars, None)
"""
CONTRACT_PATH = "steps/contracts/tabular_preprocessing_contract.py"
SCRIPT_PATH = "steps/scripts/tabular_preprocessing.py"


def _project(*replacements: tuple) -> dict:
    text = SCRIPT
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return {CONTRACT_PATH: CONTRACT, SCRIPT_PATH: text, "steps/__init__.py": "",
            "steps/contracts/__init__.py": "", "steps/scripts/__init__.py": ""}


def _reads(script) -> list:
    """One read per key of ``environ_vars`` that the script definitely makes and that the
    dict its ``__main__`` builds definitely lacks: its first subscript, else its first other
    read. A read made only where other keys are absent (``unless``) counts only when each
    such group has a key definitely absent."""
    chosen: dict = {}
    for read in script.reads:
        if read.kind != KIND or read.how in DEAD_READS or script.passes(KIND, read.key) is not Answer.NO:
            continue
        if not all(any(script.passes(kind, key) is Answer.NO for kind, key in group) for group in read.unless):
            continue
        if read.key not in chosen or (read.can_fail and not chosen[read.key].can_fail):
            chosen[read.key] = read
    return sorted(chosen.values(), key=lambda read: (read.origin.span.line, read.origin.span.col))


def _message(script: str, what: str, line: int, hint: str) -> str:
    """The one-line message: the script's name (the file the finding is in) and then the
    close key are left out when too long."""
    return fitted(f"{script} reads {what}; its __main__ (line {line}) never sets that key{hint}",
                  f"reads {what}; its __main__ (line {line}) never sets that key{hint}",
                  f"reads {what}; its __main__ (line {line}) never sets that key")


def _hint(key: str, keys) -> str:
    close = difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.75)
    return f" (close: '{close[0]}')" if close else ""


class EnvironVarNotPassed(Rule):
    code = "SL620"
    name = "environ-var-not-passed"
    summary = "A script reads a key of environ_vars that its own __main__ never copies from os.environ."
    rationale = (
        "Scripts in the cursus convention take their settings as main(input_paths, output_paths, environ_vars, "
        "job_args): the __main__ block copies each variable it needs from os.environ into the environ_vars dict, "
        "and main() and its helpers read only that dict. A key main() reads that the dict never gets is never "
        "taken from the environment: a subscript raises KeyError, a .get always returns its default, so the "
        "value the step's contract or interface declares and the pipeline sets has no effect. Usually a "
        "variable was added to main() and the contract but not to __main__, or renamed on one side. steplint "
        "reports only when every dict __main__ may pass is a literal with literal keys that it does not change "
        "afterwards (a dict built from os.environ as a whole, by a comprehension or a helper, or updated later, "
        "is cannot tell), and not for reads guarded by a membership test of the same key. This applies to every "
        "step whose script steplint finds: Python contracts and YAML step interfaces alike."
    )
    bad_examples = (
        Example(_project(('        "TRAIN_RATIO": os.environ.get("TRAIN_RATIO", "0.7"),\n', ""))),
        Example(_project(('    label = environ_vars["LABEL_FIELD"]', '    label = environ_vars["LABEL_COLUMN"]'))),
    )
    good_examples = (
        Example(_project()),
        Example(_project(('    environ_vars = {\n', '    environ_vars = dict(os.environ)\n    unused = {\n'))),
        Example(_project(('    ratio = float(environ_vars.get("TRAIN_RATIO", "0.7"))',
                          '    ratio = float(environ_vars["SPLIT"]) if "SPLIT" in environ_vars else 0.7'))),
    )

    def check(self, context):
        scripts: dict = {}
        for step in context.steps:
            if step.script is not None and any(mapping.kind == KIND for mapping in step.script.passed):
                scripts.setdefault(step.script.path, (step.script, set()))[1].add(step.origin.path)
        for path in sorted(scripts):
            script, declarations = scripts[path]
            passed = script.mapping(KIND)
            keys = set().union(*passed.keys)
            for read in _reads(script):
                what = (f"environ_vars['{read.key}']" if read.can_fail else f"environ_vars.get('{read.key}')")
                outcome = ("This subscript raises KeyError when it runs" if read.can_fail
                           else "This lookup always gets its default (None when it has none)")
                message = _message(script.name, what, passed.origin.span.line, _hint(read.key, keys))
                yield self.finding(read.origin.path, read.origin.span, message, help=(
                    f"{outcome}, whatever the container's environment holds for {read.key}. Add "
                    f"\"{read.key}\": os.environ.get(\"{read.key}\", ...) to the dict __main__ passes, or read a "
                    f"key it has."),
                    related_paths=sorted(declarations))
