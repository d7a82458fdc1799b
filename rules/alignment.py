"""SL4xx: spec, contract, builder and script checked against each other.

The spec's logical names, the contract's path/env/argument declarations, the channels a
training builder creates and what the script actually reads must agree. Whatever is not
statically known (a dict built by a function, ``**kwargs``, ``os.environ`` used whole, an
``add_argument(*flags)``) silences the checks that depend on it.
"""

from __future__ import annotations

from steplint.model.steps import Answer
from steplint.model.values import Unknown
from steplint.rule import Example, Rule, Severity, close_hint, close_name, fitted
from steplint.rules._catalog_examples import (
    BUILDER,
    CONTRACT,
    PROCESSING_STEP,
    SCRIPT,
    TRAINING_SCRIPT,
    TRAINING_STEP,
    project,
)
from steplint.sagemaker.paths import (
    PLATFORM_PATHS,
    TRAINING_INPUT_ROOT,
    is_within,
    overlaps,
    training_channel,
)

PORT_NOUNS = {"input": "dependency", "output": "output"}  # what a spec calls its ports of each direction
SAGEMAKER_ENV_PREFIX = "SM_"


# Where SL405-SL409 report (issue 12): at the declaration a fix edits, the script's file related.
WHERE = (" SL405-SL409 all report at the declaration a fix edits, not at the script's read: the message names "
         "the script's file:line, the script's file is a related location, and a # steplint: ignore[...] "
         "comment goes on the reported line.")


def _listed(names) -> str:
    return ", ".join(f"'{name}'" for name in sorted(names))


def _at(script, origin) -> str:
    """``script.py:LINE``: the other end of a finding reported at a declaration."""
    return f"{script.name}:{origin.span.line}"


def _reads_contract_key(step, kind: str, key: str) -> bool:
    """Whether the step's script looks ``key`` up in the ``kind`` mapping the contract gives it."""
    script = step.script
    return (script is not None and script.passes(kind, key) is None
            and any(read.kind == kind and read.key == key for read in script.reads))


def _port_names(interfaces, direction: str) -> set | None:
    """Logical names of the ``direction`` ports over all interfaces; None when any is unknown."""
    names = set()
    for interface in interfaces:
        ports = interface.inputs if direction == "input" else interface.outputs
        if not isinstance(ports, tuple):
            return None
        names |= {port.name for port in ports}
    return names


def _container(step, direction: str):
    return step.container_inputs if direction == "input" else step.container_outputs


class _ContractKeyNotInSpec(Rule):
    direction: str

    def check(self, context):
        noun = PORT_NOUNS[self.direction]
        for step in _checked(context.steps):
            names = _port_names(step.interfaces, self.direction) if step.interfaces else None
            entries = _container(step, self.direction)
            if names is None or not isinstance(entries, tuple):
                continue
            field = step.terms.input_paths if self.direction == "input" else step.terms.output_paths
            spec_names = " / ".join(interface.name for interface in step.interfaces)
            kind = "input_key" if self.direction == "input" else "output_key"
            for entry in entries:
                if entry.name in names:
                    continue
                close = close_name(entry.name, names)
                lost = ("so this path is never mounted" if self.direction == "input" else
                        "so nothing the script writes there is uploaded")
                rename = f"Rename the key to '{close}'" if close else f"Rename the key to a {noun} of {spec_names}"
                if _reads_contract_key(step, kind, entry.name):
                    mapping = "input_paths" if self.direction == "input" else "output_paths"
                    rename += f" (and the script's {mapping}['{entry.name}'] reads)"
                remedy = f"{rename}." if close else f"{rename}, or declare a {noun} '{entry.name}' in the spec."
                yield self.finding(
                    entry.origin.path, entry.origin.span,
                    fitted(f"{field} key '{entry.name}' is no {noun} of {spec_names}{close_hint(entry.name, names)}",
                         f"{field} key '{entry.name}' is no {noun} of the spec{close_hint(entry.name, names)}"),
                    related_paths=[interface.path for interface in step.interfaces],
                    help=f"The builder looks container paths up by the spec's logical names, {lost}. {remedy}")


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
        noun = PORT_NOUNS[self.direction]
        for step in _checked(context.steps):
            entries = _container(step, self.direction)
            if not isinstance(entries, tuple):
                continue
            keys = {entry.name for entry in entries}
            field = step.terms.input_paths if self.direction == "input" else step.terms.output_paths
            for interface in step.interfaces:
                ports = interface.inputs if self.direction == "input" else interface.outputs
                for port in ports if isinstance(ports, tuple) else ():
                    if port.name in keys:
                        continue
                    close = close_name(port.name, keys)
                    remedy = (f"Rename '{close}' in {field} to '{port.name}'." if close else
                              f"Add '{port.name}' with its container path to {field} of {step.declared_by}.")
                    yield self.finding(
                        port.origin.path, port.origin.span,
                        fitted(f"{noun} '{port.name}' of {interface.name} has no path in {field} of "
                             f"{step.declared_by}{close_hint(port.name, keys)}",
                             f"{noun} '{port.name}' has no path in {field} of {step.declared_by}"
                             f"{close_hint(port.name, keys)}"),
                        related_paths=[step.origin.path],
                        help=f"The builder {_missing_path_consequence(self.direction, step.kind)}. {remedy}")


