"""SL4xx: spec, contract, builder and script checked against each other.

The spec's logical names, the contract's path/env/argument declarations, the channels a
training builder creates and what the script actually reads must agree. Whatever is not
statically known (a dict built by a function, ``**kwargs``, ``os.environ`` used whole, an
``add_argument(*flags)``) silences the checks that depend on it.
"""

from __future__ import annotations

import difflib

from steplint.model.values import Mapping, ModuleRef, Ref, Unknown
from steplint.readers.python.project import Contract, Spec
from steplint.rule import Example, Rule, Severity
from steplint.rules._artefacts import (
    PLATFORM_PATHS,
    TRAINING_INPUT_ROOT,
    contract_kind,
    declared_env_vars,
    is_within,
    mapping_entries,
    overlaps,
    training_channel,
)
from steplint.rules._catalog_examples import (
    BUILDER,
    CONTRACT,
    PROCESSING_STEP,
    SCRIPT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    project,
)

DIRECTIONS = {
    "input": ("expected_input_paths", "dependencies", "dependency"),
    "output": ("expected_output_paths", "outputs", "output"),
}
SAGEMAKER_ENV_PREFIX = "SM_"


def _hint(name: str, candidates) -> str:
    """A 'did you mean' for a name that looks renamed from one of ``candidates``."""
    by_lower = {candidate.lower(): candidate for candidate in sorted(candidates)}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    return f" (close to '{by_lower[close[0]]}': renamed on one side?)" if close else ""


def _spec_names(specs, attribute: str) -> set | None:
    """Logical names of ``attribute`` (dependencies/outputs) over all ``specs``; None when unknown."""
    names = set()
    for spec in specs:
        elements = getattr(spec, attribute)
        if not isinstance(elements, tuple) or not all(isinstance(e.logical_name, str) for e in elements):
            return None
        names |= {element.logical_name for element in elements}
    return names


def _linked(model):
    """(spec, contract) for every spec that links a statically known contract."""
    for spec in model.specs:
        contract = model.contract_of(spec)
        if isinstance(contract, Contract):
            yield spec, contract


class _ContractKeyNotInSpec(Rule):
    direction: str

    def check(self, context):
        model = context.model
        field, attribute, noun = DIRECTIONS[self.direction]
        for contract in model.contracts:
            specs = model.specs_linking(contract)
            names = _spec_names(specs, attribute) if specs else None
            entries = mapping_entries(model, contract, field)
            if names is None or entries is None:
                continue
            spec_names = " / ".join(spec.name for spec in specs)
            for entry in entries:
                if entry.name not in names:
                    yield self.finding(entry.file, entry.span, (
                        f"{field} key '{entry.name}' of {contract.name} matches no {noun} of {spec_names}"
                        f"{_hint(entry.name, names)}; the builder looks container paths up by the spec's logical "
                        f"names, so this path is never mounted{' or uploaded' if self.direction == 'output' else ''}"
                        f": rename the key to the spec's logical name or remove it"),
                        related_paths=[spec.path for spec in specs])


class ContractInputNotInSpec(_ContractKeyNotInSpec):
    code = "SL401"
    name = "contract-input-not-in-spec"
    summary = "A contract input path whose key is no dependency of the spec."
    rationale = (
        "The builder walks the spec's dependencies and looks each one's container path up in the contract's "
        "expected_input_paths. A key that no dependency has (typically one renamed on one side only) is never "
        "turned into a ProcessingInput or channel, so the script finds an empty directory."
    )
    direction = "input"
    bad_examples = (Example(project(PROCESSING_STEP, (CONTRACT, '{"DATA":', '{"data":'))),)
    good_examples = (Example(project()),)


