"""SL5xx: step code checked against SageMaker's own model.

Facts come from installed package data (``steplint.sagemaker.data``): botocore's SageMaker
service model for property paths and limits, the SDK's image configuration for framework
versions and its source for reserved hyperparameters. Each data set loads only when a rule
has an actual spec or builder value to check. Values the evaluator cannot determine
(``Unknown``) are skipped: the rules stay silent rather than guess.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from steplint.model.values import CallValue, Mapping, Ref, Seq, Span
from steplint.readers.python.project import Contract, Spec
from steplint.rule import Applicability, Edit, Example, Fix, Rule
from steplint.rules._sagemaker_examples import (
    builder_project,
    processing_project,
    property_path_project,
    with_script,
)
from steplint.sagemaker import data
from steplint.sagemaker.facts import FRAMEWORK_ESTIMATORS

PROPERTIES = "properties"
OUTPUTS_PREFIX = ("ProcessingOutputConfig", "Outputs")


# -- shared helpers ---------------------------------------------------------------------
def _response_kind(model, spec) -> str | None:
    """Which response shapes a spec's property paths are read against."""
    if spec.sagemaker_step_type == "RegisterModel":
        return "register_model"
    kind = model.step_kind(spec)
    return kind if kind in data.STEP_RESPONSE_SHAPES else None


def _property_paths(model):
    """(spec, output, path text, span of the property_path argument) for every known path."""
    for spec in model.specs:
        if not isinstance(spec.outputs, tuple):
            continue
        for output in spec.outputs:
            if isinstance(output.property_path, str):
                span = output.call.kwarg_span("property_path") or output.span
                yield spec, output, output.property_path, span


def _head(path: str) -> str:
    """The first name of a property path (``properties`` in ``properties.X[0]``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def _string_edit(context, path: str, span: Span, new_value: str):
    """An edit rewriting the plain string literal of the keyword argument at ``span``."""
    import libcst as cst  # loaded only to build fixes

    parsed = context.parsed(path)
    if parsed is None:
        return None
    arg = parsed.find(span, cst.Arg)
    if arg is None or not isinstance(arg.value, cst.SimpleString):
        return None
    node = arg.value
    quote = node.quote
    if quote not in ('"', "'") or quote in new_value or "\\" in new_value or "b" in node.prefix.lower():
        return None
    return parsed.replace(node, node.with_changes(value=f"{node.prefix}{quote}{new_value}{quote}"))


def _fix(description: str, applicability: Applicability, edit) -> Fix | None:
    return Fix(description, applicability, (edit,)) if edit is not None else None


def _where(model, value, default_path: str) -> str:
    """The file a value is written in: its module-level binding's file, else ``default_path``."""
    found = model.binding_of(value)
    return found[0].path if found is not None else default_path


def _class_name(model, value) -> str | None:
    resolved = model.resolve(value)
    return resolved.name if isinstance(resolved, Ref) else None


# -- SL501 ------------------------------------------------------------------------------
class InvalidPropertyPath(Rule):
    code = "SL501"
    name = "invalid-property-path"
    summary = "A property_path that the step's SageMaker response shape does not have."
    rationale = (
        "A step's properties mirror the Describe* response of its SageMaker job in botocore's service model "
        "(DescribeTrainingJobResponse for training, DescribeProcessingJobResponse for processing, "
        "DescribeTransformJobResponse, DescribeModelOutput, DescribeHyperParameterTuningJobResponse). A path "
        "with a member the shape lacks, such as one copied from a tuning job into a training spec, fails when "
        "the pipeline definition is built or when a downstream step resolves it. The path is checked against "
        "the installed botocore's model; the message lists the closest valid paths, and when one is the clear "
        "winner an unsafe fix applies it."
    )
    fix_applicability = Applicability.UNSAFE
    bad_examples = (
        Example(property_path_project("properties.TrainingJobDefinition.OutputDataConfig.S3OutputPath"),
                fixed=property_path_project("properties.OutputDataConfig.S3OutputPath")),
        Example(property_path_project("properties.ModelArtifacts.S3ModelArtifacts", sagemaker_step_type="CreateModel")),
    )
    good_examples = (
        Example(property_path_project("properties.ModelArtifacts.S3ModelArtifacts")),
        Example(property_path_project("properties.FinalMetricDataList['val:loss'].Value")),
        Example(property_path_project("properties.ModelName", sagemaker_step_type="CreateModel")),
    )

    def check(self, context):
        model = context.model
        for spec, output, path, span in _property_paths(model):
            kind = _response_kind(model, spec)
            if kind is None:
                continue
            service = data.service_model()
            if service is None:
                return
            head = _head(path)
            if head.lower() == PROPERTIES:
                checked = PROPERTIES + path[len(head):]
                problem = data.check_property_path(service, kind, checked)
                if problem is None:
                    continue
                reason = f"{problem.reason} (valid up to '{problem.valid_prefix}')"
                available = data.members(service, problem.shapes)
            else:
                checked = f"{PROPERTIES}.{path}"
                reason = f"a step property path starts with '{PROPERTIES}.'"
                available = []
                if data.check_property_path(service, kind, checked) is not None:
                    checked = path
            yield self._finding(context, spec, output, path, checked, span, kind, reason, available)

    def _finding(self, context, spec, output, path, checked, span, kind, reason, available):
        shapes = " + ".join(data.STEP_RESPONSE_SHAPES[kind])
        suggestions = data.closest_paths(kind, checked)
        if checked != path and data.check_property_path(data.service_model(), kind, checked) is None:
            suggestions = [(checked, 2.0)]
        _, indexes = data.normalized(checked)
        readable = ", ".join(repr(data.fill_indexes(s, indexes) or s) for s, _ in suggestions)
        if suggestions:
            hint = f"closest valid paths: {readable}"
        elif available:
            hint = f"no similar path exists; members there: {', '.join(available[:10])}" + (
                ", ..." if len(available) > 10 else "")
        else:
            hint = "no similar path exists in this shape"
        message = (
            f"property_path '{path}' of output '{output.logical_name}' does not exist in {shapes} "
            f"({kind} step; {data.service_model().source}): {reason}; the pipeline cannot resolve it; {hint}"
        )
        fix = None
        winner = data.clear_winner(suggestions)
        if winner is not None:
            replacement = data.fill_indexes(winner, indexes)
            if replacement is None and winner.count(data.INDEX_PLACEHOLDER) == 1 and not indexes \
                    and kind == "processing" and isinstance(output.logical_name, str):
                replacement = winner.replace(data.INDEX_PLACEHOLDER, f"['{output.logical_name}']")
            if replacement is not None and replacement != path:
                fix = _fix(f"use '{replacement}'", Applicability.UNSAFE,
                           _string_edit(context, spec.path, span, replacement))
        return self.finding(spec.path, span, message, fix)


