"""SageMaker facts read from installed package data, without importing the packages.

botocore's SageMaker service model (``botocore/data/sagemaker/<date>/service-2.json[.gz]``)
gives response shapes for property paths and the service's limits; the SageMaker Python
SDK's ``image_uri_config/<framework>.json`` gives supported framework versions; its
``model.py`` and ``estimator.py`` name the hyperparameters the SDK adds itself.

Packages are located with ``importlib.util.find_spec`` on their top-level name, which
finds the directory without running the package. Each data set is parsed on first use
and kept for the rest of the process (one run), so the lint path pays nothing unless a
rule asks.
"""

from __future__ import annotations

import difflib
import gzip
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PRIMITIVE_TYPES = frozenset({"string", "boolean", "integer", "long", "float", "double", "timestamp", "blob"})

# Which Describe* shapes the SDK's ``Properties`` reads for each step (sagemaker/workflow/steps.py,
# _utils.py): a TuningStep merges the tuning job's description with its training-job list.
STEP_RESPONSE_SHAPES = {
    "training": ("DescribeTrainingJobResponse",),
    "processing": ("DescribeProcessingJobResponse",),
    "transform": ("DescribeTransformJobResponse",),
    "model": ("DescribeModelOutput",),
    "register_model": ("DescribeModelPackageOutput",),
    "tuning": ("DescribeHyperParameterTuningJobResponse", "ListTrainingJobsForHyperParameterTuningJobResponse"),
}

SUGGESTION_DEPTH = 5
INDEX_PLACEHOLDER = "[...]"
MIN_SIMILARITY = 0.6
WINNER_SIMILARITY = 0.8
WINNER_MARGIN = 0.05


# -- locating packages ------------------------------------------------------------------
def package_dirs(name: str) -> list:
    """The directories of an installed top-level package (several for a namespace package),
    found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(location) for location in spec.submodule_search_locations]


def package_file(name: str, *candidates: str) -> Path | None:
    """The first of ``candidates`` (paths relative to the package) that exists in an installed package."""
    for root in package_dirs(name):
        for relative in candidates:
            if (root / relative).exists():
                return root / relative
    return None


@lru_cache(maxsize=None)
def package_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# -- botocore's service model -----------------------------------------------------------
@dataclass(frozen=True)
class ServiceModel:
    """The shapes of botocore's SageMaker service model and where they came from."""

    shapes: dict
    source: str

    def shape(self, name: str) -> dict:
        return self.shapes.get(name, {})

    def member_shape(self, structure: str, member: str) -> str | None:
        info = self.shape(structure).get("members", {}).get(member)
        return info["shape"] if info is not None else None


def _service_model_file() -> Path | None:
    folder = package_file("botocore", "data/sagemaker")
    if folder is None or not folder.is_dir():
        return None
    for dated in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
        for name in ("service-2.json", "service-2.json.gz"):
            candidate = dated / name
            if candidate.is_file():
                return candidate
    return None


