"""Parsers for the file formats of the image datasets, written from the format descriptions.

IDX (MNIST, Fashion-MNIST): a 4-byte magic number -- two zero bytes, a type code (0x08 unsigned
byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) and the number of
dimensions -- then one big-endian uint32 per dimension, then the values in row-major order,
big-endian.

CIFAR-10 binary version (cifar-10-binary.tar.gz): files data_batch_1.bin ... data_batch_5.bin and
test_batch.bin, each 10000 records of 3073 bytes: one label byte (0-9) and 3072 pixel bytes, the
1024 red values of the 32x32 image row by row, then the green, then the blue. The tarball is read
member by member in memory: nothing is extracted to disk and nothing is unpickled.
"""

from __future__ import annotations

import hashlib
import tarfile
import zlib
from pathlib import Path

import numpy as np

_IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

CIFAR10_RECORD = 1 + 3 * 32 * 32
CIFAR10_BATCH_BYTES = 10000 * CIFAR10_RECORD  # each batch file holds 10000 records
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
CIFAR10_TEST_FILES = ("test_batch.bin",)
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)


class FormatError(ValueError):
    """A file that is not in the format its name promises (truncated, wrong kind, corrupted)."""


def read_maybe_gzip(path: Path, limit: int | None = None) -> bytes:
    """The content of a file, decompressed when it is gzip (told by its magic bytes, not its
    name, so both `x.gz` and a decompressed `x` work).

    limit: the most bytes the content may have (the known size of the file): decompression
    runs in chunks and stops with FormatError as soon as it would exceed it, so a small damaged
    or hostile file can never fill the memory. Damaged gzip data raises FormatError too.
    """
    path = Path(path)
    cap = _GZIP_CAP if limit is None else int(limit)
    with open(path, "rb") as f:
        head = f.read(2)
        f.seek(0)
        if head != b"\x1f\x8b":
            data = f.read(cap + 1)
            if len(data) > cap:
                raise FormatError(
                    f"{path}: the file is larger than the {cap:,} bytes expected; "
                    "it is not the right file: delete or replace it"
                )
            return data
        try:
            return _gunzip(f, cap, path)
        except (OSError, EOFError, ValueError, zlib.error) as e:  # damaged or truncated stream
            raise FormatError(
                f"{path}: the gzip data is damaged or truncated ({e}); delete the "
                "file and download it again"
            ) from None


_GZIP_CAP = 1 << 31  # no file of these datasets decompresses to more than 2 GiB


def _gunzip(f, cap: int, path: Path, chunk: int = 1 << 16) -> bytes:
    """Decompress every gzip member of the open file `f`, never holding more than cap bytes."""
    out = bytearray()
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = f.read(chunk)
    while data:
        out += d.decompress(data, cap + 1 - len(out))
        if len(out) > cap:
            raise FormatError(
                f"{path}: the gzip data decompresses to more than the {cap:,} "
                "bytes expected; it is not the right file: delete or replace "
                "it"
            )
        if d.eof:  # a member ended: another one may follow (gzip allows concatenation)
            data, d = d.unused_data, zlib.decompressobj(16 + zlib.MAX_WBITS)
            if not data:
                data = f.read(chunk)
                if not data:
                    return bytes(out)
        else:
            data = d.unconsumed_tail or f.read(chunk)
    raise FormatError(
        f"{path}: the gzip data is truncated (the stream ends part-way); delete "
        "the file and download it again"
    )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path, algorithm: str = "md5", chunk: int = 1 << 20) -> str:
    """The hex digest of a file's raw bytes (read in chunks, so large files are fine)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def parse_idx(data: bytes, source: str = "IDX data") -> np.ndarray:
    """An IDX file's content as a NumPy array of its shape (native byte order)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise FormatError(f"{source}: not an IDX file (the first two bytes must be zero)")
    code, ndim = data[2], data[3]
    if code not in _IDX_TYPES:
        raise FormatError(f"{source}: unknown IDX type code 0x{code:02x}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise FormatError(f"{source}: truncated IDX header ({len(data)} bytes)")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_TYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        raise FormatError(
            f"{source}: IDX header says shape {shape} of {dtype.name} ({expected} bytes in all) "
            f"but the file has {len(data)} bytes; it is truncated or corrupted"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def write_idx(array: np.ndarray) -> bytes:
    """The IDX encoding of an array (used to make small test files and to re-export data)."""
    array = np.asarray(array)
    for code, dt in _IDX_TYPES.items():
        if dt.kind == array.dtype.kind and dt.itemsize == array.dtype.itemsize:
            header = bytes([0, 0, code, array.ndim])
            header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
            return header + np.ascontiguousarray(array, dtype=dt).tobytes()
    raise TypeError(f"write_idx: IDX has no type for dtype {array.dtype}")


def parse_cifar10_batch(data: bytes, source: str = "CIFAR-10 batch") -> tuple:
    """(images uint8 (N, 3, 32, 32), labels uint8 (N,)) from one binary batch file's bytes."""
    if len(data) == 0 or len(data) % CIFAR10_RECORD:
        raise FormatError(
            f"{source}: {len(data)} bytes is not a whole number of {CIFAR10_RECORD}-byte records "
            "(1 label byte + 3072 pixel bytes); the file is truncated or not CIFAR-10 binary"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, CIFAR10_RECORD)
    labels = records[:, 0].copy()
    if labels.max() > 9:
        raise FormatError(f"{source}: label {int(labels.max())} is outside 0..9; not CIFAR-10")
    return records[:, 1:].reshape(-1, 3, 32, 32).copy(), labels


def _concat(parts: list) -> tuple:
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def read_cifar10_tar(path: Path) -> dict:
    """{'train': (images, labels), 'test': (images, labels)} from cifar-10-binary.tar.gz.

    Members are matched by their base name, read into memory and parsed; the archive is never
    extracted, so odd member paths cannot write anywhere.
    """
    wanted = set(CIFAR10_TRAIN_FILES + CIFAR10_TEST_FILES)
    found: dict = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                base = member.name.rsplit("/", 1)[-1]
                if member.isfile() and base in wanted:
                    f = tar.extractfile(member)
                    found[base] = parse_cifar10_batch(f.read(), f"{path}:{member.name}")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise FormatError(f"{path}: not a readable tar archive ({e})") from None
    missing = sorted(wanted - set(found))
    if missing:
        raise FormatError(
            f"{path}: the archive lacks {', '.join(missing)}; it is not the "
            "CIFAR-10 binary version (cifar-10-binary.tar.gz)"
        )
    return {
        "train": _concat([found[f] for f in CIFAR10_TRAIN_FILES]),
        "test": _concat([found[f] for f in CIFAR10_TEST_FILES]),
    }


def read_cifar10_dir(folder: Path) -> dict:
    """The same as read_cifar10_tar for an extracted cifar-10-batches-bin folder."""
    folder = Path(folder)

    def load(names):
        return _concat(
            [
                parse_cifar10_batch(
                    read_maybe_gzip(folder / n, CIFAR10_BATCH_BYTES), str(folder / n)
                )
                for n in names
            ]
        )

    return {"train": load(CIFAR10_TRAIN_FILES), "test": load(CIFAR10_TEST_FILES)}
