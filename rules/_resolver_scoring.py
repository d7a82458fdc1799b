"""A static copy of how cursus's dependency resolver scores a dependency against an upstream output.

Source: the public cursus repository (TianpeiLuke/cursus, YAML-interface revision 6a2e2022),
``src/cursus/core/deps/dependency_resolver.py`` (``UnifiedDependencyResolver``) and
``src/cursus/core/deps/semantic_matcher.py`` (``SemanticMatcher``), and the
``StepCatalog.LEGACY_ALIASES`` table of ``src/cursus/step_catalog/step_catalog.py``. Nothing of
cursus is imported: the tables and the arithmetic are copied, operation for operation. The
resolver sums its synonym matches over Python sets of strings, whose order follows the
interpreter's hash randomisation, so its own score can differ in the last bits from one run to
the next; callers treat two scores closer than ``MARGIN`` as a tie, and a score that close to the
0.5 threshold (compared with ``>``; ``0.4 + 0.2 - 0.1`` is not exactly 0.5) as undecided.

In: plain values (``Dependency``, ``Output``: what a step interface's ``spec.dependencies`` /
``spec.outputs`` entry holds after the loader's defaults). Out: ``compatibility`` (the score),
``provider_in_compatible_sources`` (the +/-0.1 membership test). The SL6xx rules use the
type table (SL610) and the alias table (SL608) too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

DEFAULT_PORT_TYPE = "processing_output"  # DependencyDecl.type / OutputDecl.type default
DEFAULT_DATA_TYPE = "S3Uri"  # DependencyDecl.data_type / OutputDecl.data_type default
# UnifiedDependencyResolver._are_types_compatible
COMPATIBLE_TYPES = {
    "model_artifacts": ("model_artifacts",),
    "training_data": ("processing_output", "training_data"),
    "processing_output": ("processing_output", "training_data"),
    "hyperparameters": ("hyperparameters", "custom_property"),
    "payload_samples": ("payload_samples", "processing_output"),
    "custom_property": ("custom_property",),
}
# UnifiedDependencyResolver._are_data_types_compatible (a data type it does not list is
# compatible with itself only)
COMPATIBLE_DATA_TYPES = {
    "S3Uri": ("S3Uri", "String"),
    "String": ("String", "S3Uri"),
    "Integer": ("Integer", "Float"),
    "Float": ("Float", "Integer"),
    "Boolean": ("Boolean",),
}
# StepCatalog.LEGACY_ALIASES (legacy name -> canonical step type)
LEGACY_ALIASES = {"MIMSPackaging": "Package", "MIMSPayload": "Payload", "ModelRegistration": "Registration",
                  "PytorchTraining": "PyTorchTraining", "PytorchModel": "PyTorchModel"}
THRESHOLD = 0.5  # _resolve_single_dependency and PipelineAssembler._propagate_messages: score > 0.5
MARGIN = 1e-9  # scores closer than this are not told apart (see the module's docstring)

# SemanticMatcher.__init__
SYNONYMS = {
    "model": ("model", "artifact", "trained", "output"),
    "data": ("data", "dataset", "input", "processed", "training"),
    "config": ("config", "configuration", "params", "parameters", "hyperparameters", "settings"),
    "payload": ("payload", "sample", "test", "inference", "example"),
    "output": ("output", "result", "artifact", "generated", "produced"),
    "training": ("training", "train", "fit", "learn"),
    "preprocessing": ("preprocessing", "preprocess", "processed", "clean", "transform"),
}
ABBREVIATIONS = {"config": "configuration", "params": "parameters", "hyperparams": "hyperparameters",
                 "preprocess": "preprocessing", "eval": "evaluation", "reg": "registration", "pkg": "package",
                 "packaged": "package"}
STOP_WORDS = frozenset({"the", "a", "an", "and", "or", "but", "in", "on", "at", "to", "for", "of", "with", "by"})


@dataclass(frozen=True)
class Dependency:
    """A ``DependencyDecl`` as the resolver reads it: ``name`` (the logical name), ``type``
    (a ``DependencyType`` value), ``data_type``, ``sources`` (compatible_sources) and
    ``keywords`` (semantic_keywords)."""

    name: str
    type: str
    data_type: str
    sources: tuple
    keywords: tuple


@dataclass(frozen=True)
class Output:
    """An ``OutputDecl`` as the resolver reads it: ``name``, ``type``, ``data_type``, ``aliases``."""

    name: str
    type: str
    data_type: str
    aliases: tuple


def compatibility(dependency: Dependency, output: Output, provider_type: str) -> float:
    """``UnifiedDependencyResolver._calculate_compatibility(dep_spec, output_spec, provider_spec)``
    for a provider whose normalised step type is ``provider_type``: 0.0 for incompatible types,
    else the weighted sum of type, data type, name similarity (aliases included), exact-name
    bonus, compatible-source reward or penalty and keyword match, capped at 1.0."""
    score = 0.0
    if dependency.type == output.type:
        score += 0.4
    elif output.type in COMPATIBLE_TYPES.get(dependency.type, ()):
        score += 0.2
    else:
        return 0.0
    if dependency.data_type == output.data_type:
        score += 0.2
    elif output.data_type in COMPATIBLE_DATA_TYPES.get(dependency.data_type, (dependency.data_type,)):
        score += 0.1
    score += similarity_with_aliases(dependency.name, output) * 0.25
    if dependency.name == output.name:
        score += 0.05
    elif dependency.name in output.aliases:
        score += 0.05
    if dependency.sources:
        if provider_in_compatible_sources(provider_type, dependency.sources):
            score += 0.1
        else:
            score -= 0.1
    if dependency.keywords:
        score += _keyword_match(dependency.keywords, output.name) * 0.05
    return min(score, 1.0)


def provider_in_compatible_sources(provider_type: str, sources) -> bool:
    """``UnifiedDependencyResolver._provider_in_compatible_sources``: the provider's step type
    listed as written, under a legacy alias, or equal once a trailing ``Step`` is stripped
    from both sides."""
    if provider_type in sources:
        return True
    equivalents = {provider_type} | {legacy for legacy, canonical in LEGACY_ALIASES.items()
                                     if canonical == provider_type}
    equivalents.add(f"{provider_type}Step")
    stripped = _strip_step(provider_type)
    return any(source in equivalents or _strip_step(source) == stripped for source in sources)


def _strip_step(name: str) -> str:
    return name[: -len("Step")] if name.endswith("Step") else name


def _keyword_match(keywords, output_name: str) -> float:
    """``UnifiedDependencyResolver._calculate_keyword_match``."""
    if not keywords:
        return 0.0
    lowered = output_name.lower()
    matches = sum(1 for keyword in keywords if keyword.lower() in lowered)
    return matches / len(keywords)


def similarity_with_aliases(name: str, output: Output) -> float:
    """``SemanticMatcher.calculate_similarity_with_aliases``: the best similarity of ``name``
    to the output's logical name or any of its aliases."""
    best = similarity(name, output.name)
    for alias in output.aliases:
        score = similarity(name, alias)
        if score > best:
            best = score
    return best


