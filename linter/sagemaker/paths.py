"""Container paths of SageMaker jobs, and path arithmetic the rules share.

Facts from the SageMaker developer guide (training: "How Amazon SageMaker Provides Training
Information", processing: "ProcessingInput" / "ProcessingOutput" of the CreateProcessingJob
API): a training container receives channels under /opt/ml/input/data/<channel> and
SageMaker uploads /opt/ml/model, /opt/ml/output/data and /opt/ml/checkpoints; a processing
job's every input and output LocalPath begins with /opt/ml/processing/.
"""

from __future__ import annotations

import re

TRAINING_INPUT_ROOT = "/opt/ml/input/data"
TRAINING_OUTPUT_ROOTS = ("/opt/ml/model", "/opt/ml/output/data", "/opt/ml/checkpoints", "/opt/ml/output/tensorboard")
PROCESSING_ROOT = "/opt/ml/processing"
# Paths the platform itself provides or collects: a script may use them without a contract entry.
PLATFORM_PATHS = {
    "training": ("/opt/ml/input/config", "/opt/ml/model", "/opt/ml/output", "/opt/ml/code", "/opt/ml/checkpoints"),
    "processing": ("/opt/ml/config", "/opt/ml/output/message", "/opt/ml/processing/input/code",
                   "/opt/ml/processing/input/entrypoint"),
}
_FILE_NAME = re.compile(r"^[^.].*\.[A-Za-z][A-Za-z0-9]{0,7}$")


def normalized(path: str) -> str:
    return path.rstrip("/") or "/"


def is_within(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it (path components, not string prefixes)."""
    path, root = normalized(path), normalized(root)
    return path == root or path.startswith(root + "/")


def overlaps(first: str, second: str) -> bool:
    return is_within(first, second) or is_within(second, first)


def looks_like_file(path: str) -> bool:
    """Whether the last component of a container path names a file (``model.tar.gz``, ``x.json``)."""
    return bool(_FILE_NAME.match(normalized(path).rsplit("/", 1)[-1]))


def training_channel(path: str) -> str | None:
    """The channel name of a path below ``/opt/ml/input/data/<channel>``."""
    if not is_within(path, TRAINING_INPUT_ROOT):
        return None
    rest = normalized(path)[len(TRAINING_INPUT_ROOT) + 1:]
    return rest.split("/", 1)[0] or None
