"""SL7xx: plain SageMaker SDK pipelines (``pipeline.py`` building the SDK's step classes
directly), checked as the SDK and the service will treat them.

These rules read only the step model (``Step.sdk``, set by the plain-pipeline reader); the
SageMaker facts they state come from the SageMaker Python SDK 2.x
(``sagemaker/workflow/steps.py``, ``sagemaker/workflow/pipeline.py``,
``sagemaker/workflow/_steps_compiler.py``, ``sagemaker/workflow/properties.py``,
``sagemaker/processing.py``, ``sagemaker/estimator.py``, ``sagemaker/xgboost/estimator.py``)
and the SageMaker training toolkit, each cited where used.
What the reader could not follow is *cannot tell*, and they stay silent about it.
"""

from __future__ import annotations

import json

from steplint.model.steps import Answer
from steplint.rule import MESSAGE_WIDTH, Applicability, Edit, Example, Fix, Rule, Severity, close_hint
from steplint.rules._pipeline_examples import EVALUATE, SOURCES, TRAIN, pipeline_project
from steplint.sagemaker.facts import FRAMEWORK_ESTIMATORS
from steplint.sagemaker.paths import normalized

OUTPUTS_PATH = "properties.ProcessingOutputConfig.Outputs["
ARGUMENT_OUTPUTS = "arguments['ProcessingOutputConfig']['Outputs']"


def _sdk_steps(context) -> list:
    return [step for step in context.steps if step.sdk is not None]


def _case_twin(name: str, names) -> str | None:
    """The one output name equal to ``name`` but for case, or None."""
    twins = [candidate for candidate in names if candidate.lower() == name.lower() and candidate != name]
    return twins[0] if len(twins) == 1 else None


