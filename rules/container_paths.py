"""SL202-SL204: container paths a step declares, checked against its SageMaker job kind.

These rules read only the step model: they hold for every source form a reader turns into
steps.
"""

from __future__ import annotations

from steplint.rule import Example, Rule
from steplint.rules._catalog_examples import (
    CONTRACT,
    SCRIPT,
    SPEC,
    TRAINING_CONTRACT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    contract_project,
    project,
)
from steplint.sagemaker.facts import managed_config_dir
from steplint.sagemaker.paths import (
    PROCESSING_ROOT,
    TRAINING_INPUT_ROOT,
    TRAINING_OUTPUT_ROOTS,
    is_within,
    looks_like_file,
    normalized,
    overlaps,
)


def _defined_steps(context) -> list:
    """The steps whose container this project defines (not handed to another package's step class)."""
    return [step for step in context.steps if not step.delegated]


def _path_entries(step):
    """('input'|'output', Declared) for every container path of the step that is a known string."""
    found = []
    for direction, entries in (("input", step.container_inputs), ("output", step.container_outputs)):
        if isinstance(entries, tuple):
            found.extend((direction, entry) for entry in entries if isinstance(entry.value, str))
    return found


class PathKindMismatch(Rule):
    code = "SL202"
    name = "path-kind-mismatch"
    summary = "A contract path that does not belong to the step's SageMaker job kind."
    rationale = (
        "A training container receives channels only at /opt/ml/input/data/<channel> and uploads only "
        "/opt/ml/model, /opt/ml/output/data and /opt/ml/checkpoints; a processing job mounts inputs and collects "
        "outputs only under /opt/ml/processing/ (the service rejects any other LocalPath). A path of the other "
        "kind, or outside the kind's roots, is a directory SageMaker never fills or never uploads. An input the "
        "builder always leaves out of the job (its _get_inputs skips that logical name) reaches no service and "
        "is not checked."
    )
    bad_examples = (
        Example(contract_project((CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}',
                                   '{"DATA": "/opt/ml/input/data/training"}'),
                                  (SCRIPT, '"/opt/ml/processing/input/data"', '"/opt/ml/input/data/training"'))),
        Example(project(TRAINING_STEP, (TRAINING_CONTRACT, '"/opt/ml/model"', '"/opt/ml/processing/model"'),
                        (TRAINING_SCRIPT, '"/opt/ml/model"', '"/opt/ml/processing/model"'))),
    )
    good_examples = (Example(contract_project()), Example(project(TRAINING_STEP)))

    def check(self, context):
        for step in _defined_steps(context):
            if step.kind not in ("training", "processing"):
                continue
            for direction, entry in _path_entries(step):
                if direction == "input" and entry.name in step.skipped_inputs:
                    continue
                problem = _kind_problem(step.kind, direction, entry.value)
                if problem is not None:
                    yield self.finding(entry.origin.path, entry.origin.span, (
                        f"{direction} '{entry.name}' of {step.declared_by} is {entry.value}, {problem}"))


def _kind_problem(kind: str, direction: str, path: str) -> str | None:
    """Why ``path`` cannot be an input/output of a ``kind`` job, or None."""
    if managed_config_dir(path) is not None:
        return None
    if kind == "processing":
        if is_within(path, PROCESSING_ROOT) and path.rstrip("/") != PROCESSING_ROOT:
            return None
        other = " (a training-container path)" if path.startswith("/opt/ml/input/") or is_within(
            path, "/opt/ml/model") else ""
        return (f"outside /opt/ml/processing/{other}: a processing job's every input and output LocalPath must "
                f"begin with /opt/ml/processing/, or the service rejects the job; use "
                f"/opt/ml/processing/{direction}/<name>")
    if direction == "input":
        if is_within(path, TRAINING_INPUT_ROOT):
            return None
        return (f"outside {TRAINING_INPUT_ROOT}: a training container receives input channels only at "
                f"{TRAINING_INPUT_ROOT}/<channel>" + (", not under /opt/ml/processing/ (a processing-job path)"
                                                       if is_within(path, PROCESSING_ROOT) else ""))
    if any(is_within(path, root) for root in TRAINING_OUTPUT_ROOTS):
        return None
    return (f"which a training job never uploads: SageMaker collects only {', '.join(TRAINING_OUTPUT_ROOTS)}"
            + (" (/opt/ml/processing/ is a processing-job path)" if is_within(path, PROCESSING_ROOT) else "")
            + "; write the output to /opt/ml/model or /opt/ml/output/data")


