"""Where the lake lives: a directory or an object-store URI, through pyarrow's filesystems.

`lake_filesystem` accepts a local path, `file://`, `s3://` (and Spark's `s3a://`,
the same bucket), `gs://`, `hdfs://`, or any scheme an installed fsspec
implementation knows (wrapped for pyarrow). Credentials come from the usual
environment of each store (AWS_*, GOOGLE_APPLICATION_CREDENTIALS, ...); reetrace
keeps none.

Object stores have no atomic rename, so the lake never relies on one: data files
get names no other export uses, and the manifest is the one object whose
replacement commits an export (a single PUT, or a rename on a local disk).
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

_ARROW_SCHEMES = ("s3", "gs", "gcs", "hdfs", "viewfs", "abfs", "abfss", "file")


@dataclass(frozen=True)
class Lake:
    """A lake root: the filesystem, the root path within it, and the URI users gave."""

    fs: pafs.FileSystem
    root: str
    uri: str

    def path(self, *parts: str) -> str:
        return posixpath.join(self.root, *parts)

    def spark_uri(self, relative: str) -> str:
        """The URI Spark reads a lake file by (s3 through Hadoop's s3a connector)."""
        if "://" not in self.uri:
            return "file://" + str(Path(self.path(relative)).resolve())
        scheme, rest = self.uri.split("://", 1)
        scheme = "s3a" if scheme in ("s3", "s3a") else scheme
        return f"{scheme}://{posixpath.join(rest.rstrip('/'), relative)}"

    def write_bytes(self, relative: str, data: bytes) -> None:
        """Write a whole object, replacing it in one step (temporary name, then move)."""
        target = self.path(relative)
        self.fs.create_dir(posixpath.dirname(target), recursive=True)
        temporary = f"{target}.tmp"
        with self.fs.open_output_stream(temporary) as stream:
            stream.write(data)
        self.fs.move(temporary, target)

    def read_bytes(self, relative: str) -> bytes:
        with self.fs.open_input_stream(self.path(relative)) as stream:
            return stream.read()

    def exists(self, relative: str) -> bool:
        return self.fs.get_file_info(self.path(relative)).type != pafs.FileType.NotFound

    def sha256(self, relative: str) -> str:
        digest = hashlib.sha256()
        with self.fs.open_input_stream(self.path(relative)) as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()

    def delete(self, relative: str) -> None:
        if self.exists(relative):
            self.fs.delete_file(self.path(relative))


class LakeLocationError(ValueError):
    """The lake's location cannot be opened (unknown scheme, missing driver)."""


def lake_open(uri: str, *, create: bool = False) -> Lake:
    """Open the lake at `uri` (a directory or object-store URI)."""
    if not uri or "\x00" in uri:
        raise LakeLocationError("the lake location is empty or contains a NUL byte")
    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    if scheme in ("", *_ARROW_SCHEMES, "s3a"):
        arrow_uri = "s3://" + uri.split("://", 1)[1] if scheme == "s3a" else uri
        if not scheme:
            arrow_uri = str(Path(uri).resolve())
        try:
            fs, root = pafs.FileSystem.from_uri(arrow_uri)
        except (OSError, ValueError, ImportError) as exc:
            raise LakeLocationError(f"cannot open the lake at {uri}: {exc}") from exc
    else:
        fs, root = _fsspec(uri, scheme)
    if create:
        fs.create_dir(root, recursive=True)
    return Lake(fs, root.rstrip("/") or "/", uri)


def _fsspec(uri: str, scheme: str) -> tuple[pafs.FileSystem, str]:
    try:
        import fsspec
    except ImportError as exc:
        raise LakeLocationError(
            f"{scheme}:// needs fsspec and its {scheme} driver installed"
        ) from exc
    try:
        filesystem, root = fsspec.core.url_to_fs(uri)
    except (ImportError, ValueError) as exc:
        raise LakeLocationError(f"cannot open the lake at {uri}: {exc}") from exc
    return pafs.PyFileSystem(pafs.FSSpecHandler(filesystem)), root