class OutputNameNotInStep(Rule):
    code = "SL701"
    name = "output-name-not-in-step"
    summary = ("A property path's Outputs['x'] or a PropertyFile's output_name that names no output of the "
               "processing step.")
    rationale = (
        "A processing step's outputs are found by name: "
        "step.properties.ProcessingOutputConfig.Outputs['x'] selects the ProcessingOutput whose output_name is x "
        "(an integer index counts the outputs in order), and a PropertyFile(output_name='x') attached to the step "
        "is read from that output's S3 location (sagemaker/workflow/properties.py; unnamed outputs are output-1, "
        "output-2, ... in Processor._normalize_outputs). A name the step does not have resolves to nothing: the "
        "downstream step fails when the pipeline runs, and a JsonGet on such a property file makes building the "
        "definition raise ValueError (Step._validate_json_get_property_file_reference in "
        "sagemaker/workflow/steps.py). The request form, "
        "step.arguments['ProcessingOutputConfig']['Outputs'][i], raises IndexError past the last output. With step_args=, the job's "
        "outputs are those of processor.run(...); outputs= passed to the step beside it is ignored (SL702). The "
        "safe fix renames an Outputs['x'] key that differs from one output name only by case."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(pipeline_project(('Outputs["train"].S3Output', 'Outputs["Train"].S3Output')),
                fixed=pipeline_project()),
        Example(pipeline_project(('PropertyFile(name="EvaluationReport", output_name="evaluation"',
                                  'PropertyFile(name="EvaluationReport", output_name="metrics"'))),
        Example(pipeline_project(('    return Pipeline(name="Churn"',
                                  '    report = step_eval.arguments["ProcessingOutputConfig"]["Outputs"][1]\n'
                                  '    return Pipeline(name="Churn"'))),
    )
    good_examples = (Example(pipeline_project()),)

    def check(self, context):
        for step in _sdk_steps(context):
            outputs = step.container_outputs
            if step.kind != "processing" or not isinstance(outputs, tuple):
                continue
            names = [entry.name for entry in outputs]
            listed = ", ".join(f"'{name}'" for name in names) or "none"
            ignored = any(entry.name == "outputs" for entry in step.sdk.ignored)
            outputs_are = f"Its outputs are {listed}" + (
                " (its outputs= is ignored beside step_args=: the job's outputs are those of processor.run)"
                if ignored else "") + "."
            for read in step.sdk.property_reads:
                if read.path.startswith(ARGUMENT_OUTPUTS) and len(read.keys) >= 3:
                    key = read.keys[2]  # arguments['ProcessingOutputConfig']['Outputs'][i]
                    if isinstance(key.value, int) and not isinstance(key.value, bool) and not (
                            -len(names) <= key.value < len(names)):
                        yield self.finding(key.origin.path, key.origin.span, (
                            f"arguments[...]['Outputs'][{key.value}] is past the {len(names)} output(s) of "
                            f"{step.declared_by}"),
                            related_paths=[step.origin.path],
                            help=f"{outputs_are} Evaluating it raises IndexError when the pipeline is built. "
                                 f"Index an existing output.")
                    continue
                if not read.path.startswith(OUTPUTS_PATH) or not read.keys:
                    continue
                key = read.keys[0]
                if isinstance(key.value, str) and key.value not in names:
                    yield self.finding(key.origin.path, key.origin.span, (
                        f"Outputs['{key.value}'] names no output of {step.declared_by}{close_hint(key.value, names)}"),
                        fix=self._fix(key, names), related_paths=[step.origin.path],
                        help=f"{outputs_are} The property resolves to nothing, and the pipeline fails when a step "
                             f"reads it. Use an output_name the step has.")
                elif isinstance(key.value, int) and not isinstance(key.value, bool) and not (
                        -len(names) <= key.value < len(names)):
                    yield self.finding(key.origin.path, key.origin.span, (
                        f"Outputs[{key.value}] is past the {len(names)} output(s) of {step.declared_by}"),
                        related_paths=[step.origin.path],
                        help=f"{outputs_are} The property resolves to nothing. Index an existing output, or "
                             f"select it by name.")
            for entry in step.sdk.property_files:
                if isinstance(entry.name, str) and entry.name not in names:
                    yield self.finding(entry.origin.path, entry.origin.span, (
                        f"PropertyFile '{entry.value}' reads output '{entry.name}', which {step.declared_by} does "
                        f"not have{close_hint(entry.name, names)}"),
                        related_paths=[step.origin.path],
                        help=f"{outputs_are} A JsonGet on this property file makes building the pipeline "
                             f"definition raise ValueError (Processing output name '{entry.name}' ... not found in "
                             f"processing step). Name an output the step has.")

    @staticmethod
    def _fix(key, names):
        twin = _case_twin(key.value, names)
        if twin is None or not key.quote or key.quote in twin or "\\" in twin:
            return None
        return Fix(f"rename Outputs['{key.value}'] to Outputs['{twin}']", Applicability.SAFE,
                   (Edit(key.origin.path, key.start, key.end, f"{key.quote}{twin}{key.quote}"),))


IGNORED_EFFECTS = {
    "processor": "Constructing the step raises ValueError (either step_args or processor need to be given, but "
                 "not both)",
    "estimator": "Constructing the step raises ValueError (either step_args or estimator need to be given)",
    "transformer": "Constructing the step raises ValueError (either step_args or transformer need to be given, "
                   "but not both)",
    "inputs": "These inputs are never passed to the job",
    "outputs": "These outputs are never uploaded, and properties naming them resolve to nothing",
    "code": "This code is not what the job runs",
    "job_arguments": "These arguments never reach the script",
}
JOB_OBJECTS = ("processor", "estimator", "transformer")


