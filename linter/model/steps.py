"""A pipeline step as SageMaker will run it, whatever file form declared it.

Readers (specification-driven Python code, YAML step interfaces, plain SDK pipelines:
``steplint.readers``) build these plain, frozen dataclasses; the rules about SageMaker
semantics read only them (``Rule.reader`` None). Every item carries the ``Origin`` that declared it, so
a finding can point at ``file:line:col`` and a fix can edit that place.

Questions a rule asks ("does the builder pass env var X?", "is channel C mounted?",
"does the script define option --k?") are answered ``Answer.YES``, ``Answer.NO`` or
``Answer.UNKNOWN``. A ``Supply`` answers for a set of names that reach the container by
several routes (the contract, the builder's ``env=``, ``job_arguments=`` ...): any route
the reader could not follow makes every name it does not know ``UNKNOWN``, never ``NO``.
Rules report only on a definite ``NO`` (or a definite ``YES`` where presence is the defect).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from steplint.model.values import Span, Unknown


class Answer(enum.Enum):
    """A three-way answer: yes, no, or cannot tell."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "cannot tell"

    def __bool__(self) -> bool:
        raise TypeError("compare an Answer with Answer.YES / NO / UNKNOWN; 'cannot tell' is neither true nor false")


@dataclass(frozen=True)
class Origin:
    """Where something was declared: a display path and a span in it."""

    path: str
    span: Span


@dataclass(frozen=True)
class Supply:
    """The names that reach the container by some route (environment variables, command-line
    options, training channels).

    ``names`` are the names known to be supplied; ``complete`` is False when some route could
    not be followed (a call steplint cannot resolve, ``**kwargs``, a comprehension), and
    ``unknown_because`` then says why. ``superset`` is True when ``names`` may hold names
    that are not supplied (a channel per dependency, some of which a branch handles
    otherwise): a name outside them is still not supplied.
    """

    names: frozenset
    complete: bool = True
    unknown_because: str = ""
    superset: bool = False

    def has(self, name: str) -> Answer:
        """YES when ``name`` is (or, for a ``superset``, may be) supplied, NO when the supply
        is complete and lacks it, UNKNOWN otherwise."""
        if name in self.names:
            return Answer.YES
        return Answer.NO if self.complete else Answer.UNKNOWN

    def __or__(self, other: "Supply") -> "Supply":
        return Supply(self.names | other.names, self.complete and other.complete,
                      self.unknown_because or other.unknown_because, self.superset or other.superset)

    @classmethod
    def unknown(cls, why: str) -> "Supply":
        return cls(frozenset(), False, why)


NOTHING = Supply(frozenset())


@dataclass(frozen=True)
class Declared:
    """A named declaration with its value: a contract's container path (``value`` is the
    path), env var (the default, or None), argument, or channel. ``value`` may be Unknown."""

    name: str
    value: object
    origin: Origin


@dataclass(frozen=True)
class Port:
    """A logical input or output a step declares to the pipeline (a spec's dependency or
    output): the name other steps wire to, where it is declared, and its type when known.

    For an output, ``property_path`` is the path of the step's properties that other steps
    read it through (``properties.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri``) as
    written: a str, Unknown when it is not a plain string, None when the port has none or
    the reader does not record it (the Python reader leaves it to the specification model).
    ``property_path_origin`` is where the string is written, so a fix can rewrite it
    (``RuleContext.string_edit``): for a Python spec, the ``property_path=`` argument.
    ``required`` says whether an input must be connected (a dependency's ``required=``;
    None when not known or not recorded)."""

    name: str
    origin: Origin
    type: str | None = None
    property_path: object = None
    property_path_origin: Origin | None = None
    # -- SageMaker request facts (service limits, SL506) --
    required: bool | None = None
    # spec-level facts (issue 13): an output's ``aliases``, each ``Declared(alias, None, origin)``
    # (the alias a str, Unknown when not known; the origin is the alias itself where it is
    # written in place, else the output's own, and the alias cannot be removed alone), Unknown
    # when the list is not known; () for a dependency.
    aliases: tuple | Unknown = ()


