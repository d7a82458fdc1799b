"""Worker processes for cold runs: sources in, plain facts (or file problems) out.

Workers parse and extract; they send back ``(facts, problem)`` tuples of plain frozen
dataclasses, never CST objects. The parent decides which files to extract and in which
order it uses the results, so the output never depends on the number of workers. Below
``MIN_FILES_FOR_POOL`` files the pool costs more than it saves and nothing is started.

A worker that dies (a signal such as SIGSEGV from a native parser, the kernel's OOM
killer) costs one file, never the run: chunks are handed out at most one per worker, so
when the pool breaks, the files in flight are the suspects. Each suspect is extracted
again alone, in a process of its own; the one whose process dies is reported as ``SL905``
and every other file is extracted normally (the rest in a fresh pool).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from steplint.engine.jobs import MAX_DEFAULT_JOBS, default_jobs  # noqa: F401  (re-exported)

MIN_FILES_FOR_POOL = 48
CHUNKS_PER_WORKER = 32  # small chunks: little idle time at the end, when one worker is still busy

_worker_names = None


def _init_worker(names) -> None:
    from steplint.engine.cache import register_fast_pickling

    global _worker_names
    _worker_names = names
    register_fast_pickling()  # facts go back to the parent pickled


def _extract_one(item) -> tuple:
    from steplint.config import Config
    from steplint.files.sources import SourceFile
    from steplint.readers.python.parse import extract_source

    path, display, text, module_name = item
    source = SourceFile(path, display, text, "utf-8", False)
    return extract_source(source, module_name, Config(root=path.parent, names=_worker_names))


def _extract_chunk(chunk: list) -> list:
    """``[(facts, problem), ...]`` for a chunk of work items, in order (runs in a worker)."""
    return [_extract_one(item) for item in chunk]


def extract_in_workers(items: list, names, jobs: int, on_done=None) -> list | None:
    """``[(facts, problem) or None, ...]`` for ``[(SourceFile, module_name), ...]``, in order;
    None when a pool is not worth it (too few files, one job) or cannot be started.
    ``on_done``, when given, is called with the number of items finished so far each time a
    chunk finishes.

    An entry is None when its worker raised an ordinary exception (a bug): the caller
    extracts that file itself, where the error is reported like any other. A file whose
    worker process died gets ``(None, SL905 problem)``. Workers get each file's path,
    display and text, not its raw bytes.
    """
    if jobs <= 1 or len(items) < MIN_FILES_FOR_POOL:
        return None
    workers = min(jobs, max(1, len(items) // (MIN_FILES_FOR_POOL // 2)))
    if workers <= 1:
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunksize = max(1, len(items) // (workers * CHUNKS_PER_WORKER))
    work = [(source.path, source.display, source.text, module_name) for source, module_name in items]
    pending = deque((start, min(start + chunksize, len(work))) for start in range(0, len(work), chunksize))
    results: list = [None] * len(work)
    try:
        while pending:
            left = len(pending)
            suspects = _run_pool(context, workers, names, work, pending, results, on_done)
            if suspects:
                _preload_parser()
            for index in suspects:
                results[index] = _extract_alone(context, names, work[index])
            if not suspects and len(pending) == left:
                break  # a pool that broke before taking any work: the caller extracts what is left
    except OSError:  # no process could be started: the caller extracts what is missing
        if not any(results):
            return None
    return results


def _run_pool(context, workers: int, names, work: list, pending: deque, results: list, on_done=None) -> list:
    """Extract the chunks of ``pending`` (``(start, stop)`` ranges of ``work``) in one pool,
    at most one chunk per worker at a time, filling ``results``; return the indices of the
    items whose chunk was lost when a worker died (empty when none did). Chunks not yet
    handed out stay in ``pending``."""
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(names,)) as pool:
        running: dict = {}
        lost: list = []
        while (pending or running) and not lost:
            while pending and len(running) < workers:
                start, stop = pending.popleft()
                try:
                    running[pool.submit(_extract_chunk, work[start:stop])] = (start, stop)
                except BrokenProcessPool:
                    pending.appendleft((start, stop))
                    break
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            lost = _collect(done, running, results)
            if on_done is not None:
                on_done(len(work) - sum(stop - start for start, stop in (*pending, *running.values())))
        if lost:  # the pool is broken: what was in flight ends now, done or lost
            done, _ = wait(running)
            lost += _collect(done, running, results)
    return _indices(lost)


def _collect(done, running: dict, results: list) -> list:
    """Move the results of the ``done`` futures into ``results``; return the ``(start, stop)``
    ranges whose worker died. A chunk whose worker raised an ordinary exception stays None:
    the caller extracts those files again and reports the error there."""
    lost = []
    for future in done:
        start, stop = running.pop(future)
        try:
            results[start:stop] = future.result()
        except BrokenProcessPool:
            lost.append((start, stop))
        except Exception:  # noqa: BLE001 - not hidden: these stay None, the caller re-extracts and reports
            continue
    return lost


def _indices(ranges) -> list:
    return sorted(index for start, stop in ranges for index in range(start, stop))


def _preload_parser() -> None:
    """Import the parser and extraction code here, so that each process forked to extract
    one suspect file starts with them (only on the rare path where a worker died)."""
    import libcst  # noqa: F401
    import steplint.readers.python.extract  # noqa: F401


def _extract_alone(context, names, item) -> tuple | None:
    """Extract one work item in a process of its own: ``(facts, problem)``; ``(None, SL905)``
    when that process dies; None when extraction raised an ordinary exception there."""
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_extract_and_send, args=(names, item, sender), daemon=True)
    process.start()
    sender.close()
    try:
        outcome = receiver.recv()
    except EOFError:  # the process died before it could answer
        outcome = None
    finally:
        receiver.close()
    process.join()
    if outcome is None:
        return _died(item, process.exitcode)
    kind, value = outcome
    return value if kind == "result" else None


def _extract_and_send(names, item, sender) -> None:
    """The body of ``_extract_alone``'s process: send ``("result", (facts, problem))``, or
    ``("error", description)`` for an ordinary exception (the parent re-extracts the file
    itself and reports it there)."""
    try:
        _init_worker(names)
        outcome = ("result", _extract_one(item))
    except Exception as error:  # noqa: BLE001 - handed back, never hidden
        outcome = ("error", repr(error))
    sender.send(outcome)
    sender.close()


def _died(item, exitcode: int | None) -> tuple:
    """``(None, SL905 problem)`` for a file whose parser process ended with ``exitcode``."""
    from steplint.files.sources import FileProblem
    from steplint.model.values import Span

    if exitcode is not None and exitcode < 0:
        try:
            how = f"signal {-exitcode}, {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"signal {-exitcode}"
    else:
        how = f"exit code {exitcode}"
    return None, FileProblem("SL905", item[1], Span(1, 0, 1, 0),
                             f"the parser process died ({how}) on this file; it is not checked")