class StepArgsIgnoredArguments(Rule):
    code = "SL702"
    name = "ignored-step-arguments"
    summary = "Job arguments passed to a pipeline step beside step_args=, which the SDK does not use."
    rationale = (
        "Given step_args=processor.run(...) (or estimator.fit(...), transformer.transform(...)), a step's "
        "request is built from that recorded call alone: ProcessingStep.arguments uses the step's own inputs, "
        "outputs, code and job_arguments only when step_args is None (sagemaker/workflow/steps.py, SDK 2.x), "
        "and a processor=, estimator= or transformer= beside step_args makes the constructor raise ValueError. "
        "Inputs passed this way are never mounted and outputs never uploaded, with no error until a later step "
        "or the script misses them."
    )
    bad_examples = (
        Example(pipeline_project(('processor=processor,\n        code=os.path.join(BASE_DIR, "evaluate.py"),',
                                  'step_args=processor.run(code=os.path.join(BASE_DIR, "evaluate.py")),')),
                expect=2),
    )
    good_examples = (Example(pipeline_project()),)

    def check(self, context):
        for step in _sdk_steps(context):
            for entry in step.sdk.ignored:
                call = {"TrainingStep": "estimator.fit", "TransformStep": "transformer.transform"}.get(
                    step.sdk.step_class, "processor.run")
                effect = IGNORED_EFFECTS.get(entry.name, "It is not used")
                remedy = (f"Remove {entry.name}=: the job runs on the object whose {call.split('.')[1]}(...) "
                          f"built step_args." if entry.name in JOB_OBJECTS
                          else f"Pass {entry.name}= to {call}(...) instead.")
                yield self.finding(entry.origin.path, entry.origin.span,
                                   f"{entry.name}= of {step.declared_by} is ignored beside step_args=",
                                   help=f"With step_args= the SDK builds the job from the {call}(...) call alone. "
                                        f"{effect}. {remedy}")


class DuplicateStepName(Rule):
    code = "SL703"
    name = "duplicate-step-name"
    summary = "Two steps of one pipeline with the same name, or one step listed twice."
    rationale = (
        "Step names identify steps in the pipeline definition and in every property reference. Building the "
        "definition raises ValueError ('Pipeline steps cannot have duplicate names. In addition, steps added in "
        "the ConditionStep cannot be added in the Pipeline steps list.', _generate_step_map in "
        "sagemaker/workflow/pipeline.py), so the pipeline cannot be created or updated."
    )
    bad_examples = (
        Example(pipeline_project(('name="EvaluateChurn"', 'name="TrainChurn"'))),
        Example(pipeline_project(('if_steps=[],', 'if_steps=[step_eval],'))),
    )
    good_examples = (Example(pipeline_project()),)

    def check(self, context):
        seen_pipelines = set()
        for step in _sdk_steps(context):
            for pipeline in step.sdk.pipelines:
                key = (pipeline.origin.path, pipeline.origin.span)
                if key in seen_pipelines or not isinstance(pipeline.steps, tuple):
                    continue
                seen_pipelines.add(key)
                first = {}
                for name, origin, cls in pipeline.steps:
                    if not isinstance(name, str):
                        continue
                    if name not in first:
                        first[name] = origin
                        continue
                    again = "listed again" if first[name] == origin else (
                        f"also the name of the step at line {first[name].span.line}")
                    yield self.finding(origin.path, origin.span,
                                       f"step name '{name}' is {again} in the pipeline's steps",
                                       help="Building the definition raises ValueError (Pipeline steps cannot have "
                                            "duplicate names; condition branches count). Give each step its own "
                                            "name and list each step once.")


class UndeclaredParameter(Rule):
    code = "SL704"
    name = "undeclared-parameter"
    summary = "A pipeline parameter used by a step but missing from Pipeline(parameters=[...])."
    rationale = (
        "A ParameterString/ParameterInteger/... used in a step is written into the definition as a reference "
        "({'Get': 'Parameters.<name>'}); only the parameters passed to Pipeline(parameters=[...]) are declared "
        "in it (sagemaker/workflow/pipeline.py). A reference to an undeclared one cannot be resolved, so "
        "SageMaker rejects the definition or the execution, and the parameter cannot be overridden when the "
        "pipeline is started."
    )
    bad_examples = (Example(pipeline_project(('parameters=[input_data]', 'parameters=[]'))),)
    good_examples = (Example(pipeline_project()),)

    def check(self, context):
        reported = set()
        for step in _sdk_steps(context):
            for pipeline in step.sdk.pipelines:
                if not isinstance(pipeline.parameters, tuple):
                    continue
                for parameter in step.sdk.parameters:
                    key = (pipeline.origin, parameter.name)
                    if parameter.name in pipeline.parameters or key in reported:
                        continue
                    reported.add(key)
                    yield self.finding(parameter.origin.path, parameter.origin.span, (
                        f"{parameter.value} '{parameter.name}' of {step.declared_by} is not in "
                        f"Pipeline(parameters=)"),
                        related_paths=[pipeline.origin.path],
                        help=f"The definition refers to Parameters.{parameter.name}, which the parameters= of the "
                             f"Pipeline at line {pipeline.origin.span.line} do not declare, so the pipeline cannot "
                             f"resolve it. Add it to Pipeline(parameters=[...]).")