@lru_cache(maxsize=1)
def service_model() -> ServiceModel | None:
    """botocore's SageMaker service model, parsed once per process; None if not installed."""
    found = _service_model_file()
    if found is None:
        return None
    opener = gzip.open if found.suffix == ".gz" else open
    with opener(found, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    source = f"botocore {package_version('botocore')} ({found.parent.name} SageMaker API)"
    return ServiceModel(data.get("shapes", {}), source)


# -- property paths ---------------------------------------------------------------------
_TOKEN = re.compile(r"""\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)|\[(?P<index>-?\d+|'[^']*'|"[^"]*")\]""")
_HEAD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class PathToken:
    """``.Name`` (kind 'attr') or ``[index]`` (kind 'index'), with its offsets in the path."""

    kind: str
    value: str
    start: int
    end: int


def tokenize_property_path(path: str) -> tuple[str, tuple] | None:
    """The head name and the tokens after it, or None when the text is not a property path."""
    head = _HEAD.match(path)
    if head is None:
        return None
    tokens = []
    position = head.end()
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            return None
        if match.group("attr") is not None:
            tokens.append(PathToken("attr", match.group("attr"), match.start(), match.end()))
        else:
            tokens.append(PathToken("index", match.group("index"), match.start(), match.end()))
        position = match.end()
    return head.group(), tuple(tokens)


def index_key(token: PathToken) -> str | int:
    """The value inside ``[...]``: a string key without quotes, or an int."""
    text = token.value
    return text[1:-1] if text[:1] in "'\"" else int(text)


@dataclass(frozen=True)
class PathProblem:
    """Where a property path leaves the response shape, and why."""

    token: PathToken
    reason: str
    valid_prefix: str
    shapes: tuple = ()


def _step(model: ServiceModel, shape_names: tuple, token: PathToken) -> tuple[tuple, str | None]:
    """The shapes reached by one token from ``shape_names``, or () and a reason."""
    reached = []
    kinds = set()
    for name in shape_names:
        shape = model.shape(name)
        kind = shape.get("type")
        kinds.add(kind)
        if token.kind == "attr" and kind == "structure" and token.value in shape.get("members", {}):
            reached.append(shape["members"][token.value]["shape"])
        elif token.kind == "index" and kind == "list":
            reached.append(shape["member"]["shape"])
        elif token.kind == "index" and kind == "map":
            reached.append(shape["value"]["shape"])
    if reached:
        return tuple(reached), None
    described = " / ".join(sorted(f"{name} ({model.shape(name).get('type', 'unknown')})" for name in shape_names))
    if token.kind == "attr":
        if kinds & {"list", "map"}:
            return (), f"{described} must be indexed with [...] before '.{token.value}'"
        if kinds <= PRIMITIVE_TYPES:
            return (), f"{described} is a value and has no member '{token.value}'"
        return (), f"{described} has no member '{token.value}'"
    return (), f"{described} is not a list or map and cannot be indexed"


def check_property_path(model: ServiceModel, kind: str, path: str) -> PathProblem | None:
    """None when ``path`` (starting ``properties``) exists in the step kind's response shapes."""
    parsed = tokenize_property_path(path)
    if parsed is None:
        return PathProblem(PathToken("attr", path, 0, len(path)), "it is not a dotted property path", "")
    head, tokens = parsed
    shapes = STEP_RESPONSE_SHAPES[kind]
    current = shapes
    for token in tokens:
        shapes, reason = _step(model, shapes, token)
        if reason is not None:
            return PathProblem(token, reason, path[:token.start], current)
        current = shapes
    return None


def members(model: ServiceModel, shape_names: tuple) -> list:
    """The member names of the structures among ``shape_names``."""
    found: dict = {}
    for name in shape_names:
        found.update(dict.fromkeys(model.shape(name).get("members", {})))
    return list(found)


def _enumerate_paths(model: ServiceModel, shape_names: tuple, prefix: str, depth: int, seen: frozenset, out: list):
    if depth == 0:
        return
    for name in shape_names:
        shape = model.shape(name)
        kind = shape.get("type")
        if kind == "structure":
            for member, info in shape.get("members", {}).items():
                child = f"{prefix}.{member}"
                out.append(child)
                if info["shape"] not in seen:
                    _enumerate_paths(model, (info["shape"],), child, depth - 1, seen | {info["shape"]}, out)
        elif kind in ("list", "map"):
            child_shape = shape["member"]["shape"] if kind == "list" else shape["value"]["shape"]
            child = f"{prefix}{INDEX_PLACEHOLDER}"
            out.append(child)
            if child_shape not in seen:
                _enumerate_paths(model, (child_shape,), child, depth, seen | {child_shape}, out)


@lru_cache(maxsize=None)
def valid_paths(kind: str) -> tuple:
    """Every property path of a step kind up to ``SUGGESTION_DEPTH`` members deep, indexes as ``[...]``."""
    model = service_model()
    if model is None:
        return ()
    out: list = []
    shapes = STEP_RESPONSE_SHAPES[kind]
    _enumerate_paths(model, shapes, "properties", SUGGESTION_DEPTH, frozenset(shapes), out)
    return tuple(dict.fromkeys(out))


def normalized(path: str) -> tuple[str, list]:
    """The path with each index replaced by ``[...]``, and the removed index texts in order."""
    indexes: list = []

    def keep(match):
        indexes.append(match.group(0))
        return INDEX_PLACEHOLDER

    return re.sub(r"\[(?:-?\d+|'[^']*'|\"[^\"]*\")\]", keep, path), indexes


def closest_paths(kind: str, path: str, limit: int = 3) -> list[tuple[str, float]]:
    """The valid paths most like ``path``, best first, with a similarity score (difflib's ratio
    plus a bonus for sharing the final member and the tail of the path)."""
    target, _ = normalized(path)
    candidates = valid_paths(kind)
    target_parts = target.split(".")
    scored = []
    for candidate in candidates:
        parts = candidate.split(".")
        ratio = difflib.SequenceMatcher(None, target, candidate, autojunk=False).ratio()
        if parts[-1] == target_parts[-1]:
            ratio += 0.1
        common_tail = 0
        for mine, theirs in zip(reversed(target_parts), reversed(parts)):
            if mine != theirs:
                break
            common_tail += 1
        ratio += 0.05 * (common_tail - 1) if common_tail > 1 else 0
        scored.append((candidate, ratio))
    scored.sort(key=lambda item: (-item[1], len(item[0]), item[0]))
    return [(candidate, score) for candidate, score in scored[:limit] if score >= MIN_SIMILARITY]


def clear_winner(suggestions: list) -> str | None:
    """The best suggestion when it is close enough and clearly ahead of the next one."""
    if not suggestions or suggestions[0][1] < WINNER_SIMILARITY:
        return None
    if len(suggestions) > 1 and suggestions[0][1] - suggestions[1][1] < WINNER_MARGIN:
        return None
    return suggestions[0][0]


def fill_indexes(template: str, indexes: list) -> str | None:
    """Put the user's index texts back into a ``[...]`` template, when the counts match."""
    if template.count(INDEX_PLACEHOLDER) != len(indexes):
        return None
    parts = template.split(INDEX_PLACEHOLDER)
    return "".join(part + (indexes[i] if i < len(indexes) else "") for i, part in enumerate(parts))


# -- service limits ---------------------------------------------------------------------
@dataclass(frozen=True)
class StringLimit:
    shape: str
    min: int | None
    max: int | None
    pattern: str | None

    def violation(self, value: str) -> str | None:
        if self.max is not None and len(value) > self.max:
            return f"is {len(value)} characters long; {self.shape} allows at most {self.max}"
        if self.min is not None and len(value) < self.min:
            return f"is shorter than {self.shape}'s minimum of {self.min} characters"
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return f"does not match {self.shape}'s pattern {self.pattern}"
        return None


def string_limit(shape_name: str) -> StringLimit | None:
    model = service_model()
    shape = model.shape(shape_name) if model is not None else {}
    if shape.get("type") != "string":
        return None
    return StringLimit(shape_name, shape.get("min"), shape.get("max"), shape.get("pattern"))


def member_string_limit(structure: str, member: str) -> StringLimit | None:
    """The limit of a string member of a request structure (``Channel.ChannelName``)."""
    model = service_model()
    shape = model.member_shape(structure, member) if model is not None else None
    return string_limit(shape) if shape is not None else None


def collection_max(structure: str, member: str) -> tuple[str, int] | None:
    """(shape name, max entries) of a list or map member of a request structure."""
    model = service_model()
    name = model.member_shape(structure, member) if model is not None else None
    if name is None:
        return None
    maximum = model.shape(name).get("max")
    return (name, maximum) if isinstance(maximum, int) else None


def map_limits(structure: str, member: str) -> tuple[StringLimit | None, StringLimit | None]:
    """The key and value limits of a map member of a request structure."""
    model = service_model()
    name = model.member_shape(structure, member) if model is not None else None
    shape = model.shape(name) if name is not None else {}
    if shape.get("type") != "map":
        return None, None
    return string_limit(shape["key"]["shape"]), string_limit(shape["value"]["shape"])


# -- the SDK's image configuration --------------------------------------------------------
def sdk_source() -> str:
    return f"sagemaker {package_version('sagemaker')}"


def _image_config_dir() -> Path | None:
    return package_file("sagemaker", "image_uri_config", "core/image_uri_config")


@lru_cache(maxsize=None)
def image_config(framework: str) -> dict | None:
    """``image_uri_config/<framework>.json`` of the installed SDK, parsed once; None if absent."""
    folder = _image_config_dir()
    if folder is None or not (folder / f"{framework}.json").is_file():
        return None
    with open(folder / f"{framework}.json", encoding="utf-8") as handle:
        return json.load(handle)


def scope_config(framework: str, scope: str) -> dict | None:
    """The config for one image scope (``training``), following the SDK's layout rules."""
    config = image_config(framework)
    if config is None:
        return None
    if "versions" in config:
        scopes = config.get("scope", [scope])
        return config if scope in scopes else None
    return config.get(scope)


def resolve_version(config: dict, version: str) -> str | None:
    """The concrete version ``version`` names in a scope config, or None when unsupported."""
    versions = config.get("versions", {})
    aliases = config.get("version_aliases", {})
    if len(versions) == 1 and version not in aliases:
        return next(iter(versions))
    if version in versions:
        return version
    if version in aliases and aliases[version] in versions:
        return aliases[version]
    return None


def supported_versions(config: dict) -> list:
    return list(config.get("versions", {})) + list(config.get("version_aliases", {}))


def supported_py_versions(version_config: dict) -> list | None:
    """The Python versions a version config lists; None when it does not constrain them."""
    if "repository" in version_config:
        listed = version_config.get("py_versions")
    else:
        listed = [key for key in version_config if key != "version_aliases"]
    return list(listed) if listed else None


# -- the SDK's reserved hyperparameters -------------------------------------------------
_CONSTANT = re.compile(r"""^([A-Z][A-Z0-9_]*)\s*=\s*["']([^"'\\]+)["']\s*$""", re.MULTILINE)
_HYPERPARAMETER_KEY = re.compile(r"hyperparams\[([A-Z][A-Z0-9_]*)\]")


@lru_cache(maxsize=1)
def reserved_hyperparameters() -> dict:
    """{key: constant name} of hyperparameters the SDK's framework estimators set themselves.

    The constants come from ``sagemaker/model.py``; the ones the SDK writes into an
    estimator's hyperparameters are those ``sagemaker/estimator.py`` assigns as
    ``hyperparams[CONSTANT]`` (all ``*_PARAM_NAME`` constants if that file cannot be read).
    """
    model_file = package_file("sagemaker", "model.py")
    if model_file is None:
        return {}
    constants = dict(_CONSTANT.findall(model_file.read_text(encoding="utf-8")))
    estimator_file = model_file.with_name("estimator.py")
    used = set()
    if estimator_file.is_file():
        used = set(_HYPERPARAMETER_KEY.findall(estimator_file.read_text(encoding="utf-8")))
    if not used:
        used = {name for name in constants if name.endswith("_PARAM_NAME")}
    return {constants[name]: name for name in sorted(used) if name in constants}
