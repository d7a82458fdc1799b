"""``--show-settings``: the effective configuration of a run, as TOML.

The output is a ``[tool.steplint]`` table (plus ``[tool.steplint.names]``) that parses
back to the same settings: ``select``/``ignore``/``exclude`` hold what ``extend-select``,
``extend-ignore`` and ``extend-exclude`` added, and command-line options are applied.
Comments above it say where the settings came from and what only the command line sets.
"""

from __future__ import annotations

import json
from dataclasses import fields

from steplint.config import NAME_KEYS, Config


def toml_value(value) -> str:
    """A TOML literal for a string, boolean, number, list or (inline) table of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items()) + " }" \
            if value else "{}"
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


def settings_text(config: Config, command_line: dict) -> str:
    """The settings of ``config`` as TOML, and ``command_line`` (name -> value) as comments."""
    source = str(config.source) if config.source is not None else "none (defaults)"
    lines = [f"# configuration file: {source}", f"# root: {config.root}"]
    lines += [f"# {name}: {value}" for name, value in command_line.items()]
    lines += ["", "[tool.steplint]"]
    values = {
        "select": list(config.select),
        "ignore": list(config.ignore),
        "exclude": list(config.exclude),
        "per-file-ignores": {pattern: list(codes) for pattern, codes in config.per_file_ignores},
        "script-roots": list(config.script_roots),
        "respect-gitignore": config.respect_gitignore,
        "fail-on": config.fail_on,
        "interface-globs": list(config.interface_globs),
    }
    lines += [f"{key} = {toml_value(value)}" for key, value in values.items()]
    if config.sagemaker_version is not None:
        lines.append(f"sagemaker-version = {toml_value(config.sagemaker_version)}")
    else:
        from steplint.sagemaker.data import sdk_version

        lines.append(f"# sagemaker-version: not set; SL504 checks against each project's pinned SDK release "
                     f"(requirements files, [project] dependencies), else sagemaker {sdk_version()}")
    lines += ["", "[tool.steplint.names]"]
    attributes = {attribute: key for key, attribute in NAME_KEYS.items()}
    for item in fields(config.names):
        value = getattr(config.names, item.name)
        lines.append(f"{attributes[item.name]} = {toml_value(value if isinstance(value, str) else list(value))}")
    return "\n".join(lines) + "\n"
