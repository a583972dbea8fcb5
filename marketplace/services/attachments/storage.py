"""Where attachment bytes live: a small interface, a folder under the instance by default.

The app names every stored object itself (``new_key``), and a key is checked against
``KEY_PATTERN`` before it touches the file system, so no upload can choose a path.
Several app servers share one store: mount the same network folder (NFS, SMB) at
``ATTACHMENT_DIR`` on each, or set ``ATTACHMENT_STORAGE`` to ``"module:Class"`` naming a
class with the same four methods over an object store (S3, MinIO, OSS); keys are flat
names, which map one-to-one onto object names.
"""

import importlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}(?:-thumb)?\.(?:jpg|png|webp|pdf)$")


class Storage(Protocol):
    """The four operations the attachments service needs from a store."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def names(self) -> Iterator[str]: ...


def new_key(extension: str) -> str:
    """Return a fresh random key for an object of the given extension (``jpg``, ``pdf``…)."""
    return f"{secrets.token_hex(16)}.{extension}"


def thumbnail_key(key: str) -> str:
    """Return the key of ``key``'s thumbnail (always a JPEG)."""
    return f"{key.split('.', 1)[0]}-thumb.jpg"


def check_key(key: str) -> str:
    """Return ``key`` if the app could have made it; refuse anything else (ValueError)."""
    if not KEY_PATTERN.match(key or ""):
        raise ValueError(f"not an attachment key: {key!r}")
    return key


class FolderStorage:
    """Objects as files ``<root>/<first two characters>/<key>``, written atomically."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)  # readers never see half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/*")):
            if KEY_PATTERN.match(path.name):
                yield path.name


def storage() -> Storage:
    """Return the configured store: ``ATTACHMENT_STORAGE`` if set, else the folder."""
    spec = current_app.config.get("ATTACHMENT_STORAGE") or ""
    if spec:
        module, _, name = spec.partition(":")
        return getattr(importlib.import_module(module), name)(current_app.config)
    return FolderStorage(current_app.config["ATTACHMENT_DIR"])
