"""Small example projects for the SL5xx rules' documentation and tests (``steps/`` layout)."""

from __future__ import annotations

from textwrap import dedent, indent

CORE = "steps/core.py"
REGISTRY = "steps/registry.py"

CORE_SOURCE = (
    "class StepSpecification: ...\nclass DependencySpec: ...\nclass OutputSpec: ...\n"
    "class ScriptContract: ...\nclass TrainingScriptContract(ScriptContract): ...\n"
    "class StepBuilderBase: ...\n"
)


def _registry(step_name: str, sagemaker_step_type: str) -> str:
    return dedent(f'''\
        STEP_NAMES = {{
            "{step_name}": {{"spec_type": "{step_name}", "sagemaker_step_type": "{sagemaker_step_type}"}},
        }}


        def get_spec_step_type(step_name):
            return STEP_NAMES[step_name]["spec_type"]
        ''')


def property_path_project(property_path: str, *, sagemaker_step_type: str = "Training") -> dict:
    """One spec whose single output has ``property_path``; its step type comes from the registry."""
    return {
        CORE: CORE_SOURCE,
        REGISTRY: _registry("ModelStep", sagemaker_step_type),
        "steps/specs/model_spec.py": dedent(f'''\
            from steps.core import DependencySpec, OutputSpec, StepSpecification
            from steps.core import DependencyType, NodeType
            from steps.registry import get_spec_step_type

            MODEL_SPEC = StepSpecification(
                step_type=get_spec_step_type("ModelStep"),
                node_type=NodeType.SOURCE,
                dependencies=[],
                outputs=[
                    OutputSpec(
                        logical_name="model_output",
                        output_type=DependencyType.MODEL_ARTIFACTS,
                        property_path="{property_path}",
                    ),
                ],
            )
            '''),
    }


def builder_project(estimator_kwargs: str, *, channels: str | None = None, estimator: str = "PyTorch",
                    imports: str = "", helpers: str = "") -> dict:
    """A training spec and a builder constructing ``estimator`` with ``estimator_kwargs``;
    ``channels`` is the dict display ``_get_inputs`` returns (``path`` is bound). ``imports``
    (``import json``) open the builder module and ``helpers`` (module-level functions) precede
    the builder class."""
    channel_method = ""
    if channels is not None:
        channel_method = dedent(f'''

            def _get_inputs(self, inputs):
                path = inputs["input_path"]
                return {channels}
            ''')
    return {
        CORE: CORE_SOURCE,
        REGISTRY: _registry("ModelTraining", "Training"),
        "steps/specs/training_spec.py": dedent('''\
            from steps.core import DependencySpec, OutputSpec, StepSpecification
            from steps.core import DependencyType, NodeType
            from steps.registry import get_spec_step_type

            TRAINING_SPEC = StepSpecification(
                step_type=get_spec_step_type("ModelTraining"),
                node_type=NodeType.SINK,
                dependencies=[
                    DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),
                ],
                outputs=[],
            )
            '''),
        "steps/builders/builder_training_step.py": dedent(imports) + dedent('''\
            from sagemaker.inputs import TrainingInput
            from sagemaker.{module} import {estimator}

            from steps.core import StepBuilderBase
            from steps.specs.training_spec import TRAINING_SPEC

            {helpers}
            class TrainingStepBuilder(StepBuilderBase):
                def __init__(self, config, sagemaker_session=None, role=None):
                    super().__init__(config=config, spec=TRAINING_SPEC, sagemaker_session=sagemaker_session, role=role)

                def _create_estimator(self):
                    return {estimator}(
                        entry_point="train.py",
                        {kwargs}
                    )
            ''').format(module=estimator.lower(), estimator=estimator,
                        helpers="\n" + dedent(helpers).strip("\n") + "\n\n" if helpers else "",
                        kwargs=indent(estimator_kwargs.strip("\n"), " " * 12).lstrip()) + indent(channel_method, "    "),
    }


