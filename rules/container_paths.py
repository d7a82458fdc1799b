"""SL201-SL204: container paths a step declares, checked against its SageMaker job kind.

These rules read only the step model: they hold for every source form a reader turns into
steps.
"""

from __future__ import annotations

from steplint.rule import MESSAGE_WIDTH, Applicability, Example, Fix, Rule
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
from steplint.rules._examples import (
    CONFIG_DEPENDENCY,
    DATA_DEPENDENCY,
    training_project,
)
from steplint.sagemaker.facts import PROCESSING_MANAGED_CONFIG_DIR, managed_config_dir
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


_EXPLANATION = {
    "/opt/ml/input/config/": ("SageMaker writes the files under /opt/ml/input/config/ of a training container "
                              "itself (hyperparameters.json, resourceconfig.json, inputdataconfig.json) and mounts "
                              "input channels only at /opt/ml/input/data/<channel>, so no input is delivered there."),
    PROCESSING_MANAGED_CONFIG_DIR: ("SageMaker writes /opt/ml/config/ of a processing container itself "
                                    "(processingjobconfig.json, resourceconfig.json) and delivers processing inputs "
                                    "only under /opt/ml/processing/, so no input is delivered there."),
}

YAML_MANAGED_INPUT = """\
step_type: XGBoostTraining
node_type: internal
registry:
  sagemaker_step_type: Training
contract:
  entry_point: train.py
  inputs:
    input_path:
      path: /opt/ml/input/data
    config:
      path: /opt/ml/input/config/hyperparameters.json
  outputs:
    model_output:
      path: /opt/ml/model
spec:
  dependencies:
    input_path:
      type: training_data
    config:
      type: hyperparameters
  outputs:
    model_output:
      type: model_artifacts
      property_path: properties.ModelArtifacts.S3ModelArtifacts
"""


class ManagedContractPath(Rule):
    code = "SL201"
    name = "managed-contract-path"
    summary = "A contract input path that SageMaker writes itself."
    rationale = (
        "Files in a container's config directory are written by SageMaker, not delivered through an input. "
        "Declaring one as an expected input makes the spec require an upstream output that can never land "
        "there, and hides where the data really comes from (usually the estimator's hyperparameters=). "
        "The fix removes the entry and the same-named dependency where both are written in place in Python "
        "(not in a module constant other calls may share); a YAML interface's entries are mappings, which "
        "steplint does not remove, so it offers no fix there."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
        Example({"steps/interfaces/xgboost_training.step.yaml": YAML_MANAGED_INPUT}),
    )
    good_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", '
                        '"config": "/opt/ml/input/data/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
        Example({"steps/interfaces/xgboost_training.step.yaml": YAML_MANAGED_INPUT.replace(
            "/opt/ml/input/config/", "/opt/ml/input/data/config/")}),
    )

    def check(self, context):
        for step in _defined_steps(context):
            if not isinstance(step.container_inputs, tuple):
                continue
            linked = [interface for interface in step.interfaces if isinstance(interface.inputs, tuple)]
            for entry in step.container_inputs:
                if not isinstance(entry.value, str):
                    continue
                directory = managed_config_dir(entry.value)
                if directory is None:
                    continue
                name = entry.name
                message = f"input '{name}' of {step.declared_by} is {entry.value}, which SageMaker writes"
                remedy = "Remove the entry"
                for interface in linked:
                    if any(port.name == name for port in interface.inputs):
                        remedy += f" and dependency '{name}' of {interface.name}"
                where = step.inputs_named_at or entry.origin
                fix = None if step.inputs_named_at is not None else _input_removal(context, step, entry, linked)
                yield self.finding(where.path, where.span, message, fix, [interface.path for interface in linked],
                                   help=(f"{_EXPLANATION[directory]} {remedy}; a script that reads it through the "
                                         f"contract's paths can open {entry.value} directly."))