class ContractOutputNotInSpec(_ContractKeyNotInSpec):
    code = "SL402"
    name = "contract-output-not-in-spec"
    summary = "A contract output path whose key is no output of the spec."
    rationale = (
        "The builder walks the spec's outputs and looks each one's container path up in the contract's "
        "expected_output_paths. A key that no output has is never turned into a ProcessingOutput, so whatever "
        "the script writes there is never uploaded."
    )
    direction = "output"
    bad_examples = (Example(project(PROCESSING_STEP, (CONTRACT, '{"processed_data":', '{"output_data":'))),)
    good_examples = (Example(project()),)


class _SpecNameNotInContract(Rule):
    direction: str

    def check(self, context):
        model = context.model
        field, attribute, noun = DIRECTIONS[self.direction]
        for spec, contract in _linked(model):
            elements = getattr(spec, attribute)
            entries = mapping_entries(model, contract, field)
            if not isinstance(elements, tuple) or entries is None:
                continue
            keys = {entry.name for entry in entries}
            for element in elements:
                name = element.logical_name
                if isinstance(name, str) and name not in keys:
                    consequence = ("raises ValueError for a missing container path or leaves the input unmounted"
                                   if self.direction == "input" else
                                   "cannot create the ProcessingOutput, so the output's property path resolves "
                                   "to nothing")
                    yield self.finding(spec.path, element.span, (
                        f"{noun} '{name}' of {spec.name} has no entry in {field} of {contract.name}"
                        f"{_hint(name, keys)}; the builder {consequence}: add '{name}' to the contract"),
                        related_paths=[contract.path])


class DependencyNotInContract(_SpecNameNotInContract):
    code = "SL403"
    name = "dependency-not-in-contract"
    summary = "A spec dependency with no container path in the contract."
    rationale = (
        "Each dependency the pipeline wires into the step needs a container path: the builder takes it from "
        "the contract's expected_input_paths. Without one the builder fails with a missing-path error, or the "
        "S3 data is wired but never mounted where the script looks."
    )
    direction = "input"
    bad_examples = ContractInputNotInSpec.bad_examples
    good_examples = (Example(project()),)


class OutputNotInContract(_SpecNameNotInContract):
    code = "SL404"
    name = "output-not-in-contract"
    summary = "A spec output with no container path in the contract."
    rationale = (
        "Each output the spec promises to downstream steps needs the directory the script writes it to: the "
        "builder takes it from the contract's expected_output_paths. Without one no ProcessingOutput is "
        "created and the output's property path points at nothing."
    )
    direction = "output"
    bad_examples = ContractOutputNotInSpec.bad_examples
    good_examples = (Example(project()),)


def _name(script) -> str:
    return script.path.rsplit("/", 1)[-1]


def _scripts(model):
    """(contract, script facts) for every contract whose entry point is found in the tree."""
    for contract in model.contracts:
        script = model.script_of(contract)
        if script is not None:
            yield contract, script


