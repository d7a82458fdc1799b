"""Regenerate the SageMaker data steplint ships: ``linter/sagemaker/sdk_facts.json`` and
``linter/sagemaker/service_model.json``.

steplint reads only these two files at lint time, so a light install needs neither the
SageMaker Python SDK nor botocore. This script is where they come from; it needs the network
(``pip download``) and is not part of the tests. Usage::

    python scripts/update_sagemaker_data.py [--sdk-version 2.257.7] [--history-step 8]
                                            [--cache DIR] [--botocore-version installed|X.Y.Z]

``sdk_facts.json`` (from the SageMaker Python SDK 2.x):

- ``frameworks``: for each framework steplint checks (``FRAMEWORK_CONFIGS`` of
  ``rules/sagemaker_model.py``), the SDK's ``sagemaker/image_uri_config/<framework>.json``
  reduced to what SL504 needs, one table per image scope (``training``, ``inference``, ...;
  the SDK's single-table layout with a ``scope`` list is expanded)::

      {"versions": {"2.1.0": {"since": "2.190.0", "py_versions": {"py310": "2.190.0"}}},
       "version_aliases": {"2.1": {"to": "2.1.0", "since": "2.190.0"}}}

  A version without ``py_versions`` does not constrain the Python version (XGBoost's
  ``1.7-1``). HuggingFace versions hold ``bases`` instead (``{"pytorch2.1.0": {"since": ...,
  "py_versions": {...}}}``) and ``base_aliases`` (``{"pytorch2.1": {"to": "pytorch2.1.0",
  "since": ...}}``). Every ``since`` is the earliest SDK 2.x release whose image
  configuration lists that entry (see "History" below).
- ``reserved_hyperparameters``: ``{key: constant name}`` for the constants of
  ``sagemaker/model.py`` that ``sagemaker/estimator.py`` writes as ``hyperparams[CONSTANT]``.
- ``sdk_version``: the release everything above was read from (default: the newest 2.x);
  ``history``: which releases were read for ``since``.

History: the script lists the SDK's 2.x releases (``pip index versions sagemaker``), reads
every ``--history-step``-th of them plus the first and the last, and for each entry bisects
between the last sample that lacks it and the first that lists it, so ``since`` is exact
provided an entry is never removed once added. Entries that a later sample lacks again are
printed and listed under ``history.gaps`` (their ``since`` is their first appearance).
``--history-step 1`` reads every release (about 20 minutes of downloads on a first run,
seconds once they are cached); for 2.0.0 .. 2.257.7 it gave the same ``since`` values as
the default step of 8 with bisection (230 of 405 releases read). Releases are fetched with
``pip download sagemaker==X --no-deps`` into ``--cache`` (default
``~/.cache/steplint-sdk-releases``), where later runs find them; sdists (most releases before
2.2xx) are read as archives, nothing in them is imported.

``service_model.json`` (from botocore's ``botocore/data/sagemaker/<date>/service-2.json``,
the newest dated model): the shapes reachable from the Describe* responses steplint reads
property paths against and from the request structures whose limits SL506 checks, each
reduced to ``type``, ``members`` / ``member`` / ``key`` / ``value`` (shape names only),
``min``, ``max`` and ``pattern``. ``--botocore-version installed`` (the default) reads the
installed botocore, found without importing it; a version number downloads that wheel.

Offline use (the tests): ``--releases-dir DIR`` reads release files already in ``DIR``
(``sagemaker-<version>-py3-none-any.whl`` or ``sagemaker-<version>.tar.gz``) instead of
asking pip, and ``--output-dir`` writes the files elsewhere.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.version import InvalidVersion, Version

REPO = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO / "linter" / "sagemaker"
SDK_FACTS = "sdk_facts.json"
SERVICE_MODEL = "service_model.json"
FORMAT = 1

# Which frameworks SL504 checks: the configs its estimator / processor classes map to.
FRAMEWORKS = ("chainer", "huggingface", "mxnet", "pytorch", "sklearn", "tensorflow", "xgboost")

# The Describe* responses (``STEP_RESPONSE_SHAPES`` of ``steplint.sagemaker.data``) and the
# request structures whose limits SL506 reads.
REQUEST_SHAPES = ("CreateTrainingJobRequest", "CreateProcessingJobRequest", "Channel", "ProcessingOutputConfig",
                  "ProcessingS3Input", "ProcessingS3Output")
SHAPE_KEYS = ("type", "members", "member", "key", "value", "min", "max", "pattern")

_CONFIG_FILE = re.compile(r"(?:^|/)sagemaker/image_uri_config/(?P<name>[A-Za-z0-9_.-]+)\.json$")
_SOURCE_FILE = re.compile(r"(?:^|/)sagemaker/(?P<name>model|estimator)\.py$")
_RELEASE_FILE = re.compile(r"^sagemaker-(?P<version>[0-9][0-9A-Za-z.]*?)(?:-py[23].*\.whl|\.tar\.gz|\.zip)$")
_CONSTANT = re.compile(r"""^([A-Z][A-Z0-9_]*)\s*=\s*["']([^"'\\]+)["']\s*$""", re.MULTILINE)
_HYPERPARAMETER_KEY = re.compile(r"hyperparams\[([A-Z][A-Z0-9_]*)\]")


# -- reading one release ----------------------------------------------------------------
def read_release(path: Path) -> dict:
    """``{"configs": {framework: parsed json}, "model.py": text, "estimator.py": text}`` of
    one release file (a wheel or an sdist), read as an archive. Raises ``OSError`` or
    ``ValueError`` when the file cannot be read."""
    found: dict = {"configs": {}}
    if path.suffix == ".whl" or path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [(name, lambda name=name: archive.read(name)) for name in archive.namelist()]
            return _collect(members, found)
    with tarfile.open(path, "r:gz") as archive:
        members = [(member.name, lambda member=member: archive.extractfile(member).read())
                   for member in archive.getmembers() if member.isfile()]
        return _collect(members, found)


def _collect(members, found: dict) -> dict:
    for name, read in members:
        if "/core/" in name or "/tests/" in name or name.startswith("tests/"):
            continue
        config = _CONFIG_FILE.search(name)
        if config is not None and config.group("name") in FRAMEWORKS:
            found["configs"][config.group("name")] = json.loads(read().decode("utf-8"))
        source = _SOURCE_FILE.search(name)
        if source is not None:
            found[f"{source.group('name')}.py"] = read().decode("utf-8")
    return found


# -- the SDK layout, reduced to steplint's ----------------------------------------------
def scopes_of(config: dict) -> dict:
    """``{scope: scope table}``: the SDK's single-table layout (``scope``: [...]) expanded."""
    if "versions" in config:
        return {scope: config for scope in config.get("scope", ["training", "inference"])}
    return {scope: table for scope, table in config.items() if isinstance(table, dict) and "versions" in table}


