"""What the terminal gets: colour, and a progress line for long runs.

Colour (``wants_color``) follows the informal standards: ``NO_COLOR`` set to anything but
the empty string turns it off, ``FORCE_COLOR`` (likewise) turns it on even when the stream
is not a terminal, and otherwise a stream gets colour when it is a terminal whose ``TERM``
is not ``dumb``. ``NO_COLOR`` wins over ``FORCE_COLOR``.

``ProgressLine`` is a callback for the engine (``(stage, done, total)``). It draws nothing
for the first ``delay`` seconds, so quick runs (a warm cache, a pre-commit run on one file)
print nothing; after that it keeps one line on the stream up to date, redrawn at most every
``interval`` seconds (and whenever the stage changes), cut to the terminal's width, and
``clear`` erases it. It never moves
the cursor off its line and writes nothing else, so it must only be given an interactive
stream that nothing else writes to while it is drawn (the command line clears it before
printing anything). It raises nothing for a stream that was closed: a broken terminal ends
the line, not the run.
"""

from __future__ import annotations

import os
import shutil
import time

STAGES = {"parse": "parsing files", "rules": "running rules"}


def _set(name: str) -> bool:
    return bool(os.environ.get(name, ""))


def wants_color(stream) -> bool:
    """Whether to colour what is written to ``stream`` (see the module docstring)."""
    if _set("NO_COLOR"):
        return False
    if _set("FORCE_COLOR"):
        return True
    return is_interactive(stream)


def is_interactive(stream) -> bool:
    """Whether ``stream`` is a terminal a person reads (not ``TERM=dumb``)."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressLine:
    """A progress line on ``stream`` for runs longer than ``delay`` seconds."""

    def __init__(self, stream, delay: float = 1.0, interval: float = 0.1, clock=time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.drawn_at: float | None = None  # when the line was last drawn; None: nothing on screen
        self.stage: str | None = None  # the stage last drawn
        self.text = ""  # the text last drawn (not drawn again)
        self.dim = wants_color(stream)

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``stage`` (``parse`` or ``rules``) at ``done`` of ``total``."""
        now = self.clock()
        if now - self.started < self.delay:
            return
        if (self.drawn_at is not None and now - self.drawn_at < self.interval and done < total
                and stage == self.stage):
            return
        text = f"steplint: {STAGES.get(stage, stage)} {done}/{total}"
        if self.drawn_at is not None and text == self.text:
            return
        width = shutil.get_terminal_size((80, 24)).columns - 1
        shown = text[:max(width, 10)]
        if self.dim:
            shown = f"\x1b[2m{shown}\x1b[0m"
        self._write(f"\r\x1b[2K{shown}")
        self.drawn_at, self.stage, self.text = now, stage, text

    def clear(self) -> None:
        """Erase the line, if it was drawn."""
        if self.drawn_at is not None:
            self._write("\r\x1b[2K")
            self.drawn_at = self.stage = None

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing, keep running
            self.delay = float("inf")
            self.drawn_at = None