class ScriptUndeclaredPath(Rule):
    code = "SL405"
    name = "script-undeclared-path"
    summary = "A script reads a contract key or a container path that its contract does not declare."
    rationale = (
        "SageMaker mounts and uploads only what the builder asks for, and the builder asks only for the "
        "contract's paths. A script that reads input_paths['x'] for an undeclared key fails with KeyError; one "
        "that opens an undeclared /opt/ml/... directory finds it missing or empty at run time, often only "
        "after a long job. Module-level reads count too. SageMaker's own paths (/opt/ml/model, "
        "/opt/ml/input/config, /opt/ml/output, ...) need no declaration."
    )
    bad_examples = (
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'METADATA_DIR = "/opt/ml/processing/input/metadata"\n'))),
        Example(project(PROCESSING_STEP, (SCRIPT, 'def main():\n', 'def main(input_paths):\n'),
                        (SCRIPT, 'args = parser.parse_args()\n',
                         'args = parser.parse_args()\n    data_dir = input_paths["data_dir"]\n'),
                        (SCRIPT, '    main()\n', '    main({"DATA": INPUT_DIR})\n'))),
    )
    good_examples = (Example(project()), Example(project(TRAINING_STEP)))

    def check(self, context):
        model = context.model
        for contract, script in _scripts(model):
            inputs = mapping_entries(model, contract, "expected_input_paths")
            outputs = mapping_entries(model, contract, "expected_output_paths")
            kind = contract_kind(model, contract)
            for access in script.accesses:
                if access.kind in ("input_key", "output_key"):
                    entries, field = (inputs, "expected_input_paths") if access.kind == "input_key" else (
                        outputs, "expected_output_paths")
                    keys = {entry.name for entry in entries} if entries is not None else None
                    if keys is None or access.key in keys:
                        continue
                    mapping = "input_paths" if access.kind == "input_key" else "output_paths"
                    yield self.finding(script.path, access.span, (
                        f"{_name(script)} reads {mapping}['{access.key}'], but {field} of {contract.name} has no "
                        f"key '{access.key}'{_hint(access.key, keys)}; the paths handed to the script come from "
                        f"the contract, so this raises KeyError: use a declared key or declare it"),
                        related_paths=[contract.path])
                elif access.kind == "path" and inputs is not None and outputs is not None:
                    declared = [entry.value for entry in inputs + outputs]
                    if not all(isinstance(path, str) for path in declared):
                        continue
                    if _platform_path(access.key, kind) or any(overlaps(access.key, path) for path in declared):
                        continue
                    yield self.finding(script.path, access.span, (
                        f"{_name(script)} uses {access.key}, which {contract.name} does not declare; SageMaker "
                        f"mounts or uploads only the directories the builder creates from the contract, so this "
                        f"one is missing or never uploaded at run time: declare it in expected_input_paths/"
                        f"expected_output_paths or use a declared path"),
                        related_paths=[contract.path])


def _platform_path(path: str, kind: str | None) -> bool:
    kinds = [kind] if kind in PLATFORM_PATHS else list(PLATFORM_PATHS)
    return any(is_within(path, root) for name in kinds for root in PLATFORM_PATHS[name])


class ScriptUndeclaredEnv(Rule):
    code = "SL406"
    name = "script-undeclared-env"
    summary = "A script reads an environment variable its contract does not declare."
    rationale = (
        "The builder sets the container's environment from the contract's required_env_vars and "
        "optional_env_vars. A variable the script reads but the contract omits is never set: os.environ[...] "
        "raises KeyError (at import time when read at module level), and .get/getenv silently fall back to "
        "a default nobody configured. SageMaker's own SM_* variables, and variables the builder passes "
        "literally (env={...}), are exempt."
    )
    bad_examples = (
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'ID_FIELD = os.environ["ID_FIELD"]\n'))),
    )
    good_examples = (
        Example(project()),
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'HOSTS = os.environ.get("SM_HOSTS", "[]")\n'))),
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'ID_FIELD = os.environ["ID_FIELD"]\n'),
                        (BUILDER, 'instance_type="ml.m5.xlarge")',
                         'instance_type="ml.m5.xlarge", env={"ID_FIELD": "order_id"})'))),
    )

    def check(self, context):
        model = context.model
        for contract, script in _scripts(model):
            declared = declared_env_vars(model, contract)
            set_by_builders = _builder_environment(model, contract)
            if declared is None or set_by_builders is None:
                continue
            names = {entry.name for entry in declared} | set_by_builders
            for access in script.accesses:
                if access.kind != "env" or access.key in names or access.key.startswith(SAGEMAKER_ENV_PREFIX):
                    continue
                yield self.finding(script.path, access.span, (
                    f"{_name(script)} reads environment variable '{access.key}', which {contract.name} does not "
                    f"declare{_hint(access.key, names)}; the builder sets only the contract's env vars, so it "
                    f"is never set in the container (KeyError, or a silent default): add it to required_env_vars "
                    f"or optional_env_vars"), related_paths=[contract.path])


ENVIRONMENT_KEYWORDS = ("env", "environment")


