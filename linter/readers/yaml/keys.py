"""The keys the project's loader reads in each section of a step interface.

Source: the public cursus repository (commit 6a2e2022, 2026-08-17),
``src/cursus/core/base/step_interface.py``: the pydantic models ``StepInterface``,
``RegistrySection``, ``ComputeSpec``, ``PatternsSection``, ``ContractSection``, ``InputPort``,
``OutputPort``, ``EnvVars``, ``JobArgDecl``, ``SpecSection``, ``DependencyDecl``,
``OutputDecl`` and ``VariantDecl``. None of them sets ``extra=``, so pydantic's default
(``ignore``) drops any other key without a word. The ``registry`` block is also read raw by
``src/cursus/registry/interface_registry_loader.py`` (``config_class``,
``builder_step_name``), so those count as read. Under ``variants.<job type>``,
``StepInterface.from_yaml`` merges only ``spec``, ``contract`` and ``patterns``.

A schema node is a ``Section`` (a mapping with known keys, each mapped to the schema of its
value or None for a leaf), ``MapOf`` (a mapping of names, every value of one schema) or
``ListOf`` (a list, every item of one schema).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A mapping whose keys are fixed: ``fields`` maps each to its value's schema (or None)."""

    name: str
    fields: dict


@dataclass(frozen=True)
class MapOf:
    """A mapping from names (logical names, job types) to values of schema ``item``."""

    item: object


@dataclass(frozen=True)
class ListOf:
    """A list whose items have schema ``item``."""

    item: object


LEAF = None
COMPUTE = Section("compute", dict.fromkeys((
    "kind", "framework_version_field", "framework_version_default", "py_version_field", "sdk_class",
    "instance_size_mode", "kms_network", "retrieve_image", "retrieve_framework", "image_uri_field",
    "container_entrypoint", "network_mode", "subnets_field", "security_group_ids_field",
    "enable_network_isolation_field", "framework_name", "lock_training_region", "locked_region", "requires")))
REGISTRY = Section("registry", dict.fromkeys((
    "sagemaker_step_type", "step_assembly", "requires", "description", "config_class", "builder_step_name")))
PATTERNS = Section("patterns", dict.fromkeys(("step_assembly", "include_job_type_in_path", "direct_input_keys")))
INPUT_PORT = Section("input", dict.fromkeys(("path", "required", "channels")))
OUTPUT_PORT = Section("output", dict.fromkeys(("path",)))
ENV_VARS = Section("env_vars", dict.fromkeys(("required", "optional")))
JOB_ARGUMENT = Section("job argument", dict.fromkeys(("flag", "source")))
CONTRACT = Section("contract", {
    **dict.fromkeys(("entry_point", "source_dir", "output_path_token", "include_job_type_in_path",
                     "circular_ref_check", "skip_inputs", "input_source_overrides", "sink", "arguments",
                     "computed_env_paths", "framework_requirements", "runtime_requires", "description")),
    "inputs": MapOf(INPUT_PORT),
    "outputs": MapOf(OUTPUT_PORT),
    "env_vars": ENV_VARS,
    "job_arguments": ListOf(JOB_ARGUMENT),
    "compute": COMPUTE,
})
DEPENDENCY = Section("dependency", dict.fromkeys((
    "logical_name", "type", "required", "compatible_sources", "semantic_keywords", "data_type", "description")))
OUTPUT = Section("output", dict.fromkeys((
    "logical_name", "type", "property_path", "aliases", "semantic_keywords", "data_type", "description")))
SPEC = Section("spec", {"dependencies": MapOf(DEPENDENCY), "outputs": MapOf(OUTPUT), "step_type": LEAF,
                        "node_type": LEAF})
VARIANT = Section("variant", {"spec": SPEC, "contract": CONTRACT, "patterns": PATTERNS})
INTERFACE = Section("interface", {
    "step_type": LEAF, "node_type": LEAF, "registry": REGISTRY, "compute": COMPUTE, "patterns": PATTERNS,
    "contract": CONTRACT, "spec": SPEC, "variants": MapOf(VARIANT),
})

# Values the loader types as strings (``Dict[str, str]`` / ``List[str]`` fields): a YAML 1.1
# plain scalar that resolves to a bool, int, float or null there fails pydantic's validation.
STRING_MAPS = (("env_vars", "optional"), ("arguments",), ("framework_requirements",), ("input_source_overrides",))
STRING_LISTS = (("env_vars", "required"), ("skip_inputs",), ("runtime_requires",))