@dataclass(frozen=True)
class Interface:
    """One declaration of a step's logical ports (a specification; a job-type variant is
    another one): its name and file, and its inputs and outputs, each a tuple of ``Port``
    or Unknown when not all names are known. ``response`` is the key of
    ``steplint.sagemaker.data.STEP_RESPONSE_SHAPES`` the properties of the step it declares
    mirror, when the declaration itself says so (a Python spec's step type; None: the
    step's ``response``). ``inputs_origin`` is where its inputs are declared as a whole
    (a Python spec's ``dependencies=``), None when not recorded."""

    name: str
    path: str
    inputs: tuple | Unknown
    outputs: tuple | Unknown
    # -- SageMaker facts of the declaration itself (SL501-SL506) --
    response: str | None = None
    inputs_origin: Origin | None = None
    # spec-level facts (issue 13): the declared ``node_type`` as written (the ``NodeType`` member
    # name for Python, ``SOURCE``; the value for YAML, ``source``), Unknown when not known, None
    # when not declared; where it is written; and the declaring form's words (``Terms``), None
    # when the reader gives none.
    node_type: object = None
    node_type_origin: Origin | None = None
    terms: "Terms | None" = None


@dataclass(frozen=True)
class ScriptRead:
    """Something a script reads.

    ``kind``: ``path`` (a container path literal or folded expression), ``input_key`` /
    ``output_key`` / ``environ_key`` (``input_paths["k"]`` / ``output_paths["k"]`` /
    ``environ_vars["k"]``, the mappings of the cursus script convention), ``env`` (an
    environment variable). ``how`` says whether the read can fail: ``subscript`` (KeyError when the name
    is absent), ``get`` (``.get(k)`` / ``getenv(k)``: a default instead), ``fallback`` (a
    ``.get`` that is only the default of another lookup on the same mapping, read only when
    that one's name is absent), ``guarded`` (a subscript inside ``if "k" in mapping:``, made
    only when the name is present), ``checked`` (made after the script's own ``if "k" not
    in mapping: raise ...``, so an absent name fails there, not here) or ``test`` (``"k" in
    os.environ``).

    ``unless`` holds groups of ``(kind, key)``: the read sits where the script goes only when
    some key of each group is absent (the ``else`` of ``if "a" in paths and "b" in paths:``,
    the body of ``if "a" not in paths:``), so it is never made when every key of one group
    is present.
    """

    kind: str
    key: str
    origin: Origin
    how: str = "subscript"
    unless: tuple = ()

    @property
    def can_fail(self) -> bool:
        """Whether reading an absent name raises (a subscript) rather than giving a default."""
        return self.how in ("subscript", "checked")


@dataclass(frozen=True)
class PassedKeys:
    """The keys of a mapping (``kind``: ``input_key`` / ``output_key`` / ``environ_key``) that
    a script's own ``__main__`` builds and hands to the code reading it: one frozenset of known keys per
    value the mapping may be bound to, and per value whether those are all its keys."""

    kind: str
    keys: tuple
    complete: tuple
    origin: Origin

    def has(self, key: str) -> Answer:
        """YES when every value holds ``key``, NO when every value is complete and none
        holds it, UNKNOWN otherwise (or when nothing is known)."""
        answers = {Answer.YES if key in keys else Answer.NO if complete else Answer.UNKNOWN
                   for keys, complete in zip(self.keys, self.complete)}
        return answers.pop() if len(answers) == 1 else Answer.UNKNOWN


@dataclass(frozen=True)
class ScriptOption:
    """One command-line option a script's parser defines: its flags, ``dest`` and whether
    it is required (None when not a known constant)."""

    flags: tuple
    dest: str | None
    required: bool | None
    origin: Origin


@dataclass(frozen=True)
class Script:
    """The script a step runs and what it reads.

    ``reads`` are its own path, key and env reads, in source order. ``env_names`` are the
    environment variables it or the tree modules it imports read, and ``reads_all_env`` is
    True when any of them uses ``os.environ`` whole (then any name may be read).
    ``options`` is None when its parser cannot be read statically (an
    ``add_argument(*flags)``). ``passed`` holds a ``PassedKeys`` per mapping the script's
    own ``__main__`` builds (``input_paths``, ``output_paths``, ``environ_vars``): for
    those, the keys it reads come from that mapping, not from the contract."""

    path: str
    name: str
    reads: tuple
    env_names: frozenset
    reads_all_env: bool
    options: tuple | None
    passed: tuple = ()
    # spec-level facts (issue 13): the module-level ``if __name__ == "__main__":`` that marks
    # the file as an entry point, None when it has none
    main_block: Origin | None = None

    def mapping(self, kind: str) -> "PassedKeys | None":
        """The ``PassedKeys`` of the ``kind`` mapping the script's own ``__main__`` builds, or
        None when it builds none."""
        return next((mapping for mapping in self.passed if mapping.kind == kind), None)

    def passes(self, kind: str, key: str) -> Answer | None:
        """Whether the mapping of ``kind`` the script builds itself holds ``key``; None when
        the script does not build that mapping (the keys then come from the contract)."""
        mapping = self.mapping(kind)
        return mapping.has(key) if mapping is not None else None

    def reads_env(self, name: str) -> Answer:
        """Whether the script (or a module it imports) reads environment variable ``name``."""
        if name in self.env_names:
            return Answer.YES
        return Answer.UNKNOWN if self.reads_all_env else Answer.NO