def _py_versions(version_config: dict) -> list | None:
    """The Python versions a version config lists (the two SDK layouts), None when unconstrained."""
    if "repository" in version_config:
        listed = version_config.get("py_versions")
    else:
        listed = [key for key in version_config if key.startswith("py")]
    return sorted(listed) if listed else None


def entries(framework: str, config: dict) -> dict:
    """Every fact of one framework config as ``{key tuple: value}``; the keys are what
    ``since`` is computed for. Kinds: ("version", scope, v), ("py", scope, v, py),
    ("alias", scope, alias) -> target, ("base", scope, v, base),
    ("base_py", scope, v, base, py), ("base_alias", scope, v, alias) -> target."""
    found: dict = {}
    for scope, table in scopes_of(config).items():
        for alias, target in table.get("version_aliases", {}).items():
            found[("alias", scope, alias)] = target
        for version, version_config in table.get("versions", {}).items():
            found[("version", scope, version)] = None
            if framework == "huggingface":
                for alias, target in version_config.get("version_aliases", {}).items():
                    found[("base_alias", scope, version, alias)] = target
                for base, base_config in version_config.items():
                    if base == "version_aliases" or not isinstance(base_config, dict):
                        continue
                    found[("base", scope, version, base)] = None
                    for py in _py_versions(base_config) or ():
                        found[("base_py", scope, version, base, py)] = None
                continue
            for py in _py_versions(version_config) or ():
                found[("py", scope, version, py)] = None
    return found


