"""The static model: names resolved across modules without importing anything."""

from __future__ import annotations

from textwrap import dedent

from steplint.api import configure, load_workspace, make_engine
from steplint.engine.run import _Run
from steplint.model.values import Unknown
from steplint.readers.python.project import Contract, ProjectModel


def build_model(root, monkeypatch) -> ProjectModel:
    monkeypatch.chdir(root)
    config = configure(["."])
    workspace, _ = load_workspace(["."], config)
    engine = make_engine(config)
    run = _Run(engine, workspace)
    engine._load_candidates(run)
    return ProjectModel(run.facts, run, config.names, script_paths=tuple(workspace.sources))


PACKAGE_PROJECT = {
    "src/shop/__init__.py": "",
    "src/shop/core/__init__.py": "",
    "src/shop/core/base.py": dedent("""\
        from enum import Enum

        class DependencyType(Enum):
            TRAINING_DATA = "training_data"
            HYPERPARAMETERS = "hyperparameters"

        class NodeType(Enum):
            INTERNAL = "internal"

        class StepSpecification: ...
        class DependencySpec: ...
        class OutputSpec: ...
        class ScriptContract: ...
        class TrainingScriptContract(ScriptContract): ...
        class StepBuilderBase: ...
        """),
    "src/shop/registry/__init__.py": "",
    "src/shop/registry/step_names.py": dedent("""\
        STEP_NAMES = {
            "PyTorchTraining": {"spec_type": "PyTorchTraining", "sagemaker_step_type": "Training"},
            "Preprocess": {"spec_type": "Preprocess", "sagemaker_step_type": "Processing"},
        }

        def get_spec_step_type(step_name):
            return STEP_NAMES[step_name]["spec_type"]
        """),
    "src/shop/steps/__init__.py": "",
    "src/shop/steps/constants.py": 'DATA_ROOT = "/opt/ml/input/data"\nCHANNEL = "data"\n',
    "src/shop/steps/contracts/__init__.py": "",
    "src/shop/steps/contracts/pytorch_training_contract.py": dedent("""\
        from ...core.base import TrainingScriptContract
        from ..constants import DATA_ROOT, CHANNEL

        PYTORCH_TRAIN_CONTRACT = TrainingScriptContract(
            entry_point="train.py",
            expected_input_paths={"input_path": DATA_ROOT, "extra": f"{DATA_ROOT}/{CHANNEL}/extra"},
            expected_output_paths={"model_output": "/opt/ml/model"},
        )
        """),
    "src/shop/steps/specs/__init__.py": "from .pytorch_training_spec import PYTORCH_TRAINING_SPEC\n",
    "src/shop/steps/specs/pytorch_training_spec.py": dedent("""\
        from ...core.base import StepSpecification, DependencySpec, DependencyType, NodeType
        from ...registry.step_names import get_spec_step_type

        def _get_pytorch_train_contract():
            from ..contracts.pytorch_training_contract import PYTORCH_TRAIN_CONTRACT
            return PYTORCH_TRAIN_CONTRACT

        PYTORCH_TRAINING_SPEC = StepSpecification(
            step_type=get_spec_step_type("PyTorchTraining"),
            node_type=NodeType.INTERNAL,
            script_contract=_get_pytorch_train_contract(),
            dependencies=[
                DependencySpec(logical_name="input_path", dependency_type=DependencyType.TRAINING_DATA),
            ],
        )
        """),
    "src/shop/steps/builders/__init__.py": "",
    "src/shop/steps/builders/builder_pytorch_training_step.py": dedent("""\
        from sagemaker.pytorch import PyTorch as PT
        from ...core.base import StepBuilderBase
        from ..specs import PYTORCH_TRAINING_SPEC

        class TrainingBuilderBase(StepBuilderBase):
            pass

        class PyTorchTrainingStepBuilder(TrainingBuilderBase):
            def __init__(self, config):
                super().__init__(config=config, spec=PYTORCH_TRAINING_SPEC)

            def _create_estimator(self):
                return PT(entry_point="train.py", hyperparameters={"lr": 0.1})
        """),
    "src/shop/steps/scripts/train.py": 'import os\nLR = os.environ["LEARNING_RATE"]\n',
}


def test_specs_contracts_builders_resolve_across_modules(project, monkeypatch):
    model = build_model(project(PACKAGE_PROJECT), monkeypatch)
    [spec] = model.specs
    assert spec.step_type == "PyTorchTraining"
    assert spec.sagemaker_step_type == "Training"
    assert spec.node_type == "INTERNAL"
    assert [d.logical_name for d in spec.dependencies] == ["input_path"]
    assert spec.dependencies[0].type_name == "TRAINING_DATA"

    contract = model.contract_of(spec)
    assert isinstance(contract, Contract)
    assert contract.name == "PYTORCH_TRAIN_CONTRACT" and contract.is_training
    assert model.resolve(contract.input_paths.get("input_path")) == "/opt/ml/input/data"
    assert model.resolve(contract.input_paths.get("extra")) == "/opt/ml/input/data/data/extra"

    [builder] = model.builders
    assert builder.name == "PyTorchTrainingStepBuilder"
    assert model.spec_of(builder) is spec
    [estimator] = builder.constructed
    assert (estimator.class_name, estimator.kind) == ("PyTorch", "estimator")
    assert estimator.call.has_kwarg("hyperparameters")
    assert model.step_kind(spec) == "training"

    script = model.script_of(contract)
    assert script is not None and script.path.endswith("scripts/train.py")
    assert [(a.kind, a.key) for a in script.accesses if a.kind == "env"] == [("env", "LEARNING_RATE")]


def test_unresolvable_values_are_explicit_unknowns(project, monkeypatch):
    files = dict(PACKAGE_PROJECT)
    files["src/shop/steps/specs/pytorch_training_spec.py"] = dedent("""\
        from ...core.base import StepSpecification, DependencySpec, NodeType
        from ..dynamic import make_dependencies, pick_contract

        PYTORCH_TRAINING_SPEC = StepSpecification(
            step_type=compute_type(),
            node_type=NodeType.INTERNAL,
            script_contract=pick_contract(),
            dependencies=[DependencySpec(logical_name=name) for name in ("a", "b")],
        )
        """)
    model = build_model(project(files), monkeypatch)
    [spec] = model.specs
    assert isinstance(spec.step_type, Unknown)
    assert isinstance(spec.dependencies, Unknown)
    assert "ListComp" in spec.dependencies.reason
    assert isinstance(model.contract_of(spec), Unknown)


def test_nothing_is_imported(project, monkeypatch, tmp_path):
    marker = tmp_path / "imported"
    files = dict(PACKAGE_PROJECT)
    for path in list(files):
        files[path] = f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n" + files[path]
    model = build_model(project(files), monkeypatch)
    assert model.specs and model.contracts and model.builders
    assert not marker.exists()