def processing_project(property_path: str, *, output_name: str = "logical_name", extra_outputs: int = 0) -> dict:
    """A processing spec with output ``processed_data`` and a builder naming its ProcessingOutput
    ``output_name`` (an expression); ``extra_outputs`` adds literal outputs to the run call."""
    extra = "".join(
        f'\n            ProcessingOutput(output_name="extra_{i}", source="/opt/ml/processing/output/extra_{i}"),'
        for i in range(extra_outputs))
    run = ""
    if extra_outputs:
        run = dedent('''

            def create_step(self):
                processor = self._create_processor()
                return processor.run(
                    code="preprocess.py",
                    outputs=[
                        ProcessingOutput(output_name="processed_data", source="/opt/ml/processing/output"),{extra}
                    ],
                )
            ''').replace("{extra}", extra.replace("\n            ", "\n            "))
    return {
        CORE: CORE_SOURCE,
        REGISTRY: _registry("Preprocessing", "Processing"),
        "steps/specs/preprocessing_spec.py": dedent(f'''\
            from steps.core import DependencySpec, OutputSpec, StepSpecification
            from steps.core import DependencyType, NodeType
            from steps.registry import get_spec_step_type

            PREPROCESSING_SPEC = StepSpecification(
                step_type=get_spec_step_type("Preprocessing"),
                node_type=NodeType.SOURCE,
                dependencies=[],
                outputs=[
                    OutputSpec(
                        logical_name="processed_data",
                        output_type=DependencyType.PROCESSING_OUTPUT,
                        property_path="{property_path}",
                    ),
                ],
            )
            '''),
        "steps/builders/builder_preprocessing_step.py": dedent('''\
            from sagemaker.processing import ProcessingOutput
            from sagemaker.sklearn.processing import SKLearnProcessor

            from steps.core import StepBuilderBase
            from steps.specs.preprocessing_spec import PREPROCESSING_SPEC


            class PreprocessingStepBuilder(StepBuilderBase):
                def __init__(self, config, sagemaker_session=None, role=None):
                    super().__init__(config=config, spec=PREPROCESSING_SPEC, sagemaker_session=sagemaker_session)

                def _create_processor(self):
                    return SKLearnProcessor(framework_version="1.2-1", role=self.role, instance_count=1,
                                            instance_type="ml.m5.xlarge")

                def _get_outputs(self, outputs):
                    result = []
                    for output in self.spec.outputs.values():
                        logical_name = output.logical_name
                        result.append(ProcessingOutput(output_name={output_name},
                                                       source="/opt/ml/processing/output"))
                    return result
            ''').replace("{output_name}", output_name) + indent(run, "    "),
    }


def with_script(files: dict, script: str) -> dict:
    """``builder_project`` files whose spec links a training contract for ``steps/scripts/train.py``
    (``script``, its source)."""
    files = dict(files)
    spec = "steps/specs/training_spec.py"
    registry_import = "from steps.registry import get_spec_step_type\n"
    contract_import = "from steps.contracts.training_contract import TRAINING_CONTRACT\n"
    node_type = "    node_type=NodeType.SINK,\n"
    files[spec] = files[spec].replace(registry_import, registry_import + contract_import) \
        .replace(node_type, node_type + "    script_contract=TRAINING_CONTRACT,\n")
    files["steps/contracts/training_contract.py"] = dedent('''\
        from steps.core import TrainingScriptContract

        TRAINING_CONTRACT = TrainingScriptContract(
            entry_point="train.py",
            expected_input_paths={"input_path": "/opt/ml/input/data"},
            expected_output_paths={},
        )
        ''')
    files["steps/scripts/train.py"] = dedent(script)
    return files


INTERFACE_PATH = "steps/interfaces/{stem}.step.yaml"


def interface_project(property_path: str, *, sagemaker_step_type: str = "Processing", output: str = "processed_data",
                      variant: str = "") -> dict:
    """One YAML step interface (``*.step.yaml``) whose spec output ``output`` has
    ``property_path`` (written as is: quote it in the argument when the YAML needs it);
    ``variant`` is text appended under a ``variants:`` key."""
    stem = "risk_features" if sagemaker_step_type == "Processing" else "risk_model_training"
    container = "/opt/ml/processing/output" if sagemaker_step_type == "Processing" else "/opt/ml/model"
    text = dedent(f"""\
        step_type: {''.join(part.title() for part in stem.split('_'))}
        node_type: internal
        registry:
          sagemaker_step_type: {sagemaker_step_type}
        contract:
          entry_point: null
          outputs:
            {output}:
              path: {container}
        spec:
          outputs:
            {output}:
              type: processing_output
              property_path: {property_path}
        """)
    if variant:
        text += "variants:\n" + indent(dedent(variant), "  ")
    return {INTERFACE_PATH.format(stem=stem): text}


def wide_interface_project(required: int, *, optional: int = 0, skipped: int = 0, env: str = "LABEL_FIELD",
                           sagemaker_step_type: str = "Processing", variant: str = "") -> dict:
    """One YAML processing (or training) step interface with ``required`` required and ``optional``
    optional dependencies, each with a contract input path (``skipped`` of the required ones
    in ``contract.skip_inputs``), and one optional env var named ``env``; ``variant`` is text
    appended under a ``variants:`` key."""
    training = sagemaker_step_type == "Training"
    names = [f"table_{n}" for n in range(required)] + [f"extra_{n}" for n in range(optional)]
    root = "/opt/ml/input/data" if training else "/opt/ml/processing/input"
    inputs = "".join(f"    {name}:\n      path: {root}/{name}\n"
                     + ("      required: false\n" if name.startswith("extra_") else "") for name in names)
    dependencies = "".join(f"    {name}:\n      type: processing_output\n"
                           + ("      required: false\n" if name.startswith("extra_") else "") for name in names)
    skip = "".join(f"    - table_{n}\n" for n in range(skipped))
    text = (f"step_type: WideMerge\nnode_type: internal\nregistry:\n  sagemaker_step_type: {sagemaker_step_type}\n"
            f"contract:\n  entry_point: null\n  inputs:\n{inputs}"
            + (f"  skip_inputs:\n{skip}" if skip else "")
            + f"  env_vars:\n    optional:\n      {env}: label\n"
            f"spec:\n  dependencies:\n{dependencies}")
    if variant:
        text += "variants:\n" + indent(dedent(variant), "  ")
    return {INTERFACE_PATH.format(stem="wide_merge"): text}