def _missing_path_consequence(direction: str, kind: str | None) -> str:
    """What a spec-driven builder does for a port the contract gives no container path,
    stated only as far as the step's kind establishes it."""
    if direction == "input":
        return "raises ValueError for a missing container path or leaves the input unmounted"
    if kind == "processing":
        return "cannot create the ProcessingOutput, so the output's property path resolves to nothing"
    return "has no container directory for it, so the script is not told where to write it"


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


def _checked(steps) -> list:
    """The steps whose container this project defines (not those handed to another package's step class)."""
    return [step for step in steps if not step.delegated]


# Reads that handle the name's absence themselves: never a failure, never a finding.
DEAD_READS = ("fallback", "guarded", "test")


def _first_reads(script, kinds: tuple) -> list:
    """One read per (kind, key) of ``kinds`` that the script really makes: its first
    subscript (which fails when the name is absent), else its first other read. Reads
    that are never made when the name is absent (a ``.get`` fallback of another lookup, a
    subscript guarded by a membership test) and membership tests do not count."""
    chosen: dict = {}
    for read in script.reads:
        if read.kind not in kinds or read.how in DEAD_READS:
            continue
        key = (read.kind, read.key)
        if key not in chosen or (read.can_fail and not chosen[key].can_fail):
            chosen[key] = read
    return sorted(chosen.values(), key=lambda read: (read.origin.span.line, read.origin.span.col))


