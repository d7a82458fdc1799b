"""Generate a specification-driven SageMaker project of N steps for benchmarking steplint.

Layout (the ``steps/`` layout)::

    pyproject.toml
    src/benchproj/core/base/{specification_base,contract_base,builder_base,config_base}.py
    src/benchproj/steps/registry/step_names.py         one STEP_NAMES entry per step
    src/benchproj/steps/specs/<step>_spec.py            StepSpecification per step
    src/benchproj/steps/contracts/<step>_contract.py    (Training)ScriptContract per step
    src/benchproj/steps/builders/builder_<step>.py      StepBuilderBase subclass per step
    src/benchproj/steps/scripts/<step>.py               the contract's entry point
    src/benchproj/steps/configs/config_<step>.py        plain config classes (no step code)
    src/benchproj/utils/*.py                            helpers with no step code

Steps rotate through three kinds: PyTorch training (hyperparameters= on the estimator),
XGBoost training (hyperparameters delivered through a ``config`` channel) and SKLearn
processing. About one step in eight carries the founding defect (a redundant
HYPERPARAMETERS dependency and a contract path under /opt/ml/input/config/), about one in
ten processing steps writes an output to a file path. Output is deterministic for a given N.

Usage: ``python bench/generate.py OUT_DIR [--steps N]``.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from textwrap import dedent

PACKAGE = "benchproj"
KINDS = ("pytorch", "xgboost", "processing")
SOURCE_STEP = "Preprocessing0002"  # the first processing step; every step lists it as a compatible source

PYPROJECT = """\
[project]
name = "benchproj"
version = "1.0.0"
requires-python = ">=3.9"
dependencies = ["sagemaker>=2.200,<3"]

[tool.steplint]
"""

SPECIFICATION_BASE = '''\
"""Base classes for step specifications."""

import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, List, Optional

logger = logging.getLogger(__name__)


class DependencyType(Enum):
    MODEL_ARTIFACTS = "model_artifacts"
    PROCESSING_OUTPUT = "processing_output"
    TRAINING_DATA = "training_data"
    HYPERPARAMETERS = "hyperparameters"
    PAYLOAD_SAMPLES = "payload_samples"
    CUSTOM_PROPERTY = "custom_property"


class NodeType(Enum):
    SOURCE = "source"
    INTERNAL = "internal"
    SINK = "sink"
    SINGULAR = "singular"


@dataclass
class DependencySpec:
    logical_name: str
    dependency_type: DependencyType
    required: bool = True
    compatible_sources: List[str] = field(default_factory=list)
    semantic_keywords: List[str] = field(default_factory=list)
    data_type: str = "S3Uri"
    description: str = ""


@dataclass
class OutputSpec:
    logical_name: str
    output_type: DependencyType
    property_path: str
    aliases: List[str] = field(default_factory=list)
    data_type: str = "S3Uri"
    description: str = ""


class StepSpecification:
    def __init__(self, step_type, node_type, script_contract=None, dependencies=(), outputs=()):
        self.step_type = step_type
        self.node_type = node_type
        self.script_contract = script_contract
        self.dependencies: Dict[str, DependencySpec] = {d.logical_name: d for d in dependencies}
        self.outputs: Dict[str, OutputSpec] = {o.logical_name: o for o in outputs}

    def validate_contract_alignment(self) -> List[str]:
        issues = []
        if self.script_contract is None:
            return issues
        for name, dependency in self.dependencies.items():
            if dependency.required and name not in self.script_contract.expected_input_paths:
                issues.append(f"contract has no input path for dependency '{name}'")
        for name in self.outputs:
            if name not in self.script_contract.expected_output_paths:
                issues.append(f"contract has no output path for output '{name}'")
        return issues

    def get_output(self, name: str) -> Optional[OutputSpec]:
        return self.outputs.get(name)
'''

CONTRACT_BASE = '''\
"""Script contracts: what an entry-point script expects from its container."""

from dataclasses import dataclass, field
from typing import Dict, List


@dataclass
class ScriptContract:
    entry_point: str
    expected_input_paths: Dict[str, str]
    expected_output_paths: Dict[str, str]
    required_env_vars: List[str] = field(default_factory=list)
    optional_env_vars: Dict[str, str] = field(default_factory=dict)
    expected_arguments: Dict[str, str] = field(default_factory=dict)
    framework_requirements: Dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass
class TrainingScriptContract(ScriptContract):
    pass
'''

BUILDER_BASE = '''\
"""Base class for step builders."""

import logging
from typing import Optional

from ...steps.registry.step_names import STEP_NAMES
from .specification_base import StepSpecification

logger = logging.getLogger(__name__)


class StepBuilderBase:
    def __init__(self, config, spec: Optional[StepSpecification] = None, sagemaker_session=None,
                 role: Optional[str] = None):
        self.config = config
        self.spec = spec
        self.contract = spec.script_contract if spec else None
        self.session = sagemaker_session
        self.role = role

    def _get_step_name(self) -> str:
        class_name = type(self).__name__
        for name, info in STEP_NAMES.items():
            if info["builder_step_name"] == class_name:
                return name
        return class_name

    def _get_environment_variables(self) -> dict:
        env = {}
        if self.contract is not None:
            for name in self.contract.required_env_vars:
                env[name] = str(getattr(self.config, name.lower(), ""))
        return env

    def _get_cache_config(self, enable_caching: bool = True):
        from sagemaker.workflow.steps import CacheConfig

        return CacheConfig(enable_caching=enable_caching, expire_after="P30D")
'''

CONFIG_BASE = '''\
"""Configuration base classes (plain data, no step code)."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass
class BasePipelineConfig:
    region: str = "us-west-2"
    pipeline_name: str = "bench-pipeline"
    pipeline_s3_loc: str = "s3://bench-bucket/pipelines"
    source_dir: Optional[str] = None
    tags: Dict[str, str] = field(default_factory=dict)

    def get_script_path(self) -> str:
        return f"{self.source_dir}/{self.entry_point}"


