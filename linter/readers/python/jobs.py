"""What the builders of specification-driven Python code configure, in the step model.

For each builder (``Builder``): the estimators and processors it constructs with their
framework versions, ``hyperparameters=`` and ``env=`` / ``environment=`` dicts (``Job``),
the training channels it names, its ``inputs=`` / ``outputs=`` lists of ``ProcessingInput`` /
``ProcessingOutput`` calls and their container paths (``BuilderConfig``), and for each spec
its SageMaker response shapes and property paths (``Interface.response``,
``Port.property_path``). Only what evaluates statically is recorded: a value steplint
cannot follow is left out (or Unknown), so the rules stay silent about it.
"""

from __future__ import annotations

from steplint.model.steps import BuilderConfig, Declared, Entry, Job, Origin, Supply, Written
from steplint.model.values import CallValue, Mapping, Ref, Seq
from steplint.readers.python.project import Builder, ProjectModel, Spec
from steplint.sagemaker.data import STEP_RESPONSE_SHAPES

# keyword arguments of an estimator or processor that name its image's versions
VERSION_KEYWORDS = ("framework_version", "transformers_version", "py_version", "pytorch_version",
                    "tensorflow_version")
FRAMEWORK_PROCESSOR = "FrameworkProcessor"
PROCESSING_CALLS = {"inputs": "ProcessingInput", "outputs": "ProcessingOutput"}
LOCAL_PATH_KEYWORDS = {"ProcessingInput": "destination", "ProcessingOutput": "source"}


def spec_response(model: ProjectModel, spec: Spec) -> str | None:
    """Which response shapes (``STEP_RESPONSE_SHAPES``) the properties of the spec's step
    mirror: ``register_model`` for a RegisterModel step type, else the spec's step kind."""
    if spec.sagemaker_step_type == "RegisterModel":
        return "register_model"
    kind = model.step_kind(spec)
    return kind if kind in STEP_RESPONSE_SHAPES else None


def output_names(model: ProjectModel, builders) -> Supply:
    """The literal ``output_name``s of the ProcessingOutputs the builders construct (in any
    method). The spec-driven builder (and, without a builder file, the convention specs are
    written for) names every other output after its logical name, so the names are taken as
    complete."""
    names = set()
    for builder in builders:
        for method in builder.cls.methods.values():
            for call in method.calls:
                if model.callee_name(call) == "ProcessingOutput":
                    name = model.resolve(call.kwarg("output_name"))
                    if isinstance(name, str):
                        names.add(name)
    return Supply(frozenset(names))


def builder_config(model: ProjectModel, builder: Builder, interface_of) -> BuilderConfig:
    """What ``builder`` configures. ``interface_of(spec)`` gives a spec's ``Interface``."""
    calls = [call for method in builder.cls.methods.values() for call in method.calls]
    return BuilderConfig(
        name=builder.name,
        path=builder.path,
        jobs=tuple(_job(model, builder, constructed) for constructed in builder.constructed),
        channels=_channels(model, builder),
        processing_lists=tuple(found for call in calls for found in _processing_lists(model, builder, call)),
        local_paths=tuple(found for call in calls for found in _local_paths(model, builder, call)),
        inputs_per_dependency=_inputs_per_dependency(model, builder, interface_of),
        code_input=any(call.has_kwarg("code") for call in calls),
    )


def _where(model: ProjectModel, value, default_path: str) -> str:
    """The file a value is written in: its module-level binding's file, else ``default_path``."""
    found = model.binding_of(value)
    return found[0].path if found is not None else default_path


def _job(model: ProjectModel, builder: Builder, constructed) -> Job:
    call = constructed.call
    versions = []
    for keyword in VERSION_KEYWORDS:
        value = model.resolve(call.kwarg(keyword))
        if isinstance(value, str):
            versions.append(Declared(keyword, value, Origin(builder.path, call.kwarg_span(keyword) or call.span)))
    if constructed.class_name == FRAMEWORK_PROCESSOR:
        estimator = model.resolve(call.kwarg("estimator_cls"))
        if isinstance(estimator, Ref):
            versions.append(Declared("estimator_cls", estimator.name,
                                     Origin(builder.path, call.kwarg_span("estimator_cls") or call.span)))
    environment = "environment" if constructed.kind == "estimator" else "env"
    return Job(constructed.class_name, constructed.kind, Origin(builder.path, call.span), tuple(versions),
               _written_dict(model, builder, call.kwarg("hyperparameters")),
               _written_dict(model, builder, call.kwarg(environment)))


def _written_dict(model: ProjectModel, builder: Builder, written) -> Written | None:
    """The dict display ``written`` is (itself or a module constant), with its file."""
    mapping = model.resolve(written)
    if not isinstance(mapping, Mapping):
        return None
    path = _where(model, written, builder.path)
    return Written(tuple(Entry(model.resolve(entry.key), model.resolve(entry.value), Origin(path, entry.key_span),
                               Origin(path, entry.span)) for entry in mapping.entries),
                   Origin(path, mapping.span))


def _channels(model: ProjectModel, builder: Builder) -> tuple:
    """The channels the builder's methods name with a known string, first place each."""
    channels: dict = {}
    for method in builder.cls.methods.values():
        for channel in method.channels:
            name = model.resolve(channel.name)
            if isinstance(name, str):
                channels.setdefault(name, channel.span)
    return tuple(Declared(name, None, Origin(builder.path, span)) for name, span in channels.items())


def _processing_lists(model: ProjectModel, builder: Builder, call: CallValue):
    """``(keyword, Written)`` for the call's ``inputs=`` / ``outputs=`` list when it holds only
    ProcessingInput / ProcessingOutput calls."""
    for keyword, cls in PROCESSING_CALLS.items():
        items = model.resolve(call.kwarg(keyword))
        if not isinstance(items, Seq):
            continue
        calls = [model.resolve(item) for item in items.items]
        if not calls or not all(isinstance(c, CallValue) and model.callee_name(c) == cls for c in calls):
            continue
        path = _where(model, call.kwarg(keyword), builder.path)
        yield keyword, Written(tuple(Entry(None, cls, None, Origin(path, c.span)) for c in calls),
                               Origin(path, items.span))


def _local_paths(model: ProjectModel, builder: Builder, call: CallValue):
    """The known container path of a ProcessingInput (``destination``) or ProcessingOutput
    (``source``) call."""
    callee = model.callee_name(call)
    keyword = LOCAL_PATH_KEYWORDS.get(callee)
    if keyword is None:
        return
    value = model.resolve(call.kwarg(keyword))
    if isinstance(value, str):
        yield Declared(f"{callee}.{keyword}", value, Origin(builder.path, call.kwarg_span(keyword) or call.span))


def _inputs_per_dependency(model: ProjectModel, builder: Builder, interface_of):
    """The ``Interface`` of the builder's spec when its ``_get_inputs`` creates one
    ProcessingInput per spec dependency (named by logical name) and it constructs only
    processors; None otherwise."""
    method = builder.cls.methods.get("_get_inputs")
    facts = getattr(method, "builder", None)
    if (facts is None or "dependencies" not in facts.walks or not builder.constructed
            or any(constructed.kind != "processor" for constructed in builder.constructed)
            or not any(io.kind == "ProcessingInput" and io.name_kind == "logical" for io in facts.processing)):
        return None
    spec = model.spec_of(builder)
    return interface_of(spec) if isinstance(spec, Spec) else None