class DuplicateInputDestination(Rule):
    code = "SL705"
    name = "duplicate-input-destination"
    summary = "Two inputs of a processing step downloaded to the same container directory."
    rationale = (
        "Each ProcessingInput is copied to its destination (the LocalPath of CreateProcessingJob's "
        "ProcessingInputs). Two inputs with one destination land in the same directory: files of one "
        "overwrite or mix with the other's, and the script cannot tell them apart. Give each input its own "
        "directory under /opt/ml/processing/."
    )
    bad_examples = (
        Example(pipeline_project(('destination="/opt/ml/processing/test"', 'destination="/opt/ml/processing/model"'),
                                 (EVALUATE, ', "/opt/ml/processing/model")', ')'))),
    )
    good_examples = (Example(pipeline_project()),)

    def check(self, context):
        for step in _sdk_steps(context):
            inputs = step.container_inputs
            if step.kind != "processing" or not isinstance(inputs, tuple):
                continue
            seen = {}
            for entry in inputs:
                if not isinstance(entry.value, str):
                    continue
                path = normalized(entry.value)
                if path in seen:
                    yield self.finding(entry.origin.path, entry.origin.span, (
                        f"input '{entry.name}' of {step.declared_by} reuses the destination of input "
                        f"'{seen[path].name}'"),
                        help=f"Both are downloaded to {entry.value}, so files of one overwrite or mix with the "
                             f"other's. Give each input its own destination.")
                else:
                    seen[path] = entry


BUILTIN_XGBOOST = "xgboost"
REQUIRED_CHANNEL = "train"


class BuiltinAlgorithmChannel(Rule):
    code = "SL706"
    name = "builtin-algorithm-channel"
    summary = ("A training or tuning step running the built-in XGBoost algorithm without its required 'train' "
               "channel.")
    rationale = (
        "An Estimator whose image is sagemaker.image_uris.retrieve(framework='xgboost', ...) and that has no "
        "entry_point runs SageMaker's built-in XGBoost algorithm, not a script. The algorithm reads its training "
        "data from the channel named 'train' (required; 'validation' is optional), per the SageMaker developer "
        "guide's input/output interface of the XGBoost algorithm. Without a 'train' channel the training job "
        "fails after its instances start. Channels steplint cannot read keep it silent."
    )
    bad_examples = (Example(pipeline_project(
        ('''estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                        py_version="py3", role=role, instance_type="ml.m5.large",
                        hyperparameters={"n_estimators": 100})''',
         '''estimator = Estimator(image_uri=image_uris.retrieve(framework="xgboost", region="us-east-1",
                                                     version="1.7-1", instance_type="ml.m5.large"),
                          role=role, instance_type="ml.m5.large", instance_count=1)'''),
        ('inputs={"train": TrainingInput(', 'inputs={"training": TrainingInput('),
        ("from sagemaker.inputs import TrainingInput\n",
         "from sagemaker import image_uris\nfrom sagemaker.estimator import Estimator\n"
         "from sagemaker.inputs import TrainingInput\n"))),)
    good_examples = (Example(pipeline_project(
        ('''estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                        py_version="py3", role=role, instance_type="ml.m5.large",
                        hyperparameters={"n_estimators": 100})''',
         '''estimator = Estimator(image_uri=image_uris.retrieve(framework="xgboost", region="us-east-1",
                                                     version="1.7-1", instance_type="ml.m5.large"),
                          role=role, instance_type="ml.m5.large", instance_count=1)'''),
        ("from sagemaker.inputs import TrainingInput\n",
         "from sagemaker import image_uris\nfrom sagemaker.estimator import Estimator\n"
         "from sagemaker.inputs import TrainingInput\n"))),)

    def check(self, context):
        for step in _sdk_steps(context):
            sdk = step.sdk
            if step.kind not in ("training", "tuning") or sdk.job_class != "Estimator" or sdk.entry_point is not None:
                continue
            framework = next((entry.value for entry in sdk.versions if entry.name == "framework"), None)
            channels = step.channels
            if framework != BUILTIN_XGBOOST or channels is None or channels.has(REQUIRED_CHANNEL) is not Answer.NO:
                continue
            entries = step.container_inputs if isinstance(step.container_inputs, tuple) else ()
            where = entries[0].origin if entries else step.origin
            listed = ", ".join(f"'{name}'" for name in sorted(channels.names)) or "none"
            yield self.finding(where.path, where.span, (
                f"{step.declared_by} runs built-in XGBoost without a 'train' channel (has: {listed})"),
                help="An Estimator with the image of image_uris.retrieve(framework='xgboost') and no entry_point "
                     "runs the built-in algorithm, which reads its training data from the channel 'train'; the "
                     "training job fails. Name the training channel 'train'.")