@dataclass
class ModelHyperparameters:
    learning_rate: float = 0.01
    batch_size: int = 64
    max_epochs: int = 10
    feature_list: List[str] = field(default_factory=list)

    def to_dict(self) -> Dict:
        return dict(self.__dict__)
'''


def step_name(index: int, kind: str) -> str:
    return {"pytorch": "PyTorchTraining", "xgboost": "XGBoostTraining", "processing": "Preprocessing"}[kind] \
        + f"{index:04d}"


def snake(index: int, kind: str) -> str:
    return f"{kind}_{index:04d}"


def has_founding_defect(index: int, kind: str) -> bool:
    return kind == "pytorch" and index % 8 == 0


def has_file_output_defect(index: int, kind: str) -> bool:
    return kind == "processing" and index % 10 == 2


def registry(steps) -> str:
    lines = ['"""Central registry of step names."""', "", "from typing import Dict, Optional", "",
             "STEP_NAMES: Dict[str, Dict[str, str]] = {"]
    for index, kind in steps:
        name = step_name(index, kind)
        sagemaker_type = "Processing" if kind == "processing" else "Training"
        lines += [
            f'    "{name}": {{',
            f'        "config_class": "{name}Config",',
            f'        "builder_step_name": "{name}StepBuilder",',
            f'        "spec_type": "{name}",',
            f'        "sagemaker_step_type": "{sagemaker_type}",',
            f'        "description": "Generated {kind} step number {index}",',
            "    },",
        ]
    lines += ["}", "", "", dedent('''\
        def get_spec_step_type(step_name: str) -> str:
            return STEP_NAMES[step_name]["spec_type"]


        def get_spec_step_type_with_job_type(step_name: str, job_type: Optional[str] = None) -> str:
            spec_type = get_spec_step_type(step_name)
            if job_type:
                return f"{spec_type}_{job_type.capitalize()}"
            return spec_type
        ''')]
    return "\n".join(lines)


def dependency(name: str, kind: str, required: bool = True) -> str:
    return dedent(f'''\
            DependencySpec(
                logical_name="{name}",
                dependency_type=DependencyType.{kind},
                required={required},
                compatible_sources=["{SOURCE_STEP}"],
                semantic_keywords=["data", "input", "dataset", "processed", "{name}"],
                data_type="S3Uri",
                description="Input {name} for this step",
            ),''')


def output(name: str, kind: str, path: str) -> str:
    return dedent(f'''\
            OutputSpec(
                logical_name="{name}",
                output_type=DependencyType.{kind},
                property_path="{path}",
                aliases=["{name}_alias"],
                data_type="S3Uri",
                description="Output {name} of this step",
            ),''')


def spec(index: int, kind: str) -> str:
    name, base = step_name(index, kind), snake(index, kind)
    dependencies = []
    if kind == "processing":
        dependencies.append(dependency("DATA", "PROCESSING_OUTPUT"))
        outputs = [output("processed_data", "PROCESSING_OUTPUT",
                          "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri")]
    else:
        dependencies.append(dependency("input_path", "TRAINING_DATA"))
        if kind == "xgboost":
            dependencies.append(dependency("hyperparameters_s3_uri", "HYPERPARAMETERS", required=False))
        elif has_founding_defect(index, kind):
            dependencies.append(dependency("config", "HYPERPARAMETERS"))
        outputs = [output("model_output", "MODEL_ARTIFACTS", "properties.ModelArtifacts.S3ModelArtifacts"),
                   output("evaluation_output", "PROCESSING_OUTPUT", "properties.OutputDataConfig.S3OutputPath")]
    indent = lambda block: "\n".join("        " + line for line in "\n".join(block).splitlines())  # noqa: E731
    return f'''"""Specification of step {name}."""

