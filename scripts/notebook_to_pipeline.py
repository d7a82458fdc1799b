#!/usr/bin/env python3
"""Turn a Jupyter notebook that builds a SageMaker pipeline into files steplint can read.

Usage: python scripts/notebook_to_pipeline.py NOTEBOOK.ipynb OUTDIR

Code cells are written, in order, to OUTDIR/pipeline.py; a cell starting with
``%%writefile PATH`` is written to OUTDIR/PATH instead (that is how the example notebooks
create their processing and training scripts). IPython lines (``!cmd``, ``%magic``) become
comments, and so does anything after them in a cell that would not parse. Nothing is run.
Used to measure steplint on the public example notebooks (README: plain SDK pipelines).
"""

from __future__ import annotations

import ast
import json
import pathlib
import sys


def _source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _python(lines: list) -> str:
    out = []
    for line in lines:
        stripped = line.lstrip()
        out.append(("# " + line) if stripped.startswith(("!", "%", "?")) else line)
    text = "\n".join(out)
    try:
        ast.parse(text)
    except SyntaxError:
        return "\n".join("# " + line for line in lines)
    return text


def convert(notebook: pathlib.Path, outdir: pathlib.Path) -> list:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    written = []
    code = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        text = _source(cell)
        lines = text.splitlines()
        if lines and lines[0].startswith("%%writefile"):
            parts = lines[0].split()
            target = outdir / parts[-1]
            if not str(target.resolve()).startswith(str(outdir.resolve())):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
            written.append(target)
            continue
        if lines and lines[0].startswith("%%"):
            continue
        code.append(_python(lines))
    pipeline = outdir / "pipeline.py"
    pipeline.write_text("\n\n".join(code) + "\n", encoding="utf-8")
    return [pipeline] + written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for path in convert(pathlib.Path(sys.argv[1]), out):
        print(path)