@dataclass(frozen=True)
class Terms:
    """How the form that declared a step names its container declarations, for messages that
    tell the user where to add or fix one: its inputs' and outputs' container paths, its env
    vars and its arguments (``expected_input_paths`` for a Python contract,
    ``contract.inputs`` for a YAML interface, ...). The defaults say it without a form."""

    input_paths: str = "the step's declared inputs"
    output_paths: str = "the step's declared outputs"
    env: str = "the step's declared env vars"
    arguments: str = "the step's declared arguments"


@dataclass(frozen=True)
class InferredLink:
    """A link between two declarations of a step that the code does not write but the
    reader made from unambiguous evidence (a spec without ``script_contract=`` and the
    contract named after the same step): ``source`` and ``target`` name them, ``evidence``
    says by what (``"matching names"``, ``"matching logical names"``, ``"the builder's class
    name"``)."""

    source: str
    target: str
    evidence: str

    def describe(self) -> str:
        """``CHURN_SPEC paired with CHURN_CONTRACT by matching names``."""
        return f"{self.source} paired with {self.target} by {self.evidence}"


@dataclass(frozen=True)
class Step:
    """One pipeline step.

    ``name`` is how steplint refers to it (the contract or spec constant, the pipeline
    step's name). ``kind`` is ``training``, ``processing``, ... or None when unknown.
    ``container_inputs`` / ``container_outputs`` / ``declared_env`` / ``declared_arguments``
    are the contract's declarations, each ``None`` when the step has none and ``Unknown``
    when they cannot be read. ``env``, ``arguments`` and ``channels`` are everything that
    reaches the container by any route. ``declared_by`` names the declaration the container
    items belong to (a contract), ``built_by`` the builders (for messages) and
    ``builder_paths`` their files; ``related`` lists every file that declares the step.
    ``delegated`` is True when every builder hands the step to another package's step class
    (its own image and script): the declarations are then nominal and say nothing about
    what runs. ``interfaces`` are the declarations of its logical ports (``Interface``).
    ``skipped_inputs`` are the logical names every builder of the step always leaves out of
    its inputs (never mounted, whatever the pipeline wires); empty when that cannot be told.
    ``sdk`` holds what only a step built directly with the SageMaker SDK has (``SdkStep``;
    None for other forms). ``terms`` names the declarations in the form's own words.
    ``inferred_links`` are the links between its declarations that the code does not write
    but the reader made from evidence (``InferredLink``), for messages to say so.
    ``response`` is the key of ``steplint.sagemaker.data.STEP_RESPONSE_SHAPES`` whose
    botocore shapes the step's ``properties`` mirror (``register_model`` for a RegisterModel
    step), None when not known (a delegated step's class is another package's).
    ``output_names`` holds the ``output_name`` of every ProcessingOutput the builder makes
    (what ``Outputs['X']`` selects by), None when the reader does not know them (the Python
    reader gives the literal ``output_name``s its builders write; the spec-driven builder
    names every other one after its output's logical name).
    ``builders`` holds what each builder of the step configures as written in its code
    (``BuilderConfig``: the jobs it constructs, its channels, its processing input and
    output lists), for the checks of SageMaker's versions and request limits.
    """

    name: str
    kind: str | None
    origin: Origin
    declared_by: str
    container_inputs: tuple | Unknown | None
    container_outputs: tuple | Unknown | None
    declared_env: tuple | Unknown | None
    declared_arguments: tuple | Unknown | None
    env: Supply
    arguments: Supply
    channels: Supply | None
    built_by: tuple
    builder_paths: tuple
    script: Script | None
    related: tuple = ()
    delegated: bool = False
    interfaces: tuple = ()
    skipped_inputs: frozenset = frozenset()
    sdk: "SdkStep | None" = None
    terms: Terms = Terms()
    inferred_links: tuple = ()
    response: str | None = None
    output_names: Supply | None = None
    # -- what the step's builders configure: jobs, channels, processing lists (SL504-SL506) --
    builders: tuple = ()
    # spec-level facts (issue 13): where the step's own declaration names its container inputs
    # when it does not write them in place (a module constant, a positional argument): a
    # finding about the inputs as this step declares them points there, and no fix removes
    # an entry of them alone; None when they are written in place, or the form has no such case.
    inputs_named_at: Origin | None = None
    # the entry point the step's declaration names as written (``train.py``), Unknown when not
    # known or when what runs is not that file (the container runs its own command, which may
    # run any script), None when it names none; and where it is written
    entry_point: object = None
    entry_point_origin: Origin | None = None

    def declared_paths(self) -> tuple | None:
        """Every container path the step declares, or None when any is not known."""
        entries = []
        for group in (self.container_inputs, self.container_outputs):
            if isinstance(group, Unknown):
                return None
            entries.extend(group or ())
        if not all(isinstance(entry.value, str) for entry in entries):
            return None
        return tuple(entry.value for entry in entries)