from ...core.base.specification_base import (
    DependencySpec,
    DependencyType,
    NodeType,
    OutputSpec,
    StepSpecification,
)
from ..registry.step_names import get_spec_step_type


def _get_{base}_contract():
    from ..contracts.{base}_contract import {base.upper()}_CONTRACT

    return {base.upper()}_CONTRACT


{base.upper()}_SPEC = StepSpecification(
    step_type=get_spec_step_type("{name}"),
    node_type=NodeType.INTERNAL,
    script_contract=_get_{base}_contract(),
    dependencies=[
{indent(dependencies)}
    ],
    outputs=[
{indent(outputs)}
    ],
)
'''


def contract(index: int, kind: str) -> str:
    base = snake(index, kind)
    if kind == "processing":
        output_path = ("/opt/ml/processing/output/processed.tar.gz" if has_file_output_defect(index, kind)
                       else "/opt/ml/processing/output")
        return f'''"""Contract of the script {base}.py."""

from ...core.base.contract_base import ScriptContract

{base.upper()}_CONTRACT = ScriptContract(
    entry_point="{base}.py",
    expected_input_paths={{
        "DATA": "/opt/ml/processing/input/data",
    }},
    expected_output_paths={{
        "processed_data": "{output_path}",
    }},
    required_env_vars=["LABEL_FIELD", "TRAIN_RATIO"],
    optional_env_vars={{"SEED": "42"}},
    expected_arguments={{"job_type": "training"}},
    framework_requirements={{"pandas": ">=1.3.0", "scikit-learn": ">=1.0.0"}},
    description="Preprocessing script {index}: splits the data into train/val/test.",
)
'''
    inputs = ['        "input_path": "/opt/ml/input/data",']
    if kind == "xgboost":
        inputs.append('        "hyperparameters_s3_uri": "/opt/ml/input/data/config/hyperparameters.json",')
    elif has_founding_defect(index, kind):
        inputs.append('        "config": "/opt/ml/input/config/hyperparameters.json",')
    joined = "\n".join(inputs)
    return f'''"""Contract of the training script {base}.py."""

from ...core.base.contract_base import TrainingScriptContract

{base.upper()}_CONTRACT = TrainingScriptContract(
    entry_point="{base}.py",
    expected_input_paths={{
{joined}
    }},
    expected_output_paths={{
        "model_output": "/opt/ml/model",
        "evaluation_output": "/opt/ml/output/data",
    }},
    expected_arguments={{}},
    required_env_vars=[],
    optional_env_vars={{}},
    framework_requirements={{"{"torch" if kind == "pytorch" else "xgboost"}": ">=1.7"}},
    description="Training script {index}.",
)
'''


SPEC_DRIVEN_INPUTS = '''\
    def _get_inputs(self, inputs: Dict[str, Any]) -> Dict[str, TrainingInput]:
        """Training channels for the dependencies the specification declares."""
        channel_root = "/opt/ml/input/data"
        channels: Dict[str, TrainingInput] = {}
        for dependency in self.spec.dependencies.values():
            logical_name = dependency.logical_name
            if logical_name not in inputs:
                if dependency.required:
                    raise ValueError(f"required input '{logical_name}' was not provided")
                continue
            container_path = self.contract.expected_input_paths.get(logical_name)
            if container_path is None:
                raise ValueError(f"the script contract has no container path for input '{logical_name}'")
            if container_path.rstrip("/") == channel_root:
                channels.update(self._create_data_channel_from_source(inputs[logical_name]))
            elif container_path.startswith(channel_root + "/"):
                channel = container_path[len(channel_root) + 1:].split("/")[0]
                channels[channel] = TrainingInput(s3_data=inputs[logical_name])
            else:
                raise ValueError(f"input '{logical_name}' maps to {container_path}, where no channel is mounted")
        return channels
