"""SL611: a job-type variant whose list replaces the base's list and loses some of its entries.

The project's loader deep-merges a variant's ``spec``, ``contract`` and ``patterns`` over the
base, mappings key by key; a list (like any value that is not a mapping) replaces the base's
list whole (cursus ``StepInterface.from_yaml`` / ``_deep_merge``; ``steplint.readers.yaml.
interface.merge``). A variant that means to *add* an entry must therefore restate every base
entry it keeps. This rule reads the YAML reader's facts: each variant's own list nodes next
to the base's list at the same place. (A variant that changes a port's ``type`` is SL609's.)
"""

from __future__ import annotations

from steplint.readers.yaml.interface import View, variant_entries
from steplint.readers.yaml.nodes import Mapping, Scalar, Sequence
from steplint.readers.yaml.steps import step_type
from steplint.rule import Example, Rule, Severity
from steplint.rules.interfaces import SCRIPT_PATH, interface

MERGED_SECTIONS = ("spec", "contract", "patterns")
# Matching hints the dependency resolver scores fuzzily: cursus's own variants replace them by
# design (a training variant's keywords say "training" instead of the base's generic ones; on
# cursus HEAD 50 of 60 variant list overrides are of these two keys), so losing an entry there
# is a choice, not a slip.
HINT_LISTS = frozenset({"semantic_keywords", "aliases"})


def _identity(item):
    """What makes two list entries the same: a scalar's value; a mapping's ``flag`` (a
    ``job_arguments`` entry), else its scalar entries; None when it cannot be told."""
    if isinstance(item, Scalar):
        return ("scalar", item.value) if isinstance(item.value, (str, int, float, bool)) else None
    if isinstance(item, Mapping):
        flag = item.get("flag")
        if isinstance(flag, Scalar) and isinstance(flag.value, str):
            return ("flag", flag.value)
        entries = item.effective()
        if entries and all(isinstance(entry.value, Scalar) and isinstance(entry.name, str) for entry in entries):
            return ("mapping", tuple(sorted((entry.name, repr(entry.value.value)) for entry in entries)))
    return None


def _shown(identity) -> str:
    kind, value = identity
    return f"'{value}'" if kind in ("scalar", "flag") else "{" + ", ".join(f"{k}: {v}" for k, v in value) + "}"


def _overrides(base, override, where: tuple):
    """``(where, base list, variant list)`` for every list the variant's ``override`` mapping
    writes where the base has a list too."""
    if not isinstance(override, Mapping):
        return
    for entry in override.effective():
        if not isinstance(entry.name, str):
            continue
        below = base.get(entry.name) if isinstance(base, Mapping) else None
        if isinstance(entry.value, Mapping):
            yield from _overrides(below, entry.value, (*where, entry.name))
        elif isinstance(entry.value, Sequence) and isinstance(below, Sequence) and entry.name not in HINT_LISTS:
            yield (*where, entry.name), below, entry.value


def dropped_entries(base: Sequence, override: Sequence) -> list | None:
    """``(identity, base node)`` of each base entry a variant list loses, when the variant list is evidently a
    restatement of the base's that adds to it: it keeps at least one base entry, adds at
    least one of its own, and loses at least one. None otherwise (nothing lost; a strict
    subset, which is how a variant narrows a list on purpose; an entirely different list,
    which is how it replaces one; or entries whose identity cannot be told)."""
    base_ids = [_identity(item) for item in base.items]
    override_ids = {_identity(item) for item in override.items}
    if None in base_ids or None in override_ids:
        return None
    lost: dict = {}
    for item, identity in zip(base.items, base_ids):
        if identity not in override_ids:
            lost.setdefault(identity, item)
    if not override_ids & set(base_ids) or not override_ids - set(base_ids) or not lost:
        return None
    return list(lost.items())


SCRIPT = """\
import os

INPUT_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = "/opt/ml/processing/output"


def main():
    label, id_field = os.environ["LABEL_FIELD"], os.environ["ID_FIELD"]
    ratio = os.environ.get("TRAIN_RATIO", "0.8")
    secure = os.environ.get("USE_SECURE_PYPI", "false")
    print(INPUT_DIR, OUTPUT_DIR, label, id_field, ratio, secure)


if __name__ == "__main__":
    main()
"""


def _project(*replacements: tuple) -> dict:
    return {path: SCRIPT if path == SCRIPT_PATH else text for path, text in interface(*replacements).items()}


BAD = _project(
    ("    required: []\n", "    required: [LABEL_FIELD, ID_FIELD]\n"),
    ("  training:\n", "  training:\n    contract:\n      env_vars:\n        required: [LABEL_FIELD, TRAIN_RATIO]\n"),
)
GOOD = _project(
    ("    required: []\n", "    required: [LABEL_FIELD, ID_FIELD]\n"),
    ("  training:\n", "  training:\n    contract:\n      env_vars:\n"
                      "        required: [LABEL_FIELD, ID_FIELD, TRAIN_RATIO]\n"),
)
NARROWED = _project(
    ("compatible_sources: [DataLoading]", "compatible_sources: [DataLoading, ProcessingStep]"),
    ("          semantic_keywords: [training, data]",
     "          semantic_keywords: [training, data]\n          compatible_sources: [DataLoading]"),
)


class VariantListDropsEntries(Rule):
    code = "SL611"
    reader = "yaml"
    name = "variant-list-drops-entries"
    summary = "A job-type variant restates a base list with additions but loses some of the base's entries."
    severity = Severity.WARNING
    rationale = (
        "The loader deep-merges a variant over the base only for mappings; a list (env_vars.required, "
        "job_arguments, skip_inputs, patterns.direct_input_keys, compatible_sources, an input's channels, ...) "
        "replaces the base's list whole (cursus StepInterface.from_yaml, _deep_merge). A variant that means to add "
        "an entry must restate every base entry it keeps, and one that restated the list once silently loses "
        "whatever the base gained since: the job type then runs without a required env var or job argument, "
        "mounts an input the base skips, or stops preferring a source. A variant may also narrow or replace a list "
        "on purpose, so steplint reports only the shape that shows a restatement gone wrong: the variant's list "
        "keeps some base entries, adds its own, and loses others. A strict subset (narrowing) and an entirely "
        "different list (replacement) are left alone, and so are semantic_keywords and aliases, which variants "
        "replace by design (the resolver's fuzzy matching hints). Each loss is reported once, at the variant's "
        "list."
    )
    bad_examples = (Example(BAD),)
    good_examples = (Example(GOOD), Example(NARROWED))

    def check(self, context):
        for path, file in sorted(context.reader_facts("yaml").items()):
            for variant in variant_entries(file):
                if not isinstance(variant.value, Mapping) or not isinstance(variant.name, str):
                    continue
                for section in MERGED_SECTIONS:
                    for where, base, override in _overrides(file.root.get(section), variant.value.get(section),
                                                            (section,)):
                        lost = dropped_entries(base, override)
                        if not lost:
                            continue
                        names = ", ".join(_shown(identity) for identity, _ in lost)
                        place = ".".join(where)
                        plural = "entries" if len(lost) > 1 else "entry"
                        yield self.finding(path, override.span, (
                            f"variant '{variant.name}' replaces {place} and drops base {plural} {names} "
                            f"(line {lost[0][1].span.line})"), help=(
                            f"A variant's list replaces the base's list whole, so job type '{variant.name}' of "
                            f"{step_type(View(file, None, file.root))} runs without {names}. Restate "
                            f"{'them' if len(lost) > 1 else 'it'} in the variant's list, unless this job type "
                            f"must run without {'them' if len(lost) > 1 else 'it'}."))
