"""Container directories a script creates itself (``os.makedirs(p)``, ``os.mkdir(p)``,
``pathlib.Path(p).mkdir(...)``), with ``p`` a string the pipeline evaluator can fold.

Such a directory is the script's own scratch space (the SageMaker Projects template's
preprocess.py downloads its input with boto3 into ``/opt/ml/processing/data``, which it
creates), not something SageMaker must mount, so its paths are not reads of undeclared
inputs. Whether it was also meant as an output cannot be told; steplint stays silent.
"""

from __future__ import annotations

import ast
import warnings

from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.values import Obj
from steplint.readers.python.parse_guard import parse_obstacle

CONTAINER_PREFIX = "/opt/ml/"
MAKEDIRS = ("os.makedirs", "os.mkdir")
PATH_CLASSES = ("pathlib.Path", "pathlib.PurePosixPath", "pathlib.PosixPath")


def created_directories(text: str) -> frozenset:
    """The ``/opt/ml/...`` directories the script at ``text`` creates; empty when it does not
    parse."""
    if parse_obstacle(text) is not None:
        return frozenset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    evaluator = Evaluator(tree, Text(text))
    evaluator.run()
    found = set()
    for obj in evaluator.objects:
        path = None
        if obj.func in MAKEDIRS and obj.args:
            path = obj.args[0]
        elif obj.func == ".mkdir" and isinstance(obj.receiver, Obj) and obj.receiver.func in PATH_CLASSES \
                and obj.receiver.args:
            path = obj.receiver.args[0]
        if isinstance(path, str) and path.startswith(CONTAINER_PREFIX):
            found.add(path.rstrip("/"))
    return frozenset(found)