'''

AD_HOC_INPUTS = '''\
    def _get_inputs(self, inputs: Dict[str, Any]) -> Dict[str, TrainingInput]:
        training_inputs: Dict[str, TrainingInput] = {}
        for logical_name, value in inputs.items():
            if logical_name == "input_path":
                training_inputs["data"] = TrainingInput(s3_data=value)
            elif logical_name == "config":
                training_inputs["config"] = TrainingInput(s3_data=value)
        return training_inputs
'''


def builder(index: int, kind: str) -> str:
    name, base = step_name(index, kind), snake(index, kind)
    if kind == "processing":
        return f'''"""Step builder for {name}."""

import logging
from typing import Any, Dict, List

from sagemaker.processing import ProcessingInput, ProcessingOutput
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.steps import ProcessingStep

from ...core.base.builder_base import StepBuilderBase
from ..specs.{base}_spec import {base.upper()}_SPEC

logger = logging.getLogger(__name__)


class {name}StepBuilder(StepBuilderBase):
    def __init__(self, config, sagemaker_session=None, role=None):
        super().__init__(config=config, spec={base.upper()}_SPEC, sagemaker_session=sagemaker_session, role=role)

    def _create_processor(self) -> SKLearnProcessor:
        return SKLearnProcessor(
            framework_version="1.2-1",
            role=self.role,
            instance_type=self.config.processing_instance_type,
            instance_count=1,
            base_job_name="preprocess-{index}",
            sagemaker_session=self.session,
            env=self._get_environment_variables(),
        )

    def _get_inputs(self, inputs: Dict[str, Any]) -> List[ProcessingInput]:
        processing_inputs = []
        for _, dependency_spec in self.spec.dependencies.items():
            logical_name = dependency_spec.logical_name
            if not dependency_spec.required and logical_name not in inputs:
                continue
            if logical_name not in self.contract.expected_input_paths:
                raise ValueError(f"No container path found for input: {{logical_name}}")
            processing_inputs.append(
                ProcessingInput(
                    input_name=logical_name,
                    source=inputs[logical_name],
                    destination=self.contract.expected_input_paths[logical_name],
                )
            )
        return processing_inputs

    def _get_outputs(self, outputs: Dict[str, Any]) -> List[ProcessingOutput]:
        processing_outputs = []
        for _, output_spec in self.spec.outputs.items():
            logical_name = output_spec.logical_name
            container_path = self.contract.expected_output_paths[logical_name]
            destination = outputs.get(logical_name) or f"{{self.config.pipeline_s3_loc}}/{base}/{{logical_name}}"
            processing_outputs.append(
                ProcessingOutput(output_name=logical_name, source=container_path, destination=destination)
            )
        return processing_outputs

    def create_step(self, **kwargs) -> ProcessingStep:
        inputs = kwargs.get("inputs", {{}}) or {{}}
        outputs = kwargs.get("outputs", {{}}) or {{}}
        step = ProcessingStep(
            name=self._get_step_name(),
            processor=self._create_processor(),
            inputs=self._get_inputs(inputs),
            outputs=self._get_outputs(outputs),
            code=self.config.get_script_path(),
            job_arguments=["--job_type", "training"],
            depends_on=kwargs.get("dependencies", []),
            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)),
        )
        setattr(step, "_spec", self.spec)
        return step
'''
    if kind == "pytorch":
        estimator_import, estimator = "from sagemaker.pytorch import PyTorch", "PyTorch"
        versions = 'framework_version="2.1.0",\n            py_version="py310",'
        hyperparameters = "\n            hyperparameters=self.config.hyperparameters.to_dict(),"
    else:
        estimator_import, estimator = "from sagemaker.xgboost import XGBoost", "XGBoost"
        versions = 'framework_version="1.7-1",\n            py_version="py3",'
        hyperparameters = ""
    get_inputs = AD_HOC_INPUTS if has_founding_defect(index, kind) else SPEC_DRIVEN_INPUTS
    return f'''"""Step builder for {name}."""

import logging
from typing import Any, Dict, List

from sagemaker.inputs import TrainingInput
{estimator_import}
from sagemaker.workflow.steps import TrainingStep

from ...core.base.builder_base import StepBuilderBase
from ..specs.{base}_spec import {base.upper()}_SPEC

logger = logging.getLogger(__name__)


