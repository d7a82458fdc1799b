"""The reader API: a new source form is a module with a ``READER`` plus a registration, and
the rules on the step model apply to its steps with no change to the engine or the rules.

The form here is a toy made for the test (``*.envlist``: the script a step runs and the env
vars its container is promised, one per line); findings must point into the toy file.
"""

from __future__ import annotations

import pytest
import steplint.readers
from steplint.api import check_paths, configure
from steplint.files.sources import FileProblem
from steplint.model.steps import NOTHING, Declared, Origin, Step, Supply
from steplint.model.values import Span
from steplint.readers.api import Reader, ReaderProject

from tests.conftest import write_project


class EnvListReader(Reader):
    """``script: <path relative to the file>`` then ``env <NAME>`` lines."""

    name = "envlist"
    suffixes = (".envlist",)

    def read(self, source):
        entries = []
        for number, line in enumerate(source.text.splitlines(), start=1):
            if line.startswith("script: "):
                entries.append(("script", line[len("script: "):].strip(), number, 0))
            elif line.startswith("env "):
                entries.append(("env", line[len("env "):].strip(), number, 4))
            elif line.strip():
                return None, FileProblem("SL901", source.display, Span(number, 0, number, 0),
                                         f"not an envlist line: {line.strip()!r}")
        return tuple(entries), None

    def steps(self, project: ReaderProject):
        steps = []
        for display, entries in sorted(project.facts.items()):
            folder = display.rpartition("/")[0]
            scripts = [project.script(f"{folder}/{value}" if folder else value)
                       for kind, value, _, _ in entries if kind == "script"]
            env = tuple(Declared(value, None, Origin(display, Span(line, col, line, col + len(value))))
                        for kind, value, line, col in entries if kind == "env")
            steps.append(Step(display, "processing", Origin(display, Span(1, 0, 1, 0)), f"envlist {display}",
                              None, None, env, None, Supply(frozenset(e.name for e in env)), NOTHING, None,
                              (), (), scripts[0] if scripts else None))
        return steps


READER = EnvListReader()

SCRIPT = "import os\n\nrate = os.environ['LEARNING_RATE']\n"


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(steplint.readers, "READER_MODULES", (__name__,))
    steplint.readers.readers.cache_clear()
    yield
    steplint.readers.readers.cache_clear()


def _findings(files: dict, tmp_path, monkeypatch):
    monkeypatch.chdir(write_project(tmp_path, files))
    result = check_paths(["."], configure(["."]))
    assert not result.internal_errors
    return result.findings


def test_a_registered_reader_s_steps_are_checked_by_the_step_model_rules(registered, tmp_path, monkeypatch):
    findings = _findings({"steps/train.envlist": "script: train.py\nenv LEARNING_RATE\nenv OLD_RATE\n",
                          "steps/train.py": SCRIPT}, tmp_path, monkeypatch)
    assert [(f.code, f.path, f.line, f.column) for f in findings] == [("SL407", "steps/train.envlist", 3, 5)]
    assert "env var 'OLD_RATE' of envlist steps/train.envlist is never read by train.py" in findings[0].message


def test_a_file_the_reader_rejects_is_a_one_line_problem_and_other_files_are_still_checked(registered, tmp_path,
                                                                                         monkeypatch):
    findings = _findings({"steps/broken.envlist": "script: train.py\nenvv TYPO\n",
                          "steps/train.envlist": "script: train.py\nenv OLD_RATE\n",
                          "steps/train.py": SCRIPT}, tmp_path, monkeypatch)
    # SL406 is reported at the step's declaration (line 1 here), naming the script's read
    assert [(f.code, f.path, f.line) for f in findings] == [("SL901", "steps/broken.envlist", 2),
                                                            ("SL406", "steps/train.envlist", 1),
                                                            ("SL407", "steps/train.envlist", 2)]
    assert findings[1].message.startswith("train.py:3 reads env var 'LEARNING_RATE'")
    assert findings[1].related_paths == ("steps/train.py",)


def test_without_the_registration_the_form_is_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(steplint.readers, "READER_MODULES", ())
    steplint.readers.readers.cache_clear()
    try:
        assert _findings({"steps/train.envlist": "script: train.py\nenv OLD_RATE\n", "steps/train.py": SCRIPT},
                         tmp_path, monkeypatch) == []
    finally:
        steplint.readers.readers.cache_clear()
