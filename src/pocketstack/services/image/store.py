"""The file store: one file per image under ``settings.image_dir``, named by the image id.

Data arrives through a ``StagedFile``: written to a temporary file in the same directory,
hashed on the way (md5 for ``checksum``, sha512 for ``os_hash_value``), refused as soon
as it passes its byte limit, and renamed into place only when complete. So a reader never
sees half an image and a failed upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pocketstack.errors import PayloadTooLarge

CHUNK = 64 * 1024
HASH_ALGO = "sha512"


@dataclass(frozen=True)
class StoredData:
    size: int
    checksum: str
    os_hash_value: str


class StagedFile:
    """Bytes being written for one image; ``write`` raises PayloadTooLarge past ``limit``."""

    def __init__(self, directory: Path, limit: int | None, refusal: str = "") -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, name = tempfile.mkstemp(dir=directory, prefix=".staging-")
        self.path = Path(name)
        self._file = os.fdopen(handle, "wb")
        self.limit = limit
        self.refusal = refusal or f"Image data may not exceed {limit} bytes."
        self.size = 0
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha = hashlib.new(HASH_ALGO)

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise PayloadTooLarge(self.refusal)
        self._md5.update(chunk)
        self._sha.update(chunk)
        self._file.write(chunk)

    def result(self) -> StoredData:
        return StoredData(self.size, self._md5.hexdigest(), self._sha.hexdigest())

    def commit(self, target: Path) -> StoredData:
        """Flush and move the data to ``target``; the staged file is gone afterwards."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.path, target)
        return self.result()

    def discard(self) -> None:
        """Remove the staged data. Safe to call more than once, and after ``commit``."""
        if not self._file.closed:
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, image_id: str) -> Path:
        return self.root / image_id

    def stage(self, limit: int | None, refusal: str = "") -> StagedFile:
        return StagedFile(self.root, limit, refusal)

    def staging_path(self, image_id: str) -> Path:
        """Where data staged for an interoperable import waits (``PUT .../stage``)."""
        directory = self.root / "staging"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return directory / image_id

    def staged_ids(self) -> set[str]:
        directory = self.root / "staging"
        return {path.name for path in directory.iterdir()} if directory.is_dir() else set()

    def has(self, image_id: str) -> bool:
        return self.path(image_id).is_file()

    def remove(self, image_id: str) -> None:
        """Delete an image's data; succeeds when there is none."""
        with contextlib.suppress(FileNotFoundError):
            self.path(image_id).unlink()

    def reader(self, image_id: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start``..``end`` (inclusive; None = to the end).

        The file is opened now, so the data stays readable while it streams even if the
        image is deleted meanwhile; FileNotFoundError when there is no data.
        """
        source = self.path(image_id).open("rb")
        source.seek(start)
        return _blocks(source, None if end is None else end - start + 1)


def _blocks(source: BinaryIO, left: int | None) -> Iterator[bytes]:
    with source:
        while left is None or left > 0:
            block = source.read(CHUNK if left is None else min(CHUNK, left))
            if not block:
                return
            if left is not None:
                left -= len(block)
            yield block