class {name}StepBuilder(StepBuilderBase):
    def __init__(self, config, sagemaker_session=None, role=None):
        super().__init__(config=config, spec={base.upper()}_SPEC, sagemaker_session=sagemaker_session, role=role)

    def _create_estimator(self, output_path=None) -> {estimator}:
        return {estimator}(
            entry_point="{base}.py",
            source_dir=self.config.source_dir,
            {versions}
            role=self.role,
            instance_type=self.config.training_instance_type,
            instance_count=1,
            sagemaker_session=self.session,
            output_path=output_path,{hyperparameters}
        )

    def _create_data_channel_from_source(self, base_path) -> Dict[str, TrainingInput]:
        return {{"data": TrainingInput(s3_data=base_path)}}

{get_inputs}
    def _get_outputs(self, outputs: Dict[str, Any]) -> str:
        primary = next(iter(self.spec.outputs))
        return outputs.get(primary) or f"{{self.config.pipeline_s3_loc}}/{base}/model"

    def create_step(self, **kwargs) -> TrainingStep:
        inputs: Dict[str, Any] = kwargs.get("inputs", {{}}) or {{}}
        outputs: Dict[str, Any] = kwargs.get("outputs", {{}}) or {{}}
        dependencies: List = kwargs.get("dependencies", []) or []
        estimator = self._create_estimator(self._get_outputs(outputs))
        step = TrainingStep(
            name=self._get_step_name(),
            estimator=estimator,
            inputs=self._get_inputs(inputs),
            depends_on=dependencies,
            cache_config=self._get_cache_config(kwargs.get("enable_caching", True)),
        )
        setattr(step, "_spec", self.spec)
        return step
'''


def script(index: int, kind: str) -> str:
    if kind == "processing":
        output_dir = ("/opt/ml/processing/output/processed.tar.gz" if has_file_output_defect(index, kind)
                      else "/opt/ml/processing/output")
        return f'''#!/usr/bin/env python
"""Preprocessing script {index}: combine shards, split into train/val/test."""

import argparse
import os
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "{output_dir}"