class RequiredOptionNotInHyperparameters(Rule):
    code = "SL707"
    name = "required-option-not-in-hyperparameters"
    summary = "A training script's required option that the framework estimator's hyperparameters do not supply."
    rationale = (
        "A framework estimator (PyTorch, TensorFlow, SKLearn, XGBoost, HuggingFace, MXNet, ...) runs its "
        "entry_point in script mode: the SageMaker training toolkit passes each hyperparameter as --key value "
        "on the script's command line, and nothing else. An argparse option declared required=True that is "
        "not among the hyperparameters= (or set_hyperparameters(...)) makes parse_args() exit with 'the "
        "following arguments are required' once the instances have started. Hyperparameters steplint cannot "
        "read keep it silent."
    )
    bad_examples = (Example(pipeline_project(
        (TRAIN, 'parser.add_argument("--n_estimators", type=int, default=10)\n',
         'parser.add_argument("--n_estimators", type=int, default=10)\n'
         'parser.add_argument("--max_depth", type=int, required=True)\n'))),)
    good_examples = (
        Example(pipeline_project()),
        Example(pipeline_project(
            (TRAIN, 'parser.add_argument("--n_estimators", type=int, default=10)\n',
             'parser.add_argument("--n_estimators", type=int, default=10)\n'
             'parser.add_argument("--max-depth", type=int, required=True)\n'),
            ('hyperparameters={"n_estimators": 100}', 'hyperparameters={"n_estimators": 100, "max-depth": 3}'))),
    )

    def check(self, context):
        for step in _sdk_steps(context):
            script = step.script
            if step.kind != "training" or step.sdk.job_class not in FRAMEWORK_ESTIMATORS or script is None \
                    or not script.options or not step.arguments.complete:
                continue
            for option in script.options:
                if option.required is not True or not option.flags[0].startswith("-"):
                    continue
                names = {flag.lstrip("-").replace("-", "_") for flag in option.flags} | {option.dest}
                if any(step.arguments.has(name) is not Answer.NO for name in names if name):
                    continue
                key = option.flags[0].lstrip("-")
                yield self.finding(option.origin.path, option.origin.span, (
                    f"{script.name} requires option {option.flags[0]}, which the hyperparameters of "
                    f"{step.declared_by} lack"), related_paths=[step.origin.path],
                    help=f"Script mode passes only the hyperparameters as --key value, so parse_args() exits with "
                         f"'the following arguments are required' when the job starts. Add '{key}' to the "
                         f"{step.sdk.job_class}'s hyperparameters= or give the option a default.")


HYPERPARAMETER_TRAIN = '''\
import json
import os

with open("/opt/ml/input/config/hyperparameters.json") as handle:
    hyperparameters = json.load(handle)
n_estimators = int(hyperparameters["n_estimators"])
criterion = hyperparameters.get("criterion", "gini")
if criterion == "entropy":
    print("splitting on information gain")
train_dir = os.environ["SM_CHANNEL_TRAIN"]
'''
RAW_USE_EFFECTS = {
    "compare": "so the value read is {encoded}, never equal to a plain string literal",
    "int": "so int() of {encoded} raises ValueError",
    "float": "so float() of {encoded} raises ValueError",
    "getattr": "so getattr() looks up an attribute named {encoded}, quotes included",
    "os.path.join": "so the path holds {encoded}, quotes included",
}
MAX_SHOWN_VALUE = 24