# -- SL502 ------------------------------------------------------------------------------
def _builder_output_names(model, spec) -> set:
    """Literal ``output_name``s of ProcessingOutputs the spec's builders construct."""
    names = set()
    for builder in model.builders_of(spec):
        for method in builder.cls.methods.values():
            for call in method.calls:
                if model.callee_name(call) == "ProcessingOutput":
                    name = model.resolve(call.kwarg("output_name"))
                    if isinstance(name, str):
                        names.add(name)
    return names


class OutputKeyMismatch(Rule):
    code = "SL502"
    name = "output-key-mismatch"
    summary = "Outputs['X'] in a processing property path where X is not the output's logical name."
    rationale = (
        "A processing step's outputs are found by name: properties.ProcessingOutputConfig.Outputs['X'] selects "
        "the ProcessingOutput whose output_name is X, and specification-driven builders name each "
        "ProcessingOutput after the spec's logical name. A key that differs (an abbreviation, an old name) "
        "matches no output, so the pipeline fails when a downstream step resolves the property. The safe fix "
        "renames the key to the logical name."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (
        Example(processing_project("properties.ProcessingOutputConfig.Outputs['processed'].S3Output.S3Uri"),
                fixed=processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri")),
    )
    good_examples = (
        Example(processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri")),
        Example(processing_project("properties.ProcessingOutputConfig.Outputs['processed'].S3Output.S3Uri",
                                   output_name='"processed"')),
    )

    def check(self, context):
        model = context.model
        for spec, output, path, span in _property_paths(model):
            parsed = data.tokenize_property_path(path)
            if parsed is None or parsed[0] != PROPERTIES or not isinstance(output.logical_name, str):
                continue
            tokens = parsed[1]
            if len(tokens) < 3 or tuple(t.value for t in tokens[:2]) != OUTPUTS_PREFIX or tokens[2].kind != "index":
                continue
            key = data.index_key(tokens[2])
            if not isinstance(key, str) or key == output.logical_name or _response_kind(model, spec) != "processing":
                continue
            if key in _builder_output_names(model, spec):
                continue
            index = tokens[2]
            quote = index.value[0]
            replacement = path[:index.start] + f"[{quote}{output.logical_name}{quote}]" + path[index.end:]
            message = (
                f"property_path selects Outputs['{key}'] but the output is '{output.logical_name}': the builder "
                f"names each ProcessingOutput after the spec's logical name, so no output '{key}' exists and "
                f"the pipeline cannot resolve the property; use Outputs['{output.logical_name}']"
            )
            fix = _fix(f"rename Outputs['{key}'] to Outputs['{output.logical_name}']", Applicability.SAFE,
                       _string_edit(context, spec.path, span, replacement))
            yield self.finding(spec.path, span, message, fix)


# -- SL503 ------------------------------------------------------------------------------
class PropertyPathCase(Rule):
    code = "SL503"
    name = "property-path-case"
    summary = "A property_path starting 'Properties.' instead of 'properties.'."
    rationale = (
        "A pipeline step exposes its job description as the attribute `properties` (lower case). Spec-driven "
        "frameworks resolve an output's property_path attribute by attribute on the SageMaker step object, so "
        "'Properties.X' raises AttributeError when the pipeline is assembled, and lookups that compare paths "
        "as text miss it. The safe fix lower-cases the prefix."
    )
    fix_applicability = Applicability.SAFE
    bad_examples = (Example(property_path_project("Properties.ModelArtifacts.S3ModelArtifacts"),
                            fixed=property_path_project("properties.ModelArtifacts.S3ModelArtifacts")),)
    good_examples = (Example(property_path_project("properties.ModelArtifacts.S3ModelArtifacts")),)

    def check(self, context):
        for spec, output, path, span in _property_paths(context.model):
            head = _head(path)
            if head == PROPERTIES or head.lower() != PROPERTIES:
                continue
            replacement = PROPERTIES + path[len(head):]
            message = (
                f"property_path '{path}' of output '{output.logical_name}' starts with '{head}': a step's "
                f"properties are `{PROPERTIES}` in lower case; write '{replacement}'"
            )
            fix = _fix(f"write '{PROPERTIES}'", Applicability.SAFE,
                       _string_edit(context, spec.path, span, replacement))
            yield self.finding(spec.path, span, message, fix)


# -- SL504 ------------------------------------------------------------------------------
# SDK estimator / processor class -> its image_uri_config/<framework>.json.
FRAMEWORK_CONFIGS = {
    "PyTorch": "pytorch", "PyTorchProcessor": "pytorch",
    "TensorFlow": "tensorflow", "TensorFlowProcessor": "tensorflow",
    "MXNet": "mxnet", "MXNetProcessor": "mxnet",
    "SKLearn": "sklearn", "SKLearnProcessor": "sklearn",
    "XGBoost": "xgboost", "XGBoostProcessor": "xgboost",
    "Chainer": "chainer",
    "HuggingFace": "huggingface", "HuggingFaceProcessor": "huggingface",
}
IMAGE_SCOPE = "training"
HUGGINGFACE_BASES = ("pytorch_version", "tensorflow_version")


def _framework_of(model, constructed) -> str | None:
    if constructed.class_name == "FrameworkProcessor":
        estimator = _class_name(model, constructed.call.kwarg("estimator_cls"))
        return FRAMEWORK_CONFIGS.get(estimator) if estimator else None
    return FRAMEWORK_CONFIGS.get(constructed.class_name)


def _nearby(version: str, options: list) -> str:
    close = difflib.get_close_matches(version, options, n=3, cutoff=0.5)
    shown = close or options[-3:]
    return ", ".join(shown)


class UnknownFrameworkVersion(Rule):
    code = "SL504"
    name = "unknown-framework-version"
    summary = "A framework_version / py_version the installed SDK's image configuration does not list."
    rationale = (
        "Framework estimators and processors look their container image up in the SDK's "
        "image_uri_config/<framework>.json by framework_version and py_version. The constructor does not check "
        "them; an unlisted version raises ValueError (Unsupported ... version) only when the pipeline "
        "definition is built, often in CI or at deployment. The check reads the installed SDK's configuration "
        "for the training image scope (the one estimators and framework processors use) and names the SDK "
        "version it read; values that are not static (self.config.framework_version) are not checked."
    )
    bad_examples = (
        Example(builder_project('framework_version="2.9.9",\npy_version="py310",')),
        Example(builder_project('framework_version="2.1.0",\npy_version="py27",')),
    )
    good_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",')),
        Example(builder_project('framework_version="2.1",\npy_version="py310",')),
        Example(builder_project('framework_version=self.config.framework_version,\npy_version="py310",')),
    )

    def check(self, context):
        model = context.model
        for builder in model.builders:
            for constructed in builder.constructed:
                framework = _framework_of(model, constructed)
                if framework is None:
                    continue
                yield from self._check_call(model, builder, constructed, framework)

    def _check_call(self, model, builder, constructed, framework):
        call = constructed.call
        keyword = "transformers_version" if framework == "huggingface" else "framework_version"
        version = model.resolve(call.kwarg(keyword))
        if not isinstance(version, str):
            return
        config = data.scope_config(framework, IMAGE_SCOPE)
        if config is None:
            return
        source = f"{data.sdk_source()}'s image_uri_config/{framework}.json"
        concrete = data.resolve_version(config, version)
        span = call.kwarg_span(keyword) or call.span
        if concrete is None:
            options = data.supported_versions(config)
            yield self.finding(builder.path, span, (
                f"{keyword} '{version}' of the {constructed.class_name} in {builder.name} is not a {framework} "
                f"{IMAGE_SCOPE} image version in {source}; the SDK raises ValueError when the pipeline "
                f"definition is built; use a listed version (closest: {_nearby(version, options)})"))
            return
        version_config = config["versions"][concrete]
        if framework == "huggingface":
            version_config = yield from self._huggingface_base(model, builder, constructed, version_config, source)
            if version_config is None:
                return
        py_version = model.resolve(call.kwarg("py_version"))
        allowed = data.supported_py_versions(version_config)
        if isinstance(py_version, str) and allowed is not None and py_version not in allowed:
            yield self.finding(builder.path, call.kwarg_span("py_version") or call.span, (
                f"py_version '{py_version}' is not listed for {framework} {concrete} ({IMAGE_SCOPE}) in {source} "
                f"(listed: {', '.join(allowed)}); the SDK raises ValueError: Unsupported Python version when the "
                f"pipeline definition is built; use one of the listed versions"))

    def _huggingface_base(self, model, builder, constructed, version_config, source):
        """The nested config of a HuggingFace base framework (``pytorch2.1.0``), checking its version."""
        for keyword in HUGGINGFACE_BASES:
            base = model.resolve(constructed.call.kwarg(keyword))
            if not isinstance(base, str):
                continue
            key = keyword.split("_")[0] + base
            key = version_config.get("version_aliases", {}).get(key, key)
            if key in version_config:
                return version_config[key]
            options = [k for k in version_config if k.startswith(keyword.split("_")[0])]
            yield self.finding(builder.path, constructed.call.kwarg_span(keyword) or constructed.call.span, (
                f"{keyword} '{base}' is not listed for this transformers_version in {source} "
                f"(listed: {', '.join(options) or 'none'}); the SDK raises ValueError when the pipeline definition "
                f"is built; use a listed version"))
            return None
        return None


# -- SL505 ------------------------------------------------------------------------------
def _hyperparameters(model, builder, constructed):
    """(mapping, file it is written in) of an estimator's literal hyperparameters, or None."""
    written = constructed.call.kwarg("hyperparameters")
    mapping = model.resolve(written)
    if not isinstance(mapping, Mapping):
        return None
    return mapping, _where(model, written, builder.path)


class ReservedHyperparameter(Rule):
    code = "SL505"
    name = "reserved-hyperparameter"
    summary = "A hyperparameter key that the SageMaker SDK sets itself (sagemaker_program, ...)."
    rationale = (
        "Framework estimators (PyTorch, TensorFlow, SKLearn, XGBoost, HuggingFace, ...) add their own "
        "hyperparameters: sagemaker_program, sagemaker_submit_directory, sagemaker_container_log_level, "
        "sagemaker_job_name and sagemaker_region, which the training toolkit uses to find and run the entry "
        "point and drops from SM_HPS. A user key of the same name is overwritten by the SDK or breaks script "
        "mode, and the script never receives it. The reserved names are read from the installed SDK "
        "(constants in sagemaker/model.py that sagemaker/estimator.py writes)."
    )
    bad_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "sagemaker_program": "train.py"},')),
    )
    good_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "learning_rate": 0.01},')),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters=self.config.hyperparameters,')),
    )

    def check(self, context):
        model = context.model
        for builder in model.builders:
            for constructed in builder.constructed:
                if constructed.class_name not in FRAMEWORK_ESTIMATORS:
                    continue
                found = _hyperparameters(model, builder, constructed)
                if found is None:
                    continue
                mapping, path = found
                for entry in mapping.entries:
                    key = model.resolve(entry.key)
                    if not isinstance(key, str):
                        continue
                    reserved = data.reserved_hyperparameters()
                    if key in reserved:
                        yield self.finding(path, entry.key_span, (
                            f"hyperparameter '{key}' is reserved: the {constructed.class_name} estimator in "
                            f"{builder.name} sets it itself ({reserved[key]} in {data.sdk_source()}'s "
                            f"sagemaker/model.py), so this value is overwritten or breaks script mode; rename the "
                            f"key or pass the setting through the estimator's own argument"),
                            related_paths=[builder.path])


