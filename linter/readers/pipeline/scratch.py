"""What a step's script does with container paths, beyond what the Python reader's script
facts say: the paths it composes inside functions (``f"{base_dir}/train/train.csv"`` with
``base_dir`` a local variable, ``os.path.join``, ``+``), folded by the pipeline evaluator,
and the container directories it creates itself (``os.makedirs(p)``, ``os.mkdir(p)``,
``pathlib.Path(p).mkdir(...)``) and fills from S3 with boto3's ``download_file``.

Such a directory is the script's own scratch space (the SageMaker Projects template's
preprocess.py downloads its input with boto3 into ``/opt/ml/processing/data``, which it
creates), not something SageMaker must mount, so its paths are not reads of undeclared
inputs. Whether it was also meant as an output cannot be told; steplint stays silent.
"""

from __future__ import annotations

import ast
import posixpath
import warnings

from steplint.readers.pipeline.evaluate import Evaluator, Text
from steplint.readers.pipeline.values import Obj
from steplint.readers.python.parse_guard import parse_obstacle

CONTAINER_PREFIX = "/opt/ml/"
MAKEDIRS = ("os.makedirs", "os.mkdir")
PATH_CLASSES = ("pathlib.Path", "pathlib.PurePosixPath", "pathlib.PosixPath")


def script_paths(text: str) -> tuple:
    """``(created, composed)`` for the script at ``text``: the ``/opt/ml/...`` directories it
    creates, and ``(path, span)`` of the ``/opt/ml/...`` paths it composes; empty when it does
    not parse."""
    if parse_obstacle(text) is not None:
        return frozenset(), ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    evaluator = Evaluator(tree, Text(text))
    evaluator.run()
    composed = tuple((value, span) for value, span in evaluator.composed if value.startswith(CONTAINER_PREFIX))
    return _created(evaluator), composed


def _created(evaluator: Evaluator) -> frozenset:
    """Directories the script creates and then fills from S3 itself (``download_file`` of
    boto3 into them): its own scratch space, not something SageMaker must mount. A directory
    it only creates may be an output whose declaration moved, so it is not exempt."""
    created = set()
    downloads = set()
    for obj in evaluator.objects:
        path = None
        if obj.func in MAKEDIRS and obj.args:
            path = obj.args[0]
        elif obj.func == ".mkdir" and isinstance(obj.receiver, Obj) and obj.receiver.func in PATH_CLASSES \
                and obj.receiver.args:
            path = obj.receiver.args[0]
        if isinstance(path, str) and path.startswith(CONTAINER_PREFIX):
            created.add(path.rstrip("/"))
        if obj.func == ".download_file":
            target = obj.kwarg("Filename", 1)
            if isinstance(target, str) and target.startswith(CONTAINER_PREFIX):
                downloads.add(posixpath.dirname(target))
    return frozenset(directory for directory in created if directory in downloads)
