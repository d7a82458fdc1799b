"""SL2xx: script contracts."""

from __future__ import annotations

import os
from pathlib import Path

from steplint.files.projects import within
from steplint.model.values import Mapping
from steplint.rule import Applicability, Example, Rule
from steplint.rules._artefacts import (
    PROCESSING_ROOT,
    TRAINING_INPUT_ROOT,
    TRAINING_OUTPUT_ROOTS,
    is_within,
    looks_like_file,
    normalized,
    overlaps,
)
from steplint.rules._catalog_examples import (
    CONTRACT,
    CORE,
    PROCESSING_STEP,
    REGISTRY,
    SCRIPT,
    SPEC,
    TRAINING_CONTRACT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    project,
)
from steplint.rules._examples import (
    CONFIG_DEPENDENCY,
    DATA_DEPENDENCY,
    training_project,
)
from steplint.rules._fixes import contract_input_removal
from steplint.sagemaker.facts import PROCESSING_MANAGED_CONFIG_DIR, managed_config_dir

_EXPLANATION = {
    "/opt/ml/input/config/": ("SageMaker writes the files under /opt/ml/input/config/ of a training container "
                              "itself (hyperparameters.json, resourceconfig.json, inputdataconfig.json); input "
                              "channels are mounted only at /opt/ml/input/data/<channel>"),
    PROCESSING_MANAGED_CONFIG_DIR: ("SageMaker writes /opt/ml/config/ of a processing container itself "
                                    "(processingjobconfig.json, resourceconfig.json); processing inputs are "
                                    "delivered only under /opt/ml/processing/"),
}


class ManagedContractPath(Rule):
    code = "SL201"
    name = "managed-contract-path"
    summary = "A contract input path that SageMaker writes itself."
    rationale = (
        "Files in a container's config directory are written by SageMaker, not delivered through an input. "
        "Declaring one as an expected input makes the spec require an upstream output that can never land "
        "there, and hides where the data really comes from (usually the estimator's hyperparameters=)."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", "config": "/opt/ml/input/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
    )
    good_examples = (
        Example(training_project(
            dependencies=DATA_DEPENDENCY + CONFIG_DEPENDENCY,
            input_paths='{"input_path": "/opt/ml/input/data", '
                        '"config": "/opt/ml/input/data/config/hyperparameters.json"}',
            estimator="XGBoost",
            estimator_kwargs="output_path=self.config.output_path,",
        )),
    )

    def check(self, context):
        model = context.model
        for contract in _defined(model):
            paths = contract.input_paths
            if not isinstance(paths, Mapping):
                continue
            inline = contract.call.kwarg("expected_input_paths") is paths
            for entry in paths.entries:
                name, path = model.resolve(entry.key), model.resolve(entry.value)
                if not isinstance(name, str) or not isinstance(path, str):
                    continue
                directory = managed_config_dir(path)
                if directory is None:
                    continue
                message = (f"input '{name}' of {contract.name} points at {path}, which is not an input: "
                           f"{_EXPLANATION[directory]}; remove the entry")
                linked = [spec for spec in model.specs_linking(contract) if isinstance(spec.dependencies, tuple)]
                for spec in linked:
                    if any(dependency.logical_name == name for dependency in spec.dependencies):
                        message += f" and dependency '{name}' of {spec.name}"
                fix = contract_input_removal(context, contract, name, linked) if inline else None
                span = entry.key_span if inline else (contract.call.kwarg_span("expected_input_paths")
                                                      or contract.call.span)
                yield self.finding(contract.path, span, message, fix, [spec.path for spec in linked])


