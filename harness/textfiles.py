"""Reading users' data files: any failure to read one is a one-line error naming the file.

Every task reader opens its files through :func:`open_text`, so a file that is not UTF-8,
cannot be opened (permissions, a folder in its place) or is not valid CSV/TSV gives the
same ``<file>: <what is wrong>; <fix>`` line whichever family reads it. :meth:`Task.load`
applies :func:`file_error` to whatever a plugin's own ``open()`` raises, as a safety net.
"""

from __future__ import annotations

import codecs
import csv
import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, cast

from harness.errors import HarnessError

# Real releases have long fields (whole documents in one TSV cell); csv's default limit of
# 131,072 characters would stop them. The limit is process-wide, so it is raised once here,
# for third-party readers too. 2**31 - 1 is the largest value every platform's C long holds.
csv.field_size_limit(2**31 - 1)

REDOWNLOAD = "re-download it"


def first_bad_byte(path: Path | str) -> int | None:
    """Offset (from 0, BOM included) of the first byte of ``path`` that is not UTF-8, if any."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    return offset - pending + exc.start
                offset += len(chunk)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
    except OSError:
        return None
    return None


def file_error(
    exc: BaseException, path: Path | str | None = None, line: int | None = None, fix: str = ""
) -> HarnessError | None:
    """The one-line error for ``exc`` raised while reading a data file, else None.

    ``path`` is the file being read (an ``OSError`` names its own); ``line`` the line a
    CSV/TSV error was found on; ``fix`` replaces the default advice for bad content.
    A ``UnicodeDecodeError`` counts only when ``path`` really holds a byte that is not UTF-8.
    """
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else path
        if where is None:
            return None
        if isinstance(exc, PermissionError):
            return HarnessError(f"{where}: permission denied; check its permissions")
        if isinstance(exc, IsADirectoryError):
            return HarnessError(f"{where}: is a folder, expected a file; put the file there")
        if isinstance(exc, FileNotFoundError):
            return HarnessError(f"{where}: no such file")
        reason = exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))
        return HarnessError(f"{where}: cannot read ({reason}); check the file and its disk")
    if path is None:
        return None
    if isinstance(exc, UnicodeDecodeError):
        bad = first_bad_byte(path)
        if bad is None:
            return None  # the file decodes: the error came from somewhere else
        return HarnessError(f"{path}: not UTF-8 text (byte {bad}); {fix or REDOWNLOAD}")
    if isinstance(exc, csv.Error):
        where = f"{path}:{line}" if line else str(path)
        return HarnessError(
            f"{where}: malformed CSV/TSV ({' '.join(str(exc).split())}); {fix or REDOWNLOAD}"
        )
    return None


class _CountingFile:
    """A text file that counts the lines iterated so far, for CSV error messages."""

    def __init__(self, handle: TextIO):
        self._handle = handle
        self.lines = 0

    def __iter__(self) -> _CountingFile:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self.lines += 1
        return line

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


@contextmanager
def open_text(
    path: Path | str, encoding: str = "utf-8", newline: str | None = None, fix: str = ""
) -> Iterator[TextIO]:
    """``open(path)`` for reading a data file, as a context manager.

    Failing to open it, bytes that are not UTF-8 and CSV/TSV errors met while the block
    reads it become one :class:`HarnessError` naming the file (and line, for CSV):
    ``<file>: not UTF-8 text (byte N); re-download it``. ``fix`` replaces the advice
    "re-download it" (e.g. for the user's own text files).
    """
    counted: _CountingFile | None = None
    try:
        with open(path, encoding=encoding, newline=newline) as handle:
            counted = _CountingFile(handle)
            yield cast(TextIO, counted)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        if isinstance(exc, OSError) and exc.filename is None and counted is not None:
            raise  # not about this file (raised by the caller's own code)
        error = file_error(exc, path, counted.lines if counted else None, fix)
        if error is None:
            raise
        raise error from None


def read_text(path: Path | str, encoding: str = "utf-8", fix: str = "") -> str:
    """The whole of a data file, with :func:`open_text`'s one-line errors."""
    with open_text(path, encoding=encoding, fix=fix) as handle:
        return handle.read()


def json_problem(exc: Any, with_line: bool = True) -> str:
    """A ``json.JSONDecodeError`` as one whole phrase: its ``msg`` alone can end mid-sentence
    ("Invalid control character at"). ``with_line=False`` when the caller names the line."""
    where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"{exc.msg.removesuffix(' at')} at {where}"