def _shown(value: str) -> str:
    """The JSON encoding of a string hyperparameter as a Python literal (``'"adam"'``), or a
    description when it is long."""
    encoded = json.dumps(value)
    return repr(encoded) if len(encoded) <= MAX_SHOWN_VALUE else "the value in double quotes"


class EncodedHyperparameterReadRaw(Rule):
    code = "SL708"
    name = "encoded-hyperparameter-read-raw"
    summary = ("A training script that reads a string hyperparameter from hyperparameters.json with json.load and "
               "uses it as it is, while its framework estimator JSON-encodes every value.")
    rationale = (
        "Framework estimators (PyTorch, TensorFlow, SKLearn, XGBoost, HuggingFace, MXNet, Chainer, RLEstimator: "
        "subclasses of sagemaker.estimator.Framework) JSON-encode every hyperparameter value: "
        "Framework.set_hyperparameters and Framework.hyperparameters() apply "
        "EstimatorBase._json_encode_hyperparameters, json.dumps per value (sagemaker/estimator.py, SDK 2.x), and "
        "SageMaker writes the job's HyperParameters to /opt/ml/input/config/hyperparameters.json unchanged. So "
        "hyperparameters={'optimizer': 'adam'} arrives in that file as \"\\\"adam\\\"\", quotes included (a number "
        "such as 100 arrives as \"100\", which int() reads). The training toolkit decodes each value once more "
        "before putting it on the script's command line and in SM_HP_<KEY> (read_hyperparameters in "
        "sagemaker_training/environment.py); a script that json.load()s the file itself does not get that step. "
        "Reported when the step's estimator is a framework estimator, the key's value in hyperparameters= or "
        "set_hyperparameters(...) is a string literal, and the script binds json.load(<that file>) to a name "
        "once and uses the value as it is: compared with a string (a literal or module constant, == / != / in), "
        "passed to int() or float() or getattr(), or joined into a path. A pipeline parameter is not encoded (it is rendered "
        "as a reference) and is not reported; neither is a PyTorch estimator with a training_recipe (a Nova "
        "recipe keeps strings), a generic Estimator (it encodes only with source_dir set), or a value the "
        "script decodes (json.loads) or strips of its quotes."
    )
    severity = Severity.WARNING
    bad_examples = (Example(pipeline_project(
        ('hyperparameters={"n_estimators": 100}', 'hyperparameters={"n_estimators": 100, "criterion": "entropy"}'),
        (TRAIN, SOURCES[TRAIN], HYPERPARAMETER_TRAIN))),)
    good_examples = (
        Example(pipeline_project(
            ('hyperparameters={"n_estimators": 100}', 'hyperparameters={"n_estimators": 100, "criterion": "entropy"}'),
            (TRAIN, SOURCES[TRAIN], HYPERPARAMETER_TRAIN.replace('hyperparameters.get("criterion", "gini")',
                                                                 'json.loads(hyperparameters.get("criterion", '
                                                                 '\'"gini"\'))')))),
        Example(pipeline_project(
            ('hyperparameters={"n_estimators": 100}', 'hyperparameters={"n_estimators": 100, "criterion": criterion}'),
            ('    estimator = SKLearn(',
             '    criterion = ParameterString(name="Criterion", default_value="entropy")\n    estimator = SKLearn('),
            (TRAIN, SOURCES[TRAIN], HYPERPARAMETER_TRAIN),
            ('parameters=[input_data]', 'parameters=[input_data, criterion]'))),
    )

    def check(self, context):
        reported = set()  # one finding per (script, key), however many steps run the script
        for step in _sdk_steps(context):
            sdk = step.sdk
            if step.kind != "training" or sdk.job_class not in FRAMEWORK_ESTIMATORS or step.script is None \
                    or not sdk.raw_hyperparameters or not isinstance(sdk.hyperparameters, tuple):
                continue
            values = {entry.name: entry.value for entry in sdk.hyperparameters}  # the last one set wins
            for read in sdk.raw_hyperparameters:
                value = values.get(read.name)
                if not isinstance(value, str) or (read.origin, read.name) in reported:
                    continue
                reported.add((read.origin, read.name))
                kind, phrase = read.value
                encoded = _shown(value)
                effect = RAW_USE_EFFECTS[kind].format(encoded=encoded)
                message = (f"{step.script.name} uses hyperparameters.json['{read.name}'] undecoded ({phrase}); "
                           f"{sdk.job_class} JSON-encodes it")
                if len(message) > MESSAGE_WIDTH:
                    message = (f"{step.script.name} uses hyperparameters.json['{read.name}'] undecoded; "
                               f"{sdk.job_class} JSON-encodes it")
                yield self.finding(read.origin.path, read.origin.span, message, related_paths=[step.origin.path],
                    help=f"The {sdk.job_class} estimator of {step.declared_by} JSON-encodes every hyperparameter "
                         f"value (EstimatorBase._json_encode_hyperparameters): the file holds {encoded} for "
                         f"'{read.name}' ({phrase} here), {effect}. Decode it with json.loads(...) first, or take it from the "
                         f"command line with argparse, where the framework container passes it decoded.")


