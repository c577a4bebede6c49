"""The one reader for local files: the config, themes, token files (and bcs-client's files).

`read_bounded(path, limit=..., what=...)` opens without blocking (a FIFO with no writer does not
hang the open), refuses anything but a regular file (FIFOs, devices such as /dev/zero, sockets,
directories), and reads at most `limit` bytes: a bigger file is an error, not a MemoryError.
The stat it returns is the one of the opened file (no check-then-open race), for mode checks.

Errors are `LocalFileError` with a one-line message that names the file; the message never
contains the file's content. This module imports nothing from bcs_tui.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB
CONFIG_LIMIT = 1 * MIB
THEME_LIMIT = 256 * KIB
TOKEN_LIMIT = 64 * KIB


class LocalFileError(Exception):
    """A local file cannot be used. `missing` is True when it does not exist."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message
        self.missing = missing

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LocalFile:
    path: str
    data: bytes
    st: os.stat_result

    @property
    def mode(self) -> int:
        return stat.S_IMODE(self.st.st_mode)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(n: int) -> str:
    if n >= MIB:
        return f"{n / MIB:.0f} MB"
    if n >= KIB:
        return f"{n / KIB:.0f} KB"
    return f"{n} bytes"


def read_bounded(path: str | Path, *, limit: int, what: str = "file") -> LocalFile:
    """The bytes of the regular file `path` (symbolic links followed), at most `limit` bytes."""
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise LocalFileError(f"{what} {name} does not exist", missing=True) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO or socket nobody serves
            raise LocalFileError(f"{what} {name} is not a regular file") from None
        raise LocalFileError(f"cannot read {what} {name} ({exc.strerror})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LocalFileError(f"{what} {name} is {_kind(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise LocalFileError(f"{what} {name} is too big ({_size(st.st_size)}; at most {_size(limit)})")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(64 * KIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew since the stat (or lies about its size, like /proc)
                raise LocalFileError(f"{what} {name} is too big (more than {_size(limit)})")
        return LocalFile(name, b"".join(chunks), st)
    except OSError as exc:
        raise LocalFileError(f"cannot read {what} {name} ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_text(path: str | Path, *, limit: int, what: str = "file") -> tuple[str, LocalFile]:
    """`read_bounded` decoded as UTF-8 (an error names the file, never its bytes)."""
    f = read_bounded(path, limit=limit, what=what)
    try:
        return f.data.decode("utf-8"), f
    except UnicodeDecodeError:
        raise LocalFileError(f"{what} {f.path} is not UTF-8 text") from None


def link_target(path: str | Path) -> str | None:
    """Where a symbolic link finally points (absolute), or None when `path` is not a link."""
    name = str(path)
    try:
        if not os.path.islink(name):
            return None
        return os.path.realpath(name)
    except OSError:
        return None