def _builder_environment(model, contract) -> set | None:
    """Env var names the step's builders pass literally (``env={"X": ...}``) besides the contract's;
    None when such a dict has keys that are not known strings."""
    names = set()
    for spec in model.specs_linking(contract):
        for builder in model.builders_of(spec):
            for constructed in builder.constructed:
                for keyword in ENVIRONMENT_KEYWORDS:
                    environment = model.resolve(constructed.call.kwarg(keyword))
                    if isinstance(environment, Unknown):
                        return None
                    if not isinstance(environment, Mapping):
                        continue
                    keys = [model.resolve(entry.key) for entry in environment.entries]
                    if not all(isinstance(key, str) for key in keys):
                        return None
                    names.update(keys)
    return names


def _env_reads(model, script) -> set | None:
    """Env vars read by the script and the tree modules it imports; None when any reads os.environ whole."""
    modules = [script]
    for value in script.imports.values():
        dotted = value.module if isinstance(value, (Ref, ModuleRef)) else None
        imported = model.module(dotted) if dotted else None
        if imported is not None and imported is not script:
            modules.append(imported)
    reads = set()
    for module in modules:
        for access in module.accesses:
            if access.kind == "env_dynamic":
                return None
            if access.kind == "env":
                reads.add(access.key)
    return reads