class ScriptUndeclaredPath(Rule):
    code = "SL405"
    name = "script-undeclared-path"
    summary = "A script reads a contract key or a container path that its contract does not declare."
    rationale = (
        "SageMaker mounts and uploads only what the builder asks for, and the builder asks only for the "
        "contract's paths. A script that reads input_paths['x'] for an undeclared key fails with KeyError "
        "(input_paths.get('x') quietly gets None instead); one that opens an undeclared /opt/ml/... directory "
        "finds it missing or empty at run time, often only after a long job. Module-level reads count too. "
        "SageMaker's own paths (/opt/ml/model, /opt/ml/input/config, /opt/ml/output, ...) need no declaration, "
        "and a lookup that is only the fallback of a lookup of a declared key is never made. When the script's "
        "own __main__ builds the input_paths/output_paths it hands to its code, the keys it reads are checked "
        "against those dicts instead; a lookup under a membership test (if 'k' in paths, if 'k' not in paths: "
        "raise/return, the else of a test on declared keys) counts only where the script really makes it, and "
        "a path in a constant or dict entry that no code reads is not a use. Reported at the step's "
        "declaration (the contract, a YAML interface's contract:, the SDK step) where the key or path is "
        "missing, or at the script's own __main__ block when that builds the dict; one finding per key or "
        "path."
    ) + WHERE
    bad_examples = (
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'METADATA_DIR = "/opt/ml/processing/input/metadata"\n'),
                        (SCRIPT, 'INPUT_DIR, OUTPUT_DIR)', 'INPUT_DIR, OUTPUT_DIR, METADATA_DIR)'))),
        Example(project(PROCESSING_STEP, (SCRIPT, 'def main():\n', 'def main(input_paths):\n'),
                        (SCRIPT, 'args = parser.parse_args()\n',
                         'args = parser.parse_args()\n    data_dir = input_paths["data_dir"]\n'),
                        (SCRIPT, '    main()\n', '    main({"DATA": INPUT_DIR})\n'))),
    )
    good_examples = (
        Example(project()),
        Example(project(TRAINING_STEP)),
        Example(project(PROCESSING_STEP, (SCRIPT, 'def main():\n', 'def main(input_paths):\n'),
                        (SCRIPT, 'args = parser.parse_args()\n',
                         'args = parser.parse_args()\n'
                         '    data_dir = input_paths.get("DATA", input_paths.get("data_dir"))\n'),
                        (SCRIPT, '    main()\n', '    main({"DATA": INPUT_DIR})\n'))),
    )

    def check(self, context):
        for step in _checked(context.steps):
            script = step.script
            if script is None:
                continue
            for read in _key_reads(step, script):
                yield self._key_finding(step, script, read)
            if step.kind == "training":
                yield from self._channel_variable_findings(step, script)
            declared = step.declared_paths()
            if declared is None:
                continue
            for read in _first_reads(script, ("path",)):
                if _platform_path(read.key, step.kind) or any(overlaps(read.key, path) for path in declared):
                    continue
                ports = f" (and a matching port in {_spec_names(step)})" if step.interfaces else ""
                yield self.finding(
                    step.origin.path, step.origin.span,
                    fitted(f"{_at(script, read.origin)} uses {read.key}, which {step.declared_by} does not declare",
                         f"{_at(script, read.origin)} uses {read.key}, which the step does not declare"),
                    related_paths=[script.path],
                    help=f"SageMaker mounts or uploads only the directories a step declares, so nothing is mounted "
                         f"at {read.key} and nothing written there is uploaded. Declare it in "
                         f"{step.terms.input_paths} or {step.terms.output_paths}{ports}, or use a declared path.")

    def _channel_variable_findings(self, step, script):
        """``SM_CHANNEL_<NAME>`` reads for channels the step does not have."""
        known = _known_channels(step)
        if known is None:
            return
        channels, source = known
        by_variable = {f"{CHANNEL_VARIABLE_PREFIX}{name.upper()}": name for name in channels}
        for read in _first_reads(script, ("env",)):
            if not read.key.startswith(CHANNEL_VARIABLE_PREFIX) or read.key in by_variable:
                continue
            wanted = read.key[len(CHANNEL_VARIABLE_PREFIX):].lower()
            outcome = ("this subscript raises KeyError" if read.can_fail else
                       "this lookup always gets its default")
            use = " or ".join(sorted(by_variable)[:2])
            yield self.finding(
                step.origin.path, step.origin.span,
                fitted(f"{_at(script, read.origin)} reads {read.key}; {source} {_listed(channels)}",
                     f"{_at(script, read.origin)} reads {read.key}; the step's channels: {_listed(channels)}"),
                related_paths=[script.path, *step.builder_paths],
                help=f"SageMaker sets {CHANNEL_VARIABLE_PREFIX}<NAME> only for the job's channels, so {outcome}. "
                     f"Read {use}, or give the step a channel '{wanted}'.")

    def _key_finding(self, step, script, read):
        mapping = "input_paths" if read.kind == "input_key" else "output_paths"
        if read.how == "checked":
            what, outcome = f"{mapping}['{read.key}']", "the script's own check for the key raises"
        elif read.can_fail:
            what, outcome = f"{mapping}['{read.key}']", "this subscript raises KeyError"
        else:
            what, outcome = f"{mapping}.get('{read.key}')", "this lookup always gets its default"
        own = script.mapping(read.kind)
        if own is not None:
            keys = set().union(*own.keys)
            return self.finding(
                own.origin.path, own.origin.span,
                fitted(f"{_at(script, read.origin)} reads {what}; its __main__ passes no such key{close_hint(read.key, keys)}",
                     f"{_at(script, read.origin)} reads {what}; its __main__ passes no such key"),
                related_paths=[step.origin.path],
                help=f"When the script runs, {outcome}. Use a key the {mapping} built here has, or add "
                     f"'{read.key}' to it.")
        entries = step.container_inputs if read.kind == "input_key" else step.container_outputs
        keys = {entry.name for entry in entries or ()}
        field = step.terms.input_paths if read.kind == "input_key" else step.terms.output_paths
        noun = "dependency" if read.kind == "input_key" else "output"
        port = f" and a {noun} '{read.key}' to {_spec_names(step)}" if step.interfaces else ""
        return self.finding(
            step.origin.path, step.origin.span,
            fitted(f"{_at(script, read.origin)} reads {what}; {field} of {step.declared_by} has no such key"
                 f"{close_hint(read.key, keys)}", f"{_at(script, read.origin)} reads {what}; {field} has no such key"
                                             f"{close_hint(read.key, keys)}"),
            related_paths=[script.path],
            help=f"The paths handed to the script come from the contract, so {outcome}. Use a declared key, or "
                 f"add '{read.key}' to {field}{port}.")