# -- SL506 ------------------------------------------------------------------------------
def _encoded(value, framework: bool) -> str | None:
    """A hyperparameter value as the SDK sends it: JSON for framework estimators, str() otherwise."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return json.dumps(value) if framework else str(value)
    return None


TRAINING_API = "CreateTrainingJob"
PROCESSING_API = "CreateProcessingJob"
LOCAL_PATHS = {"ProcessingInput": ("destination", "ProcessingS3Input"),
               "ProcessingOutput": ("source", "ProcessingS3Output")}


class ServiceLimit(Rule):
    code = "SL506"
    name = "service-limit"
    summary = "Channel names, counts, environment or hyperparameters that break the SageMaker service's limits."
    rationale = (
        "CreateTrainingJob and CreateProcessingJob validate their requests against limits in the service model: "
        "channel names match [A-Za-z0-9.-_]+ and are at most 64 characters, at most 20 input channels, at most "
        "10 processing inputs and 10 outputs, processing local paths of at most 256 characters, environment "
        "keys match [a-zA-Z_][a-zA-Z0-9_]*, at most 100 hyperparameters (the SDK's own reserved keys included) "
        "with keys up to 256 and JSON-encoded values up to 2500 characters (botocore 1.43). A violation "
        "surfaces only when the pipeline runs, as a ValidationException. The limits are read from the installed "
        "botocore service model; only literal values are checked."
    )
    bad_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",',
                                channels='{"train data": TrainingInput(s3_data=path)}')),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'environment={"MODEL-NAME": "bert"},')),
        Example(processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
                                   extra_outputs=10)),
    )
    good_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'environment={"MODEL_NAME": "bert"},',
                                channels='{"train": TrainingInput(s3_data=path)}')),
        Example(processing_project("properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri")),
    )

    def check(self, context):
        model = context.model
        for builder in model.builders:
            for constructed in builder.constructed:
                if constructed.kind == "estimator":
                    yield from self._hyperparameter_limits(model, builder, constructed)
                    yield from self._environment(model, builder, constructed, "environment", "CreateTrainingJobRequest")
                else:
                    yield from self._environment(model, builder, constructed, "env", "CreateProcessingJobRequest")
            yield from self._channels(model, builder)
            yield from self._spec_driven_inputs(model, builder)
            for method in builder.cls.methods.values():
                for call in method.calls:
                    yield from self._processing_io(model, builder, call)
                    yield from self._local_path(model, builder, call)

    def _limit_finding(self, api: str, path, span, what: str, problem: str, related=()):
        return self.finding(path, span, f"{what} {problem} ({data.service_model().source}); {api} rejects the "
                                        f"request with a ValidationException when the pipeline runs; stay within "
                                        f"the limit", related_paths=related)

    def _hyperparameter_limits(self, model, builder, constructed):
        found = _hyperparameters(model, builder, constructed)
        if found is None or data.service_model() is None:
            return
        mapping, path = found
        framework = constructed.class_name in FRAMEWORK_ESTIMATORS
        key_limit, value_limit = data.map_limits("CreateTrainingJobRequest", "HyperParameters")
        limit = data.collection_max("CreateTrainingJobRequest", "HyperParameters")
        reserved = len(data.reserved_hyperparameters()) if framework else 0
        if limit is not None and len(mapping.entries) + reserved > limit[1]:
            extra = f" plus {reserved} the SDK adds" if reserved else ""
            yield self._limit_finding(TRAINING_API, path, mapping.span,
                                      f"{len(mapping.entries)} hyperparameters{extra}",
                                      f"exceed {limit[0]}'s maximum of {limit[1]} entries", [builder.path])
        for entry in mapping.entries:
            key = model.resolve(entry.key)
            if isinstance(key, str) and key_limit is not None and (problem := key_limit.violation(key)):
                yield self._limit_finding(TRAINING_API, path, entry.key_span, f"hyperparameter key '{key[:40]}'",
                                          problem, [builder.path])
            value = _encoded(model.resolve(entry.value), framework)
            if value is not None and value_limit is not None and (problem := value_limit.violation(value)):
                yield self._limit_finding(TRAINING_API, path, entry.span,
                                          f"hyperparameter '{key}' (encoded as the SDK sends it)", problem,
                                          [builder.path])

    def _environment(self, model, builder, constructed, keyword, request):
        api = request.removesuffix("Request")
        written = constructed.call.kwarg(keyword)
        mapping = model.resolve(written)
        if not isinstance(mapping, Mapping) or data.service_model() is None:
            return
        path = _where(model, written, builder.path)
        key_limit, value_limit = data.map_limits(request, "Environment")
        limit = data.collection_max(request, "Environment")
        if limit is not None and len(mapping.entries) > limit[1]:
            yield self._limit_finding(api, path, mapping.span, f"{len(mapping.entries)} environment variables",
                                      f"exceed {limit[0]}'s maximum of {limit[1]} entries", [builder.path])
        for entry in mapping.entries:
            key = model.resolve(entry.key)
            if isinstance(key, str) and key_limit is not None and (problem := key_limit.violation(key)):
                yield self._limit_finding(api, path, entry.key_span, f"environment variable '{key}'", problem,
                                          [builder.path])
            value = model.resolve(entry.value)
            if isinstance(value, str) and value_limit is not None and (problem := value_limit.violation(value)):
                yield self._limit_finding(api, path, entry.span, f"environment variable '{key}''s value", problem,
                                          [builder.path])

    def _channels(self, model, builder):
        """Channel names and count from the channels the builder's methods construct."""
        channels = {}
        for method in builder.cls.methods.values():
            for channel in method.channels:
                name = model.resolve(channel.name)
                if isinstance(name, str):
                    channels.setdefault(name, channel.span)
        if not channels or data.service_model() is None:
            return
        name_limit = data.member_string_limit("Channel", "ChannelName")
        count_limit = data.collection_max("CreateTrainingJobRequest", "InputDataConfig")
        if count_limit is not None and len(channels) > count_limit[1]:
            yield self._limit_finding(TRAINING_API, builder.path, next(iter(channels.values())),
                                      f"{len(channels)} input channels",
                                      f"exceed {count_limit[0]}'s maximum of {count_limit[1]}")
        for name, span in channels.items():
            if name_limit is not None and (problem := name_limit.violation(name)):
                yield self._limit_finding(TRAINING_API, builder.path, span, f"channel name '{name}'", problem)

    def _local_path(self, model, builder, call: CallValue):
        """A ProcessingInput destination or ProcessingOutput source longer than the service allows."""
        callee = model.callee_name(call)
        keyword, structure = LOCAL_PATHS.get(callee, (None, None))
        if keyword is None:
            return
        value = model.resolve(call.kwarg(keyword))
        limit = data.member_string_limit(structure, "LocalPath") if isinstance(value, str) else None
        if limit is not None and (problem := limit.violation(value)):
            yield self._limit_finding(PROCESSING_API, builder.path, call.kwarg_span(keyword) or call.span,
                                      f"{callee} {keyword} '{value[:60]}'", problem)

    def _spec_driven_inputs(self, model, builder):
        """A processing builder whose ``_get_inputs`` creates one ProcessingInput per spec
        dependency makes at least one per required dependency, plus the script itself when
        it passes ``code=`` (``ScriptProcessor`` uploads it as the ``code`` input)."""
        method = builder.cls.methods.get("_get_inputs")
        facts = getattr(method, "builder", None)
        if (facts is None or "dependencies" not in facts.walks or not builder.constructed
                or any(constructed.kind != "processor" for constructed in builder.constructed)
                or not any(io.kind == "ProcessingInput" and io.name_kind == "logical" for io in facts.processing)):
            return
        spec = model.spec_of(builder)
        if not isinstance(spec, Spec) or not isinstance(spec.dependencies, tuple):
            return
        required = [dependency for dependency in spec.dependencies if dependency.required is True]
        code = any(call.has_kwarg("code") for other in builder.cls.methods.values() for call in other.calls)
        limit = data.collection_max("CreateProcessingJobRequest", "ProcessingInputs") \
            if data.service_model() is not None else None
        count = len(required) + (1 if code else 0)
        if limit is None or count <= limit[1]:
            return
        span = spec.call.kwarg_span("dependencies") or spec.call.span
        extra = " plus the code input code= adds" if code else ""
        yield self._limit_finding(PROCESSING_API, spec.path, span,
                                  f"{len(required)} required dependencies of {spec.name}, each a ProcessingInput "
                                  f"of {builder.name},{extra}", f"exceed {limit[0]}'s maximum of {limit[1]}",
                                  [builder.path])

    def _processing_io(self, model, builder, call: CallValue):
        for keyword, cls, member in (("inputs", "ProcessingInput", ("CreateProcessingJobRequest", "ProcessingInputs")),
                                     ("outputs", "ProcessingOutput", ("ProcessingOutputConfig", "Outputs"))):
            items = model.resolve(call.kwarg(keyword))
            if not isinstance(items, Seq):
                continue
            calls = [model.resolve(item) for item in items.items]
            if not calls or not all(isinstance(c, CallValue) and model.callee_name(c) == cls for c in calls):
                continue
            limit = data.collection_max(*member) if data.service_model() is not None else None
            if limit is not None and len(calls) > limit[1]:
                written_in = _where(model, call.kwarg(keyword), builder.path)
                yield self._limit_finding(PROCESSING_API, written_in, items.span, f"{len(calls)} processing {keyword}",
                                          f"exceed {limit[0]}'s maximum of {limit[1]}", [builder.path])