def _contract_project(*changes, paths=(CORE, REGISTRY, SPEC, CONTRACT, SCRIPT)):
    return project(paths, *changes)


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
        "kind, or outside the kind's roots, is a directory SageMaker never fills or never uploads."
    )
    bad_examples = (
        Example(_contract_project((CONTRACT, '{"DATA": "/opt/ml/processing/input/data"}',
                                   '{"DATA": "/opt/ml/input/data/training"}'),
                                  (SCRIPT, '"/opt/ml/processing/input/data"', '"/opt/ml/input/data/training"'))),
        Example(project(TRAINING_STEP, (TRAINING_CONTRACT, '"/opt/ml/model"', '"/opt/ml/processing/model"'),
                        (TRAINING_SCRIPT, '"/opt/ml/model"', '"/opt/ml/processing/model"'))),
    )
    good_examples = (Example(_contract_project()), Example(project(TRAINING_STEP)))

    def check(self, context):
        for step in _defined_steps(context):
            if step.kind not in ("training", "processing"):
                continue
            for direction, entry in _path_entries(step):
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
        Example(_contract_project(
            (CONTRACT, '"/opt/ml/processing/output"}', '"/opt/ml/processing/output/data.csv"}'),
            (SCRIPT, '"/opt/ml/processing/output"', '"/opt/ml/processing/output/data.csv"'))),
        Example(project(TRAINING_STEP, (TRAINING_CONTRACT, '"/opt/ml/model"', '"/opt/ml/model/model.tar.gz"'))),
    )
    good_examples = (Example(_contract_project()), Example(project(TRAINING_STEP)))

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
        Example(_contract_project(
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
    good_examples = (Example(_contract_project()),)

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


class MissingEntryPoint(Rule):
    code = "SL205"
    name = "missing-entry-point"
    summary = "A contract's entry_point that does not exist where the project keeps its scripts."
    rationale = (
        "The builder passes the contract's entry_point to the estimator or processor, and the SDK uploads it "
        "from source_dir when the pipeline definition is built. A missing file fails only then (or, for a "
        "renamed script, runs a stale copy). Scripts are searched among the checked files and under the "
        "configured script-roots; without script-roots, the rule speaks only when some other contract's "
        "entry point is among the checked files (otherwise where the scripts live is unknown)."
    )
    bad_examples = (
        Example({**_contract_project((CONTRACT, 'entry_point="preprocess.py"', 'entry_point="tabular_preprocess.py"')),
                 "pyproject.toml": '[tool.steplint]\nscript-roots = ["steps/scripts"]\n'}),
        Example(project((*PROCESSING_STEP, *TRAINING_STEP[2:]),
                        (TRAINING_CONTRACT, 'entry_point="train.py"', 'entry_point="pytorch_train.py"'))),
    )
    good_examples = (
        Example(_contract_project()),
        Example(project(PROCESSING_STEP[:4])),
    )

    def check(self, context):
        model = context.model
        entries = [(contract, contract.entry_point.strip()) for contract in model.contracts
                   if isinstance(contract.entry_point, str) and contract.entry_point.strip()
                   and not _delegated(model, contract)]
        if not entries:
            return
        known = _by_file_name(_script_files(context))
        missing = [(contract, entry) for contract, entry in entries if not _exists(entry, known)]
        if not context.config.script_roots and len(missing) == len(entries):
            return  # no script-roots and no entry point among the checked files: where scripts live is unknown
        roots = ", ".join(context.config.script_roots) or "the checked files"
        for contract, entry in missing:
            span = contract.call.kwarg_span("entry_point") or contract.call.span
            yield self.finding(contract.path, span, (
                f"entry_point '{entry}' of {contract.name} does not exist in {roots}; the SDK uploads the entry "
                f"point when the pipeline is built, so the step fails there: fix the file name or add the "
                f"script's directory to [tool.steplint] script-roots"))


def _defined_steps(context) -> list:
    """The steps whose container this project defines (not handed to another package's step class)."""
    return [step for step in context.steps if not step.delegated]


def _defined(model) -> list:
    """The contracts whose container this project defines: all but those only builders that
    hand their step to another package's step class use (that class mounts what it likes)."""
    return [contract for contract in model.contracts if not _delegated(model, contract)]


def _delegated(model, contract) -> bool:
    """Whether every builder linked to the contract hands its step to another package's
    step class (so no SageMaker job of this project uploads the entry point)."""
    builders = [builder for spec in model.specs_linking(contract) for builder in model.builders_of(spec)]
    return bool(builders) and all(builder.delegated for builder in builders)


def _by_file_name(paths) -> dict:
    index: dict = {}
    for path in paths:
        index.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    return index


def _exists(entry: str, known: dict) -> bool:
    """Whether some known path (indexed by file name) ends with the entry point's path."""
    suffix = "/" + entry.lstrip("./")
    return any(("/" + path).endswith(suffix) for path in known.get(suffix.rsplit("/", 1)[-1], ()))


SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", "build"})


def _script_files(context) -> set:
    """Checked files plus every file below the configured script roots (as posix paths
    relative to the configuration's root). A root whose real path is outside the
    configuration's root is never walked (loading the configuration rejects one; a
    ``Config`` made in code may still hold one); links below a root are not followed."""
    found = {path.replace(os.sep, "/") for path in context.model.script_paths}
    root = os.path.abspath(context.config.root)
    real_root = os.path.realpath(root)
    for entry in context.config.script_roots:
        base = os.path.join(root, entry)
        try:
            if not within(os.path.realpath(base), real_root):
                continue
        except ValueError:  # a NUL character: not a path
            continue
        for directory, subdirectories, files in os.walk(base):
            subdirectories[:] = [name for name in subdirectories if name not in SKIPPED_DIRECTORIES]
            for name in files:
                found.add(Path(os.path.relpath(os.path.join(directory, name), root)).as_posix())
    return found