def _spec_names(step) -> str:
    return " / ".join(interface.name for interface in step.interfaces)


def _key_present(step, script, kind: str, key: str) -> Answer:
    """Whether the mapping of ``kind`` handed to the script holds ``key``: the one its own
    ``__main__`` builds when it builds one, else the contract's declared paths."""
    if kind not in ("input_key", "output_key"):
        return Answer.UNKNOWN
    own = script.passes(kind, key)
    if own is not None:
        return own
    entries = step.container_inputs if kind == "input_key" else step.container_outputs
    if isinstance(entries, Unknown):
        return Answer.UNKNOWN
    return Answer.YES if key in {entry.name for entry in entries or ()} else Answer.NO


def _key_reads(step, script) -> list:
    """One read per (mapping, key) the script definitely makes for a key definitely absent
    from the mapping handed to it: its first subscript, else its first other read. A read
    that sits where the script goes only when some other keys are absent (``unless``) is
    made only when each of its groups has a key definitely absent; cannot tell is silence."""
    chosen: dict = {}
    for read in script.reads:
        if read.kind not in ("input_key", "output_key") or read.how in DEAD_READS:
            continue
        if _key_present(step, script, read.kind, read.key) is not Answer.NO:
            continue
        if not all(any(_key_present(step, script, kind, key) is Answer.NO for kind, key in group)
                   for group in read.unless):
            continue
        key = (read.kind, read.key)
        if key not in chosen or (read.can_fail and not chosen[key].can_fail):
            chosen[key] = read
    return sorted(chosen.values(), key=lambda read: (read.origin.span.line, read.origin.span.col))


CHANNEL_VARIABLE_PREFIX = "SM_CHANNEL_"



def _known_channels(step) -> tuple | None:
    """``(channels, whose)``: the channels a training step's contract declares, from its
    input paths (/opt/ml/input/data/<channel>), as a script's literal path reads are checked
    against them; None when they are not all known (a path at the channel root leaves the
    names to the builder)."""
    if not isinstance(step.container_inputs, tuple) or not step.container_inputs:
        return None
    channels = set()
    for entry in step.container_inputs:
        if not isinstance(entry.value, str):
            return None
        channel = training_channel(entry.value)
        if channel is None:
            if is_within(entry.value, TRAINING_INPUT_ROOT):
                return None  # the channel root itself: the builder decides the names
            continue
        channels.add(channel)
    if not channels:
        return None
    return channels, (f"the only channel of {step.declared_by} is" if len(channels) == 1 else
                      f"the only channels of {step.declared_by} are")


def _platform_path(path: str, kind: str | None) -> bool:
    kinds = [kind] if kind in PLATFORM_PATHS else list(PLATFORM_PATHS)
    return any(is_within(path, root) for name in kinds for root in PLATFORM_PATHS[name])


def _declared_names(entries) -> set:
    return {entry.name for entry in entries} if isinstance(entries, tuple) else set()


