"""Worker processes for cold runs: sources in, plain facts (or SL901 problems) out.

Workers parse and extract; they send back ``(facts, problem)`` tuples of plain frozen
dataclasses, never CST objects. The parent decides which files to extract and in which
order it uses the results, so the output never depends on the number of workers. Below
``MIN_FILES_FOR_POOL`` files the pool costs more than it saves and nothing is started.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

MIN_FILES_FOR_POOL = 48
MAX_DEFAULT_JOBS = 8
CHUNKS_PER_WORKER = 32  # small chunks: little idle time at the end, when one worker is still busy

_worker_names = None


def default_jobs() -> int:
    """Workers to use when ``--jobs`` is not given: the CPUs this process may run on, at most 8."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_DEFAULT_JOBS))


def _init_worker(names) -> None:
    from steplint.cache import register_fast_pickling

    global _worker_names
    _worker_names = names
    register_fast_pickling()  # facts go back to the parent pickled


def _extract_one(item) -> tuple:
    from steplint.config import Config
    from steplint.engine import extract_source
    from steplint.sources import SourceFile

    path, display, text, module_name = item
    source = SourceFile(path, display, text, "utf-8", False)
    return extract_source(source, module_name, Config(root=path.parent, names=_worker_names))


def extract_in_workers(items: list, names, jobs: int) -> list | None:
    """``[(facts, problem), ...]`` for ``[(SourceFile, module_name), ...]``, in order; None when
    a pool is not worth it (too few files, one job) or cannot be started. Workers get each
    file's path, display and text, not its raw bytes."""
    if jobs <= 1 or len(items) < MIN_FILES_FOR_POOL:
        return None
    workers = min(jobs, max(1, len(items) // (MIN_FILES_FOR_POOL // 2)))
    if workers <= 1:
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunksize = max(1, len(items) // (workers * CHUNKS_PER_WORKER))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                 initargs=(names,)) as pool:
            work = [(source.path, source.display, source.text, module_name) for source, module_name in items]
            return list(pool.map(_extract_one, work, chunksize=chunksize))
    except (BrokenProcessPool, OSError):
        return None
