"""The ``pipelines`` corpus of bench/run.py: the SageMaker pipeline example projects of the
public repository aws/amazon-sagemaker-examples at a pinned revision, for the plain SageMaker
SDK pipeline reader.

The projects are those ``scripts/seed_pipeline_defects.py --prepare`` extracts (README:
plain SDK pipelines), pinned here (``PROJECTS``) so the corpus is the same everywhere: the
three template-style pipeline projects under ``archived/`` as they are, and the ``ml_ops``
notebooks that contain ``sagemaker.workflow``, each turned by ``scripts/notebook_to_pipeline.py``
into a ``pipeline.py`` and the scripts its ``%%writefile`` cells write; a notebook in its own
directory brings that directory's other files (not its notebooks). One difference: ``ml_ops``
holds two different examples named ``sm-pipelines_local_mode``, which ``--prepare`` merges
into one directory and this corpus keeps apart (24 projects). Each project becomes a
directory of one root, ``<cache>/sdk-pipelines-<revision[:8]>/<project>/``, with an empty git
repository of its own (``git init``) so that steplint, given the root, checks each as a project
of its own, as it would in the project's own repository.

The files come from a local git directory of the repository (``git archive``), else from a
shallow, blob-filtered, sparse fetch of the pinned revision alone. Nothing of the examples is
imported or run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

EXAMPLES_REPOSITORY = "https://github.com/aws/amazon-sagemaker-examples"
EXAMPLES_REVISION = "2d519b52c3a2c2361f2b87f0d3de46fd6c0232a5"  # 2025-02-13, the mirror's HEAD when pinned

# The corpus's projects: (directory name in the corpus, path in the repository). At this
# revision the repository's top-level directories carry leading spaces (they order the
# documentation's table of contents): " archived", "   ml_ops". A directory is copied as it is
# (the template-style projects); a notebook (every ml_ops notebook that contains
# "sagemaker.workflow") is converted. ml_ops holds two different examples named
# sm-pipelines_local_mode: the notebook of that directory, and one at the top of ml_ops.
ML_OPS = "   ml_ops"
PROJECTS = (
    ("autogluon-sagemaker-pipeline", " archived/autogluon-sagemaker-pipeline"),
    ("modelbuild", " archived/customizing_build_train_deploy_project/modelbuild"),
    ("sagemaker-pipeline", " archived/sagemaker-pipeline-multi-model/sagemaker-pipeline"),
) + tuple((name, f"{ML_OPS}/{path}.ipynb") for name, path in (
    ("sm-mlflow_pipelines", "sm-mlflow_pipelines/sm-mlflow_pipelines"),
    ("sm-model_monitor_batch_transform_data_quality_with_pipelines_on_demand",
     ("sm-model_monitor_batch_transform_data_quality_with_pipelines_on_demand/"
      "sm-model_monitor_batch_transform_data_quality_with_pipelines_on_demand")),
    ("sm-model_monitor_batch_transform_model_quality_with_pipelines_on_demand",
     ("sm-model_monitor_batch_transform_model_quality_with_pipelines_on_demand/"
      "sm-model_monitor_batch_transform_model_quality_with_pipelines_on_demand")),
    ("sm-pipelines_batch_inference_step_decorator",
     "sm-pipelines_batch_inference_step_decorator/sm-pipelines_batch_inference_step_decorator"),
    ("sm-pipelines_callback_step", "sm-pipelines_callback_step/sm-pipelines_callback_step"),
    ("sm-pipelines_clarify_model_monitor_integration",
     "sm-pipelines_clarify_model_monitor_integration/sm-pipelines_clarify_model_monitor_integration"),
    ("sm-pipelines_emr-step-with_cluster_lifecycle_management",
     "sm-pipelines_emr-step-with_cluster_lifecycle_management"),
    ("sm-pipelines_emr_step_using_step_decorator",
     "sm-pipelines_emr_step_using_step_decorator/sm-pipelines_emr_step_using_step_decorator"),
    ("sm-pipelines_emr_step_with_running_emr_cluster", "sm-pipelines_emr_step_with_running_emr_cluster"),
    ("sm-pipelines_hyperparameter_tuning", "sm-pipelines_hyperparameter_tuning"),
    ("sm-pipelines_lambda_step", "sm-pipelines_lambda_step/sm-pipelines_lambda_step"),
    ("sm-pipelines_launching_autopilot_with_auto_ml_step",
     "sm-pipelines_launching_autopilot_with_auto_ml_step/sm-pipelines_launching_autopilot_with_auto_ml_step"),
    ("sm-pipelines_local_mode", "sm-pipelines_local_mode/sm-pipelines_local_mode"),
    ("sm-pipelines_local_mode-top-level-notebook", "sm-pipelines_local_mode"),
    ("sm-pipelines_preprocess_train_evaluate_batch_transform",
     "sm-pipelines_preprocess_train_evaluate_batch_transform/sm-pipelines_preprocess_train_evaluate_batch_transform"),
    ("sm-pipelines_selective_execution", "sm-pipelines_selective_execution/sm-pipelines_selective_execution"),
    ("sm-pipelines_step_caching", "sm-pipelines_step_caching/sm-pipelines_step_caching"),
    ("sm-pipelines_step_decorator", "sm-pipelines_step_decorator/sm-pipelines_step_decorator"),
    ("sm-pipelines_step_decorator_with_classic_training_step",
     "sm-pipelines_step_decorator_with_classic_training_step/sm-pipelines_step_decorator_with_classic_training_step"),
    ("sm-pipelines_step_decorator_with_condition_step",
     "sm-pipelines_step_decorator_with_condition_step/sm-pipelines_step_decorator_with_condition_step"),
    ("sm-pipelines_train_model_registry_deploy", "sm-pipelines_train_model_registry_deploy"),
))
# The file the pre-commit measurement edits: a pipeline definition written as Python, not
# converted from a notebook, relative to the corpus root.
PRE_COMMIT_FILE = "modelbuild/pipelines/customer_churn/pipeline.py"
GIT_TIMEOUT = 900  # seconds for one git command; a stalled network then skips the corpus


def repository_paths() -> list:
    """Every path of the repository the corpus reads: a project's directory, a notebook's
    directory when it is not ``ml_ops`` itself, else the notebook."""
    paths = []
    for _, path in PROJECTS:
        parent = str(PurePosixPath(path).parent)
        paths.append(parent if path.endswith(".ipynb") and parent != ML_OPS else path)
    return sorted(set(paths))


def sparse_patterns(paths: list) -> str:
    """The non-cone sparse-checkout patterns that select ``paths`` (directories and files),
    anchored at the top; raises ValueError for a path a pattern would have to escape."""
    lines = []
    for path in paths:
        if any(character in path for character in "*?[\\!#\n") or path != path.rstrip():
            raise ValueError(f"cannot write a sparse-checkout pattern for {path!r}")
        lines.append(f"/{path}" if path.endswith(".ipynb") else f"/{path}/")
    return "\n".join(lines) + "\n"


def _git(arguments: list, cwd: Path | None = None) -> str | None:
    """Run git; None when it succeeded, else a one-line reason."""
    environment = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    try:
        done = subprocess.run(["git", *arguments], cwd=cwd, capture_output=True, text=True, env=environment,
                              timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"git: {error}"
    if done.returncode != 0:
        command = arguments[2] if arguments[0] == "-C" else arguments[0]
        return f"git {command} failed: {' '.join(done.stderr.split())[:200]}"
    return None


def _archive(git_dir: Path, target: Path) -> str | None:
    """Extract the pinned paths at the pinned revision from ``git_dir`` into ``target``;
    None when done, else why not."""
    try:
        archive = subprocess.run(["git", "-C", str(git_dir), "archive", "--format=tar", EXAMPLES_REVISION, "--",
                                  *repository_paths()], capture_output=True, timeout=GIT_TIMEOUT)
        if archive.returncode != 0:
            return f"git archive in {git_dir} failed: {' '.join(archive.stderr.decode(errors='replace').split())[:200]}"
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True, capture_output=True,
                       timeout=GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot extract from {git_dir}: {error}"
    return None


def _sparse_fetch(target: Path) -> str | None:
    """Check the pinned paths out of a shallow (one commit), blob-filtered, sparse fetch of the
    pinned revision from ``EXAMPLES_REPOSITORY`` into ``target``; None when done, else why not."""
    steps = (["init", "-q", str(target)],
             ["-C", str(target), "remote", "add", "origin", EXAMPLES_REPOSITORY],
             ["-C", str(target), "config", "core.sparseCheckout", "true"],
             ["-C", str(target), "config", "core.sparseCheckoutCone", "false"])
    for arguments in steps:
        if (reason := _git(arguments)) is not None:
            return reason
    (target / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (target / ".git" / "info" / "sparse-checkout").write_text(sparse_patterns(repository_paths()), encoding="utf-8")
    for arguments in (["-C", str(target), "fetch", "-q", "--depth", "1", "--filter=blob:none", "origin",
                       EXAMPLES_REVISION],
                      ["-C", str(target), "checkout", "-q", "--detach", EXAMPLES_REVISION]):
        if (reason := _git(arguments)) is not None:
            return reason
    return None


def lay_out(source: Path, out: Path) -> None:
    """Build the corpus in ``out`` (a new directory) from ``source``, a directory holding the
    repository's pinned paths; raises OSError when a pinned path is missing."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from notebook_to_pipeline import convert

    out.mkdir(parents=True)
    for name, path in PROJECTS:
        target = out / name
        if not path.endswith(".ipynb"):
            shutil.copytree(source / path, target)
        else:
            if str(PurePosixPath(path).parent) != ML_OPS:
                shutil.copytree((source / path).parent, target, ignore=shutil.ignore_patterns("*.ipynb"))
            target.mkdir(exist_ok=True)
            convert(source / path, target)
        if (reason := _git(["init", "-q", str(target)])) is not None:
            raise OSError(reason)


def pipelines_tree(git_dir: Path | None) -> Path | None:
    """The corpus root, built once below ``~/.cache/steplint-bench`` (``$XDG_CACHE_HOME``) from
    ``git_dir`` (a local git directory of aws/amazon-sagemaker-examples) or, without one, from a
    sparse fetch of the pinned revision; None, with a one-line message, when neither works."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "steplint-bench"
    tree = cache / f"sdk-pipelines-{EXAMPLES_REVISION[:8]}"
    if tree.is_dir():
        return tree
    try:
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache, prefix=".sdk-pipelines-") as scratch:
            source = Path(scratch) / "source"
            source.mkdir()
            reason = _archive(git_dir, source) if git_dir is not None else _sparse_fetch(source)
            if reason is None:
                # built beside the cache entry, renamed into place when complete
                lay_out(source, Path(scratch) / "corpus")
                (Path(scratch) / "corpus").rename(tree)
    except OSError as error:
        reason = str(error)
    if reason is not None:
        print(f"pipelines corpus skipped: {reason}", file=sys.stderr)
        return None
    return tree
