"""Reading source files: bytes to text and back, keeping encoding, BOM and line endings."""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from steplint.model.values import Span


@dataclass(frozen=True)
class SourceFile:
    """A decoded Python source file. ``text`` keeps the file's own line endings."""

    path: Path
    display: str
    text: str
    encoding: str
    bom: bool
    raw: bytes | None = None  # the bytes read from disk; None once the text is edited

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.blake2b(self.text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def with_text(self, text: str) -> "SourceFile":
        return SourceFile(self.path, self.display, text, self.encoding, self.bom)

    def encoded(self) -> bytes:
        """The bytes to write back: same encoding, BOM kept; exactly the bytes read while the
        text is unedited. Raises UnicodeEncodeError when the text has a character the file's
        encoding cannot hold."""
        if self.raw is not None:
            return self.raw
        data = self.text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data

    @property
    def round_trips(self) -> bool:
        """Whether re-encoding the text gives back the bytes read (so an edit changes nothing
        else); false for the rare codecs where decoding and encoding are not inverse."""
        if self.raw is None:
            return True
        data = self.text.encode(self.encoding, "surrogatepass")
        return (codecs.BOM_UTF8 + data if self.bom else data) == self.raw


@dataclass(frozen=True)
class ReadProblem:
    """Why a file could not be read or decoded, with a line where one is known."""

    path: Path
    display: str
    message: str
    line: int = 1
    col: int = 0


def decode_source(raw: bytes) -> tuple[str, str, bool]:
    """Decode Python source bytes as Python does (PEP 263 cookie, BOM). Raises ValueError."""
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[len(codecs.BOM_UTF8):] if bom else raw
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as error:
        if not str(error).startswith("invalid or missing encoding declaration"):
            raise ValueError(str(error)) from None
        encoding = "utf-8"  # no usable cookie: decoding below says which byte is not UTF-8
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        raise ValueError(
            f"cannot decode as {encoding}: byte 0x{body[error.start]:02x} at line {line} is not valid {encoding}"
        ) from None
    except LookupError:
        raise ValueError(f"unknown source encoding '{encoding}'") from None
    return text, encoding, bom


def read_source(path: Path, display: str) -> SourceFile | ReadProblem:
    """Read and decode one file; any failure becomes a ReadProblem, never an exception."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            return ReadProblem(path, display, "is a directory, not a Python file")
        if not stat.S_ISREG(mode):
            return ReadProblem(path, display, "is not a regular file (a FIFO, socket or device); not read")
        raw = path.read_bytes()
    except IsADirectoryError:
        return ReadProblem(path, display, "is a directory, not a Python file")
    except FileNotFoundError:
        if os.path.islink(path):
            return ReadProblem(path, display, f"is a broken symbolic link to '{os.readlink(path)}'")
        return ReadProblem(path, display, "file disappeared before it could be read")
    except OSError as error:
        return ReadProblem(path, display, f"cannot read file: {error.strerror or error}")
    try:
        text, encoding, bom = decode_source(raw)
    except ValueError as error:
        return ReadProblem(path, display, str(error))
    return SourceFile(path, display, text, encoding, bom, raw)


@dataclass(frozen=True)
class FileProblem:
    """A file that could not be read (SL902), is not Python (SL901), or that Python accepts
    but steplint does not analyse (SL905)."""

    code: str
    path: str
    span: Span
    message: str