@dataclass(frozen=True)
class PathKey:
    """A literal ``[...]`` index in a property path as written (``Outputs['train']``): its
    value, where it is, and the text range ``start:end`` of its string literal (``quote``
    is its quote character, empty when it is not a plain string literal)."""

    value: object
    origin: Origin
    start: int
    end: int
    quote: str = ""


@dataclass(frozen=True)
class PropertyRead:
    """A read of one of a step's properties elsewhere (``<step>.properties.X['k'].Y``, or of
    the request it renders, ``<step>.arguments['X']...``): ``path`` from ``properties`` /
    ``arguments`` as written (an index steplint cannot read is ``[...]``),
    where the chain is, and its literal indexes in order (``PathKey``)."""

    path: str
    origin: Origin
    keys: tuple = ()


@dataclass(frozen=True)
class PipelineRef:
    """A ``Pipeline(...)`` that lists a step. ``parameters``: the names of its
    ``parameters=`` (Unknown when not all are known); ``steps``: ``(name, Origin, step
    class)`` of every step it lists, in order, condition branches included (a step listed
    twice appears twice; Unknown when not all are known)."""

    name: object
    origin: Origin
    parameters: tuple | Unknown
    steps: tuple | Unknown


@dataclass(frozen=True)
class SdkStep:
    """What a step built directly with the SageMaker Python SDK (2.x) has beyond the model.

    ``step_class`` (``ProcessingStep``), ``job_class`` (the processor, estimator,
    transformer or model class, when known), ``via_step_args`` (built from
    ``step_args=processor.run(...)`` / ``estimator.fit(...)``). ``response`` is the key of
    ``steplint.sagemaker.data.STEP_RESPONSE_SHAPES`` its properties follow (None when not a
    job step). ``ignored``: ``Declared(keyword, None, origin)`` for arguments passed beside
    ``step_args``, which the SDK does not use. ``code_input``: YES when ``code=`` makes the
    SDK add one more ProcessingInput. ``property_reads``: ``PropertyRead`` of this step's
    properties by the pipeline; ``property_files``: ``Declared(output_name, property file
    name, origin)``; ``versions``: ``Declared`` of ``framework_version`` / ``py_version`` /
    ``transformers_version`` / ``pytorch_version`` / ``tensorflow_version`` of the job's
    class, and ``estimator_cls`` (the class name) of a ``FrameworkProcessor``; for an
    ``image_uri=sagemaker.image_uris.retrieve(...)``, its ``framework``, ``version`` (as
    ``framework_version``), ``py_version`` and ``image_scope`` instead; ``parameters``: ``Declared(parameter name, parameter class, origin of its
    construction)`` of the pipeline parameters its arguments use; ``pipelines``: the
    ``PipelineRef`` of every ``Pipeline(...)`` listing it; ``name_origin``: where its name is;
    ``entry_point``: the estimator's ``entry_point=`` (None when it has none, Unknown when not
    known); ``hyperparameters``: ``Declared(key, value, origin of the key)`` of the
    estimator's ``hyperparameters=`` and ``set_hyperparameters(...)`` (Unknown when not all
    keys are known). ``job_origin``: where the processor, estimator, transformer or model is
    constructed (None when not known). ``step_references``: ``Declared(step name, how,
    origin)`` of the steps its arguments name (``how`` is ``JsonGet`` for
    ``JsonGet(step_name=...)``, ``depends_on`` for a name in ``depends_on=`` or
    ``add_depends_on(...)``); a name that is not known is left out. ``raw_hyperparameters``:
    ``Declared(key, use, origin)`` of the values its script reads from
    ``/opt/ml/input/config/hyperparameters.json`` through ``json.load`` and uses as they are,
    where a plain string is expected (``use`` says how: ``compared with 'adam'``,
    ``int()``, ...).
    """

    step_class: str
    job_class: str | None = None
    via_step_args: bool = False
    response: str | None = None
    ignored: tuple = ()
    code_input: Answer = Answer.NO
    property_reads: tuple = ()
    property_files: tuple = ()
    versions: tuple = ()
    parameters: tuple = ()
    pipelines: tuple = ()
    name_origin: Origin | None = None
    entry_point: object = None
    hyperparameters: tuple | Unknown = ()
    job_origin: Origin | None = None
    step_references: tuple = ()
    raw_hyperparameters: tuple = ()