class OutputPathIsFile(Rule):
    code = "SL203"
    name = "output-path-is-file"
    summary = "An output path that names a file where SageMaker uploads a directory."
    rationale = (
        "SageMaker uploads output directories: every file under a ProcessingOutput source, and a training job's "
        "/opt/ml/model packed into model.tar.gz by SageMaker itself. An output path such as "
        "/opt/ml/processing/output/model.tar.gz is created as a directory of that name before the script runs "
        "(writing the file there fails with IsADirectoryError), and the downstream step receives an S3 prefix, "
        "not the file it expects; /opt/ml/model/model.tar.gz ends up as a tarball inside SageMaker's own "
        "model.tar.gz."
    )
    bad_examples = (
        Example(contract_project(
            (CONTRACT, '"/opt/ml/processing/output"}', '"/opt/ml/processing/output/data.csv"}'),
            (SCRIPT, '"/opt/ml/processing/output"', '"/opt/ml/processing/output/data.csv"'))),
        Example(project(TRAINING_STEP, (TRAINING_CONTRACT, '"/opt/ml/model"', '"/opt/ml/model/model.tar.gz"'))),
    )
    good_examples = (Example(contract_project()), Example(project(TRAINING_STEP)))

    def check(self, context):
        for step in _defined_steps(context):
            for direction, entry in _path_entries(step):
                if direction != "output" or not looks_like_file(entry.value):
                    continue
                directory = entry.value.rsplit("/", 1)[0]
                packed = (" (SageMaker itself packs /opt/ml/model into model.tar.gz)"
                          if is_within(entry.value, "/opt/ml/model") else "")
                yield self.finding(entry.origin.path, entry.origin.span, (
                    f"output '{entry.name}' of {step.declared_by} is {entry.value}, a file name, but SageMaker "
                    f"uploads the output path as a directory{packed}; use the directory {directory} and "
                    f"have the script write its files into it"))


class OverlappingPaths(Rule):
    code = "SL204"
    name = "overlapping-paths"
    summary = "Two outputs on the same or nested directories, or an input and an output overlapping."
    rationale = (
        "Each output directory is uploaded separately: two outputs on one directory, or one nested in "
        "another, upload the same files twice to two S3 locations and downstream steps cannot tell which "
        "files belong to which output. An output overlapping an input mixes downloaded data into the upload."
    )
    bad_examples = (
        Example(contract_project(
            (CONTRACT, '{"processed_data": "/opt/ml/processing/output"}',
             '{"processed_data": "/opt/ml/processing/output", "metadata": "/opt/ml/processing/output/metadata"}'),
            (SPEC, '''            aliases=["training_data"],
        ),
''', '''            aliases=["training_data"],
        ),
        OutputSpec(
            logical_name="metadata",
            output_type=DependencyType.PROCESSING_OUTPUT,
            property_path="properties.ProcessingOutputConfig.Outputs['metadata'].S3Output.S3Uri",
        ),
'''))),
    )
    good_examples = (Example(contract_project()),)

    def check(self, context):
        for step in _defined_steps(context):
            seen = []
            for direction, entry in _path_entries(step):
                for earlier_direction, earlier in seen:
                    if direction == "input" or not overlaps(entry.value, earlier.value):
                        continue
                    how = ("the same directory as" if normalized(entry.value) == normalized(earlier.value)
                           else "nested with")
                    effect = ("both are uploaded, so the same files land in two S3 locations"
                              if earlier_direction == "output" else
                              "the downloaded input would be uploaded again as part of the output")
                    yield self.finding(entry.origin.path, entry.origin.span, (
                        f"output '{entry.name}' of {step.declared_by} ({entry.value}) is {how} {earlier_direction} "
                        f"'{earlier.name}' ({earlier.value}); {effect}: give each output its own directory"))
                    break
                seen.append((direction, entry))
