"""The plain SageMaker SDK pipeline reader: ``pipeline.py`` files that build
``ProcessingStep`` / ``TrainingStep`` / ``TransformStep`` / ``ModelStep`` / ``ConditionStep``
objects directly (SDK 2.x, often inside ``get_pipeline()`` as in the SageMaker Projects
template), turned into the step model.

Read with CPython's ``ast`` after ``parse_obstacle`` (bounded, never imported or run);
``evaluate`` binds names, ``extract`` turns the SDK calls into steps, and ``steps`` adds
each step's script (``code=`` / ``entry_point`` resolved against the pipeline file) from the
Python reader's facts, with what ``scratch`` and (for training scripts) ``hpfile`` read in
its text.
"""

from __future__ import annotations

import dataclasses
import re

from steplint.files.sources import FileProblem
from steplint.model.steps import Declared, Origin, ScriptRead
from steplint.model.values import Span
from steplint.readers.api import Reader, ReaderProject
from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.extract import FileSteps, PlannedStep
from steplint.readers.pipeline.hpfile import raw_hyperparameter_uses
from steplint.readers.pipeline.scratch import script_paths
from steplint.readers.python.parse_guard import ParseObstacle, guarded_tree
from steplint.sagemaker.facts import STEP_CLASSES
from steplint.sagemaker.paths import is_within

# Roots every container path lies below: a script reading one says nothing about its directories.
CONTAINER_ROOTS = frozenset({"/opt/ml", "/opt/ml/processing", "/opt/ml/input", "/opt/ml/input/data"})
_STEP_CLASS = re.compile(r"\b(?:" + "|".join(sorted(STEP_CLASSES)) + r")\b")


@dataclasses.dataclass(frozen=True)
class PipelineFile:
    """The facts of one pipeline file: its steps, each with its script's candidate paths."""

    path: str
    steps: tuple


class PipelineReader(Reader):
    name = "pipeline"
    suffixes = (".py",)
    fact_modules = ("steplint.model.steps", "steplint.readers.pipeline", "steplint.readers.pipeline.extract")
    file_local = True  # a pipeline's steps and the rules comparing them stay within one file

    def wants(self, source) -> bool:
        text = source.text
        return "sagemaker.workflow" in text and _STEP_CLASS.search(text) is not None

    def read(self, source):
        tree = guarded_tree(source.text)
        if isinstance(tree, ParseObstacle):
            return None, FileProblem(tree.code, source.display, Span(tree.line, tree.col, tree.line, tree.col),
                                     tree.message)
        evaluator = Evaluator(tree, Text(source.text))
        evaluator.run()
        steps = FileSteps(source.display, evaluator.objects, evaluator.props).planned()
        return PipelineFile(source.display, tuple(steps)), None

    def steps(self, project: ReaderProject) -> list:
        found = []
        for display in sorted(project.facts):
            facts = project.facts[display]
            for planned in facts.steps:
                found.append(_with_script(planned, project))
        return found


def _with_script(planned: PlannedStep, project: ReaderProject):
    for candidate in planned.scripts:
        if candidate in project.sources and candidate.endswith(".py"):
            script = project.script(candidate)
            if script is not None:
                text = project.sources[candidate].text
                script = _with_composed_paths(script, text)
                related = tuple(dict.fromkeys(planned.step.related + (candidate,)))
                sdk = planned.step.sdk
                if planned.step.kind == "training" and sdk is not None:
                    raw = tuple(Declared(key, use, Origin(script.path, span))
                                for key, use, span in raw_hyperparameter_uses(text))
                    sdk = dataclasses.replace(sdk, raw_hyperparameters=raw)
                return dataclasses.replace(planned.step, script=script, related=related, sdk=sdk)
            break
    return planned.step


def _with_composed_paths(script, text: str):
    """The script with the container paths it composes in functions added to its reads, and
    without its reads of directories it creates itself (``scratch``)."""
    created, composed = script_paths(text)
    known = {read.key for read in script.reads if read.kind == "path"}
    keys = {value for value, _ in composed} | (known - CONTAINER_ROOTS)
    added = {}
    for value, span in composed:  # one read per directory: not a path below another one read
        if value not in added and value not in known and not any(key != value and is_within(value, key)
                                                                 for key in keys):
            added[value] = ScriptRead("path", value, Origin(script.path, span))
    added = tuple(added.values())
    reads = tuple(read for read in script.reads + added
                  if read.kind != "path" or not any(is_within(read.key, directory) for directory in created))
    return dataclasses.replace(script, reads=reads)


READER = PipelineReader()
