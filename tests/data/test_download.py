"""Downloading against a local HTTP server on 127.0.0.1 (never the internet): good files land in
the cache, corrupted or truncated ones are refused and leave nothing, dead hosts fail clearly."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import http.server
import io
import tarfile
import threading
import time

import numpy as np
import pytest

from tinygrad_edu.data import _download, datasets
from tinygrad_edu.data._formats import write_idx

MNIST_NAMES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]
DEAD = "http://127.0.0.1:1/"  # a closed port: connection refused at once


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _ShortBody(_Quiet):
    """Promises 1000 bytes and sends 10: a download cut off half way."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"\x1f\x8b" + b"\x00" * 8)


def _serve(folder, handler=_Quiet):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def server(tmp_path):
    """A server of tmp_path/www; yields (base URL, folder)."""
    www = tmp_path / "www"
    www.mkdir()
    srv, url = _serve(www)
    yield url, www
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fake_mnist(monkeypatch):
    """Tiny MNIST-shaped IDX files (5 train, 3 test); RESOURCES['mnist'] expects their SHA-256."""
    rng = np.random.default_rng(0)
    raw = {
        "train-images-idx3-ubyte": write_idx(rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)),
        "train-labels-idx1-ubyte": write_idx(np.array([0, 1, 2, 3, 9], dtype=np.uint8)),
        "t10k-images-idx3-ubyte": write_idx(rng.integers(0, 256, (3, 28, 28), dtype=np.uint8)),
        "t10k-labels-idx1-ubyte": write_idx(np.array([7, 8, 9], dtype=np.uint8)),
    }
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in raw.items()}
    res = dataclasses.replace(datasets.RESOURCES["mnist"], files=hashes)
    monkeypatch.setitem(datasets.RESOURCES, "mnist", res)
    return raw


def _publish(folder, raw: dict, corrupt: str | None = None) -> None:
    for name, data in raw.items():
        if name == corrupt:
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        (folder / f"{name}.gz").write_bytes(gzip.compress(data))


def _check_fake(train, test) -> None:
    assert train.tensors[0].shape == (5, 1, 28, 28) and test.tensors[0].shape == (3, 1, 28, 28)
    assert train.tensors[1].tolist() == [0, 1, 2, 3, 9] and test.tensors[1].tolist() == [7, 8, 9]


def test_download_lands_in_cache(server, fake_mnist, isolated):
    url, www = server
    _publish(www, fake_mnist)
    train, test = datasets.load_mnist(mirrors=[url])
    _check_fake(train, test)
    cached = sorted(p.name for p in (isolated / "mnist").iterdir())
    assert cached == sorted(f"{n}.gz" for n in MNIST_NAMES)  # no temporary files left
    for p in www.iterdir():  # the next call needs no server
        p.unlink()
    _check_fake(*datasets.load_mnist(download=False))


def test_mirrors_are_tried_in_order(server, fake_mnist, isolated, tmp_path):
    url, www = server
    _publish(www, fake_mnist)
    empty = tmp_path / "empty"
    empty.mkdir()
    srv404, url404 = _serve(empty)
    try:
        _check_fake(*datasets.load_mnist(mirrors=[DEAD, url404, url]))
    finally:
        srv404.shutdown()
        srv404.server_close()


def test_mirror_env_var_and_module_list(server, fake_mnist, isolated, monkeypatch):
    url, www = server
    _publish(www, fake_mnist)
    monkeypatch.setenv("TINYGRAD_EDU_MNIST_MIRROR", f"{DEAD},{url}")
    _check_fake(*datasets.load_mnist())
    assert _download.mirror_list(datasets.RESOURCES["mnist"]) == [DEAD, url]
    monkeypatch.delenv("TINYGRAD_EDU_MNIST_MIRROR")
    monkeypatch.setitem(datasets.MIRRORS, "mnist", [url])
    assert _download.mirror_list(datasets.RESOURCES["mnist"]) == [url]


