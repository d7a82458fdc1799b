"""SL205: Python script contracts (SL201-SL204, which hold for every source form, are in
``container_paths``)."""

from __future__ import annotations

import os
from pathlib import Path

from steplint.files.projects import within
from steplint.rule import Example, Rule
from steplint.rules._catalog_examples import (
    CONTRACT,
    PROCESSING_STEP,
    TRAINING_CONTRACT,
    TRAINING_STEP,
    contract_project,
    project,
)


class MissingEntryPoint(Rule):
    code = "SL205"
    reader = "python"
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
        Example({**contract_project((CONTRACT, 'entry_point="preprocess.py"', 'entry_point="tabular_preprocess.py"')),
                 "pyproject.toml": '[tool.steplint]\nscript-roots = ["steps/scripts"]\n'}),
        Example(project((*PROCESSING_STEP, *TRAINING_STEP[2:]),
                        (TRAINING_CONTRACT, 'entry_point="train.py"', 'entry_point="pytorch_train.py"'))),
    )
    good_examples = (
        Example(contract_project()),
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
            yield self.finding(
                contract.path, span, f"entry_point '{entry}' of {contract.name} does not exist in {roots}",
                help=("If the builder passes it to its estimator or processor, building the pipeline fails when "
                      "the SDK uploads the entry point. Fix the file name, or add the script's directory to "
                      "[tool.steplint] script-roots."))


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
