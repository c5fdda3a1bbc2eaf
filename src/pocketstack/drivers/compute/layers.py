"""The namespace driver's layer cache: each image's tar extracted once, read-only after.

``<data_dir>/layers/<image_id>`` holds the extracted tree of one image's data file
(``image_store`` names files by image id, so a data path's basename is the id). A layer is
extracted into a ``.tmp-*`` directory next to it and renamed into place when complete, so
a reader never sees half a layer and a crash mid-extraction leaves only a temp dir that
``remove_partial`` deletes. Image data never changes once active, so a cached layer
stays valid; it outlives its image row (a snapshot of a deleted image still boots).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading

from pocketstack.errors import DriverError
from pocketstack.host import mounts

TEMP_PREFIX = ".tmp-"


class LayerCache:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        os.makedirs(directory, mode=0o700, exist_ok=True)

    def path(self, image_id: str) -> str:
        return os.path.join(self.directory, image_id)

    def ensure_all(self, data_paths: tuple[str, ...] | list[str]) -> list[str]:
        """The extracted layer dirs of ``data_paths`` (same order); extracts what is missing.
        DriverError (permanent) when an image's data is gone or is not a tar."""
        return [self.ensure(path) for path in data_paths]

    def ensure(self, data_path: str) -> str:
        image_id = os.path.basename(data_path)
        layer = self.path(image_id)
        with self._lock:
            if os.path.isdir(layer):
                return layer
            if not os.path.isfile(data_path):
                raise DriverError(f"The data of image {image_id} is not available.")
            partial = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{image_id}-", dir=self.directory)
            try:
                os.chmod(partial, 0o755)  # the tar's own "." entry, if any, wins
                mounts.extract_layer(data_path, partial)
                os.rename(partial, layer)
            except OSError as error:
                shutil.rmtree(partial, ignore_errors=True)
                if os.path.isdir(layer):
                    return layer
                raise DriverError(
                    f"Image {image_id} is not a root filesystem archive: {error}") from None
        return layer

    def remove_partial(self) -> None:
        """Delete extractions a crash left half done."""
        for name in os.listdir(self.directory):
            if name.startswith(TEMP_PREFIX):
                shutil.rmtree(os.path.join(self.directory, name), ignore_errors=True)