class ScriptUndeclaredEnv(Rule):
    code = "SL406"
    name = "script-undeclared-env"
    summary = "A script reads an environment variable that no route sets for its step."
    rationale = (
        "The container's environment is what the builder passes: the contract's required_env_vars and "
        "optional_env_vars, plus whatever env=/environment= the estimator or processor gets. A variable the "
        "script reads that none of them sets is never set in the container: os.environ[...] raises KeyError "
        "(at import time when read at module level), and .get/getenv silently fall back to a default nobody "
        "configured. SageMaker's own SM_* variables are exempt, and when the builder's environment comes from "
        "a call steplint cannot follow, it says nothing. Reported at the step's declaration, one finding per "
        "variable."
    ) + WHERE
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
        Example(project(PROCESSING_STEP, (SCRIPT, 'OUTPUT_DIR = "/opt/ml/processing/output"\n',
                                                  'OUTPUT_DIR = "/opt/ml/processing/output"\n'
                                                  'ID_FIELD = os.environ["ID_FIELD"]\n'),
                        (BUILDER, 'instance_type="ml.m5.xlarge")',
                         'instance_type="ml.m5.xlarge", env=self.config.environment())'))),
    )

    def check(self, context):
        for step in _checked(context.steps):
            script = step.script
            if script is None or isinstance(step.declared_env, Unknown):
                continue
            names = _declared_names(step.declared_env) | set(step.env.names)
            for read in _first_reads(script, ("env",)):
                if read.key.startswith(SAGEMAKER_ENV_PREFIX) or step.env.has(read.key) is not Answer.NO:
                    continue
                outcome = ("this subscript raises KeyError" if read.can_fail else
                           "this lookup always gets its default")
                passed = set(step.env.names) - _declared_names(step.declared_env)
                who = (f"neither {step.declared_by} nor {' / '.join(step.built_by)} sets it" if passed else
                       f"{step.declared_by} does not declare it")
                close = close_name(read.key, names)
                remedy = f"Read '{close}', or add" if close else "Add"
                yield self.finding(
                    step.origin.path, step.origin.span,
                    fitted(f"{_at(script, read.origin)} reads env var '{read.key}'; {who}{close_hint(read.key, names)}",
                         f"{_at(script, read.origin)} reads env var '{read.key}', which no route sets"
                         f"{close_hint(read.key, names)}"),
                    related_paths=[script.path, *step.builder_paths],
                    help=f"No route into this step's container sets it, so {outcome}. "
                         f"{remedy} '{read.key}' to {step.terms.env}.")


# Variables that libraries in the container read (boto3/botocore, the AWS SDKs), not the script.
LIBRARY_ENV_PREFIXES = ("AWS_",)


