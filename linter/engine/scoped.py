"""Scoped runs: a run given a few files of a project checks only the part they can affect.

A pre-commit hook passes the changed files; every rule is cross-file, so a plain run loads
and checks the whole project and keeps the findings that involve those files. After such a
run the engine stores a **project index** beside the facts cache (``write_index``): each
file's size, modification time and content digest; per step the files it was declared in
(spec, contract, builders, script, step interface) and its *group*, those files with the
modules whose facts resolving their names reads (``step_groups``); the candidate files and
the class names that widened the candidate search; the files each reader read; the files
whose links pairing decides (``ProjectModel.pairing_paths``); module names.

The next run given files of that project (``check_scoped``) compares the stat of every
project file with the index; a file whose size or modification time differs (or was
modified too close to the indexing run to trust) is read and hashed. The *seed* is the given
files and the changed ones. The run then loads only the seed, the groups of the steps whose
group holds a seed file and of every step declared in a file one of those is declared in
(``ProjectIndex.neighbourhood``), the candidates in no group (a registry, base classes),
every file with a problem, and every file of a reader that is not ``file_local``; the model
still loads any other module it is led to (an import, a script). It runs every rule on
that and keeps the findings that involve the given files, as a full run does.

That equals the full run's findings on those files as long as every link between files that
a rule could follow out of the seed is one the index already knows; whenever that cannot be
told, the run is not scoped (the full run then writes a new index): no index, other
settings, a file added or removed, an unreadable file, a seed file whose group is not the
one the index holds, a seed file holding an artefact that pairing links by evidence, a
changed file that widens the candidate search differently or is now read by another set of
readers, and the comparisons SL206 makes with every step (a script no step runs in a
step's script directory, an entry point that matches no file). A scoped run that holds
records the new stamps of the files it read, so the next run starts from them: beside the
index (``FactsCache.write_index_stamps``, tied to that index's digest) while they are few,
in a rewritten index once they are many.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import posixpath

from steplint.readers import is_python, readers, source_globs

INDEX_FORMAT = 3
# A file modified this close before the indexing run read it may have changed again within
# the file system's time resolution without its stamp changing: it is always re-hashed.
RACY_NS = 2_000_000_000
# Stamps kept beside the project index before it is written again with them: a scoped run
# then writes a few files' stamps, not the index of the whole project.
MAX_NEW_STAMPS = 64


@dataclasses.dataclass(frozen=True)
class ProjectIndex:
    """What a run of the whole project recorded for scoped runs.

    ``stamps``: display path -> ``(size in bytes, st_mtime_ns, content digest or "" when
    the stamp is too close to the read to trust)``; ``groups``: per step, ``(the display paths
    it was declared in, those and the modules whose facts they use)`` (``step_groups``);
    ``candidates``: the Python files loaded as candidates;
    ``keyword_classes``: display path -> the class names in it that widened the candidate
    search; ``keywords``: every name the search looked for; ``reader_files``: reader name ->
    display paths it read; ``problem_files``: files with a problem (SL901, SL902, SL905 ...);
    ``pairing``: files of artefacts linked by evidence (``ProjectModel.pairing_paths``);
    ``script_dirs``: the directories of the steps' scripts; ``module_names``: display path ->
    module name of every Python file (they depend only on the files present)."""

    settings: str
    stamps: dict
    groups: tuple
    candidates: frozenset
    keyword_classes: dict
    keywords: frozenset
    reader_files: dict
    problem_files: frozenset
    pairing: frozenset
    script_dirs: frozenset
    module_names: dict

    def encoded(self) -> tuple:
        """Plain tuples and strings for the signed cache file (a group is a tuple of indexes
        into the sorted display paths of ``stamps``)."""
        order = sorted(self.stamps)
        number = {display: position for position, display in enumerate(order)}
        return (INDEX_FORMAT, self.settings,
                tuple((display, *self.stamps[display]) for display in order),
                tuple((tuple(sorted(number[path] for path in declared if path in number)),
                       tuple(sorted(number[path] for path in group if path in number)))
                      for declared, group in self.groups),
                tuple(sorted(self.candidates)),
                tuple((display, tuple(sorted(names))) for display, names in sorted(self.keyword_classes.items())),
                tuple(sorted(self.keywords)),
                tuple((name, tuple(sorted(files))) for name, files in sorted(self.reader_files.items())),
                tuple(sorted(self.problem_files)), tuple(sorted(self.pairing)), tuple(sorted(self.script_dirs)),
                tuple((number[display], name) for display, name in sorted(self.module_names.items())))

    @classmethod
    def decoded(cls, value) -> "ProjectIndex | None":
        """The index ``encoded`` gave, or None when ``value`` is not one (another format)."""
        try:
            (form, settings, stamps, groups, candidates, keyword_classes, keywords, reader_files, problem_files,
             pairing, script_dirs, module_names) = value
            if form != INDEX_FORMAT:
                return None
            order = [display for display, _, _, _ in stamps]
            return cls(settings, {display: (size, mtime, digest) for display, size, mtime, digest in stamps},
                       tuple((frozenset(order[position] for position in declared),
                              frozenset(order[position] for position in group)) for declared, group in groups),
                       frozenset(candidates),
                       {display: frozenset(names) for display, names in keyword_classes}, frozenset(keywords),
                       {name: frozenset(files) for name, files in reader_files}, frozenset(problem_files),
                       frozenset(pairing), frozenset(script_dirs),
                       {order[position]: name for position, name in module_names})
        except (TypeError, ValueError, IndexError):
            return None

    def groups_of(self, displays) -> frozenset:
        """Every display path sharing a group with one of ``displays``."""
        wanted = set(displays)
        return frozenset(path for _, group in self.groups if not wanted.isdisjoint(group) for path in group)

    def neighbourhood(self, displays) -> frozenset:
        """The groups of the steps whose group holds one of ``displays``, and of every step
        declared in a file one of those steps is declared in (two steps running one script, a
        spec's variants), repeatedly: what a rule comparing such steps reads."""
        wanted = set(displays)
        chosen = {number for number, (_, group) in enumerate(self.groups) if not wanted.isdisjoint(group)}
        by_file: dict = {}
        for number, (declared, _) in enumerate(self.groups):
            for display in declared:
                by_file.setdefault(display, []).append(number)
        pending = list(chosen)
        while pending:
            for display in self.groups[pending.pop()][0]:
                for number in by_file[display]:
                    if number not in chosen:
                        chosen.add(number)
                        pending.append(number)
        return frozenset(path for number in chosen for path in self.groups[number][1])


def settings_key(config) -> str:
    """A digest of the settings that decide which files a project has and how they link."""
    relevant = (str(config.root), config.names, config.script_roots, config.exclude, config.respect_gitignore,
                tuple(source_globs(config)))
    return hashlib.blake2b(repr(relevant).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def step_files(step) -> frozenset:
    """The display paths a ``steplint.model.steps.Step`` was declared in."""
    paths = {step.origin.path, *step.related, *step.builder_paths,
             *(interface.path for interface in step.interfaces)}
    if step.script is not None:
        paths.add(step.script.path)
    return frozenset(paths)


def _steps(run, model) -> list:
    from steplint.readers.python.steps import steps_of

    return steps_of(model) + run.reader_steps(model)


def step_groups(run, model) -> list:
    """Per step of the run, ``(declared, group)``: the display paths it was declared in
    (``step_files``), and those with the modules whose facts the project model reads to
    resolve the names they import (loaded here when no rule needed them, so that a scoped
    run and a whole one give a step the same group), followed as ``ProjectModel.lookup`` does: a
    name a module defines makes the whole module count (its value may use any other name
    of it), a name it only imports is followed to where that import leads (so a package
    ``__init__`` re-exporting every step's spec adds only the one spec a builder uses)."""
    edges: dict = {}

    def facts_of(module_name: str | None):
        if module_name in run.facts:  # a step file's own name (``name@path`` when two files share one)
            return run.facts[module_name]
        found = model.index.find(module_name) if module_name else None
        return run(found) if found is not None else None  # loaded now if no rule needed it

    def ref_node(value) -> tuple | None:
        module = getattr(value, "module", None)
        if not isinstance(module, str):
            return None
        name = getattr(value, "name", None)
        return ("module", module) if name is None else ("name", module, name)

    def successors(node: tuple) -> tuple:
        if node not in edges:
            found: list = []
            facts = facts_of(node[1])
            if node[0] == "module":
                if facts is not None:
                    found = [ref_node(value) for value in facts.imports.values()]
                    found += [("module", star) for star in facts.star_imports]
            elif facts is None:
                found = [("module", f"{node[1]}.{node[2]}")]
            else:
                name = node[2]
                if name in facts.bindings or name in facts.functions or name in facts.classes:
                    found = [("module", node[1])]
                elif name in facts.imports:
                    found = [ref_node(facts.imports[name])]
                elif model.index.find(f"{facts.module}.{name}") is not None:
                    found = [("module", f"{facts.module}.{name}")]
                else:
                    found = [("name", star, name) for star in facts.star_imports]
            edges[node] = tuple(item for item in found if item is not None)
        return edges[node]

    groups = []
    for step in _steps(run, model):
        group = set(step_files(step))
        pending = [("module", run.module_of_path[display]) for display in group if display in run.module_of_path]
        seen = set(pending)
        while pending:
            node = pending.pop()
            facts = facts_of(node[1])
            if facts is not None:
                group.add(facts.path)
            for following in successors(node):
                if following not in seen:
                    seen.add(following)
                    pending.append(following)
        groups.append((step_files(step), frozenset(group)))
    return groups


def _stamp(path) -> tuple | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


def write_index(engine, workspace, run, model) -> None:
    """Store the index of a run over a whole project (``workspace``: every file of it, read
    after ``workspace.read_at_ns``)."""
    cache = engine.cache
    if cache is None or not cache.enabled or workspace.read_at_ns is None:
        return
    trusted_before = workspace.read_at_ns - RACY_NS
    stamps = {}
    for display, source in workspace.sources.items():
        stamp = _stamp(source.path)
        if stamp is None:
            return
        stamps[display] = (*stamp, source.digest if stamp[1] < trusted_before else "")
    for problem in workspace.problems:
        stamp = _stamp(problem.path)
        if stamp is None:
            return
        stamps[problem.display] = (*stamp, "")
    index = ProjectIndex(
        settings_key(engine.config), stamps, tuple(step_groups(run, model)),
        frozenset(run.candidates), {display: frozenset(names) for display, names in run.keyword_classes.items()},
        run.keywords, {name: frozenset(facts) for name, facts in run.reader_facts.items()},
        frozenset(problem.path for problem in run.file_problems), model.pairing_paths(),
        frozenset(posixpath.dirname(step.script.path) for step in _steps(run, model) if step.script is not None),
        dict(run.module_of_path))
    cache.write_index(index.encoded())


def _changed(workspace, index: ProjectIndex) -> tuple | None:
    """``(changed, restamped)``: display paths whose content differs from the index's (or
    whose digest it could not trust), and those read again because their stamp changed
    though their content did not; None when a file cannot be read."""
    sources = workspace.sources
    changed, restamped = set(), set()
    for display, path in sources.paths.items():
        size, mtime, digest = index.stamps[display]
        if not sources.is_read(display) and digest and _stamp(path) == (size, mtime):
            continue
        source = sources.get(display)
        if source is None:
            return None
        if source.digest != digest:
            changed.add(display)
        elif _stamp(path) != (size, mtime):
            restamped.add(display)
    return changed, restamped


def check_scoped(engine, workspace, report_paths) -> tuple:
    """``(RunResult or None, note)``: the result of checking ``workspace`` (a project whose
    files not given are read lazily) reporting on ``report_paths``, from the part of the
    project they can affect; None when the index cannot tell that part (the caller then
    checks the whole project). ``note`` says, in one line, which happened and why."""
    cache = engine.cache
    if report_paths is None or cache is None or not cache.enabled:
        return None, "whole project: no cache"
    if workspace.problems:
        return None, "whole project: a file cannot be read"
    index = ProjectIndex.decoded(cache.read_index())
    if index is None:
        return None, "whole project: no project index yet (this run writes one)"
    index = dataclasses.replace(index, stamps={**index.stamps, **{
        display: stamp for display, stamp in cache.index_stamps().items() if display in index.stamps}})
    if index.settings != settings_key(engine.config):
        return None, ("whole project: the project index was written for other settings or another project "
                      "(each project needs its own --cache-dir)")
    if workspace.sources.paths.keys() != index.stamps.keys():
        return None, "whole project: files were added or removed since the project index"
    found = _changed(workspace, index)
    if found is None or workspace.problems:
        return None, "whole project: a file cannot be read"
    changed, restamped = found
    seed = changed | set(report_paths)
    if not seed.isdisjoint(index.pairing):
        return None, f"whole project: {_paired(seed & index.pairing)}"
    in_groups = {display for _, group in index.groups for display in group}
    near = seed | index.neighbourhood(seed)
    candidates = (near & index.candidates) | (index.candidates - in_groups)
    candidates |= {display for display in changed if is_python(display)
                   and engine.may_hold_step_code(workspace.sources[display], index.keywords)}
    local = {reader.name for reader in readers() if reader.file_local}
    other_forms = {display for name, files in index.reader_files.items()
                   for display in (files & near if name in local else files)}
    part = {"candidates": candidates | {display for display in index.problem_files if is_python(display)},
            "other_forms": other_forms | seed | index.problem_files, "keywords": index.keywords,
            "module_names": index.module_names}
    result, run, model = engine.check_part(workspace, report_paths, part)
    if result.internal_errors:
        return None, "whole project: the scoped run had an internal error"
    why_not = _why_not(index, seed, changed, run, model)
    if why_not is not None:
        return None, f"whole project: {why_not}"
    _record(engine, workspace, index, changed | restamped)
    loaded = {facts.path for facts in run.facts.values()} | {display for facts in run.reader_facts.values()
                                                               for display in facts}
    unhashed = {display for display in changed if not index.stamps[display][2]}
    counts = [f"{len(report_paths)} given", f"{len(changed - unhashed)} changed"]
    if unhashed:
        counts.append(f"{len(unhashed)} re-read (modified within 2 s before the index was written)")
    return result, f"scoped: {', '.join(counts)}; {len(loaded)} of {len(index.stamps)} files loaded"


def _why_not(index: ProjectIndex, seed: set, changed: set, run, model) -> str | None:
    """Why the scoped run's links out of the seed may not be the ones the index knows; None
    when they are."""
    new_groups = [group for _, group in step_groups(run, model)]
    for display in sorted(seed):
        old = index.groups_of([display])
        new = frozenset(path for group in new_groups if display in group for path in group)
        if old != new:
            return f"{display} is now linked to other files than the project index records"
        if not new and posixpath.dirname(display) in index.script_dirs and _has_main_block(run, display):
            return f"{display} is in a step's script directory but no step runs it (SL206 compares it with every step)"
    for step in _steps(run, model):
        if (step.script is None and isinstance(step.entry_point, str) and step.sdk is None
                and not seed.isdisjoint(step_files(step))):
            return f"{step.name} names an entry point no file matches (SL206 compares it with every script)"
    if not seed.isdisjoint(model.pairing_paths()):
        return _paired(seed & model.pairing_paths())
    for display in sorted(changed):
        if frozenset(run.keyword_classes.get(display, ())) != index.keyword_classes.get(display, frozenset()):
            return f"{display} changes which classes derive from the configured ones"
        if (display in index.candidates) != (display in run.candidates):
            return f"{display} now does or no longer does declare step code"
        for name, facts in run.reader_facts.items():
            if (display in index.reader_files.get(name, ())) != (display in facts):
                return f"{display} now does or no longer does hold a {name} reader's steps"
    return None


def _paired(displays) -> str:
    """Why a run on these files (of specs, contracts or builders linked by evidence) is not scoped."""
    return (f"{sorted(displays)[0]} holds a spec, contract or builder that steplint links by matching names, "
            f"which it decides across the whole project")


def _has_main_block(run, display: str) -> bool:
    """Whether the Python file at ``display`` has an ``if __name__ == "__main__":`` block."""
    facts = run.by_path(display)
    return facts is not None and facts.main_guard is not None


def _record(engine, workspace, index: ProjectIndex, displays: set) -> None:
    """Store the new stamps of ``displays`` (read in this run), if any: beside the index
    while few files' stamps have changed since it was written (``MAX_NEW_STAMPS``), else in
    the index written again."""
    if not displays:
        return
    trusted_before = workspace.read_at_ns - RACY_NS if workspace.read_at_ns is not None else 0
    new = engine.cache.index_stamps()
    for display in displays:
        source = workspace.sources.get(display)
        stamp = _stamp(workspace.path_of(display))
        if source is None or stamp is None:
            return
        new[display] = (*stamp, source.digest if stamp[1] < trusted_before else "")
    if len(new) <= MAX_NEW_STAMPS:
        engine.cache.write_index_stamps(new)
    else:
        engine.cache.write_index(dataclasses.replace(index, stamps={**index.stamps, **new}).encoded())