# -- SL507 ------------------------------------------------------------------------------
JSON_DUMPS = Ref("json", "dumps")
NOVA_RECIPE_ESTIMATOR = "PyTorch"  # the one framework estimator that can keep strings (Nova recipes)
HYPERPARAMETER_VALUES = "hyperparameters"
SDK_ESTIMATOR_MODULE = "sagemaker/estimator.py"
ARGPARSE_SCRIPT = """\
import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("--layers", type=json.loads, default=[64])
parser.add_argument("--optimizer", default="adam")
args = parser.parse_args()
"""


def _json_encoding(model, constructed) -> str | None:
    """Why the SDK JSON-encodes every value of this estimator's ``hyperparameters=``, or None
    when it does not, or when that cannot be told statically (sagemaker/estimator.py, 2.x)."""
    if not constructed.qualified.startswith("sagemaker."):
        return None
    call = constructed.call
    if constructed.class_name in FRAMEWORK_ESTIMATORS:
        if constructed.class_name == NOVA_RECIPE_ESTIMATOR and (
                call.has_star_args or model.resolve(call.kwarg("training_recipe")) is not None):
            return None  # a Nova recipe keeps string values (EstimatorBase._nova_encode_hyperparameters)
        return "Framework.hyperparameters() applies EstimatorBase._json_encode_hyperparameters"
    if constructed.class_name == "Estimator":
        source_dir = model.resolve(call.kwarg("source_dir"))
        if isinstance(source_dir, str) and source_dir:
            return ("with source_dir set, Estimator.set_hyperparameters applies "
                    "EstimatorBase._json_encode_hyperparameters")
    return None


