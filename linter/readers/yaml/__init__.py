"""The YAML reader: step interfaces written as ``*.step.yaml`` (one file per step; the
``interface-globs`` setting selects other names).

This is the form the public cursus project moved to in 2026 (``src/cursus/steps/interfaces/
<step>.step.yaml``; ``docs/concepts/step_interfaces.md`` there): ``step_type``,
``node_type``, ``registry``, ``compute``, ``patterns``, ``contract`` (the script's container
I/O, env vars, arguments), ``spec`` (dependencies and outputs) and ``variants`` (job-type
overrides, deep-merged over the base). The builders are synthesised from it at run time.

Flow: ``nodes`` (PyYAML events -> located nodes, bounded; nothing constructed but plain
scalars) -> ``interface`` (the file's facts; base and variant views after the merge) ->
``steps`` (``Step``s of the step model). ``keys`` holds the key sets the project's loader
accepts, for the rules of this form (``steplint.rules.interfaces``); ``edits`` the text edits
their fixes make.

Files the reader cannot use become one-line file problems: SL906 (not YAML that
``yaml.safe_load`` accepts, at the parser's position) and SL907 (too large, deep or
self-referencing to analyse).
"""

from __future__ import annotations

import re

from steplint.files.sources import FileProblem
from steplint.readers.api import Reader

SYNTAX_CODE = "SL906"
LIMIT_CODE = "SL907"
_SECTION = re.compile(r"^(?:contract|spec|['\"](?:contract|spec)['\"])[ \t]*:", re.MULTILINE)


class YamlReader(Reader):
    """Reads step interfaces (the files ``interface-globs`` selects, default
    ``**/*.step.yaml``) into ``InterfaceFile`` facts and ``Step``s."""

    name = "yaml"
    fact_modules = ("steplint.readers.yaml.interface", "steplint.readers.yaml.nodes")

    def globs(self, config) -> tuple:
        """The configured ``interface-globs`` (``steplint.config.Config.interface_globs``)."""
        return config.interface_globs

    def wants(self, source) -> bool:
        """A file with a top-level ``contract:`` or ``spec:`` key (a line starting with it)."""
        return _SECTION.search(source.text) is not None

    def read(self, source):
        from steplint.readers.yaml.interface import read_interface
        from steplint.readers.yaml.nodes import YamlProblem

        facts = read_interface(source.display, source.text)
        if isinstance(facts, YamlProblem):
            code = SYNTAX_CODE if facts.kind == "syntax" else LIMIT_CODE
            return None, FileProblem(code, source.display, facts.span, facts.message)
        return facts, None

    def steps(self, project) -> list:
        from steplint.readers.yaml.steps import steps_of

        return steps_of(project.facts, project)

    def string_edit(self, facts, span, value: str):
        """The string scalar at ``span`` rewritten to read ``value`` (``edits.replaced_string``)."""
        from steplint.readers.yaml.edits import replaced_string

        return replaced_string(facts, span, value)

    def removal(self, facts, span):
        """The one-line scalar item at ``span`` removed from the sequence holding it
        (``edits.removed_sequence_item``); None for any other node (a mapping entry's origin is its key
        or its path, whose removal alone would not remove the entry)."""
        from steplint.readers.yaml.edits import removed_sequence_item

        return removed_sequence_item(facts, span)

    def reparses(self, text: str) -> bool:
        from steplint.readers.yaml.nodes import YamlProblem, parse

        return not isinstance(parse(text), YamlProblem)


READER = YamlReader()

__all__ = ["READER", "InterfaceFile", "YamlReader"]