def build_frameworks(newest: dict, since: dict) -> dict:
    """steplint's layout of the newest release's configs, each entry with its ``since``."""
    out: dict = {}
    for framework in FRAMEWORKS:
        config = newest["configs"].get(framework)
        if config is None:
            continue
        tables = out.setdefault(framework, {})
        for key, target in sorted(entries(framework, config).items(), key=lambda item: _sort_key(item[0])):
            kind, scope, *rest = key
            table = tables.setdefault(scope, {"versions": {}, "version_aliases": {}})
            when = since[(framework, *key)]
            if kind == "version":
                table["versions"][rest[0]] = {"since": when}
            elif kind == "py":
                table["versions"][rest[0]].setdefault("py_versions", {})[rest[1]] = when
            elif kind == "alias":
                table["version_aliases"][rest[0]] = {"to": target, "since": when}
            elif kind == "base":
                table["versions"][rest[0]].setdefault("bases", {})[rest[1]] = {"since": when}
            elif kind == "base_py":
                table["versions"][rest[0]]["bases"][rest[1]].setdefault("py_versions", {})[rest[2]] = when
            else:
                table["versions"][rest[0]].setdefault("base_aliases", {})[rest[1]] = {"to": target, "since": when}
    return out


def _sort_key(key: tuple) -> tuple:
    """Kinds in dependency order, then versions as numbers (``1.9.0`` before ``1.10.0``)."""
    order = ("version", "base", "py", "base_py", "alias", "base_alias").index(key[0])
    return (order, *(tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text))
                     for text in key[1:]))


def reserved_hyperparameters(release: dict) -> dict:
    """``{key: constant}`` of the ``sagemaker/model.py`` constants ``sagemaker/estimator.py``
    writes as ``hyperparams[CONSTANT]``. Raises ``ValueError`` when either file is missing."""
    if "model.py" not in release or "estimator.py" not in release:
        raise ValueError("the release has no sagemaker/model.py or sagemaker/estimator.py")
    constants = dict(_CONSTANT.findall(release["model.py"]))
    used = set(_HYPERPARAMETER_KEY.findall(release["estimator.py"]))
    return dict(sorted((constants[name], name) for name in used if name in constants))


# -- history ----------------------------------------------------------------------------
class Releases:
    """The SDK's 2.x releases in order, read on demand (and in parallel) from release files."""

    def __init__(self, versions: list, fetch) -> None:
        self.versions = versions
        self._fetch = fetch
        self._present: dict = {}
        self.unreadable: list = []
        self.gaps: list = []

    def facts(self, indexes) -> None:
        """Read the releases at ``indexes`` that are not read yet."""
        todo = [i for i in dict.fromkeys(indexes) if i not in self._present]
        with ThreadPoolExecutor(max_workers=4) as pool:
            for index, release in zip(todo, pool.map(self._read, todo)):
                self._present[index] = release

    def _read(self, index: int):
        version = self.versions[index]
        try:
            release = read_release(self._fetch(version))
        except (OSError, ValueError, subprocess.CalledProcessError, tarfile.TarError, zipfile.BadZipFile) as error:
            print(f"  {version}: not readable ({error}); left out", file=sys.stderr, flush=True)
            self.unreadable.append(version)
            return None
        keys = set()
        for framework, config in release["configs"].items():
            keys.update((framework, *key) for key in entries(framework, config))
        print(f"  read {version}: {len(keys)} entries", file=sys.stderr, flush=True)
        return keys

    def present(self, index: int):
        return self._present.get(index)

    @property
    def read(self) -> list:
        return [self.versions[i] for i in sorted(self._present) if self._present[i] is not None]


def first_releases(releases: Releases, keys, step: int) -> dict:
    """``{key: version}``: the earliest release listing each key, by sampling every
    ``step``-th release and bisecting between neighbouring samples."""
    count = len(releases.versions)
    samples = sorted(set(range(0, count, max(step, 1))) | {count - 1})
    releases.facts(samples)
    samples = [i for i in samples if releases.present(i) is not None]
    bounds: dict = {}
    for key in keys:
        previous = None
        for index in samples:
            if key in releases.present(index):
                bounds[key] = (previous, index)
                break
            previous = index
        later = [i for i in samples if i > bounds[key][1] and key not in releases.present(i)]
        if later:
            gap = f"{' '.join(key)}: missing again in {', '.join(releases.versions[i] for i in later)}"
            releases.gaps.append(gap)
            print(f"  note: {gap}", file=sys.stderr)
    while True:
        wanted = {}
        for key, (low, high) in bounds.items():
            if low is not None:
                middle = _middle(releases, low, high)
                if middle is not None:
                    wanted.setdefault(middle, []).append(key)
        if not wanted:
            break
        releases.facts(wanted)
        for middle, waiting in wanted.items():
            found = releases.present(middle)
            for key in waiting:
                low, high = bounds[key]
                if found is None:  # unreadable: drop it from this key's interval
                    continue
                bounds[key] = (low, middle) if key in found else (middle, high)
        for key, (low, high) in list(bounds.items()):
            if low is not None and _middle(releases, low, high) is None:
                bounds[key] = (None, high)
    return {key: releases.versions[high] for key, (_, high) in bounds.items()}