def _encoded_values(model, written):
    """``(mapping, where)`` for the dict an estimator's ``hyperparameters=`` is statically known to
    be: a dict display (or ``dict(...)``), a module constant, or what a project function returns
    (whatever its arguments: its ``return`` is a dict display). ``where`` is 'call', 'constant'
    or 'function', and says where the mapping is written. None when it cannot be told."""
    if isinstance(written, Mapping):
        return written, "call"
    resolved = model.resolve(written)
    if isinstance(resolved, Mapping):
        return resolved, "constant"
    if isinstance(resolved, CallValue):
        func = model.resolve(resolved.func)
        module = model.module(func.module) if isinstance(func, Ref) else None
        function = module.functions.get(func.name) if module is not None else None
        if function is not None and isinstance(function.returns, Mapping):
            return function.returns, "function"
    return None


def _is_json_dumps(model, value) -> bool:
    return isinstance(value, CallValue) and model.resolve(value.func) == JSON_DUMPS


@dataclass(frozen=True)
class _ScriptReads:
    """How the step's script takes its hyperparameters, as far as it is known: the argparse
    ``dest``s it declares, whether an option's name is not a literal, and the ``SM_HP_*``
    variables it reads."""

    options: frozenset
    unknown_option: bool
    environment: frozenset

    def takes_directly(self, key: str) -> bool:
        """Whether ``key`` may reach the script on its command line or as ``SM_HP_<KEY>``, where
        the training toolkit hands over the once-decoded value as text."""
        return (self.unknown_option or key.replace("-", "_") in self.options
                or f"SM_HP_{key.upper()}" in self.environment)


