"""Phase checkpoints that survive power loss and full disks.

Lightning's own save writes the checkpoint to the system temporary folder and then moves
it; across file systems that move is a copy into the final name, so a full disk leaves a
truncated ``last.ckpt`` that every later resume chokes on. Here a checkpoint is written
next to its final name, flushed to disk and renamed, and a damaged one found before a
resume is discarded so that its phase starts over.
"""

from __future__ import annotations

import os
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from harness.errors import HarnessError
from harness.results import _UMASK, temp_file

_LOCAL_HEADER = b"PK\x03\x04"


class AtomicCheckpointIO(TorchCheckpointIO):
    """``torch.save`` into a temporary file in the checkpoint's folder, ``fsync``, rename.

    The final name holds either the previous checkpoint or the complete new one; a write
    that fails (full disk) or is killed leaves at most a temporary file that the next
    ``harness run`` deletes (``RunDir.clean_temp_files``).
    """

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: Any, storage_options: Any | None = None
    ) -> None:
        if storage_options is not None:
            raise TypeError(f"{type(self).__name__} takes no storage_options")
        final = Path(path)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(final)
        try:
            os.fchmod(fd, 0o666 & ~_UMASK)  # as results files: readable by the group
            with os.fdopen(fd, "wb") as handle:
                torch.save(checkpoint, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        except (OSError, RuntimeError) as exc:  # torch reports a full disk as RuntimeError
            Path(tmp).unlink(missing_ok=True)
            free = shutil.disk_usage(final.parent).free
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise HarnessError(
                f"{final}: cannot write the checkpoint ({reason}; {free / 2**30:.1f} GiB "
                f"free); free some disk space and re-run with the same --run-id to resume"
            ) from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _sync_folder(final.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: the folder entry lives in the folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def checkpoint_problem(path: Path) -> str | None:
    """Why ``path`` is not a complete ``torch.save`` archive (None when it looks whole).

    Checks the zip structure torch writes: the central directory at the end (gone when the
    file is truncated), every member's local header, and the CRC-32 torch stores for each
    member (zeros where a crash lost unflushed blocks); a member saved without a CRC
    (``torch.serialization.config.save.compute_crc32 = False``) is not read.
    """
    try:
        size = path.stat().st_size
        with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
            members = archive.infolist()
            if not members:
                return "empty archive"
            for info in members:
                if info.header_offset + 30 + info.compress_size > size:
                    return f"member {info.filename} runs past the end of the file"
                raw.seek(info.header_offset)
                header = raw.read(30)
                if len(header) < 30 or header[:4] != _LOCAL_HEADER:
                    return f"member {info.filename} has no valid header"
                name_length, extra_length = struct.unpack("<HH", header[26:30])
                end = info.header_offset + 30 + name_length + extra_length + info.compress_size
                if end > size:
                    return f"member {info.filename} runs past the end of the file"
            for info in members:
                if info.CRC:
                    with archive.open(info) as member:  # raises BadZipFile on a CRC mismatch
                        while member.read(1 << 24):
                            pass
    except zipfile.BadZipFile as exc:
        return f"not a complete checkpoint ({exc})"
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None


def resumable(state_dir: Path, say: Callable[[str], None], main: bool = True) -> Path | None:
    """``state_dir``'s ``last.ckpt`` if a phase can resume from it, else None.

    A damaged one (truncated by a full disk or power loss) is reported and, by the main
    process, deleted with the rest of the phase's state: the phase starts from scratch
    instead of failing on every re-run.
    """
    last = state_dir / "last.ckpt"
    if not last.exists():
        return None
    if last.is_dir():  # sharded strategies (DeepSpeed) save a folder: Lightning checks it
        return last
    problem = checkpoint_problem(last)
    if problem is None:
        return last
    say(f"  {last} is damaged ({problem}); deleted it, the phase starts from scratch")
    if main:
        shutil.rmtree(state_dir, ignore_errors=True)
    return None