def _input_removal(context, step, entry, linked: list):
    """A deferred fix removing a container input and, as one fix, the same-named dependency of
    each linked interface; none when any of them cannot be removed alone. Unsafe when the edits
    reach across a link the code does not write (``Step.inferred_links``: steplint may have
    paired them wrongly)."""
    name = entry.name

    def build() -> Fix | None:
        ports = [port for interface in linked for port in interface.inputs if port.name == name]
        edits = [context.removal(entry.origin)] + [context.removal(port.origin) for port in ports]
        if any(edit is None for edit in edits):
            return None
        inferred = any(link.source == interface.name and link.target == step.declared_by
                       for link in step.inferred_links for interface in linked)
        if inferred and len({edit.path for edit in edits}) > 1:
            return Fix(f"remove input '{name}' (spec and contract paired by evidence)", Applicability.UNSAFE,
                       tuple(edits))
        return Fix(f"remove input '{name}'", Applicability.SAFE, tuple(edits))

    return build


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
                    where, consequence = problem
                    message = f"{direction} '{entry.name}' of {step.declared_by} is {entry.value}, {where}"
                    if len(message) > MESSAGE_WIDTH:  # the finding is at the declaration: its owner can go
                        message = f"{direction} '{entry.name}' is {entry.value}, {where}"
                    yield self.finding(entry.origin.path, entry.origin.span, message, help=consequence)


def _kind_problem(kind: str, direction: str, path: str) -> tuple[str, str] | None:
    """Why ``path`` cannot be an input/output of a ``kind`` job (the message's tail, and the
    help: what follows and the remedy), or None."""
    if managed_config_dir(path) is not None:
        return None
    if kind == "processing":
        if is_within(path, PROCESSING_ROOT) and path.rstrip("/") != PROCESSING_ROOT:
            return None
        other = f"{path} is a training-container path. " if path.startswith("/opt/ml/input/") or is_within(
            path, "/opt/ml/model") else ""
        return ("outside /opt/ml/processing/",
                f"{other}Every input and output LocalPath of a processing job must begin with /opt/ml/processing/, "
                f"or the service rejects the job. Use /opt/ml/processing/{direction}/<name>, here and in the script.")
    other = f"{path} is a processing-job path. " if is_within(path, PROCESSING_ROOT) else ""
    if direction == "input":
        if is_within(path, TRAINING_INPUT_ROOT):
            return None
        return (f"outside {TRAINING_INPUT_ROOT}",
                f"{other}A training container receives input channels only at {TRAINING_INPUT_ROOT}/<channel>, so "
                f"no channel is delivered at {path}. Use {TRAINING_INPUT_ROOT}/<channel>, here and in the script.")
    if any(is_within(path, root) for root in TRAINING_OUTPUT_ROOTS):
        return None
    return ("which a training job never uploads",
            f"{other}SageMaker uploads only {', '.join(TRAINING_OUTPUT_ROOTS)} of a training container, so what the "
            f"script writes at {path} is lost. Write the output to /opt/ml/model or /opt/ml/output/data.")


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
                directory, file_name = entry.value.rsplit("/", 1)
                if is_within(entry.value, "/opt/ml/model"):
                    follows = ("SageMaker itself packs /opt/ml/model into model.tar.gz, so this file ends up as a "
                               "tarball inside it.")
                elif step.kind == "processing":
                    follows = (f"SageMaker creates {entry.value} as a directory before the script runs and uploads "
                               "what is in it, so the next step receives an S3 prefix, not this file.")
                else:
                    follows = "SageMaker uploads the output path as a directory, not as this file."
                yield self.finding(
                    entry.origin.path, entry.origin.span,
                    f"output '{entry.name}' names a file, not a directory: {entry.value}",
                    help=(f"{follows} Use a directory of its own for this output (such as {directory}) and have "
                          f"the script write {file_name} into it."))


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
                    same = normalized(entry.value) == normalized(earlier.value)
                    inside = not same and is_within(entry.value, earlier.value)
                    how = "is the same directory as" if same else "is inside" if inside else "contains"
                    if earlier_direction == "output" and step.kind == "processing":
                        effect = "Both are uploaded, so the files they share land in two S3 locations."
                    elif earlier_direction == "output":
                        effect = (f"The files under {entry.value if same or inside else earlier.value} belong to "
                                  "both outputs.")
                    elif inside:
                        effect = f"Files the input brings under {entry.value} would be uploaded with the output."
                    else:
                        effect = f"The files downloaded for input '{earlier.name}' are uploaded again with the output."
                    yield self.finding(
                        entry.origin.path, entry.origin.span,
                        f"output '{entry.name}' {how} {earlier_direction} '{earlier.name}' ({earlier.value})",
                        help=f"{effect} Give each output a directory of its own, apart from the inputs.")
                    break
                seen.append((direction, entry))