XGBOOST_FRAMEWORK = "XGBoost"


class XGBoostWithoutEntryPoint(Rule):
    code = "SL709"
    name = "xgboost-without-entry-point"
    summary = "sagemaker.xgboost.XGBoost, a framework estimator that runs a script, used without an entry_point."
    rationale = (
        "sagemaker.xgboost.XGBoost is a framework estimator: it runs the training script given as entry_point "
        "in SageMaker's XGBoost container, and its constructor requires it "
        "(XGBoost.__init__(self, entry_point, framework_version, source_dir=None, ...), "
        "sagemaker/xgboost/estimator.py, SDK 2.x), so constructing one without it raises TypeError (missing 1 "
        "required positional argument: 'entry_point') when the pipeline is built. Code written this way usually "
        "means SageMaker's built-in XGBoost algorithm, which is the generic sagemaker.estimator.Estimator with "
        "image_uri=sagemaker.image_uris.retrieve('xgboost', region, version=...) and a 'train' channel (SL706). "
        "Arguments passed through **kwargs keep it silent."
    )
    bad_examples = (Example(pipeline_project(
        ('''estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                        py_version="py3", role=role, instance_type="ml.m5.large",
                        hyperparameters={"n_estimators": 100})''',
         '''estimator = XGBoost(framework_version="1.7-1", role=role, instance_type="ml.m5.large",
                         instance_count=1, hyperparameters={"num_round": 100})'''),
        ("from sagemaker.inputs import TrainingInput\n",
         "from sagemaker.inputs import TrainingInput\nfrom sagemaker.xgboost import XGBoost\n"))),)
    good_examples = (Example(pipeline_project(
        ('''estimator = SKLearn(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.2-1",
                        py_version="py3", role=role, instance_type="ml.m5.large",
                        hyperparameters={"n_estimators": 100})''',
         '''estimator = XGBoost(entry_point=os.path.join(BASE_DIR, "train.py"), framework_version="1.7-1",
                         role=role, instance_type="ml.m5.large", instance_count=1,
                         hyperparameters={"n_estimators": 100})'''),
        ("from sagemaker.inputs import TrainingInput\n",
         "from sagemaker.inputs import TrainingInput\nfrom sagemaker.xgboost import XGBoost\n"))),)

    def check(self, context):
        reported = set()
        for step in _sdk_steps(context):
            sdk = step.sdk
            if sdk.job_class != XGBOOST_FRAMEWORK or sdk.entry_point is not None or sdk.job_origin is None \
                    or step.kind not in ("training", "tuning") or sdk.job_origin in reported:
                continue
            reported.add(sdk.job_origin)
            yield self.finding(sdk.job_origin.path, sdk.job_origin.span,
                               f"the XGBoost estimator of {step.declared_by} has no entry_point",
                               help="sagemaker.xgboost.XGBoost runs a training script and requires entry_point: "
                                    "constructing it raises TypeError (missing 1 required positional argument: "
                                    "'entry_point') when the pipeline is built. For the built-in XGBoost algorithm, "
                                    "use sagemaker.estimator.Estimator with image_uri=sagemaker.image_uris."
                                    "retrieve('xgboost', region, version=...) and a 'train' channel; to run a "
                                    "script, pass entry_point=.")


