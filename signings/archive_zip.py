"""A ZIP whose bytes depend only on what goes in: same entries, same order, same bytes.

Python's zipfile, not a streaming library: written to a seekable file, it puts the sizes in each
local header (no data descriptors), and every field that usually varies is fixed here: one
timestamp for every entry (the moment of the newest archived content, not the clock), one
permission (0644, Unix), no extra fields, stored (PDFs barely compress). Anyone rebuilding the
archive from the same content can compare a single SHA-256.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

EARLIEST = (1980, 1, 1, 0, 0, 0)  # the ZIP format's epoch
FILE_MODE = 0o100644 << 16  # regular file, rw-r--r--
UNIX = 3


@dataclass(frozen=True)
class Entry:
    name: str
    sha256: str
    size: int


def entry_time(moment: datetime.datetime | None) -> tuple[int, int, int, int, int, int]:
    """ZIP times are local and have two-second steps: `moment` already in the wanted zone."""
    if moment is None:
        return EARLIEST
    return max(EARLIEST, (moment.year, moment.month, moment.day, moment.hour, moment.minute,
                          moment.second - moment.second % 2))


class DeterministicZip:
    def __init__(self, out, *, date_time: tuple[int, int, int, int, int, int]):
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self._date_time = date_time
        self.entries: list[Entry] = []

    def _info(self, name: str, size: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, self._date_time)
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = UNIX
        info.external_attr = FILE_MODE
        info.file_size = size  # decides Zip64 up front, from the size, not from chance
        return info

    def add(self, name: str, data: bytes) -> Entry:
        return self.add_chunks(name, [data], size=len(data))

    def add_chunks(self, name: str, chunks: Iterable[bytes], *, size: int) -> Entry:
        hasher = hashlib.sha256()
        written = 0
        with self._zip.open(self._info(name, size), "w") as handle:
            for chunk in chunks:
                hasher.update(chunk)
                written += len(chunk)
                handle.write(chunk)
        entry = Entry(name=name, sha256=hasher.hexdigest(), size=written)
        self.entries.append(entry)
        return entry

    def close(self) -> None:
        self._zip.close()

    def abandon(self) -> None:
        """After a failure: close now, while the file is still open (the partial file is
        deleted or overwritten anyway), not when the garbage collector finds it closed."""
        with contextlib.suppress(Exception):  # already failing: the first error is the one
            self._zip.close()
