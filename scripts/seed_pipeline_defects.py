#!/usr/bin/env python3
"""Seed one known defect at a time into plain SageMaker SDK example pipelines and check that
steplint catches each (README: plain SDK pipelines, catch rate).

Usage:
  python scripts/seed_pipeline_defects.py --prepare GIT_DIR WORK_DIR   # extract the examples
  python scripts/seed_pipeline_defects.py WORK_DIR/*                    # seed and check

``--prepare`` takes a clone (or bare mirror) of aws/amazon-sagemaker-examples: it extracts
the template-style pipeline projects under ``archived/`` and turns every ``ml_ops`` notebook
that imports ``sagemaker.workflow`` into a directory with ``pipeline.py`` and the scripts it
writes (``scripts/notebook_to_pipeline.py``). Nothing is run but steplint.

A project's findings before seeding are its baseline: a mutant is caught when steplint
reports a finding (other than SL9xx) that is not in the baseline. Mutations of its ``pipeline.py``, made from CPython's AST, one at a time:

- ``rename-output``: a ``ProcessingOutput(output_name="x")`` that the pipeline reads by name
  (``Outputs["x"]`` or ``PropertyFile(output_name="x")``) gets ``x_renamed``;
- ``move-path``: a ``ProcessingInput(destination=...)`` / ``ProcessingOutput(source=...)``
  under ``/opt/ml/processing/`` gets ``-moved`` appended;
- ``drop-channel``: one entry of the dict of training channels (``TrainingStep(inputs={...})``
  or ``estimator.fit(inputs={...})``) is removed;
- ``break-version``: a ``framework_version`` / ``version`` (of ``image_uris.retrieve``)
  becomes ``9.9-9``;
- ``unlist-step``: a step that another step names (``JsonGet(step_name=x.name)``,
  ``depends_on=[x.name]``) is removed from ``Pipeline(steps=[...])`` (the SDK adds a step
  reached as an object by itself, so only named steps are mutated).

``--kinds`` runs only the given kinds of mutation.

The output is one line per mutant and the catch rate per kind and overall.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ARCHIVED = ("archived/autogluon-sagemaker-pipeline", "archived/customizing_build_train_deploy_project/modelbuild",
            "archived/sagemaker-pipeline-multi-model/sagemaker-pipeline")
PROCESSING_ROOT = "/opt/ml/processing/"


def _tree_names(git_dir: str) -> dict:
    """Top-level names of the repository's tree, keyed by their stripped form (the mirror's
    directory names may carry leading spaces)."""
    listing = subprocess.run(["git", "-C", git_dir, "ls-tree", "--name-only", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    return {name.strip(): name for name in listing}


def prepare(git_dir: str, work: Path) -> None:
    names = _tree_names(git_dir)
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wanted = [names["archived"] + path[len("archived"):] for path in ARCHIVED] + [names["ml_ops"]]
        for path in wanted:
            archive = subprocess.run(["git", "-C", git_dir, "archive", "HEAD", path], capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", scratch], input=archive, check=True)
        for path in ARCHIVED:
            source = Path(scratch) / (names["archived"] + path[len("archived"):])
            shutil.copytree(source, work / source.name.replace(" ", ""), dirs_exist_ok=True)
        converter = Path(__file__).with_name("notebook_to_pipeline.py")
        for notebook in sorted((Path(scratch) / names["ml_ops"]).rglob("*.ipynb")):
            if "sagemaker.workflow" not in notebook.read_text(encoding="utf-8", errors="replace"):
                continue
            target = work / notebook.stem
            if notebook.parent != Path(scratch) / names["ml_ops"]:
                shutil.copytree(notebook.parent, target, dirs_exist_ok=True)
                for stray in target.rglob("*.ipynb"):
                    stray.unlink()
            subprocess.run([sys.executable, str(converter), str(notebook), str(target)], check=True,
                           capture_output=True)


# -- mutations ------------------------------------------------------------------------
def _offset(starts: list, line: int, byte_col: int, text: str) -> int:
    line_text = text[starts[line - 1]:starts[line] if line < len(starts) else len(text)]
    return starts[line - 1] + len(line_text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def mutations(text: str) -> list:
    """``(kind, description, mutated text)`` for every mutation of a pipeline file."""
    tree = ast.parse(text)
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)

    def span(node) -> tuple:
        return (_offset(starts, node.lineno, node.col_offset, text),
                _offset(starts, node.end_lineno, node.end_col_offset, text))

    def replaced(node, new: str) -> str:
        start, end = span(node)
        return text[:start] + new + text[end:]

    read_names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "Outputs" \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            read_names.add(node.slice.value)
        if isinstance(node, ast.Call) and _callee(node) == "PropertyFile":
            for keyword in node.keywords:
                if keyword.arg == "output_name" and isinstance(keyword.value, ast.Constant):
                    read_names.add(keyword.value.value)
    found = []
    named = _named_steps(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node)
        if callee == "Pipeline":
            found.extend(_unlist_steps(node, named, text, span))
        for keyword in node.keywords:
            value = keyword.value
            literal = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            where = f"line {value.lineno}"
            if callee == "ProcessingOutput" and keyword.arg == "output_name" and literal in read_names:
                found.append(("rename-output", f"{where}: output_name {literal!r}",
                              replaced(value, repr(literal + "_renamed"))))
            if ((callee, keyword.arg) in (("ProcessingInput", "destination"), ("ProcessingOutput", "source"))
                    and literal is not None and literal.startswith(PROCESSING_ROOT)):
                found.append(("move-path", f"{where}: {keyword.arg} {literal!r}",
                              replaced(value, repr(literal.rstrip("/") + "-moved"))))
            if keyword.arg == "framework_version" or (callee == "retrieve" and keyword.arg == "version"):
                if literal is not None:
                    found.append(("break-version", f"{where}: {keyword.arg} {literal!r}", replaced(value, "'9.9-9'")))
            if keyword.arg == "inputs" and callee in ("TrainingStep", "fit") and isinstance(value, ast.Dict):
                found.extend(_drop_channels(value, text, span))
        if callee == "fit" and node.args and isinstance(node.args[0], ast.Dict):
            found.extend(_drop_channels(node.args[0], text, span))
    return found


def _named_steps(tree) -> set:
    """Variables ``x`` whose ``x.name`` is given to ``JsonGet(step_name=...)`` or in a
    ``depends_on=[...]`` list."""
    named = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            values = []
            if keyword.arg == "step_name" and _callee(node) == "JsonGet":
                values = [keyword.value]
            elif keyword.arg == "depends_on" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                values = keyword.value.elts
            for value in values:
                if isinstance(value, ast.Attribute) and value.attr == "name" and isinstance(value.value, ast.Name):
                    named.add(value.value.id)
    return named


def _unlist_steps(pipeline: ast.Call, named: set, text: str, span) -> list:
    out = []
    steps = next((keyword.value for keyword in pipeline.keywords if keyword.arg == "steps"), None)
    if not isinstance(steps, (ast.List, ast.Tuple)) or len(steps.elts) < 2:
        return out
    for index, item in enumerate(steps.elts):
        if not (isinstance(item, ast.Name) and item.id in named):
            continue
        start, end = span(item)
        if index + 1 < len(steps.elts):
            end = span(steps.elts[index + 1])[0]
        else:
            start = span(steps.elts[index - 1])[1]
        out.append(("unlist-step", f"line {item.lineno}: step {item.id}", text[:start] + text[end:]))
    return out


def _drop_channels(mapping: ast.Dict, text: str, span) -> list:
    out = []
    if len(mapping.keys) < 2:
        return out  # dropping the only channel changes the call's shape, not just its channels
    for key, value in zip(mapping.keys, mapping.values):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        start, _ = span(key)
        _, end = span(value)
        rest = text[end:]
        stripped = rest.lstrip()
        if stripped.startswith(","):
            end += len(rest) - len(stripped) + 1
        out.append(("drop-channel", f"line {key.lineno}: channel {key.value!r}", text[:start] + text[end:]))
    return out


# -- checking -------------------------------------------------------------------------
def findings(root: Path) -> list:
    run = subprocess.run([sys.executable, "-m", "steplint", "check", ".", "--format", "json", "--no-cache"],
                         cwd=root, capture_output=True, text=True, timeout=300)
    return [f for f in json.loads(run.stdout or "[]") if not f["code"].startswith("SL9")]


def _key(finding: dict) -> tuple:
    """A finding apart from its line (a mutation may move lines)."""
    return finding["code"], finding["filename"], finding["message"]


def seed(projects: list, kinds: set | None = None) -> int:
    totals: dict = {}
    for project in projects:
        pipelines = sorted(p for p in project.rglob("pipeline.py") if ".ipynb_checkpoints" not in p.parts)
        if not pipelines:
            continue
        baseline = {_key(finding) for finding in findings(project)}
        if baseline:
            print(f"note {project.name}: {len(baseline)} finding(s) before seeding; a mutant must add one")
        for pipeline in pipelines:
            text = pipeline.read_text(encoding="utf-8")
            try:
                mutants = mutations(text)
            except SyntaxError:
                continue
            for kind, description, mutated in mutants:
                if kinds and kind not in kinds:
                    continue
                with tempfile.TemporaryDirectory() as scratch:
                    copy = Path(shutil.copytree(project, Path(scratch) / project.name))
                    (copy / pipeline.relative_to(project)).write_text(mutated, encoding="utf-8")
                    found = [finding for finding in findings(copy) if _key(finding) not in baseline]
                caught = bool(found)
                codes = ",".join(sorted({f["code"] for f in found})) or "-"
                totals.setdefault(kind, [0, 0])
                totals[kind][0] += caught
                totals[kind][1] += 1
                print(f"{'caught' if caught else 'MISSED'} {kind:14} {project.name}/{pipeline.relative_to(project)} "
                      f"{description} -> {codes}")
    caught = sum(value[0] for value in totals.values())
    total = sum(value[1] for value in totals.values())
    for kind, (hit, count) in sorted(totals.items()):
        print(f"{kind}: {hit}/{count}")
    print(f"all: {caught}/{total}" + (f" ({100 * caught / total:.0f}%)" if total else ""))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", nargs=2, metavar=("GIT_DIR", "WORK_DIR"))
    parser.add_argument("projects", nargs="*", type=Path)
    parser.add_argument("--kinds", help="comma-separated kinds of mutation to run (default: all)")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare[0], Path(args.prepare[1]))
        return 0
    kinds = set(args.kinds.split(",")) if args.kinds else None
    return seed([project.resolve() for project in args.projects], kinds)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
