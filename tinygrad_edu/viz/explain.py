"""Derivation cards: what an op computes, its gradient rule, and why it is a primitive.

    >>> print(explain("Tanh"))
    Tanh (primitive, tinygrad_edu.ops.unary)
      forward   y = tanh(x)
      gradient  dx = g * (1 - y^2)
      why       ...

The rule comes from the op's own docstring, whose first paragraph reads `y = f(x);  dx = ...`
(the forward, a semicolon followed by two spaces or a line break, the gradient of each input
given the upstream gradient g) and whose optional `why:` paragraph says why it is a primitive.
A composite (a Tensor method or an nn.functional function written with other ops) is traced on a
tiny input and its card lists the primitives it expands to.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from dataclasses import dataclass, field

from ..autograd.graph import edges_of, walk

OP_MODULES = ("unary", "binary", "reduce", "movement", "indexing", "linalg", "conv", "fused")
_RULE_SEP = re.compile(r";(?:  +|[ ]*\n\s*)")  # ';' then two spaces or a line break
_GRAD_NAME = re.compile(r"(?:^|[\s,;])d([A-Za-z]\w*)\s*=")


@dataclass
class Card:
    """One op's derivation card (str(card) is the text `explain` returns)."""

    name: str
    kind: str  # 'primitive' or 'composite'
    forward: str = ""
    gradient: str = ""
    why: str = ""
    detail: str = ""
    where: str = ""
    inputs: list = field(default_factory=list)  # [(name, shape, dtype)] for a graph node
    composed_of: list = field(default_factory=list)  # primitive names, for a composite

    def input_names(self, n: int) -> list:
        """Names of the n inputs as the gradient rule spells them ('dx', 'da, db'), else x0..."""
        found = list(dict.fromkeys(_GRAD_NAME.findall(self.gradient)))
        return found if len(found) == n else [f"x{i}" if n > 1 else "x" for i in range(n)]

    def __str__(self) -> str:
        lines = [f"{self.name} ({self.kind}{', ' + self.where if self.where else ''})"]
        for key, text in (
            ("forward", self.forward),
            ("gradient", self.gradient),
            ("why", self.why),
        ):
            if text:
                lines.append(f"  {key:<9} {text}")
        if self.composed_of:
            lines.append(f"  expands to {', '.join(self.composed_of)}")
        for name, shape, dtype in self.inputs:
            lines.append(f"  input {name}: {tuple(shape)} {dtype}")
        if self.detail:
            lines += ["", *("  " + line for line in self.detail.splitlines())]
        return "\n".join(lines)


def parse_doc(doc: str | None) -> tuple:
    """(forward, gradient, why, detail) from an op docstring in the uniform form; missing parts
    are ''. A docstring without the `;  d` separator keeps its first paragraph as the forward."""
    text = inspect.cleandoc(doc or "")
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paras:
        return "", "", "", ""
    parts = _RULE_SEP.split(paras[0].strip(), maxsplit=1)
    forward, gradient = (" ".join(p.split()) for p in (parts + [""])[:2])
    why, rest = "", []
    for p in paras[1:]:
        if not why and p.lstrip().lower().startswith("why:"):
            why = " ".join(line.strip() for line in p.strip()[4:].splitlines()).strip()
        else:
            rest.append(p)
    return forward.strip(), gradient.strip(), why, "\n\n".join(rest)


def primitives() -> dict:
    """{class name: class} of every primitive op (a Function subclass in tinygrad_edu.ops)."""
    from ..autograd.function import Function

    found = {}
    for mod_name in OP_MODULES:
        mod = importlib.import_module(f"tinygrad_edu.ops.{mod_name}")
        for name, obj in vars(mod).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, Function)
                and obj is not Function
                and obj.__module__ == mod.__name__
            ):
                found[name] = obj
    return found


def primitive_card(cls, node=None) -> Card:
    """The card of a primitive op class (with its inputs' shapes when `node` is given)."""
    forward, gradient, why, detail = parse_doc(cls.__doc__)
    card = Card(cls.__name__, "primitive", forward, gradient, why, detail, cls.__module__)
    if node is not None:
        ins = edges_of(node)
        names = card.input_names(len(ins))
        card.inputs = [(n, shape, dtype) for n, (_, shape, dtype, _) in zip(names, ins)]
        card.name = node.label()
    return card


