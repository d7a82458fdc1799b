"""The files of one run."""

from __future__ import annotations

from dataclasses import dataclass, field

from steplint.files.sources import ReadProblem


@dataclass
class Workspace:
    """The files of one run: decoded sources by display path, and files that could not be read."""

    sources: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    @classmethod
    def from_reads(cls, reads) -> "Workspace":
        workspace = cls()
        for read in reads:
            if isinstance(read, ReadProblem):
                workspace.problems.append(read)
            else:
                workspace.sources[read.display] = read
        return workspace

    def replaced(self, texts: dict) -> "Workspace":
        sources = dict(self.sources)
        for display, text in texts.items():
            sources[display] = sources[display].with_text(text)
        return Workspace(sources, list(self.problems))