def test_corrupted_download_is_refused(server, fake_mnist, isolated):
    url, www = server
    _publish(www, fake_mnist, corrupt="train-labels-idx1-ubyte")
    expected = datasets.RESOURCES["mnist"].files["train-labels-idx1-ubyte"]
    with pytest.raises(datasets.DownloadError) as info:
        datasets.load_mnist(mirrors=[url])
    message = str(info.value)
    assert "train-labels-idx1-ubyte.gz" in message and f"expected {expected}" in message
    assert "SHA-256" in message and "is " in message
    leftovers = [p.name for p in (isolated / "mnist").iterdir()]
    assert "train-labels-idx1-ubyte.gz" not in leftovers
    assert not [n for n in leftovers if n.endswith(".part")]


def test_truncated_download_is_refused(tmp_path, fake_mnist, isolated):
    srv, url = _serve(tmp_path, _ShortBody)
    try:
        with pytest.raises(datasets.DownloadError, match="train-images-idx3-ubyte.gz.*tried"):
            datasets.load_mnist(mirrors=[url])
    finally:
        srv.shutdown()
        srv.server_close()
    assert list((isolated / "mnist").iterdir()) == []


def test_unreachable_host_gives_one_clear_error(fake_mnist, isolated):
    with pytest.raises(datasets.DownloadError) as info:
        datasets.load_mnist(mirrors=[DEAD, "http://127.0.0.1:1/other/"])
    message = str(info.value)
    assert f"{DEAD}train-images-idx3-ubyte.gz" in message
    assert "http://127.0.0.1:1/other/train-images-idx3-ubyte.gz" in message
    assert "place the files" in message and "TINYGRAD_EDU_MNIST_MIRROR" in message


def test_progress_bar_on_a_terminal(server, fake_mnist, isolated, monkeypatch):
    pytest.importorskip("tqdm")
    url, www = server
    _publish(www, fake_mnist)
    monkeypatch.setattr(_download, "_show_progress", lambda: True)
    assert _download._progress_bar(10, "x") is not None
    _check_fake(*datasets.load_mnist(mirrors=url))


def test_cifar10_download(server, isolated, monkeypatch):
    url, www = server
    data = bytes([3]) + bytes(3072)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (www / "cifar-10-binary.tar.gz").write_bytes(buffer.getvalue())
    md5 = hashlib.md5(buffer.getvalue()).hexdigest()
    res = dataclasses.replace(datasets.RESOURCES["cifar10"], files={"cifar-10-binary.tar.gz": md5})
    monkeypatch.setitem(datasets.RESOURCES, "cifar10", res)
    train, test = datasets.load_cifar10(mirrors=[url])
    assert len(train) == 5 and len(test) == 1 and test.tensors[1].tolist() == [3]
    assert (isolated / "cifar10" / "cifar-10-binary.tar.gz").is_file()


# ------------------------------------------------------- damaged, endless, huge and slow mirrors
@pytest.fixture
def sized(fake_mnist, monkeypatch):
    """fake_mnist with the true sizes of its files (which bound downloads and decompression)."""
    res = dataclasses.replace(
        datasets.RESOURCES["mnist"], sizes={n: len(d) for n, d in fake_mnist.items()}
    )
    monkeypatch.setitem(datasets.RESOURCES, "mnist", res)
    return fake_mnist


def _damaged_gzip(data: bytes) -> bytes:
    gz = bytearray(gzip.compress(data))
    gz[10] = 0xFF  # the first deflate block: type 11 is reserved, zlib says "invalid block type"
    return bytes(gz)


