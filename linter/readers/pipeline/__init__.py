"""The plain SageMaker SDK pipeline reader: ``pipeline.py`` files that build
``ProcessingStep`` / ``TrainingStep`` / ``TransformStep`` / ``ModelStep`` / ``ConditionStep``
objects directly (SDK 2.x, often inside ``get_pipeline()`` as in the SageMaker Projects
template), turned into the step model.

Read with CPython's ``ast`` after ``parse_obstacle`` (bounded, never imported or run);
``evaluate`` binds names, ``extract`` turns the SDK calls into steps, and ``reading`` reads
a file with them and adds each step's script (``code=`` / ``entry_point`` resolved against the pipeline file) from the
Python reader's facts, with what ``scratch`` and (for training scripts) ``hpfile`` read in
its text.
"""

from __future__ import annotations

import re

from steplint.readers.api import Reader, ReaderProject
from steplint.sagemaker.facts import STEP_CLASSES

_STEP_CLASS = re.compile(r"\b(?:" + "|".join(sorted(STEP_CLASSES)) + r")\b")


class PipelineReader(Reader):
    name = "pipeline"
    suffixes = (".py",)
    fact_modules = ("steplint.model.steps", "steplint.readers.pipeline.extract")
    file_local = True  # a pipeline's steps and the rules comparing them stay within one file

    def wants(self, source) -> bool:
        text = source.text
        return "sagemaker.workflow" in text and _STEP_CLASS.search(text) is not None

    def read(self, source):
        from steplint.readers.pipeline.reading import read_pipeline

        return read_pipeline(source)

    def steps(self, project: ReaderProject) -> list:
        from steplint.readers.pipeline.reading import steps_of

        return steps_of(project)


READER = PipelineReader()
