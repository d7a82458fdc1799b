"""Steps of one plain SageMaker SDK pipeline file, from the evaluator's objects.

What each SDK 2.x class contributes (``sagemaker/workflow/steps.py``,
``sagemaker/processing.py``, ``sagemaker/estimator.py``, ``sagemaker/job.py``):

- ``ProcessingStep(name, processor, inputs=[ProcessingInput(source, destination,
  input_name)], outputs=[ProcessingOutput(output_name, source, destination)], code,
  job_arguments, property_files)``, or ``ProcessingStep(name, step_args=processor.run(
  code, source_dir, inputs, outputs, arguments))``: with ``step_args`` the SDK builds the
  request from the ``run`` call alone and ignores ``inputs``/``outputs``/``code``/
  ``job_arguments`` of the step. Unnamed inputs and outputs are ``input-N`` / ``output-N``
  (``Processor._normalize_inputs``/``_normalize_outputs``); ``code=`` adds the input
  ``code`` at ``/opt/ml/processing/input/code``. The processor's ``env=`` is the
  container's environment.
- ``TrainingStep(name, estimator, inputs)`` or ``TrainingStep(name,
  step_args=estimator.fit(inputs))``: a dict of inputs gives one channel per key; a single
  S3 URI, ``TrainingInput`` or pipeline variable gives the channel ``training``
  (``_Job._format_inputs_to_input_config``). Each channel is mounted at
  ``/opt/ml/input/data/<channel>``. The estimator's ``hyperparameters=`` (and
  ``set_hyperparameters``) reach a framework script as ``--key value``; ``environment=``
  is its environment; ``entry_point`` in ``source_dir`` is the script.
- ``TransformStep``, ``ModelStep`` (``model.create()`` -> ``DescribeModelOutput``,
  ``model.register()`` -> ``DescribeModelPackageOutput``), ``CreateModelStep``,
  ``RegisterModel``, ``TuningStep``, ``ConditionStep``, ``FailStep`` ...: their kind,
  name, and the properties read of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from steplint.model.steps import (
    NOTHING,
    Answer,
    Declared,
    Origin,
    PathKey,
    PipelineRef,
    PropertyRead,
    SdkStep,
    Step,
    Supply,
    Terms,
)
from steplint.model.values import Unknown
from steplint.readers.pipeline.values import Dict, Key, Local, Name, Obj, Prop, Seq, StepName
from steplint.sagemaker.facts import ESTIMATORS, PROCESSORS, STEP_CLASS_KINDS, STEP_CLASSES

SDK_PREFIX = "sagemaker."
PARAMETER_MODULE = "sagemaker.workflow.parameters."
WORKFLOW_MODULE = "sagemaker.workflow."
PIPELINE_CLASS = "Pipeline"
TRAINING_ROOT = "/opt/ml/input/data"
DEFAULT_CHANNEL = "training"
STEP_ARGS_IGNORES = {"ProcessingStep": ("processor", "inputs", "outputs", "code", "job_arguments"),
                     "TrainingStep": ("estimator", "inputs"), "TransformStep": ("transformer", "inputs")}
VERSION_KEYWORDS = ("framework_version", "py_version", "transformers_version", "pytorch_version",
                    "tensorflow_version")
RESPONSES = {"TrainingStep": "training", "ProcessingStep": "processing", "TransformStep": "transform",
             "CreateModelStep": "model", "RegisterModel": "register_model", "TuningStep": "tuning"}
MAX_WALK = 2000
JOB_CALLS = (".run", ".fit", ".transform", ".create", ".register")

# where a step built with the SDK declares each kind of thing (sagemaker.processing, sagemaker.estimator)
SDK_TERMS = Terms("the step's inputs", "the step's outputs", "the env= of its processor or estimator",
                  "the step's job_arguments")


@dataclass(frozen=True)
class PipelineFile:
    """The facts of one pipeline file: its steps (``PlannedStep``), each with its script's
    candidate paths."""

    path: str
    steps: tuple


@dataclass(frozen=True)
class PlannedStep:
    """A step as read from its file, and the display paths its script may be at (tried in
    order; the reader fills in ``Step.script`` from the first that is a Python file of the
    run)."""

    step: Step
    scripts: tuple


def is_sdk(obj: object, names) -> bool:
    return isinstance(obj, Obj) and obj.func.startswith(SDK_PREFIX) and obj.last in names


def step_objects(objects: list) -> list:
    return [obj for obj in objects if is_sdk(obj, STEP_CLASSES)]


class FileSteps:
    """Builds the ``PlannedStep``s of one file from its evaluated objects."""

    def __init__(self, display: str, objects: list, props: dict) -> None:
        self.display = display
        self.directory = display.rsplit("/", 1)[0] if "/" in display else ""
        self.objects = objects
        self.props = props
        self.steps = step_objects(objects)
        self.pipelines = [obj for obj in objects if is_sdk(obj, (PIPELINE_CLASS,))
                          and obj.func.startswith("sagemaker.workflow")]

    def origin(self, span) -> Origin:
        return Origin(self.display, span)

    def planned(self) -> list:
        pipelines = [(pipeline, self._pipeline_ref(pipeline)) for pipeline in self.pipelines]
        jobs: dict = {}
        unlinked = False
        for obj in self.steps:
            job, _ = self._job(obj, obj.last, obj.kwarg("step_args"))
            if isinstance(job, Obj):
                jobs.setdefault(id(job), [job, 0])[1] += 1
            elif isinstance(job, Unknown):
                unlinked = True
        # Shared: used by several steps, or run/fit several times, or there is a step whose job
        # steplint cannot tell (which may be this one).
        self.shared = {key for key, (job, count) in jobs.items()
                       if unlinked or count > 1 or sum(call.func in JOB_CALLS for call in job.calls) > 1}
        return [self._planned(obj, pipelines) for obj in self.steps]

    # -- pipelines -----------------------------------------------------------------
    def _listed_steps(self, value, depth: int = 0):
        """The step objects of a ``steps=`` list and of condition steps' branches; None when
        any item is not a step known here."""
        if not isinstance(value, Seq) or depth > 20:
            return None
        found = []
        for item in value.items:
            if not is_sdk(item, STEP_CLASSES):
                return None
            found.append(item)  # a step listed twice is kept: the SDK rejects it as a duplicate name
            if item.last == "ConditionStep":
                for branch in ("if_steps", "else_steps"):
                    inner = item.kwarg(branch)
                    if inner is None:
                        continue
                    nested = self._listed_steps(inner, depth + 1)
                    if nested is None:
                        return None
                    found.extend(nested)
        return found

    def _pipeline_ref(self, pipeline: Obj):
        listed = self._listed_steps(pipeline.kwarg("steps"))
        parameters = pipeline.kwarg("parameters")
        names: tuple | Unknown
        if parameters is None:
            names = ()
        elif isinstance(parameters, Seq) and all(_parameter_name(item) is not None for item in parameters.items):
            names = tuple(_parameter_name(item) for item in parameters.items)
        else:
            names = Unknown("the pipeline's parameters are not all known")
        steps: tuple | Unknown = Unknown("the pipeline's steps are not all known")
        if listed is not None:
            steps = tuple((_rendered_name(step), self.origin(step.span_of("name")), step.last) for step in listed)
        ref = PipelineRef(plain(pipeline.kwarg("name")), self.origin(pipeline.span_of("parameters")), names, steps)
        return ref, {id(step) for step in listed or ()}

    # -- one step ------------------------------------------------------------------
    def _planned(self, obj: Obj, pipelines: list) -> PlannedStep:
        cls = obj.last
        name = obj.kwarg("name", 0)
        label = f"{cls} '{name}'" if isinstance(name, str) else f"the {cls} at line {obj.span.line}"
        kind = STEP_CLASS_KINDS.get(cls) or cls.removesuffix("Step").lower() or None
        step_args = obj.kwarg("step_args")
        if isinstance(step_args, Unknown) and "step_args" not in obj.kwargs:
            # only ``**kwargs`` might carry it: cannot tell, so the step is read as written (the
            # job object by keyword, Unknown when absent) and no argument is called ignored
            step_args = None
        via_step_args = step_args is not None
        job, call = self._job(obj, cls, step_args)
        parts = {"container_inputs": (), "container_outputs": (), "declared_env": (), "declared_arguments": (),
                 "env": NOTHING, "arguments": NOTHING, "channels": None}
        scripts: tuple = ()
        code_input = Answer.NO
        if cls == "ProcessingStep":
            parts, scripts, code_input = self._processing(obj, job, call, via_step_args)
        elif cls == "TrainingStep":
            parts, scripts = self._training(obj, job, call, via_step_args)
        elif cls == "TuningStep":
            job, parts = self._tuning(obj, job, call, via_step_args, parts)
        job_class = job.last if isinstance(job, Obj) and job.func.startswith(SDK_PREFIX) else None
        sdk = SdkStep(
            step_class=cls, job_class=job_class, via_step_args=via_step_args,
            response=self._response(cls, call),
            ignored=self._ignored(obj, cls, via_step_args),
            code_input=code_input,
            property_reads=self._property_reads(obj),
            property_files=self._property_files(obj),
            versions=self._versions(job),
            parameters=self._parameters(obj),
            pipelines=tuple(ref for pipeline, (ref, members) in pipelines if id(obj) in members),
            name_origin=self.origin(obj.span_of("name")),
            hyperparameters=self._hyperparameter_entries(job) if cls in ("TrainingStep", "TuningStep") else (),
            entry_point=(plain(job.kwarg("entry_point", 0)) if not isinstance(job.kwarg("entry_point", 0), Local)
                         else job.kwarg("entry_point", 0).path) if is_sdk(job, ESTIMATORS) else None,
            job_origin=self.origin(job.span) if job_class is not None else None,
            step_references=self._step_references(obj),
        )
        step = Step(
            name=name if isinstance(name, str) else label, kind=kind, origin=self.origin(obj.span),
            declared_by=label, built_by=(label,), builder_paths=(self.display,), script=None,
            related=(self.display,), sdk=sdk, terms=SDK_TERMS, **parts)
        return PlannedStep(step, scripts)

    def _job(self, obj: Obj, cls: str, step_args):
        """(the processor / estimator / transformer / model, the ``run``/``fit``/... call or
        None); Unknown when not known."""
        if step_args is not None:
            if isinstance(step_args, Obj) and step_args.func.startswith(".") and step_args.receiver is not None:
                return step_args.receiver, step_args
            return Unknown("step_args= is not a call steplint can read", obj.span_of("step_args")), None
        keyword = {"ProcessingStep": "processor", "TrainingStep": "estimator", "TransformStep": "transformer",
                   "CreateModelStep": "model", "TuningStep": "tuner"}.get(cls)
        if keyword is None:
            return None, None
        job = obj.kwarg(keyword)
        return (job if job is not None else Unknown(f"no {keyword}=")), None

    def _response(self, cls: str, call) -> str | None:
        if cls == "ModelStep":
            method = call.func if isinstance(call, Obj) else None
            return {".create": "model", ".register": "register_model"}.get(method)
        return RESPONSES.get(cls)

    def _ignored(self, obj: Obj, cls: str, via_step_args: bool) -> tuple:
        if not via_step_args:
            return ()
        return tuple(Declared(keyword, None, self.origin(obj.span_of(keyword)))
                     for keyword in STEP_ARGS_IGNORES.get(cls, ()) if keyword in obj.kwargs)

    # -- processing ----------------------------------------------------------------
    def _processing(self, obj: Obj, job, call, via_step_args: bool):
        source = call if via_step_args else obj
        if via_step_args and call is None:
            unknown = Unknown("step_args= is not a processor.run(...) call steplint can read")
            return ({"container_inputs": unknown, "container_outputs": unknown, "declared_env": unknown,
                     "declared_arguments": unknown, "env": Supply.unknown(unknown.reason),
                     "arguments": Supply.unknown(unknown.reason), "channels": None}, (), Answer.UNKNOWN)
        if len(source.args) > (1 if via_step_args else 2):
            positional = Unknown("inputs or outputs may be passed positionally")
            inputs = outputs = positional
        else:
            inputs = self._io(source.kwarg("inputs"), "ProcessingInput", "destination", "input_name", "input")
            outputs = self._io(source.kwarg("outputs"), "ProcessingOutput", "source", "output_name", "output")
        code = source.kwarg("code", 0 if via_step_args else None)
        arguments_keyword = "arguments" if via_step_args else "job_arguments"
        declared_arguments, arguments = self._arguments(source.kwarg(arguments_keyword), source,
                                                        arguments_keyword)
        declared_env, env = self._environment(job, "env", PROCESSORS)
        source_dir = call.kwarg("source_dir") if via_step_args and call is not None else None
        if code is None:
            code_input = Answer.NO
        elif isinstance(code, (str, Local)):
            code_input = Answer.YES
        else:
            code_input = Answer.UNKNOWN
        return ({"container_inputs": inputs, "container_outputs": outputs, "declared_env": declared_env,
                 "declared_arguments": declared_arguments, "env": env, "arguments": arguments, "channels": None},
                self._scripts(code, source_dir), code_input)

    def _io(self, value, cls: str, path_keyword: str, name_keyword: str, noun: str):
        if value is None:
            return ()
        if not isinstance(value, Seq):
            return Unknown(f"the {noun}s are not a list steplint can read")
        entries = []
        for index, item in enumerate(value.items):
            if not is_sdk(item, (cls,)):
                return Unknown(f"{noun} {index + 1} is not a {cls}(...) steplint can read")
            name = item.kwarg(name_keyword)
            if name is None:
                name = f"{noun}-{index + 1}"
            elif not isinstance(name, str):
                return Unknown(f"the {name_keyword} of {noun} {index + 1} is not known")
            path = item.kwarg(path_keyword, 1 if cls == "ProcessingInput" else 0)
            if path is None and cls == "ProcessingInput":  # ProcessingInput(s3_input=S3Input(local_path=...))
                for keyword in ("s3_input", "dataset_definition"):
                    nested = item.kwarg(keyword)
                    if isinstance(nested, Obj) and nested.kwarg("local_path") is not None:
                        path = nested.kwarg("local_path")
            if not isinstance(path, str):
                path = Unknown(f"{path_keyword}= is not a known string")
            entries.append(Declared(name, path, self.origin(item.span_of(path_keyword))))
        return tuple(entries)

    def _arguments(self, value, source: Obj, keyword: str):
        """(declared arguments, Supply of option names) of a container argument list."""
        if value is None:
            return (), NOTHING
        if not isinstance(value, Seq):
            return (Unknown(f"{keyword}= is not a list steplint can read"),
                    Supply.unknown(f"{keyword}= is not a list steplint can read"))
        declared, names, known, expects_value = [], set(), True, False
        for index, item in enumerate(value.items):
            if isinstance(item, str) and item.startswith("-"):
                flag, _, inline = item.partition("=")
                names.add(flag.lstrip("-").replace("-", "_"))
                following = value.items[index + 1] if index + 1 < len(value.items) else None
                declared.append(Declared(flag, plain(inline or following), self.origin(source.span_of(keyword))))
                expects_value = not inline
            elif isinstance(item, str) or expects_value:
                expects_value = False
            else:
                known = False
        supply = Supply(frozenset(names), known, "" if known else f"an item of {keyword}= is not known")
        return (tuple(declared) if known else Unknown(f"an item of {keyword}= is not known")), supply

    def _environment(self, job, keyword: str, classes):
        if not is_sdk(job, classes):
            why = "the job's class is not one steplint knows"
            return Unknown(why), Supply.unknown(why)
        if keyword in job.changed or any(call.func == f".{keyword}" for call in job.calls):
            why = f"{keyword} is changed after construction"
            return Unknown(why), Supply.unknown(why)
        value = job.kwarg(keyword)
        if value is None:
            return (), NOTHING
        if not isinstance(value, Dict) or not all(isinstance(key, str) for key in value.keys):
            why = f"{keyword}= of the {job.last} is not a dict steplint can read"
            return Unknown(why), Supply.unknown(why)
        entries = tuple(Declared(key, plain(item), self.origin(span))
                        for key, item, span in zip(value.keys, value.values, value.key_spans))
        if id(job) in getattr(self, "shared", ()):
            # A processor or estimator several steps use sets its environment for all of them: a
            # variable one step's script does not read may be another's, so none is this step's own.
            return (), Supply(frozenset(value.keys))
        return entries, Supply(frozenset(value.keys))

    # -- training ------------------------------------------------------------------
    def _training(self, obj: Obj, job, call, via_step_args: bool):
        if via_step_args and call is None:
            unknown = Unknown("step_args= is not an estimator.fit(...) call steplint can read")
            return ({"container_inputs": unknown, "container_outputs": (), "declared_env": unknown,
                     "declared_arguments": unknown, "env": Supply.unknown(unknown.reason),
                     "arguments": Supply.unknown(unknown.reason),
                     "channels": Supply.unknown(unknown.reason)}, ())
        inputs = call.kwarg("inputs", 0) if via_step_args else obj.kwarg("inputs")
        where = call if via_step_args else obj
        entries, channels = self._channels(inputs, where)
        declared_env, env = self._environment(job, "environment", ESTIMATORS)
        arguments = self._hyperparameters(job)
        entry_point = job.kwarg("entry_point", 0) if is_sdk(job, ESTIMATORS) else None
        source_dir = job.kwarg("source_dir") if is_sdk(job, ESTIMATORS) else None
        return ({"container_inputs": entries, "container_outputs": (), "declared_env": declared_env,
                 "declared_arguments": Unknown("hyperparameters reach the script as --key value; whether its "
                                               "parser accepts unknown options is not checked"),
                 "env": env, "arguments": arguments, "channels": channels},
                self._scripts(entry_point, source_dir))

    def _tuning(self, obj: Obj, tuner, call, via_step_args: bool, parts: dict):
        """A tuning step's channels (``tuner.fit(inputs)``, or ``TuningStep(tuner, inputs)``) and
        the estimator it tunes (its image, entry point and versions); no script is linked, as the
        training jobs' hyperparameters vary."""
        if not is_sdk(tuner, ("HyperparameterTuner",)) or (via_step_args and call is None):
            return tuner, parts
        estimator = tuner.kwarg("estimator", 0)
        inputs = call.kwarg("inputs", 0) if via_step_args else obj.kwarg("inputs")
        entries, channels = self._channels(inputs, call if via_step_args else obj)
        return (estimator if is_sdk(estimator, ESTIMATORS) else tuner,
                {**parts, "container_inputs": entries, "channels": channels})

    def _channels(self, inputs, where: Obj):
        span = where.span_of("inputs")
        if inputs is None:
            return (), Supply(frozenset())
        if isinstance(inputs, Dict):
            if not all(isinstance(key, str) for key in inputs.keys):
                why = "a channel name is not known"
                return Unknown(why), Supply.unknown(why)
            entries = tuple(Declared(key, f"{TRAINING_ROOT}/{key}", self.origin(key_span))
                            for key, key_span in zip(inputs.keys, inputs.key_spans))
            return entries, Supply(frozenset(inputs.keys))
        single = (isinstance(inputs, (str, Prop)) or is_sdk(inputs, ("TrainingInput", "FileSystemInput"))
                  or (isinstance(inputs, Obj) and inputs.func.startswith(PARAMETER_MODULE)))
        if single:
            return ((Declared(DEFAULT_CHANNEL, f"{TRAINING_ROOT}/{DEFAULT_CHANNEL}", self.origin(span)),),
                    Supply(frozenset({DEFAULT_CHANNEL})))
        why = "the training inputs are not a dict or single input steplint can read"
        return Unknown(why), Supply.unknown(why)

    def _hyperparameter_entries(self, job) -> tuple | Unknown:
        """``Declared(key, value, origin of the key)`` of the estimator's ``hyperparameters=``
        and ``set_hyperparameters(...)`` calls; Unknown when not all keys are known."""
        if not is_sdk(job, ESTIMATORS):
            return Unknown("the estimator is not known")
        if "hyperparameters" in job.changed:
            return Unknown("the hyperparameters are changed after construction")
        if job.kwarg("training_recipe") is not None:
            # a recipe sets hyperparameters too, and a Nova recipe keeps strings as they are
            # (EstimatorBase._nova_encode_hyperparameters, sagemaker/estimator.py)
            return Unknown("a training_recipe sets hyperparameters too")
        entries = []
        written = job.kwarg("hyperparameters")
        if written is not None:
            if not isinstance(written, Dict) or not all(isinstance(key, str) for key in written.keys):
                return Unknown("the hyperparameters are not all known")
            entries.extend(Declared(key, plain(value), self.origin(span))
                           for key, value, span in zip(written.keys, written.values, written.key_spans))
        for call in job.calls:
            if call.func != ".set_hyperparameters":
                continue
            if call.star or call.args:
                return Unknown("set_hyperparameters(...) is not known")
            entries.extend(Declared(key, plain(value), self.origin(call.span_of(key)))
                           for key, value in call.kwargs.items())
        return tuple(entries)

    def _hyperparameters(self, job) -> Supply:
        entries = self._hyperparameter_entries(job)
        if isinstance(entries, Unknown):
            return Supply.unknown(entries.reason)
        return Supply(frozenset(entry.name.replace("-", "_") for entry in entries))

    # -- scripts, versions, properties, parameters ---------------------------------
    def _scripts(self, code, source_dir) -> tuple:
        """Display paths the script may be at: relative to the pipeline file's directory
        first, then to the root of the run."""
        if isinstance(code, Local):
            base = code.path
        elif isinstance(code, str) and "://" not in code:
            base = code
        else:
            return ()
        if source_dir is not None:
            if isinstance(source_dir, Local):
                base = f"{source_dir.path}/{base}"
            elif isinstance(source_dir, str) and "://" not in source_dir:
                base = f"{source_dir.rstrip('/')}/{base}"
            else:
                return ()
        base = base.removeprefix("./")
        if base.startswith("/") or isinstance(code, Local) or isinstance(source_dir, Local):
            local = _normalized(f"{self.directory}/{base}" if self.directory else base)
            return (local,) if local else ()
        candidates = [_normalized(f"{self.directory}/{base}" if self.directory else base), _normalized(base)]
        return tuple(dict.fromkeys(candidate for candidate in candidates if candidate))

    def _versions(self, job) -> tuple:
        if not isinstance(job, Obj):
            return ()
        found = []
        for keyword in VERSION_KEYWORDS:
            value = job.kwarg(keyword)
            if value is not None:
                found.append(Declared(keyword, plain(value), self.origin(job.span_of(keyword))))
        image = job.kwarg("image_uri")
        if isinstance(image, Obj) and image.func.endswith("image_uris.retrieve"):
            # sagemaker.image_uris.retrieve(framework, region, version, py_version, ..., image_scope)
            for keyword, position, name in (("framework", 0, "framework"), ("version", 2, "framework_version"),
                                            ("py_version", 3, "py_version"), ("image_scope", None, "image_scope"),
                                            ("instance_type", 4, "instance_type")):
                value = image.kwarg(keyword, position)
                if keyword == "instance_type":
                    value = _parameter_default(value)
                if value is not None:
                    found.append(Declared(name, plain(value), self.origin(image.span_of(keyword))))
        estimator_cls = job.kwarg("estimator_cls")
        if isinstance(estimator_cls, Name):
            found.append(Declared("estimator_cls", estimator_cls.last, self.origin(job.span_of("estimator_cls"))))
        return tuple(found)

    def _property_reads(self, obj: Obj) -> tuple:
        reads = []
        for prop in self.props.values():
            if prop.target is not obj:
                continue
            keys = tuple(PathKey(part.value, self.origin(part.span), part.start, part.end, part.quote)
                         for part in prop.parts if isinstance(part, Key))
            reads.append(PropertyRead(prop.path, self.origin(prop.span), keys))
        return tuple(sorted(reads, key=lambda read: (read.origin.span.line, read.origin.span.col)))

    def _property_files(self, obj: Obj) -> tuple:
        files = obj.kwarg("property_files")
        if not isinstance(files, Seq):
            return ()
        found = []
        for item in files.items:
            if is_sdk(item, ("PropertyFile",)):
                output_name = item.kwarg("output_name", 1)
                found.append(Declared(output_name if isinstance(output_name, str) else Unknown("output_name"),
                                      plain(item.kwarg("name", 0)), self.origin(item.span_of("output_name"))))
        return tuple(found)

    def _step_references(self, obj: Obj) -> tuple:
        """``Declared(step name, how, origin)`` of the steps ``obj`` names rather than passes:
        ``JsonGet(step_name=...)`` anywhere in its arguments (``how`` ``JsonGet``), and names
        (a string, or ``<step>.name``) in its ``depends_on=`` and ``add_depends_on(...)``
        (``depends_on``). A step object passed in ``depends_on`` is not a name. Names that are
        not known are left out, and so are all of ``depends_on`` when it is assigned later."""
        found = []
        lists = [(obj.kwarg("depends_on"), obj.span_of("depends_on"))]
        lists += [(call.kwarg("step_names", 0), call.span) for call in obj.calls if call.func == ".add_depends_on"]
        if "depends_on" in obj.changed:  # step.depends_on = ... replaces the list: what it holds is not known
            lists = []
        for value, span in lists:
            if isinstance(value, Seq):
                for item in value.items:
                    name = _step_name(item)
                    if name is not None:
                        found.append(Declared(name, "depends_on", self.origin(span)))
        for value in self._walk(obj):
            if isinstance(value, Obj) and value.last == "JsonGet" and value.func.startswith(WORKFLOW_MODULE):
                name = _step_name(value.kwarg("step_name", 0))
                if name is not None:
                    found.append(Declared(name, "JsonGet", self.origin(value.span_of("step_name"))))
        return tuple(found)

    def _walk(self, obj: Obj):
        """Every value in ``obj``'s arguments (and the calls made on them), not entering other
        steps, at most ``MAX_WALK`` of them."""
        stack = [obj]
        seen: set = set()
        steps = 0
        while stack and steps < MAX_WALK:
            value = stack.pop()
            steps += 1
            if id(value) in seen:
                continue
            seen.add(id(value))
            yield value
            if isinstance(value, Obj):
                if value is not obj and is_sdk(value, STEP_CLASSES):
                    continue
                stack.extend(value.args)
                stack.extend(value.kwargs.values())
                if value.receiver is not None:
                    stack.append(value.receiver)
                stack.extend(value.calls)
            elif isinstance(value, Seq):
                stack.extend(value.items)
            elif isinstance(value, Dict):
                stack.extend(value.values)

    def _parameters(self, obj: Obj) -> tuple:
        """The pipeline parameters (``sagemaker.workflow.parameters`` objects) in ``obj``'s
        arguments, by name, each declared where it is first built."""
        found: dict = {}
        for value in self._walk(obj):
            if isinstance(value, Obj) and value.func.startswith(PARAMETER_MODULE):
                name = _parameter_name(value)
                if name is not None:
                    found.setdefault(name, Declared(name, value.last, self.origin(value.span)))
        return tuple(found.values())