def _trace(fn) -> list:
    """Primitive names in the graph of fn on tiny inputs (one, then two float tensors)."""
    from .. import factories

    for arity in (1, 2):
        xs = [factories.randn(2, 3).requires_grad_() for _ in range(arity)]
        try:
            with warnings.catch_warnings():  # defaults such as softmax's implicit dim
                warnings.simplefilter("ignore")
                out = fn(*xs)
        except (TypeError, ValueError, RuntimeError, IndexError):
            continue
        if getattr(out, "grad_fn", None) is None:
            continue
        names = [node.name for node, _ in walk([out])]
        return list(dict.fromkeys(reversed(names)))  # inputs first
    return []


def _source_file(fn) -> str:
    """Where a function is written, relative to the package (composite/elementwise.py)."""
    try:
        path = inspect.getsourcefile(inspect.unwrap(fn)) or "?"
    except TypeError:
        return "?"
    parts = path.replace("\\", "/").split("/tinygrad_edu/")
    return parts[-1]


def composite_card(name: str) -> Card | None:
    """The card of a composite Tensor method or nn.functional function, or None."""
    from ..nn import functional as F
    from ..tensor import Tensor

    fn = getattr(Tensor, name, None) if not name.startswith("_") else None
    where = "Tensor method"
    if not callable(fn):
        fn, where = getattr(F, name, None), "nn.functional"
    if not callable(fn) or name.startswith("_"):
        return None
    parts = _trace(fn)
    where += f", written in {_source_file(fn)}"
    doc = (inspect.getdoc(fn) or "").split("\n\n")[0].replace("\n", " ")
    kind = "primitive" if len(parts) == 1 else "composite"
    card = Card(name, kind, forward=doc, where=where, composed_of=parts)
    if len(parts) == 1:  # a thin method over one primitive: show that primitive's rule
        prim = primitives().get(parts[0])
        if prim is not None:
            inner = primitive_card(prim)
            card.gradient, card.why = inner.gradient, inner.why
            card.forward = inner.forward or doc
            card.composed_of = []
            card.where = f"Tensor.{name} -> {prim.__module__}.{prim.__name__}"
    elif not parts:
        card.why = "could not trace it on a (2, 3) input; explain a graph node instead"
    else:
        card.why = "composed of the primitives above; autograd chains their rules"
    return card


def card(node_or_op) -> Card:
    """A Card for a graph node (Function instance), a Tensor (its grad_fn), an op class, or a
    name: a primitive's class name ('Tanh', 'TanhBackward') or a composite ('gelu')."""
    from ..autograd.function import Function

    if hasattr(node_or_op, "grad_fn") and hasattr(node_or_op, "data"):
        if node_or_op.grad_fn is None:
            raise ValueError("explain: this Tensor is a leaf (no grad_fn); give an op's output")
        node_or_op = node_or_op.grad_fn
    if isinstance(node_or_op, Function):
        return primitive_card(type(node_or_op), node_or_op)
    if inspect.isclass(node_or_op) and issubclass(node_or_op, Function):
        return primitive_card(node_or_op)
    if not isinstance(node_or_op, str):
        raise TypeError(
            f"explain: expected a graph node, Tensor, op class or name, got "
            f"{type(node_or_op).__name__}"
        )
    prims = primitives()
    name = node_or_op.removesuffix("Backward")
    if name in prims:
        return primitive_card(prims[name])
    found = composite_card(node_or_op)
    if found is None:
        close = sorted(n for n in prims if n.lower() == name.lower())
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"explain: unknown op {node_or_op!r}{hint} (primitives: {', '.join(sorted(prims))})"
        )
    return found


def explain(node_or_op) -> str:
    """The derivation card of an op as text: forward, gradient rule, why it is a primitive (or
    the primitives a composite expands to) and, for a graph node, its inputs' shapes."""
    return str(card(node_or_op))