class UnusedContractEnv(Rule):
    code = "SL407"
    name = "unused-contract-env"
    summary = "A contract env var that the script never reads."
    severity = Severity.WARNING
    rationale = (
        "Every declared env var is something the pipeline's configuration must supply (required ones fail the "
        "builder when missing). A variable the script never reads is configuration nobody uses, and usually "
        "the trace of a rename: the script reads the new name while the contract still sets the old one. "
        "Variables read by the libraries in the container rather than the script (AWS_REGION, "
        "AWS_DEFAULT_REGION and the other AWS_* settings of boto3/botocore) are exempt. Reported at the "
        "declared variable."
    ) + WHERE
    bad_examples = (
        Example(project(PROCESSING_STEP,
                        (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}'))),
    )
    good_examples = (
        Example(project()),
        Example(project(PROCESSING_STEP,
                        (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "RANDOM_SEED": "42"}'),
                        (SCRIPT, '    print(', '    settings = dict(os.environ)\n    print('))),
        Example(project(PROCESSING_STEP,
                        (CONTRACT, '{"TRAIN_RATIO": "0.7"}', '{"TRAIN_RATIO": "0.7", "AWS_DEFAULT_REGION": "us-east-1"}'))),
    )

    def check(self, context):
        for step in _checked(context.steps):
            script = step.script
            if script is None or not isinstance(step.declared_env, tuple):
                continue
            for entry in step.declared_env:
                if entry.name.startswith(LIBRARY_ENV_PREFIXES) or script.reads_env(entry.name) is not Answer.NO:
                    continue
                # required vars are declared as bare names (value None), optional ones with their default.
                # Whether a builder passes an optional one (its default, a configured value) or nothing sets
                # it at all is often beyond what steplint can follow: say only what holds either way.
                cost = ("The pipeline must configure it for nothing" if entry.value is None else
                        "Any value set for it has no effect")
                yield self.finding(
                    entry.origin.path, entry.origin.span,
                    fitted(f"env var '{entry.name}' of {step.declared_by} is never read by {script.name}",
                         f"env var '{entry.name}' is never read by {script.name}"),
                    related_paths=[script.path],
                    help=f"{cost}. Remove it from {step.terms.env}, or read it in the script.")


def _option_name(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


class ArgumentMismatch(Rule):
    code = "SL408"
    name = "argument-mismatch"
    summary = "The script's argparse options and the arguments its step passes disagree."
    rationale = (
        "The builder turns expected_arguments into the job's container arguments (--name value), and may add "
        "its own (ProcessingStep(job_arguments=...), processor.run(arguments=...)). An argument the script's "
        "parser does not define makes parse_args() exit with 'unrecognized arguments'; a required option of a "
        "processing script that no route supplies exits with 'the following arguments are required'. Either "
        "way the job fails after its instances have started. An argument list steplint cannot read keeps it "
        "silent. An argument the parser lacks is reported at the declared argument, a required option nobody "
        "passes at the step's declaration."
    ) + WHERE
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
        Example(project(PROCESSING_STEP, (SCRIPT, 'required=True)\n',
                                                  'required=True)\n    parser.add_argument("--label-field", '
                                                  'required=True)\n'),
                        (BUILDER, 'instance_type="ml.m5.xlarge")',
                         'instance_type="ml.m5.xlarge")\n\n    def _get_job_arguments(self):\n'
                         '        return ["--label-field", self.config.label_field]\n\n'
                         '    def create_step(self):\n'
                         '        return ProcessingStep(name="x", job_arguments=self._get_job_arguments())'))),
    )

    def check(self, context):
        for step in _checked(context.steps):
            script = step.script
            if script is None or not script.options or not isinstance(step.declared_arguments, tuple):
                continue
            options = [option for option in script.options if option.flags[0].startswith("-")]
            defined = {_option_name(flag) for option in options for flag in option.flags} | {
                option.dest for option in options if option.dest}
            for entry in step.declared_arguments:
                if _option_name(entry.name) not in defined:
                    flag = f"--{entry.name.lstrip('-')}"
                    yield self.finding(
                        entry.origin.path, entry.origin.span,
                        (f"argument '{entry.name}':" if entry.name == flag else
                         f"argument '{entry.name}' is passed as {flag};")
                        + f" {script.name} defines no such option",
                        related_paths=[script.path],
                        help=f"parse_args() exits with 'unrecognized arguments' when the job starts. Add {flag} "
                             f"to the script's parser, or remove the argument from {step.terms.arguments}.")
            if step.kind == "training":
                continue
            for option in options:
                names = {_option_name(flag) for flag in option.flags} | {option.dest}
                if option.required is not True or any(step.arguments.has(name) is not Answer.NO for name in names):
                    continue
                yield self.finding(
                    step.origin.path, step.origin.span,
                    fitted(f"{_at(script, option.origin)} requires {option.flags[0]}; {_no_supplier(step)} passes it",
                         f"{_at(script, option.origin)} requires {option.flags[0]}; no route of the step passes it"),
                    related_paths=[script.path, *step.builder_paths],
                    help=f"parse_args() exits with 'the following arguments are required' when the job starts. "
                         f"Add '{option.flags[0].lstrip('-')}' to {step.terms.arguments}, or give the option a "
                         f"default in the script.")


def _no_supplier(step) -> str:
    """``neither <the step's declaration> nor <its builders>`` (``no argument of <...>`` without builders)."""
    if step.built_by:
        return f"neither {step.declared_by} nor {' / '.join(step.built_by)}"
    return f"no argument of {step.declared_by}"


class ChannelLayoutMismatch(Rule):
    code = "SL409"
    name = "channel-layout-mismatch"
    summary = "A training builder's channel names disagree with the paths its contract and script use."
    # A script path the contract does not declare is reported by SL405 only, so that each
    # read gets one finding, from the rule that does not depend on the builder.
    rationale = (
        "SageMaker mounts each training channel at /opt/ml/input/data/<channel name>. A builder that passes a "
        "single channel named 'data' whose S3 prefix holds train/ val/ test/ puts the files at "
        "/opt/ml/input/data/data/train, not /opt/ml/input/data/train; a path under a channel the builder never "
        "creates is an empty directory at run time. Reported at the contract's input path that is in the "
        "missing channel, or through which the script's path is declared: one finding per (input, channel), "
        "whatever the number of reads."
    ) + WHERE
    bad_examples = (
        Example(project(TRAINING_STEP, (TRAINING_SCRIPT, '"/opt/ml/input/data/data/train"',
                                        '"/opt/ml/input/data/train"'))),
    )
    good_examples = (Example(project(TRAINING_STEP)),)

    def check(self, context):
        for step in _checked(context.steps):
            channels = step.channels
            inputs = step.container_inputs if isinstance(step.container_inputs, tuple) else ()
            outputs = step.container_outputs if isinstance(step.container_outputs, tuple) else ()
            if channels is None or not channels.names or not inputs + outputs:
                continue
            # (entry, missing channel) -> (whether the entry's own path is under it, the script's reads under it)
            problems: dict = {}
            for entry in inputs:
                channel = _missing_channel(entry.value, channels)
                if channel is not None:
                    problems.setdefault((entry, channel), (True, []))
            script = step.script
            for read in _first_reads(script, ("path",)) if script is not None else ():
                channel = _missing_channel(read.key, channels)
                entry = _declaring_entry(read.key, inputs + outputs)
                if channel is not None and entry is not None:  # a path nothing declares is SL405's
                    problems.setdefault((entry, channel), (False, []))[1].append(read)
            builders = " / ".join(step.built_by)
            for (entry, channel), (own, reads) in problems.items():
                path = entry.value if own else reads[0].key
                where = (f"input '{entry.name}' is in channel '{channel}'" if own else
                         f"{_at(script, reads[0].origin)} reads {reads[0].key} in channel '{channel}'")
                others = [f"{_at(script, read.origin)} reads {read.key}" for read in reads[0 if own else 1:]]
                through = "" if own else f" It is declared by '{entry.name}' ({entry.value})."
                also = f" {'; '.join(others)}: the same channel." if others else ""
                yield self.finding(
                    entry.origin.path, entry.origin.span,
                    fitted(f"{where}, which {builders} does not create", f"{where}, which its builder does not create"),
                    related_paths=[*step.builder_paths, *([script.path] if reads else [])],
                    help=f"{_channel_consequence(path, channels, builders)}.{through}{also} Use a path under a "
                         f"channel the builder creates, or make {builders} create channel '{channel}'.")


def _declaring_entry(path: str, entries):
    """The declared entry ``path`` is under (the deepest one), else one below it; None when
    no declared path overlaps it."""
    overlapping = [entry for entry in entries if isinstance(entry.value, str) and overlaps(path, entry.value)]
    return max(overlapping, key=lambda entry: (is_within(path, entry.value), len(entry.value)), default=None)


def _missing_channel(path: object, channels) -> str | None:
    """The training channel ``path`` is under when the builder definitely does not create it."""
    if not isinstance(path, str):
        return None
    channel = training_channel(path)
    return channel if channel is not None and channels.has(channel) is Answer.NO else None


def _channel_consequence(path: str, channels, builders: str) -> str:
    """What SageMaker does with ``path`` under a channel the builders do not create."""
    listed = ("only " if not channels.superset else "at most ") + _listed(channels.names)
    rest = path.rstrip("/")[len(TRAINING_INPUT_ROOT) + 1:]
    single = (f"; with the single 'data' channel this directory is {TRAINING_INPUT_ROOT}/data/{rest}"
              if channels.names == {"data"} else "")
    return (f"SageMaker mounts each channel at {TRAINING_INPUT_ROOT}/<channel name> and {builders} creates "
            f"{listed}, so nothing is mounted at {path}{single}")
