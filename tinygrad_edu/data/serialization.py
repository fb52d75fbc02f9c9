"""tg.save / tg.load: checkpoints that never unpickle.

A checkpoint is a NumPy .npz archive (a zip of .npy files) holding every array of the saved object
under the names a0, a1, ... plus one entry, `__tinygrad_edu__`, with UTF-8 JSON that describes the
structure:
    {"format": "tinygrad_edu.checkpoint", "version": 1, "root": <node>}
where a node is {"t": "none"|"bool"|"int"|"float"|"str", "v": value} (floats as repr strings, so
inf/nan and every bit survive), {"t": "list"|"tuple", "items": [nodes]}, {"t": "dict", "items":
[[key node, value node], ...]} (keys may be str, int, float, bool, None or tuples of them), or
{"t": "tensor"|"ndarray"|"scalar", "key": "a3", "dtype": "float32", "shape": [...]} for arrays
(tensors also record requires_grad and the device they were saved from).
Loading reads the .npy entries itself (sizes checked before anything is allocated; see
_Archive) and json, so a file cannot run code; anything that
is not such a file raises CheckpointError (a ValueError) naming the path and the problem.

NumPy is imported inside the functions: like data/, this module does host file I/O, not math.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any, BinaryIO, Union

from .. import backend
from ..tensor import Tensor
from ._atomic import atomic_open

FORMAT = "tinygrad_edu.checkpoint"
VERSION = 1
META_KEY = "__tinygrad_edu__"
_DTYPES = set(
    "bool uint8 int8 int16 int32 int64 uint16 uint32 uint64 float16 float32 float64 complex64 "
    "complex128".split()
)
_SCALAR_KEYS = (str, int, float, bool, type(None))

PathOrFile = Union[str, "os.PathLike[str]", BinaryIO]


class CheckpointError(ValueError):
    """A file that tg.load cannot read: foreign, truncated, corrupted or from a newer version."""


# --------------------------------------------------------------------------------------- save
def save(obj: Any, f: PathOrFile) -> None:
    """Write `obj` (nested dicts/lists/tuples of Tensors, NumPy arrays, numbers, str, None) to f.

    f is a path or a binary file object. A path is written atomically: a temporary file in the
    same folder is filled, flushed, fsync'ed and renamed over the target, so a crash never
    leaves a half-written checkpoint under the real name.
    """
    import numpy as np

    if hasattr(obj, "state_dict") and callable(obj.state_dict):  # a Module or an optimizer
        raise TypeError(
            f"tg.save: cannot save a whole {type(obj).__name__} (tinygrad_edu never pickles "
            f"objects); save its state_dict() instead: tg.save(obj.state_dict(), path), and "
            f"restore it with obj.load_state_dict(tg.load(path))"
        )
    arrays: dict[str, Any] = {}
    root = _Encoder(np, arrays).encode(obj, "obj")
    meta = json.dumps({"format": FORMAT, "version": VERSION, "root": root}, allow_nan=False)
    arrays[META_KEY] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    with atomic_open(f, "wb") as fh:
        np.savez(fh, **arrays)


class _Encoder:
    """Turns an object into a JSON node, collecting its arrays (shared objects are stored once)."""

    def __init__(self, np: Any, arrays: dict[str, Any]) -> None:
        self.np, self.arrays = np, arrays
        self.memo: dict[int, dict] = {}
        self.active: set[int] = set()  # containers on the current path (cycle detection)

    def encode(self, obj: Any, where: str) -> dict:
        np = self.np
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, np.generic):  # before float: np.float64 is a float subclass
            return self._array(obj, "scalar", lambda: np.asarray(obj), where)
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": int(obj)}
        if isinstance(obj, float):
            return {"t": "float", "v": repr(float(obj))}
        if isinstance(obj, str):
            return {"t": "str", "v": str(obj)}
        if isinstance(obj, Tensor):
            return self._array(obj, "tensor", lambda: obj.detach().numpy(), where)
        if isinstance(obj, np.ndarray) or backend.is_array(obj):  # CuPy arrays go to the host
            return self._array(obj, "ndarray", lambda: backend.to_host(obj), where)
        if isinstance(obj, (list, tuple, dict)):
            if id(obj) in self.active:
                raise ValueError(f"tg.save: {where} contains itself (a reference cycle)")
            self.active.add(id(obj))
            try:
                if isinstance(obj, dict):
                    items = [
                        [self._key(k, where), self.encode(v, f"{where}[{k!r}]")]
                        for k, v in obj.items()
                    ]
                    return {"t": "dict", "items": items}
                items = [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
                return {"t": "tuple" if isinstance(obj, tuple) else "list", "items": items}
            finally:
                self.active.discard(id(obj))
        raise TypeError(
            f"tg.save: {where} is a {type(obj).__name__}, which cannot be saved; a checkpoint "
            "holds dicts, lists and tuples of Tensors, NumPy arrays, int, float, bool, str and None"
        )

    def _key(self, key: Any, where: str) -> dict:
        if isinstance(key, _SCALAR_KEYS) or (
            isinstance(key, tuple) and all(isinstance(k, _SCALAR_KEYS) for k in key)
        ):
            return self.encode(key, where)
        raise TypeError(
            f"tg.save: {where} has a key of type {type(key).__name__}; dict keys "
            "must be str, int, float, bool, None or tuples of them"
        )

    def _array(self, obj: Any, kind: str, host: Any, where: str) -> dict:
        node = self.memo.get(id(obj))
        if node is not None:
            return node
        arr = host()
        if arr.dtype.name not in _DTYPES:
            raise TypeError(
                f"tg.save: {where} has dtype {arr.dtype}; only bool, integer, float "
                "and complex arrays can be saved"
            )
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr
        node = {"t": kind, "key": key, "dtype": arr.dtype.name, "shape": list(arr.shape)}
        if kind == "tensor":
            node["requires_grad"] = bool(obj.requires_grad)
            node["device"] = obj.device
        self.memo[id(obj)] = node
        return node


# --------------------------------------------------------------------------------------- load
def load(f: PathOrFile, map_location: Any = None, *, weights_only: bool | None = True) -> Any:
    """Read a checkpoint written by tg.save. Tensors land on `map_location` ('cpu' by default,
    'cuda' or a tg.device) with their saved dtype and requires_grad; NumPy arrays stay NumPy.

    weights_only=True (PyTorch's default; None means True) is the only mode: checkpoints hold
    data, never pickled objects, so weights_only=False raises ValueError.
    Raises CheckpointError (a ValueError) for foreign, truncated, corrupted or newer files.
    """
    import numpy as np

    if weights_only is not None and not weights_only:
        raise ValueError(
            "tg.load(weights_only=False): tinygrad_edu never unpickles objects, so loading can "
            "never run code from a file; checkpoints hold tensors, arrays, numbers and strings "
            "in dicts, lists and tuples, which the default weights_only=True loads. Save "
            "model.state_dict() and restore it with model.load_state_dict(tg.load(path))"
        )

    # an unknown or unavailable device fails here, before the file is read
    device = "cpu" if map_location is None else backend.normalize_device(map_location)
    if hasattr(f, "read"):
        name = repr(getattr(f, "name", f"<{type(f).__name__}>"))
        source: Any = io.BytesIO(f.read())
        head, size = source.getvalue()[:8], len(source.getvalue())
    else:
        name = repr(os.fspath(f))
        source = os.fspath(f)
        with open(source, "rb") as fh:  # FileNotFoundError / PermissionError pass through
            head, size = fh.read(8), os.fstat(fh.fileno()).st_size
    if not head.startswith(b"PK\x03\x04"):
        raise CheckpointError(f"tg.load: {name} is not a tinygrad_edu checkpoint: {_sniff(head)}")
    try:
        with zipfile.ZipFile(source) as zf:
            return _Decoder(np, _Archive(np, zf, size, name), name, device).run()
    except CheckpointError:
        raise
    except Exception as e:  # zipfile, zlib, numpy's .npy reader, json: all mean a damaged file
        raise CheckpointError(
            f"tg.load: {name} is truncated or corrupted ({type(e).__name__}: {e})"
        ) from None


class _Archive:
    """The .npy entries of the zip, read with every size checked before anything is allocated.

    tg.save writes uncompressed (stored) entries, so the bytes on disk bound what loading may
    allocate: a compressed entry, an entry reaching past the end of the file, or a .npy header
    declaring more (or less) data than its entry holds raises CheckpointError (a 4 TB shape in
    a small file never reaches the allocator).
    """

    def __init__(self, np: Any, zf: zipfile.ZipFile, size: int, name: str) -> None:
        self.np, self.zf, self.size, self.name = np, zf, size, name
        self.infos = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
        self.files = list(self.infos)

    def fail(self, key: str, problem: str) -> CheckpointError:
        return CheckpointError(f"tg.load: {self.name}: entry {key!r} {problem}")

    def __getitem__(self, key: str) -> Any:
        info = self.infos[key]
        if info.compress_type != zipfile.ZIP_STORED:
            raise self.fail(
                key,
                "is compressed, which tg.save never writes; refusing to inflate "
                "it (a small file could claim gigabytes)",
            )
        if info.file_size != info.compress_size or info.header_offset + info.file_size > self.size:
            raise self.fail(
                key,
                f"declares {info.file_size} bytes, more than the file holds; "
                "it is truncated or corrupted",
            )
        fmt = self.np.lib.format
        with self.zf.open(info) as fp:
            version = fmt.read_magic(fp)
            read_header = (
                fmt.read_array_header_1_0 if version == (1, 0) else (fmt.read_array_header_2_0)
            )
            shape, fortran, dtype = read_header(fp)
            if dtype.hasobject:
                raise self.fail(
                    key, "holds Python objects, which tg.load never unpickles (allow_pickle=False)"
                )
            count = 1
            for n in shape:
                count *= int(n)
            nbytes = count * dtype.itemsize
            held = info.file_size - fp.tell()
            if held != nbytes:
                raise self.fail(
                    key,
                    f"declares shape {list(shape)} of {dtype} ({nbytes} bytes) "
                    f"but holds {held} bytes of data",
                )
            buffer = bytearray(nbytes)
            if fp.readinto(buffer) != nbytes:
                raise self.fail(key, "is truncated")
        arr = self.np.frombuffer(buffer, dtype=dtype)
        if fortran:
            return arr.reshape(shape[::-1]).transpose()
        return arr.reshape(shape)


def _sniff(head: bytes) -> str:
    if not head:
        return "the file is empty"
    if head[:1] == b"\x80":
        return (
            "it looks like a pickle (e.g. from torch.save or pickle.dump), which tg.load "
            "never opens because unpickling can run arbitrary code"
        )
    if head.startswith(b"\x93NUMPY"):
        return "it is a single .npy array (numpy.save), not a tg.save archive"
    return f"it does not start with the zip signature of an .npz archive (first bytes {head!r})"


class _Decoder:
    """Rebuilds the saved object from the JSON structure and the archive's arrays."""

    def __init__(self, np: Any, archive: Any, name: str, device: str) -> None:
        self.np, self.archive, self.name, self.device = np, archive, name, device
        self.cache: dict[str, Any] = {}

    def fail(self, problem: str) -> CheckpointError:
        return CheckpointError(f"tg.load: {self.name} {problem}")

    def run(self) -> Any:
        if META_KEY not in self.archive.files:
            raise self.fail(
                f"is a zip archive without the '{META_KEY}' entry that tg.save "
                "writes (a plain numpy.savez file, or a torch.save archive?)"
            )
        raw = self.archive[META_KEY]
        if raw.dtype != self.np.uint8 or raw.ndim != 1:
            raise self.fail("has a malformed metadata entry")
        try:
            meta = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise self.fail(f"has unreadable metadata ({e})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise self.fail(
                f"is not a tinygrad_edu checkpoint (format {_get(meta, 'format')!r},"
                f" expected {FORMAT!r})"
            )
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail(f"has an invalid format version {version!r}")
        if version > VERSION:
            raise self.fail(
                f"was written by a newer tinygrad_edu (checkpoint format version "
                f"{version}; this version reads up to {VERSION}); upgrade to load it"
            )
        return self.decode(meta.get("root"))

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise self.fail(f"has a malformed structure node {str(node)[:80]}")
        t = node["t"]
        if t == "none":
            return None
        if t in ("bool", "int", "str"):
            v = node.get("v")
            want = {"bool": bool, "int": int, "str": str}[t]
            if type(v) is not want:
                raise self.fail(f"has a malformed {t} node {str(node)[:80]}")
            return v
        if t == "float":
            v = node.get("v")
            if not isinstance(v, str):
                raise self.fail(f"has a malformed float node {str(node)[:80]}")
            return float(v)
        if t in ("list", "tuple"):
            items = [self.decode(n) for n in self._items(node)]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            out = {}
            for pair in self._items(node):
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self.fail("has a malformed dict entry")
                out[self.decode(pair[0])] = self.decode(pair[1])
            return out
        if t in ("tensor", "ndarray", "scalar"):
            return self._array(node)
        raise self.fail(f"has an unknown node type {t!r}")

    def _items(self, node: dict) -> list:
        items = node.get("items")
        if not isinstance(items, list):
            raise self.fail(f"has a malformed {node['t']} node")
        return items

    def _array(self, node: dict) -> Any:
        key = node.get("key")
        if key in self.cache:
            return self.cache[key]
        if not isinstance(key, str) or key == META_KEY or key not in self.archive.files:
            raise self.fail(f"refers to an array {key!r} that the archive does not hold")
        arr = self.archive[key]  # writable: loaded tensors are updated in place (optimizers)
        dtype, shape = node.get("dtype"), node.get("shape")
        if dtype not in _DTYPES or arr.dtype.name != dtype or list(arr.shape) != shape:
            raise self.fail(
                f"has array {key} of dtype {arr.dtype} and shape {list(arr.shape)} "
                f"but its metadata says {dtype} {shape}"
            )
        if node["t"] == "scalar":
            out: Any = arr[()]
        elif node["t"] == "ndarray":
            out = arr
        else:
            out = Tensor(arr, dtype=arr.dtype, device=self.device)
            if node.get("requires_grad") is True and arr.dtype.kind == "f":
                out.requires_grad_(True)
        self.cache[key] = out
        return out


def _get(meta: Any, key: str) -> Any:
    return meta.get(key) if isinstance(meta, dict) else None