def similarity(first: str, second: str) -> float:
    """``SemanticMatcher.calculate_similarity``: 1.0 for names equal once normalised, else
    0.3 string similarity + 0.25 token overlap + 0.25 synonyms + 0.2 substrings."""
    if not first or not second:
        return 0.0
    one, two = _normalize(first), _normalize(second)
    if one == two:
        return 1.0
    scores = [(SequenceMatcher(None, one, two).ratio(), 0.3), (_token_similarity(one, two), 0.25),
              (_synonym_similarity(one, two), 0.25), (_substring_similarity(one, two), 0.2)]
    return sum(score * weight for score, weight in scores)


def _normalize(name: str) -> str:
    """``SemanticMatcher._normalize_name``."""
    normalized = re.sub(r"[_\-\.]", " ", name.lower())
    normalized = re.sub(r"[^a-z0-9\s]", "", normalized)
    words = [ABBREVIATIONS.get(word, word) for word in normalized.split()]
    return " ".join(word for word in words if word not in STOP_WORDS)


def _token_similarity(one: str, two: str) -> float:
    tokens1, tokens2 = set(one.split()), set(two.split())
    if not tokens1 or not tokens2:
        return 0.0
    union = tokens1 | tokens2
    return len(tokens1 & tokens2) / len(union) if union else 0.0


def _synonym_similarity(one: str, two: str) -> float:
    """``SemanticMatcher._calculate_semantic_similarity``: 1 per equal token pair, 0.8 per
    synonym pair, over all pairs (summed in set order, as the resolver does)."""
    matches = 0.0
    comparisons = 0
    for token1 in set(one.split()):
        for token2 in set(two.split()):
            comparisons += 1
            if token1 == token2:
                matches += 1
                continue
            if any(token1 in group and token2 in group for group in SYNONYMS.values()):
                matches += 0.8
    return matches / comparisons if comparisons > 0 else 0.0


def _substring_similarity(one: str, two: str) -> float:
    if one in two or two in one:
        return min(len(one), len(two)) / max(len(one), len(two))
    best = 0.0
    for word1 in one.split():
        for word2 in two.split():
            if len(word1) >= 3 and len(word2) >= 3 and (word1 in word2 or word2 in word1):
                best = max(best, min(len(word1), len(word2)) / max(len(word1), len(word2)))
    return best