def plain(value) -> object:
    """``value`` as the step model holds it: a literal stays, anything else (an SDK object, a
    property, a pipeline parameter) is Unknown."""
    if value is None or isinstance(value, (str, int, float, bool, Unknown)):
        return value
    return Unknown(f"{type(value).__name__.lower()} value, not a literal")


def _parameter_default(value) -> object:
    """A pipeline parameter's default value (what a definition-time lookup such as
    ``image_uris.retrieve(instance_type=param)`` is taken to use), else ``value``."""
    if isinstance(value, Obj) and value.func.startswith(PARAMETER_MODULE):
        default = value.kwarg("default_value", 1)
        return default if default is not None else Unknown("parameter without a default")
    return value


def _parameter_name(value) -> str | None:
    if isinstance(value, Obj) and value.func.startswith(PARAMETER_MODULE):
        name = value.kwarg("name", 0)
        return name if isinstance(name, str) else None
    return None


def _step_name(value) -> str | None:
    """The step name ``value`` is: a string, or ``<step>.name`` of a step whose name is a
    known string; None otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, StepName) and is_sdk(value.target, STEP_CLASSES):
        name = value.target.kwarg("name", 0)
        return name if isinstance(name, str) else None
    return None


def _rendered_name(step: Obj) -> object:
    name = step.kwarg("name", 0)
    return name if isinstance(name, str) else Unknown("step name")


def _normalized(path: str) -> str | None:
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None


__all__ = ["FileSteps", "PlannedStep", "StepName", "step_objects"]