def _middle(releases: Releases, low: int, high: int) -> int | None:
    """A readable-or-unread release strictly between ``low`` and ``high``, near the middle."""
    candidates = [i for i in range(low + 1, high) if i not in releases._present or releases.present(i) is not None]
    return candidates[len(candidates) // 2] if candidates else None


# -- fetching ---------------------------------------------------------------------------
def _pip(*arguments: str) -> str:
    return subprocess.run([sys.executable, "-m", "pip", *arguments], check=True, capture_output=True,
                          text=True).stdout


def sdk_versions() -> list:
    """Every SageMaker SDK 2.x release the package index lists, oldest first."""
    output = _pip("index", "versions", "sagemaker")
    listed = next(line for line in output.splitlines() if line.startswith("Available versions:"))
    found = []
    for text in listed.split(":", 1)[1].split(","):
        try:
            version = Version(text.strip())
        except InvalidVersion:
            continue
        if version.major == 2 and not version.is_prerelease:
            found.append(version)
    return [str(version) for version in sorted(found)]


def pip_fetcher(cache: Path, package: str = "sagemaker"):
    cache.mkdir(parents=True, exist_ok=True)

    def fetch(version: str) -> Path:
        existing = _release_file(cache, version, package)
        if existing is not None:
            return existing
        _pip("download", "--quiet", "--no-deps", "--no-build-isolation", "--dest", str(cache),
             f"{package}=={version}")
        found = _release_file(cache, version, package)
        if found is None:
            raise OSError(f"pip downloaded no file for {package}=={version}")
        return found

    return fetch


def _release_file(directory: Path, version: str, package: str = "sagemaker") -> Path | None:
    for path in sorted(directory.glob(f"{package}-{version}*")):
        match = _RELEASE_FILE.match(path.name.replace(package, "sagemaker", 1))
        if match is not None and match.group("version") == version:
            return path
    return None


def directory_releases(directory: Path) -> tuple[list, object]:
    """(versions, fetch) for release files already in ``directory``."""
    versions = []
    for path in directory.iterdir():
        match = _RELEASE_FILE.match(path.name)
        if match is not None:
            versions.append(Version(match.group("version")))
    ordered = [str(version) for version in sorted(versions)]

    def fetch(version: str) -> Path:
        found = _release_file(directory, version)
        if found is None:
            raise OSError(f"no release file for {version} in {directory}")
        return found

    return ordered, fetch


# -- botocore ---------------------------------------------------------------------------
def reduce_service_model(shapes: dict, roots) -> dict:
    """The shapes reachable from ``roots``, each reduced to ``SHAPE_KEYS`` (names only)."""
    out: dict = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        shape = shapes[name]
        reduced = {key: shape[key] for key in SHAPE_KEYS if key in shape}
        if "members" in reduced:
            reduced["members"] = {member: {"shape": info["shape"]} for member, info in reduced["members"].items()}
            todo.extend(info["shape"] for info in reduced["members"].values())
        for key in ("member", "key", "value"):
            if key in reduced:
                reduced[key] = {"shape": reduced[key]["shape"]}
                todo.append(reduced[key]["shape"])
        out[name] = reduced
    return dict(sorted(out.items()))


def _newest_model(members) -> tuple[str, str] | None:
    """(member name, API date) of the newest ``data/sagemaker/<date>/service-2.json[.gz]``."""
    pattern = re.compile(r"(?:^|/)botocore/data/sagemaker/(\d{4}-\d{2}-\d{2})/service-2\.json(?:\.gz)?$")
    found = [(match.group(1), name) for name in members if (match := pattern.search(name))]
    return (max(found)[1], max(found)[0]) if found else None


def botocore_model(version: str, cache: Path) -> tuple[dict, str, str]:
    """(shapes, botocore version, API date) from the installed botocore or a downloaded wheel."""
    if version == "installed":
        spec = importlib.util.find_spec("botocore")
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("botocore is not installed: pass --botocore-version X.Y.Z")
        root = Path(next(iter(spec.submodule_search_locations)))
        files = {str(path.relative_to(root.parent)): path for path in (root / "data" / "sagemaker").rglob("service-2*")}
        name, date = _newest_model(files)
        raw = files[name].read_bytes()
        version = importlib.metadata.version("botocore")
    else:
        wheel = pip_fetcher(cache, "botocore")(version)
        with zipfile.ZipFile(wheel) as archive:
            name, date = _newest_model(archive.namelist())
            raw = archive.read(name)
    if name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return json.loads(raw)["shapes"], version, date


# -- main -------------------------------------------------------------------------------
def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=1, sort_keys=False, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk-version", help="the release the facts are read from (default: the newest 2.x)")
    parser.add_argument("--history-step", type=int, default=8, help="read every N-th release, then bisect")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "steplint-sdk-releases")
    parser.add_argument("--releases-dir", type=Path, help="read release files from here instead of pip")
    parser.add_argument("--botocore-version", default="installed")
    parser.add_argument("--skip-service-model", action="store_true")
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR)
    options = parser.parse_args(argv)

    if options.releases_dir is not None:
        versions, fetch = directory_releases(options.releases_dir)
    else:
        versions, fetch = sdk_versions(), pip_fetcher(options.cache)
    sdk_version = options.sdk_version or versions[-1]
    if sdk_version not in versions:
        raise SystemExit(f"sagemaker {sdk_version} is not a 2.x release (known: {versions[0]} .. {versions[-1]})")
    versions = versions[:versions.index(sdk_version) + 1]
    print(f"sagemaker releases {versions[0]} .. {sdk_version}: {len(versions)}", file=sys.stderr, flush=True)

    newest = read_release(fetch(sdk_version))
    keys = set()
    for framework, config in newest["configs"].items():
        keys.update((framework, *key) for key in entries(framework, config))
    releases = Releases(versions, fetch)
    since = first_releases(releases, keys, options.history_step)
    sampled = "every release" if options.history_step <= 1 else \
        f"every {options.history_step}th release plus the first and the last, then bisection between neighbouring " \
        f"samples for each entry"
    document = {
        "format": FORMAT,
        "generated_by": "scripts/update_sagemaker_data.py",
        "sdk_version": sdk_version,
        "source": f"sagemaker {sdk_version}: sagemaker/image_uri_config/{{{','.join(FRAMEWORKS)}}}.json, "
                  f"sagemaker/model.py, sagemaker/estimator.py",
        "history": {
            "releases": f"{versions[0]} .. {sdk_version}",
            "release_count": len(versions),
            "history_step": options.history_step,
            "releases_read": len(releases.read),
            "not_readable": sorted(releases.unreadable, key=Version),
            "method": f"{sampled}: 'since' is the earliest release listing the entry (exact when an entry, once "
                      f"added, stays; the gaps below are where a read release lacked an entry again)",
            "gaps": sorted(releases.gaps),
        },
        "reserved_hyperparameters": reserved_hyperparameters(newest),
        "frameworks": build_frameworks(newest, since),
    }
    options.output_dir.mkdir(parents=True, exist_ok=True)
    write_json(options.output_dir / SDK_FACTS, document)
    print(f"wrote {options.output_dir / SDK_FACTS}: {len(releases.read)} of {len(versions)} releases read",
          file=sys.stderr)

    if not options.skip_service_model:
        from steplint.sagemaker.data import STEP_RESPONSE_SHAPES

        shapes, botocore_version, date = botocore_model(options.botocore_version, options.cache)
        roots = [name for names in STEP_RESPONSE_SHAPES.values() for name in names] + list(REQUEST_SHAPES)
        write_json(options.output_dir / SERVICE_MODEL, {
            "format": FORMAT,
            "generated_by": "scripts/update_sagemaker_data.py",
            "botocore_version": botocore_version,
            "api_version": date,
            "source": f"botocore {botocore_version} ({date} SageMaker API)",
            "shapes": reduce_service_model(shapes, roots),
        })
        print(f"wrote {options.output_dir / SERVICE_MODEL}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