def test_damaged_gzip_from_a_mirror_tries_the_next_one(tmp_path, sized, isolated, capsys):
    bad, good = tmp_path / "bad", tmp_path / "good"
    bad.mkdir()
    good.mkdir()
    _publish(good, sized)
    for name, data in sized.items():
        (bad / f"{name}.gz").write_bytes(_damaged_gzip(data))
    srv_bad, url_bad = _serve(bad)
    srv_good, url_good = _serve(good)
    try:
        with pytest.raises(datasets.DownloadError) as info:  # only the damaged mirror
            datasets.load_mnist(mirrors=[url_bad])
        message = str(info.value)
        assert "\n" not in message and f"{url_bad}train-images-idx3-ubyte.gz" in message
        assert "gzip data is damaged" in message and "place the files" in message
        _check_fake(*datasets.load_mnist(mirrors=[url_bad, url_good]))  # the next one is tried
    finally:
        for s in (srv_bad, srv_good):
            s.shutdown()
            s.server_close()
    assert url_bad in capsys.readouterr().err


def test_damaged_local_gzip_is_one_clear_line(tmp_path, sized, isolated, capsys):
    from tinygrad_edu.__main__ import main

    folder = tmp_path / "data"
    folder.mkdir()
    _publish(folder, sized)
    damaged = folder / "train-images-idx3-ubyte.gz"
    damaged.write_bytes(_damaged_gzip(sized["train-images-idx3-ubyte"]))
    with pytest.raises(datasets.FormatError, match="delete the file"):
        datasets.load_mnist(root=folder, download=False)
    code = main(
        [
            "train",
            "--dataset",
            "mnist",
            "--data-dir",
            str(folder),
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert str(damaged) in lines[0] and "damaged" in lines[0]


def _peak_memory(fn) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_stopped_at_the_known_size(tmp_path, sized, isolated):
    www = tmp_path / "www"
    www.mkdir()
    _publish(www, sized)
    bomb = gzip.compress(bytes(4 << 20))  # 4 MB of zeros in ~4 KB: passes the download cap
    (www / "train-images-idx3-ubyte.gz").write_bytes(bomb)
    srv, url = _serve(www)

    def download():
        with pytest.raises(datasets.DownloadError, match="decompresses to more than the 3,936"):
            datasets.load_mnist(mirrors=[url])

    try:
        assert _peak_memory(download) < 2 << 20  # the 4 MB were never held
    finally:
        srv.shutdown()
        srv.server_close()
    assert not [p for p in (isolated / "mnist").iterdir() if p.name.startswith("train-images")]
    local = tmp_path / "local"
    local.mkdir()
    _publish(local, sized)
    (local / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(64 << 20)))

    def load_local():
        with pytest.raises(datasets.FormatError, match="decompresses to more than"):
            datasets.load_mnist(root=local, download=False)

    assert _peak_memory(load_local) < 2 << 20


class _Endless(_Quiet):
    """Sends 32 MB without a Content-Length (as if it would never stop) and counts it."""

    sent = [0]

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        block = bytes(1 << 16)
        try:
            for _ in range(512):
                self.wfile.write(block)
                _Endless.sent[0] += len(block)
        except OSError:  # the client hung up
            pass


def test_an_endless_body_is_cut_at_the_known_size(tmp_path, sized, isolated):
    srv, url = _serve(tmp_path, _Endless)
    _Endless.sent[0] = 0
    try:
        with pytest.raises(datasets.DownloadError, match="more than the"):
            datasets.load_mnist(mirrors=[url])
    finally:
        srv.shutdown()
        srv.server_close()
    assert _Endless.sent[0] < 16 << 20  # stopped long before the 32 MB
    assert [p for p in (isolated / "mnist").iterdir()] == []


class _Drip(_Quiet):
    """Promises 40 bytes and sends one every 0.1 s: each read is quick, the whole is not."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "40")
        self.end_headers()
        try:
            for _ in range(40):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass


def test_a_slow_drip_hits_the_overall_deadline(tmp_path, sized, isolated, monkeypatch):
    monkeypatch.setattr(_download, "DOWNLOAD_TIMEOUT", 0.5)  # per read: 0.1 s gaps pass it
    srv, url = _serve(tmp_path, _Drip)
    try:
        with pytest.raises(datasets.DownloadError, match="did not finish within"):
            datasets.load_mnist(mirrors=[url])
    finally:
        srv.shutdown()
        srv.server_close()