class UnusedContractEnv(Rule):
    code = "SL407"
    name = "unused-contract-env"
    summary = "A contract env var that the script never reads."
    severity = Severity.WARNING
    rationale = (
        "Every declared env var is something the pipeline's configuration must supply (required ones fail the "
        "builder when missing). A variable the script never reads is configuration nobody uses, and usually "
        "the trace of a rename: the script reads the new name while the contract still sets the old one."
    )
    bad_examples = (
        Example(project(PROCESSING_STEP,
                        (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}'))),
    )
    good_examples = (
        Example(project()),
        Example(project(PROCESSING_STEP,
                        (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}'),
                        (SCRIPT, '    print(', '    settings = dict(os.environ)\n    print('))),
    )

    def check(self, context):
        model = context.model
        for contract, script in _scripts(model):
            declared = declared_env_vars(model, contract)
            reads = _env_reads(model, script) if declared else None
            if declared is None or reads is None:
                continue
            for entry in declared:
                if entry.name not in reads:
                    yield self.finding(entry.file, entry.span, (
                        f"env var '{entry.name}' declared by {contract.name} is never read by {_name(script)}; the "
                        f"pipeline must configure it for nothing: remove it, or read it in the script"),
                        related_paths=[script.path])


def _option_name(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


class ArgumentMismatch(Rule):
    code = "SL408"
    name = "argument-mismatch"
    summary = "The script's argparse options and the contract's expected_arguments disagree."
    rationale = (
        "The builder turns expected_arguments into the job's container arguments (--name value). An argument "
        "the script's parser does not define makes parse_args() exit with 'unrecognized arguments'; a required "
        "option of a processing script that the contract does not supply exits with 'the following arguments "
        "are required'. Either way the job fails after its instances have started."
    )
    bad_examples = (
        Example(project(PROCESSING_STEP, (CONTRACT, '{"job-type": "training"}',
                                                  '{"job-type": "training", "mode": "full"}'))),
        Example(project(PROCESSING_STEP, (SCRIPT, 'required=True)\n',
                                                  'required=True)\n    parser.add_argument("--label-field", '
                                                  'required=True)\n'))),
    )
    good_examples = (
        Example(project()),
        Example(project(PROCESSING_STEP, (SCRIPT, 'required=True)\n',
                                                  'required=True)\n    parser.add_argument("--seed", '
                                                  'type=int, default=42)\n'))),
    )

    def check(self, context):
        model = context.model
        for contract, script in _scripts(model):
            options = [spec for spec in script.argument_specs if spec.flags and spec.flags[0].startswith("-")]
            expected = mapping_entries(model, contract, "expected_arguments")
            if expected is None or not script.argument_specs or any(not spec.flags
                                                                     for spec in script.argument_specs):
                continue
            defined = {_option_name(flag) for spec in options for flag in spec.flags} | {
                spec.dest for spec in options if spec.dest}
            for entry in expected:
                if _option_name(entry.name) not in defined:
                    yield self.finding(entry.file, entry.span, (
                        f"expected argument '{entry.name}' of {contract.name} is passed to the container as "
                        f"--{entry.name.lstrip('-')}, but {_name(script)} defines no such option; parse_args() "
                        f"exits with 'unrecognized arguments': add the option to the script or remove the "
                        f"argument"), related_paths=[script.path])
            if contract_kind(model, contract) == "training":
                continue
            supplied = {_option_name(entry.name) for entry in expected}
            for spec in options:
                if spec.required is True and not ({_option_name(f) for f in spec.flags} | {spec.dest}) & supplied:
                    yield self.finding(script.path, spec.span, (
                        f"{_name(script)} requires option {spec.flags[0]}, but expected_arguments of "
                        f"{contract.name} does not supply it; the job exits with 'the following arguments are "
                        f"required': add '{spec.flags[0].lstrip('-')}' to expected_arguments or give the option "
                        f"a default"), related_paths=[contract.path])


class ChannelLayoutMismatch(Rule):
    code = "SL409"
    name = "channel-layout-mismatch"
    summary = "A training builder's channel names disagree with the paths its contract and script use."
    rationale = (
        "SageMaker mounts each training channel at /opt/ml/input/data/<channel name>. A builder that passes a "
        "single channel named 'data' whose S3 prefix holds train/ val/ test/ puts the files at "
        "/opt/ml/input/data/data/train, not /opt/ml/input/data/train; a path under a channel the builder never "
        "creates is an empty directory at run time."
    )
    bad_examples = (
        Example(project(TRAINING_STEP, (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"',
                                        '"/opt/ml/input/data/train"'))),
    )
    good_examples = (Example(project(TRAINING_STEP)),)

    def check(self, context):
        model = context.model
        for builder in model.builders:
            channels = _builder_channels(model, builder)
            spec = model.spec_of(builder)
            if not channels or not isinstance(spec, Spec):
                continue
            contract = model.contract_of(spec)
            if not isinstance(contract, Contract):
                continue
            listed = ", ".join(f"'{name}'" for name in sorted(channels))
            for entry in mapping_entries(model, contract, "expected_input_paths") or ():
                problem = _channel_problem(entry.value, channels, listed, builder.name)
                if problem:
                    yield self.finding(entry.file, entry.span, (
                        f"input '{entry.name}' of {contract.name} is {entry.value}; {problem}"),
                        related_paths=[builder.path])
            script = model.script_of(contract)
            for access in script.accesses if script is not None else ():
                problem = _channel_problem(access.key, channels, listed, builder.name) if access.kind == "path" \
                    else None
                if problem:
                    yield self.finding(script.path, access.span, f"{_name(script)} reads {access.key}; {problem}",
                                       related_paths=[builder.path, contract.path])


def _builder_channels(model, builder) -> set | None:
    """Channel names the builder creates; None when any is not a known string."""
    names = set()
    for method in builder.cls.methods.values():
        for channel in getattr(method, "channels", ()):
            name = model.resolve(channel.name)
            if not isinstance(name, str):
                return None
            names.add(name)
    return names


def _channel_problem(path: object, channels: set, listed: str, builder: str) -> str | None:
    if not isinstance(path, str):
        return None
    channel = training_channel(path)
    if channel is None or channel in channels:
        return None
    rest = path.rstrip("/")[len(TRAINING_INPUT_ROOT) + 1:]
    hint = (f"; with the single 'data' channel this directory is {TRAINING_INPUT_ROOT}/data/{rest}"
            if channels == {"data"} else "")
    return (f"channel '{channel}' does not exist: {builder} creates channel(s) {listed}, and SageMaker mounts "
            f"each at {TRAINING_INPUT_ROOT}/<channel name>{hint}: align the path with the builder's channels")
