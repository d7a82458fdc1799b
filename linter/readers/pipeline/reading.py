"""Reading one pipeline file into its planned steps, and the steps of a project with their
scripts (what ``PipelineReader.read`` and ``steps`` do; imported on first use, so a run
that reads no pipeline file does not import the evaluator)."""

from __future__ import annotations

import dataclasses

from steplint.model.steps import Declared, Origin, ScriptRead
from steplint.readers.api import ReaderProject
from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.extract import FileSteps, PipelineFile, PlannedStep
from steplint.readers.pipeline.hpfile import raw_hyperparameter_uses
from steplint.readers.pipeline.scratch import script_paths
from steplint.readers.python.parse_guard import ParseObstacle, guarded_tree
from steplint.sagemaker.paths import is_within

# Roots every container path lies below: a script reading one says nothing about its directories.
CONTAINER_ROOTS = frozenset({"/opt/ml", "/opt/ml/processing", "/opt/ml/input", "/opt/ml/input/data"})


def read_pipeline(source) -> tuple:
    """``(PipelineFile, None)`` for a pipeline file, or ``(None, FileProblem)``."""
    tree = guarded_tree(source.text)
    if isinstance(tree, ParseObstacle):
        return None, tree.problem(source.display)
    evaluator = Evaluator(tree, Text(source.text))
    evaluator.run()
    steps = FileSteps(source.display, evaluator.objects, evaluator.props).planned()
    return PipelineFile(source.display, tuple(steps)), None


def steps_of(project: ReaderProject) -> list:
    """The steps of every pipeline file the reader read, each with its script."""
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
