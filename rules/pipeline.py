"""SL7xx: plain SageMaker SDK pipelines (``pipeline.py`` building the SDK's step classes
directly), checked as the SDK and the service will treat them.

These rules read only the step model (``Step.sdk``, set by the plain-pipeline reader); the
SageMaker facts they state come from the SageMaker Python SDK 2.x
(``sagemaker/workflow/steps.py``, ``sagemaker/workflow/pipeline.py``,
``sagemaker/workflow/properties.py``, ``sagemaker/processing.py``), each cited where used.
What the reader could not follow is *cannot tell*, and they stay silent about it.
"""

from __future__ import annotations

import difflib

from steplint.model.steps import Answer
from steplint.rule import Applicability, Edit, Example, Fix, Rule
from steplint.rules._pipeline_examples import EVALUATE, TRAIN, pipeline_project
from steplint.sagemaker.facts import FRAMEWORK_ESTIMATORS
from steplint.sagemaker.paths import normalized

OUTPUTS_PATH = "properties.ProcessingOutputConfig.Outputs["
ARGUMENT_OUTPUTS = "arguments['ProcessingOutputConfig']['Outputs']"


def _sdk_steps(context) -> list:
    return [step for step in context.steps if step.sdk is not None]


def _close(name: str, names) -> str:
    by_lower = {candidate.lower(): candidate for candidate in sorted(names)}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.75)
    return f" (close to '{by_lower[close[0]]}')" if close else ""


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
            note = (" (its outputs= is ignored beside step_args=: the job's outputs are those of processor.run)"
                    if ignored else "")
            for read in step.sdk.property_reads:
                if read.path.startswith(ARGUMENT_OUTPUTS) and len(read.keys) >= 3:
                    key = read.keys[2]  # arguments['ProcessingOutputConfig']['Outputs'][i]
                    if isinstance(key.value, int) and not isinstance(key.value, bool) and not (
                            -len(names) <= key.value < len(names)):
                        yield self.finding(key.origin.path, key.origin.span, (
                            f"arguments['ProcessingOutputConfig']['Outputs'][{key.value}] points past the "
                            f"{len(names)} output(s) of {step.declared_by} ({listed}){note}; evaluating it raises "
                            f"IndexError when the pipeline is built: index an existing output"),
                            related_paths=[step.origin.path])
                    continue
                if not read.path.startswith(OUTPUTS_PATH) or not read.keys:
                    continue
                key = read.keys[0]
                if isinstance(key.value, str) and key.value not in names:
                    yield self.finding(key.origin.path, key.origin.span, (
                        f"Outputs['{key.value}'] names no output of {step.declared_by}, whose outputs are {listed}"
                        f"{note}{_close(key.value, names)}; the property resolves to nothing and the pipeline fails "
                        f"when a step reads it: use an output_name the step has"),
                        fix=self._fix(key, names), related_paths=[step.origin.path])
                elif isinstance(key.value, int) and not isinstance(key.value, bool) and not (
                        -len(names) <= key.value < len(names)):
                    yield self.finding(key.origin.path, key.origin.span, (
                        f"Outputs[{key.value}] points past the {len(names)} output(s) of {step.declared_by} "
                        f"({listed}){note}; the property resolves to nothing: index an existing output, or select "
                        f"it by name"), related_paths=[step.origin.path])
            for entry in step.sdk.property_files:
                if isinstance(entry.name, str) and entry.name not in names:
                    yield self.finding(entry.origin.path, entry.origin.span, (
                        f"PropertyFile '{entry.value}' reads output '{entry.name}' of {step.declared_by}, whose "
                        f"outputs are {listed}{note}{_close(entry.name, names)}; a JsonGet on it makes building the "
                        f"pipeline definition raise ValueError (Processing output name '{entry.name}' ... not found "
                        f"in processing step): name an output the step has"),
                        related_paths=[step.origin.path])

    @staticmethod
    def _fix(key, names):
        twin = _case_twin(key.value, names)
        if twin is None or not key.quote or key.quote in twin or "\\" in twin:
            return None
        return Fix(f"rename Outputs['{key.value}'] to Outputs['{twin}']", Applicability.SAFE,
                   (Edit(key.origin.path, key.start, key.end, f"{key.quote}{twin}{key.quote}"),))


IGNORED_EFFECTS = {
    "processor": "the SDK raises ValueError (either step_args or processor need to be given, but not both)",
    "estimator": "the SDK raises ValueError (either step_args or estimator need to be given)",
    "transformer": "the SDK raises ValueError (either step_args or transformer need to be given, but not both)",
    "inputs": "these inputs are never passed to the job",
    "outputs": "these outputs are never uploaded, and properties naming them resolve to nothing",
    "code": "this code is not what the job runs",
    "job_arguments": "these arguments never reach the script",
}


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
                effect = IGNORED_EFFECTS.get(entry.name, "it is not used")
                yield self.finding(entry.origin.path, entry.origin.span, (
                    f"{entry.name}= of {step.declared_by} is ignored: with step_args= the SDK builds the job from "
                    f"the {call}(...) call alone, so {effect}: pass it to {call}(...) instead"))


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
                    yield self.finding(origin.path, origin.span, (
                        f"step name '{name}' is {again} in the pipeline's steps (condition branches included); "
                        f"building the definition raises ValueError: Pipeline steps cannot have duplicate names: "
                        f"give each step its own name and list each step once"))


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
                        f"{parameter.value} '{parameter.name}' is used by {step.declared_by} but is not in the "
                        f"parameters= of the Pipeline at line {pipeline.origin.span.line}; the definition refers "
                        f"to Parameters.{parameter.name}, which it does not declare, so the pipeline cannot "
                        f"resolve it: add it to Pipeline(parameters=[...])"),
                        related_paths=[pipeline.origin.path])


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
                        f"input '{entry.name}' of {step.declared_by} is downloaded to {entry.value}, the "
                        f"destination of input '{seen[path].name}' too; both land in one directory, so files of "
                        f"one overwrite or mix with the other's: give each input its own destination"))
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
                f"{step.declared_by} runs the built-in XGBoost algorithm (an Estimator with the image of "
                f"image_uris.retrieve(framework='xgboost') and no entry_point), which reads its training data from "
                f"the channel 'train', but the step's channels are {listed}; the training job fails: name the "
                f"training channel 'train'"))


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
                    f"{script.name} requires option {option.flags[0]}, but the hyperparameters of the "
                    f"{step.sdk.job_class} of {step.declared_by} have no '{key}'; script mode passes only the "
                    f"hyperparameters as --key value, so parse_args() exits with 'the following arguments are "
                    f"required' when the job starts: add '{key}' to hyperparameters= or give the option a "
                    f"default"), related_paths=[step.origin.path])
