"""DESIGN.md's dependency rules, checked by reading every module's imports.

L0 backend, autograd/grad_mode;  L1 autograd;  L2 ops;  L3 tensor, composite, factories, functions,
cuda, autograd/functional, compile;  L4 nn, optim, data, amp, vision;  L5 viz, testing, train,
models, cli, __main__. A module imports only its
own layer or lower; optim never imports nn; nn never imports optim or data. NumPy/CuPy appear only
in backend.py, ops/, data/, viz/ and testing/. Optional packages are imported inside functions.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "tinygrad_edu"
OPTIONAL = {
    "torch",
    "graphviz",
    "matplotlib",
    "sklearn",
    "tqdm",
    "cupy",
    "cupyx",
    "scipy",
    "threadpoolctl",
    "ml_dtypes",
    "PIL",
}


def _layer(mod: str) -> int:
    parts = mod.split(".")[1:]  # drop 'tinygrad_edu'
    head = parts[0] if parts else "__init__"
    if head == "backend" or parts[:2] == ["autograd", "grad_mode"]:
        return 0
    if parts[:2] == ["autograd", "functional"]:  # Jacobians are built from Tensor ops
        return 3
    if head == "autograd":
        return 1
    if head == "ops":
        return 2
    if head in (
        "tensor",
        "_tensor_str",
        "composite",
        "factories",
        "functions",
        "cuda",
        "accelerator",
        "compile",
    ):
        return 3
    if head in ("nn", "optim", "data", "amp", "vision"):
        return 4
    return 5  # viz, testing, train, models, cli, __main__, the package __init__


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        yield name, path


def _resolve(name: str, path: Path, node: ast.ImportFrom) -> list[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    if node.level:
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if node.module is None or target == "tinygrad_edu":  # from . import x, y
        return [f"{target}.{a.name}" for a in node.names]
    return [target]


def _imports(name: str, path: Path):
    """(imported module, is at module level) for every import in the file."""
    tree = ast.parse(path.read_text())
    top = set(id(n) for n in tree.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            for target in _resolve(name, path, node):
                yield target, id(node) in top


MODULES = list(_modules())


@pytest.mark.parametrize("name,path", MODULES, ids=[m for m, _ in MODULES])
def test_module_imports_respect_layers(name, path):
    mine = _layer(name)
    for target, top_level in _imports(name, path):
        root = target.split(".")[0]
        if root == "tinygrad_edu":
            if target == "tinygrad_edu" or name == "tinygrad_edu":
                continue
            assert _layer(target) <= mine or name.startswith(target), (
                f"{name} (layer {mine}) imports {target} (layer {_layer(target)})"
            )
            if name.startswith("tinygrad_edu.optim"):
                assert not target.startswith("tinygrad_edu.nn"), f"{name} imports {target}"
            if name.startswith("tinygrad_edu.nn"):
                assert not target.startswith(("tinygrad_edu.optim", "tinygrad_edu.data")), (
                    f"{name} imports {target}"
                )
        elif root in ("numpy", "cupy", "cupyx"):
            allowed = (
                "tinygrad_edu.backend",
                "tinygrad_edu.ops",
                "tinygrad_edu.data",
                "tinygrad_edu.compile.export",
                "tinygrad_edu.compile.cuda_graph",
                "tinygrad_edu.viz",
                "tinygrad_edu.testing",
            )
            assert name.startswith(allowed), f"{name} imports {root} (house rule 2)"
        if root in OPTIONAL:
            assert not top_level, f"{name} imports optional package {root} at module level"


def test_import_needs_numpy_only():
    code = (
        "import sys, tinygrad_edu, tinygrad_edu.nn, tinygrad_edu.optim, tinygrad_edu.data, "
        "tinygrad_edu.viz, tinygrad_edu.testing\n"
        f"bad = sorted(m for m in {sorted(OPTIONAL)!r} if m in sys.modules)\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import tinygrad_edu loaded {out.stdout.strip()}"


# nn and optim use the public Tensor API. These are the only places where they reach below it,
# each for a reason the Tensor API cannot serve.
DATA_ALLOWED = {
    "nn/parameter.py": "a Parameter shares its tensor's memory and version counter",
    "nn/modules/module.py": "Module.to converts parameters in place (PyTorch's param.data = ...)",
    "nn/init.py": "orthogonal_ needs a QR decomposition, which has no Tensor op",
    "nn/_loss_checks.py": "class-index checks read min and max in one pass every step",
}
NN_OPS_ALLOWED = {
    "tinygrad_edu.ops.fused": "Linear, Normalize, CrossEntropy (fused primitives)",
    "tinygrad_edu.ops.conv": "Unfold, Fold, WindowMax (the convolution and pooling primitives)",
    "tinygrad_edu.ops.nograd": "min_max for target checks",
    "tinygrad_edu.ops.linalg_nograd": "qr for orthogonal_",
}


def _rel(path: Path) -> str:
    return str(path.relative_to(PKG)).replace("\\", "/")


def test_nn_and_optim_do_not_read_data():
    offenders = []
    for name, path in _modules():
        rel = _rel(path)
        if not rel.startswith(("nn/", "optim/")) or rel in DATA_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "data":
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"nn/optim read .data (use the Tensor API): {offenders}"


def test_nn_imports_only_allow_listed_primitives():
    offenders = []
    for name, path in _modules():
        if not name.startswith(("tinygrad_edu.nn", "tinygrad_edu.optim")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                targets = _resolve(name, path, node)
                if targets == ["tinygrad_edu.ops"]:  # from ..ops import fused
                    targets = [f"tinygrad_edu.ops.{a.name}" for a in node.names]
                for target in targets:
                    if target.startswith("tinygrad_edu.ops") and target not in NN_OPS_ALLOWED:
                        if not any(target.startswith(a + ".") for a in NN_OPS_ALLOWED):
                            offenders.append(f"{_rel(path)} imports {target}")
    assert not offenders, offenders


def _is_type_checking_block(node) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


@pytest.mark.parametrize("folder", ["ops", "composite"])
def test_no_hidden_import_cycles_in_ops_and_composite(folder):
    """Issue 11: no import cycle inside ops/, none between the Tensor and its composite modules.
    A cycle hides as an import inside a function, or as a class injected into a module global
    (`Tensor = None`, set later by tensor.py); neither may appear here."""
    offenders = []
    for name, path in _modules():
        if not _rel(path).startswith(folder + "/"):
            continue
        tree = ast.parse(path.read_text())
        allowed = {id(n) for n in tree.body}
        for block in filter(_is_type_checking_block, tree.body):  # annotations only
            allowed |= {id(n) for n in ast.walk(block)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in allowed:
                offenders.append(f"{_rel(path)}:{node.lineno} imports inside a function")
        for node in tree.body:
            if isinstance(node, ast.Assign) and ast.unparse(node.value) == "None":
                for t in node.targets:
                    if isinstance(t, ast.Name) and t.id[:1].isupper():
                        offenders.append(f"{_rel(path)}:{node.lineno} {t.id} = None (injected)")
        if (
            "tensor"
            in {
                target.rsplit(".", 1)[-1]
                for target, top in _imports(name, path)
                if top and target.startswith("tinygrad_edu")
            }
            and folder == "composite"
        ):
            offenders.append(f"{_rel(path)} imports tensor.py at run time")
    assert not offenders, offenders