def _script_reads(model, builder) -> _ScriptReads | None:
    """What the script of the builder's spec's contract reads, or None when it is not found."""
    spec = model.spec_of(builder)
    contract = model.contract_of(spec) if isinstance(spec, Spec) else None
    script = model.script_of(contract) if isinstance(contract, Contract) else None
    if script is None:
        return None
    return _ScriptReads(frozenset(fact.dest for fact in script.argument_specs if fact.dest),
                        any(not fact.flags for fact in script.argument_specs),
                        frozenset(access.key for access in script.accesses if access.kind == "env"))


def _has_comment(node) -> bool:
    """Whether a LibCST node holds a comment (which replacing the node would drop)."""
    import libcst as cst  # loaded only to build fixes

    class Comments(cst.CSTVisitor):
        found = False

        def visit_Comment(self, comment) -> None:
            self.found = True

    visitor = Comments()
    node.visit(visitor)
    return visitor.found


def _received(value) -> str | None:
    """What the job receives for ``json.dumps(value)`` once the SDK encodes it again, and what it
    should receive, for a literal ``value``."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return f"'{json.dumps(json.dumps(value))}' instead of '{json.dumps(value)}'"
    return None


class HyperparametersEncodedTwice(Rule):
    code = "SL507"
    name = "hyperparameters-encoded-twice"
    summary = ("A hyperparameter value that is already json.dumps(...) passed to an estimator that JSON-encodes "
               "it again.")
    rationale = (
        "Framework estimators (PyTorch, TensorFlow, SKLearn, XGBoost, HuggingFace, MXNet, Chainer, RLEstimator: "
        "subclasses of sagemaker.estimator.Framework) JSON-encode every hyperparameter value themselves: "
        "Framework.hyperparameters() applies EstimatorBase._json_encode_hyperparameters, json.dumps per value "
        "(sagemaker/estimator.py, SDK 2.x). A value that is already a json.dumps result is encoded twice: "
        "hyperparameters.json holds lr as \"\\\"3e-05\\\"\", so a script reading that file, SM_HPS or the "
        "training toolkit's decoded hyperparameters gets the string '3e-05' instead of a number (and 'false', "
        "which is true), and a string value keeps its quotes ('\"adam\"') everywhere, its command line included. "
        "The generic Estimator is different: without source_dir it str()s each value "
        "(_TrainingJob._get_train_args), so a json.dumps there is the single encoding a JSON-reading container "
        "needs; with source_dir set, Estimator.set_hyperparameters JSON-encodes like a framework estimator. "
        "PyTorch with a Nova training_recipe keeps strings and is not checked. Where the step's script (the "
        "contract's entry point) takes the key as a command-line option or as SM_HP_<KEY>, a number arrives the "
        "same either way and a list or dict arrives as JSON text only when encoded twice, which argparse code "
        "may rely on: there only a value known to be a string is reported. Values are followed through module "
        "constants and project functions whose return is a dict display; a call or value steplint cannot follow "
        "(self.config.hyperparameters.serialize_config()) is not reported. The fix, offered when the json.dumps(x) "
        "call is written in the dict passed as hyperparameters=, replaces it with x. It is unsafe: it changes "
        "what the job receives, and a script written around the double encoding (decoding twice) must change "
        "with it."
    )
    fix_applicability = Applicability.UNSAFE
    bad_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "lr": json.dumps(0.01), '
                                '"optimizer": json.dumps("adam")},',
                                imports="import json\n"),
                expect=2,
                fixed=builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                      'hyperparameters={"epochs": 10, "lr": 0.01, "optimizer": "adam"},',
                                      imports="import json\n")),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters=encode(self.config.hyperparameters),',
                                imports="import json\n",
                                helpers='def encode(hp):\n'
                                        '    return {"lr": json.dumps(hp.lr), "epochs": hp.epochs}\n')),
        Example(builder_project('image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",\n'
                                'source_dir="scripts",\nhyperparameters={"lr": json.dumps(0.01)},',
                                estimator="Estimator", imports="import json\n")),
        Example(with_script(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                            'hyperparameters={"optimizer": json.dumps("adam")},',
                                            imports="import json\n"), ARGPARSE_SCRIPT)),
    )
    good_examples = (
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters={"epochs": 10, "lr": 0.01, "optimizer": "adam"},')),
        Example(builder_project('image_uri="111122223333.dkr.ecr.us-east-1.amazonaws.com/train:1",\n'
                                'hyperparameters={"lr": json.dumps(0.01), "layers": json.dumps([64, 32])},',
                                estimator="Estimator", imports="import json\n")),
        Example(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                'hyperparameters=self.config.hyperparameters.serialize_config(),')),
        Example(with_script(builder_project('framework_version="2.1.0",\npy_version="py310",\n'
                                            'hyperparameters={"layers": json.dumps(self.config.layers)},',
                                            imports="import json\n"), ARGPARSE_SCRIPT)),
    )

    def check(self, context):
        model = context.model
        reported = set()
        for builder in model.builders:
            for constructed in builder.constructed:
                if constructed.kind != "estimator" or not constructed.call.has_kwarg(HYPERPARAMETER_VALUES):
                    continue
                reason = _json_encoding(model, constructed)
                if reason is None:
                    continue
                written = constructed.call.kwarg(HYPERPARAMETER_VALUES)
                found = _encoded_values(model, written)
                if found is None:
                    continue
                mapping, where = found
                path = builder.path if where == "call" else self._written_in(model, written, builder)
                if path is None:
                    continue
                reads = _script_reads(model, builder)
                for entry in mapping.entries:
                    value = model.resolve(entry.value)
                    if not _is_json_dumps(model, value) or (path, entry.span) in reported:
                        continue
                    if self._may_be_meant(model, entry, value, reads):
                        continue
                    reported.add((path, entry.span))
                    yield self._finding(context, builder, constructed, reason, path, entry, value,
                                        local=where == "call" and entry.value is value)

    @staticmethod
    def _may_be_meant(model, entry, value: CallValue, reads: _ScriptReads | None) -> bool:
        """Cannot tell whether the double encoding is wrong: the script takes the key on its
        command line or as SM_HP_<KEY>, where a number arrives the same either way and a list or
        dict arrives as JSON text only when encoded twice (argparse ``type=json.loads``). A value
        known to be a string is wrong everywhere: its quotes arrive with it."""
        key = model.resolve(entry.key)
        argument = model.resolve(value.args[0]) if len(value.args) == 1 else None
        if isinstance(argument, str) or reads is None:
            return False
        return not isinstance(key, str) or reads.takes_directly(key)

    @staticmethod
    def _written_in(model, written, builder) -> str | None:
        """The file a constant's or a function's returned dict is written in."""
        resolved = model.resolve(written)
        if isinstance(resolved, CallValue):
            func = model.resolve(resolved.func)
            module = model.module(func.module) if isinstance(func, Ref) else None
            return module.path if module is not None else None
        return _where(model, written, builder.path)

    def _finding(self, context, builder, constructed, reason, path, entry, value, local: bool):
        key = context.model.resolve(entry.key)
        name = f"'{key}'" if isinstance(key, str) else "a hyperparameter"
        argument = context.model.resolve(value.args[0]) if len(value.args) == 1 else None
        received = _received(argument)
        what = (f"the job receives {received}" if received is not None
                else "the job receives the value encoded twice (json.dumps(0.01) arrives as '\"0.01\"')")
        estimator = constructed.class_name + ("" if constructed.class_name == "Estimator" else " estimator")
        message = (
            f"hyperparameter {name} is already json.dumps(...) and the {estimator} in {builder.name} "
            f"JSON-encodes it again ({reason} in {SDK_ESTIMATOR_MODULE}, {data.sdk_source()}): {what}, so "
            f"decoding it once yields JSON text, not the value; pass the value itself"
        )
        fix = self._fix(context, path, value) if local else None
        return self.finding(path, value.span if local else entry.span, message, fix, related_paths=[builder.path])

    @staticmethod
    def _fix(context, path: str, value: CallValue):
        """Replace ``json.dumps(x)`` written in the dict display with ``x``: one positional
        argument, no keywords, no comments inside the call, and ``x`` something a dict value
        can be without parentheses (not a bare ``a := b`` or generator). The edit keeps the
        argument's text as written (its own parentheses and line breaks included)."""
        if len(value.args) != 1 or value.kwargs or value.has_star_args:
            return None
        import libcst as cst  # loaded only to build fixes

        parsed = context.parsed(path)
        node = parsed.find(value.span, cst.Call) if parsed is not None else None
        if node is None or len(node.args) != 1:
            return None
        [arg] = node.args
        if arg.keyword is not None or arg.star or isinstance(arg.comma, cst.Comma):
            return None
        if isinstance(arg.value, (cst.NamedExpr, cst.GeneratorExp)) and not arg.value.lpar:
            return None
        text = parsed.source.text
        start = parsed.offset(value.span.line, value.span.col)
        end = parsed.offset(value.span.end_line, value.span.end_col)
        func = parsed.span_of(node.func)
        opening = text.find("(", parsed.offset(func.end_line, func.end_col), end)
        if opening < 0 or not text[start:end].endswith(")") or _has_comment(node):
            return None
        inner = text[opening + 1:end - 1].strip()
        shown = inner if "\n" not in inner and len(inner) <= 40 else "the value"
        return _fix(f"pass {shown} itself, not json.dumps(...)", Applicability.UNSAFE,
                    Edit(parsed.source.display, start, end, inner))