# -- what a builder configures, as written (SL504-SL506) --------------------------------
@dataclass(frozen=True)
class Entry:
    """One ``key: value`` of a dict display (or one item of a list display, ``key`` None):
    ``key`` and ``value`` as far as they are known (a str, number, ... or Unknown), where
    the key is written and where the whole entry is."""

    key: object
    value: object
    key_origin: Origin | None
    origin: Origin


@dataclass(frozen=True)
class Written:
    """A dict or list display the code passes (``hyperparameters=``, ``environment=``,
    ``inputs=[...]``), followed to where it is written: its entries (``Entry``) and its
    origin (the display, in the file that writes it). ``how`` says, for messages, how the
    entries are made when a builder derives them from declarations (a YAML interface's
    synthesised builder: "one per required dependency ..."); empty when written as is."""

    entries: tuple
    origin: Origin
    how: str = ""


@dataclass(frozen=True)
class Job:
    """An estimator or processor a builder constructs.

    ``cls`` is its class name, ``kind`` ``estimator`` or ``processor``, ``origin`` the
    constructor call.
    ``versions``: ``Declared(keyword, value, origin of the keyword argument)`` for each of
    ``framework_version``, ``transformers_version``, ``py_version``, ``pytorch_version``,
    ``tensorflow_version`` whose value is a known string, and ``estimator_cls`` (the class
    name) of a ``FrameworkProcessor``. ``hyperparameters`` / ``environment``: the dict its
    ``hyperparameters=`` / ``env=`` (processor) or ``environment=`` (estimator) is known to
    be (``Written``), None when that is not a dict display steplint can follow."""

    cls: str
    kind: str
    origin: Origin
    versions: tuple = ()
    hyperparameters: Written | None = None
    environment: Written | None = None


@dataclass(frozen=True)
class BuilderConfig:
    """What one builder of a step configures, as written in its code.

    ``name`` and ``path``: the builder and its file. ``jobs``: the estimators and processors
    it constructs (``Job``). ``channels``: ``Declared(name, None, origin)`` of each training
    channel it names with a known string, first place each. ``processing_lists``:
    ``(keyword, Written)`` for each ``inputs=`` / ``outputs=`` list of a call that is known to
    hold only ``ProcessingInput`` / ``ProcessingOutput`` calls. ``local_paths``:
    ``Declared("ProcessingInput.destination" | "ProcessingOutput.source", path, origin of the
    keyword argument)`` of the known container paths of those calls. ``inputs_per_dependency``:
    the ``Interface`` of the spec when the builder only constructs processors and its
    ``_get_inputs`` makes one ProcessingInput per dependency of that spec, else None;
    ``code_input``: whether a call of the builder passes ``code=`` (``ScriptProcessor``
    uploads the script as one more ProcessingInput)."""

    name: str
    path: str
    jobs: tuple = ()
    channels: tuple = ()
    processing_lists: tuple = ()
    local_paths: tuple = ()
    inputs_per_dependency: Interface | None = None
    code_input: bool = False