COLLECTIONS = ("RegisterModel", "ModelStep")  # StepCollections: their steps are named '<name>-...'
REFERENCE_WORDS = {"JsonGet": "JsonGet(step_name=...)", "depends_on": "depends_on"}


class StepNamedNotInPipeline(Rule):
    code = "SL710"
    name = "step-named-not-in-pipeline"
    summary = ("A step named in JsonGet(step_name=...) or depends_on that the Pipeline's steps (condition "
               "branches included) do not contain.")
    rationale = (
        "Building the definition (Pipeline.definition(), StepsCompiler in sagemaker/workflow/_steps_compiler.py, "
        "SDK 2.199 and later) maps the names of the steps given in Pipeline(steps=[...]), of the ConditionSteps' "
        "if_steps/else_steps and of the StepCollections' steps (_generate_step_map). Steps reached as objects, "
        "through <step>.properties... or depends_on=[step], are added to the definition even when steps= does "
        "not list them, so those are not reported. A step referred to by its name is looked up in that map "
        "only: JsonGet(step_name=step.name, property_file=...) in a condition and a name in depends_on (or "
        "add_depends_on) raise ValueError ('The input steps do not contain the step of name: ...') "
        "(StepsCompiler._simplify_step_list) when the step is not listed. Reported only when every step the "
        "Pipeline lists is known and the name is known; a name that may belong to a step of a listed "
        "RegisterModel or ModelStep ('<name>-...') is not reported."
    )
    bad_examples = (
        Example(pipeline_project(('steps=[step_process, step_train, step_eval, step_cond]',
                                  'steps=[step_process, step_train, step_cond]'))),
        Example(pipeline_project(('if_steps=[],', 'if_steps=[],\n        depends_on=["EvaluateChurnModel"],'))),
    )
    good_examples = (
        Example(pipeline_project()),
        Example(pipeline_project(('steps=[step_process, step_train, step_eval, step_cond]',
                                  'steps=[step_train, step_eval, step_cond]'))),
        Example(pipeline_project(('if_steps=[],', 'if_steps=[],\n        depends_on=[step_eval.name],'))),
    )

    def check(self, context):
        reported = set()
        for step in _sdk_steps(context):
            for pipeline in step.sdk.pipelines:
                if not isinstance(pipeline.steps, tuple) or not all(isinstance(name, str)
                                                                     for name, _, _ in pipeline.steps):
                    continue
                names = {name for name, _, _ in pipeline.steps}
                collections = [name for name, _, cls in pipeline.steps if cls in COLLECTIONS]
                for reference in step.sdk.step_references:
                    name = reference.name
                    key = (pipeline.origin, reference.origin, name)
                    if name in names or key in reported or any(name.startswith(f"{collection}-")
                                                                for collection in collections):
                        continue
                    reported.add(key)
                    where = (f"Pipeline '{pipeline.name}' (line {pipeline.origin.span.line})"
                             if isinstance(pipeline.name, str) else f"the Pipeline at line {pipeline.origin.span.line}")
                    remedy = ("Add the step to its steps=[...] (or a condition branch)" if reference.value == "JsonGet"
                              else "Add the step to its steps=[...], or pass the step object to depends_on")
                    yield self.finding(reference.origin.path, reference.origin.span, (
                        f"{REFERENCE_WORDS[reference.value]} names step '{name}', which the Pipeline's steps do "
                        f"not include"), related_paths=[pipeline.origin.path],
                        help=f"{step.declared_by} is in {where}, whose steps (condition branches included) do not "
                             f"include '{name}'. The SDK looks a step named by a string up among those only: "
                             f"building the definition raises ValueError (The input steps do not contain the step of name: "
                             f"{name}). {remedy}.")