def combine_shards(input_dir: str) -> pd.DataFrame:
    files = sorted(Path(input_dir).glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no shards in {{input_dir}}")
    return pd.concat([pd.read_csv(path) for path in files], ignore_index=True)


def split(df: pd.DataFrame, label: str, train_ratio: float, seed: int):
    train, rest = train_test_split(df, train_size=train_ratio, random_state=seed, stratify=df[label])
    val, test = train_test_split(rest, test_size=0.5, random_state=seed, stratify=rest[label])
    return {{"train": train, "val": val, "test": test}}


def main(job_type: str) -> None:
    label = os.environ["LABEL_FIELD"]
    train_ratio = float(os.environ["TRAIN_RATIO"])
    seed = int(os.environ.get("SEED", "42"))
    df = combine_shards(INPUT_DIR)
    df.columns = [column.strip().lower() for column in df.columns]
    splits = split(df, label, train_ratio, seed) if job_type == "training" else {{job_type: df}}
    for name, frame in splits.items():
        target = Path(OUTPUT_DIR) / name
        target.mkdir(parents=True, exist_ok=True)
        frame.to_csv(target / f"{{name}}_processed_data.csv", index=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", type=str, required=True)
    arguments = parser.parse_args()
    main(arguments.job_type)
'''
    config_read = ('HYPERPARAMETERS_FILE = "/opt/ml/input/data/config/hyperparameters.json"' if kind == "xgboost"
                   else 'HYPERPARAMETERS_FILE = "/opt/ml/input/config/hyperparameters.json"')
    return f'''#!/usr/bin/env python
"""Training script {index}."""

import json
import logging
import os
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

INPUT_DATA_DIR = "/opt/ml/input/data/data"
MODEL_DIR = "/opt/ml/model"
OUTPUT_DATA_DIR = "/opt/ml/output/data"
{config_read}


def load_config(path: str = HYPERPARAMETERS_FILE) -> dict:
    with open(path) as handle:
        config = json.load(handle)
    missing = [key for key in ("learning_rate", "batch_size", "max_epochs") if key not in config]
    if missing:
        raise ValueError(f"hyperparameters are missing {{missing}}")
    return config


def read_split(split: str) -> np.ndarray:
    directory = Path(INPUT_DATA_DIR) / split
    files = sorted(directory.glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no data in {{directory}}")
    return np.concatenate([np.loadtxt(path, delimiter=",", skiprows=1) for path in files])


def train(config: dict, data: np.ndarray) -> np.ndarray:
    weights = np.zeros(data.shape[1] - 1)
    rate = float(config["learning_rate"])
    for epoch in range(int(config["max_epochs"])):
        features, labels = data[:, 1:], data[:, 0]
        predictions = 1.0 / (1.0 + np.exp(-features @ weights))
        weights -= rate * features.T @ (predictions - labels) / len(labels)
        logger.info("epoch %d done", epoch)
    return weights


def main() -> None:
    config = load_config()
    weights = train(config, read_split("train"))
    Path(MODEL_DIR).mkdir(parents=True, exist_ok=True)
    np.save(Path(MODEL_DIR) / "weights.npy", weights)
    Path(OUTPUT_DATA_DIR).mkdir(parents=True, exist_ok=True)
    with open(Path(OUTPUT_DATA_DIR) / "metrics.json", "w") as handle:
        json.dump({{"n_features": int(weights.shape[0])}}, handle)
    logger.info("num gpus: %s", os.environ.get("SM_NUM_GPUS", "0"))


if __name__ == "__main__":
    main()
'''


def config_module(index: int, kind: str) -> str:
    name = step_name(index, kind)
    return f'''"""Configuration of step {name}."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ...core.base.config_base import BasePipelineConfig, ModelHyperparameters


@dataclass
class {name}Config(BasePipelineConfig):
    entry_point: str = "{snake(index, kind)}.py"
    training_instance_type: str = "ml.m5.xlarge"
    processing_instance_type: str = "ml.m5.large"
    job_type: str = "training"
    hyperparameters: ModelHyperparameters = field(default_factory=ModelHyperparameters)
    feature_groups: Dict[str, List[str]] = field(default_factory=dict)
    label_name: Optional[str] = None

    def validate(self) -> None:
        if self.job_type not in ("training", "validation", "testing", "calibration"):
            raise ValueError(f"unknown job type {{self.job_type}}")
        if self.hyperparameters.batch_size <= 0:
            raise ValueError("batch_size must be positive")
'''


UTILS = '''\
"""Helpers shared by pipeline code (no step code)."""

import hashlib
import json
from typing import Any, Dict, Iterable, List


def stable_hash(payload: Dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def chunked(items: Iterable[Any], size: int) -> List[List[Any]]:
    chunk: List[Any] = []
    chunks = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


def merge(*dicts: Dict[str, Any]) -> Dict[str, Any]:
    merged: Dict[str, Any] = {}
    for item in dicts:
        for key, value in item.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = value
    return merged
'''


def generate(out: Path, steps: int) -> int:
    """Write the project under ``out`` (replacing it); return the number of files written."""
    if out.exists():
        shutil.rmtree(out)
    root = out / "src" / PACKAGE
    files: dict[Path, str] = {
        out / "pyproject.toml": PYPROJECT,
        root / "__init__.py": "",
        root / "core" / "__init__.py": "",
        root / "core" / "base" / "__init__.py": '"""Base classes."""\n',
        root / "core" / "base" / "specification_base.py": SPECIFICATION_BASE,
        root / "core" / "base" / "contract_base.py": CONTRACT_BASE,
        root / "core" / "base" / "builder_base.py": BUILDER_BASE,
        root / "core" / "base" / "config_base.py": CONFIG_BASE,
        root / "steps" / "__init__.py": "",
        root / "utils" / "__init__.py": "",
    }
    for package in ("registry", "specs", "contracts", "builders", "scripts", "configs"):
        files[root / "steps" / package / "__init__.py"] = ""
    plan = [(index, KINDS[index % len(KINDS)]) for index in range(steps)]
    files[root / "steps" / "registry" / "step_names.py"] = registry(plan)
    for index, kind in plan:
        base = snake(index, kind)
        files[root / "steps" / "specs" / f"{base}_spec.py"] = spec(index, kind)
        files[root / "steps" / "contracts" / f"{base}_contract.py"] = contract(index, kind)
        files[root / "steps" / "builders" / f"builder_{base}.py"] = builder(index, kind)
        files[root / "steps" / "scripts" / f"{base}.py"] = script(index, kind)
        files[root / "steps" / "configs" / f"config_{base}.py"] = config_module(index, kind)
    for number in range(max(1, steps // 10)):
        files[root / "utils" / f"helpers_{number:03d}.py"] = UTILS
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to create (replaced if it exists)")
    parser.add_argument("--steps", type=int, default=500, help="number of steps (default: 500)")
    arguments = parser.parse_args(argv)
    count = generate(arguments.out, arguments.steps)
    print(f"wrote {count} files for {arguments.steps} steps under {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
