"""`tinygrad-edu graph`: draw the autograd graph of a built-in model or of a scalar expression.

    tinygrad-edu graph --model mlp --out mlp.svg
    tinygrad-edu graph --model deep-mlp --collapse --out deep.png
    tinygrad-edu graph --expr "(a*b + c).tanh()" --var a=2 --var b=-3 --var c=10 --out expr.png
    tinygrad-edu graph --expr "(a*b + c).tanh()" --walk backward.html   (step through backward)
    tinygrad-edu graph --model mlp --walk backward.html

The expression is never given to eval(): it is parsed with the ast module and interpreted here,
allowing only variable names, numbers, + - * / ** @, unary -, calls of the functions in
`FUNCTIONS` and method calls such as `.tanh()` from `METHODS` with numeric arguments.
"""

from __future__ import annotations

import argparse
import ast
import operator
import os
import sys

MAX_EXPR_LENGTH = 1000
METHODS = frozenset(
    {
        "tanh",
        "sigmoid",
        "relu",
        "exp",
        "log",
        "sqrt",
        "abs",
        "sin",
        "cos",
        "square",
        "neg",
        "reciprocal",
        "rsqrt",
        "log1p",
        "expm1",
        "erf",
        "gelu",
        "silu",
        "softplus",
        "elu",
        "leaky_relu",
        "mish",
        "pow",
        "clamp",
        "maximum",
        "minimum",
        "sum",
        "mean",
    }
)
FUNCTIONS = frozenset(
    {"tanh", "sigmoid", "relu", "exp", "log", "sqrt", "abs", "sin", "cos", "maximum", "minimum"}
)
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.MatMult: operator.matmul,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
DEFAULT_VALUES = (2.0, -3.0, 10.0, 0.5, -1.5, 1.0, -0.5, 3.0)  # micrograd's a, b, c first


class ExpressionError(ValueError):
    """An expression uses something the safe interpreter does not allow."""


def parse_vars(items) -> dict:
    """['a=2', 'b=-3'] -> {'a': 2.0, 'b': -3.0}."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"--var expects NAME=NUMBER, got {item!r}")
        try:
            out[name] = float(value)
        except ValueError:
            raise ExpressionError(f"--var {name}: {value!r} is not a number") from None
    return out


def evaluate_expression(text: str, values: dict | None = None) -> tuple:
    """Interpret `text` over 0-d Tensors that require grad; return (result, {name: Tensor}).

    Variables without a value in `values` get 2, -3, 10, 0.5, ... in order of appearance.
    """
    from .. import functions
    from ..tensor import Tensor

    if len(text) > MAX_EXPR_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPR_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as e:
        raise ExpressionError(f"cannot parse {text!r}: {getattr(e, 'msg', e)}") from None
    values = dict(values or {})
    variables: dict = {}

    def variable(name: str):
        if name.startswith("_"):
            raise ExpressionError(f"name {name!r} is not allowed")
        if name not in variables:
            default = DEFAULT_VALUES[len(variables) % len(DEFAULT_VALUES)]
            variables[name] = Tensor(float(values.get(name, default)), requires_grad=True)
        return variables[name]

    def number(node) -> float:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -number(node.operand)
        raise ExpressionError(f"method arguments must be numbers, got {ast.dump(node)[:60]}")

    # an explicit stack (post-order), so that long expressions cannot exhaust Python's recursion
    stack: list = [(tree.body, False)]
    results: list = []
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r}")
            results.append(float(node.value))  # floats: 9**9**9 overflows instead of hanging
        elif isinstance(node, ast.Name):
            results.append(variable(node.id))
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            if not ready:
                stack += [(node, True), (node.right, False), (node.left, False)]
            else:
                right, left = results.pop(), results.pop()
                try:
                    results.append(_BINARY[type(node.op)](left, right))
                except (OverflowError, ZeroDivisionError) as e:
                    raise ExpressionError(f"{ast.unparse(node)!r}: {e}") from None
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            if not ready:
                stack += [(node, True), (node.operand, False)]
            else:
                results.append(_UNARY[type(node.op)](results.pop()))
        elif isinstance(node, ast.Call) and not node.keywords:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in METHODS:
                if not ready:
                    stack += [(node, True), (func.value, False)]
                else:
                    target = results.pop()
                    if not isinstance(target, Tensor):
                        target = Tensor(float(target))
                    args = [number(a) for a in node.args]
                    results.append(getattr(target, func.attr)(*args))
            elif isinstance(func, ast.Name) and func.id in FUNCTIONS:
                if not ready:
                    stack.append((node, True))
                    stack += [(a, False) for a in reversed(node.args)]
                else:
                    args = [results.pop() for _ in node.args][::-1]
                    results.append(getattr(functions, func.id)(*args))
            else:
                allowed = ", ".join(sorted(METHODS))
                raise ExpressionError(
                    f"call not allowed: {ast.unparse(node)!r}; use methods "
                    f"such as x.tanh() ({allowed})"
                )
        else:
            raise ExpressionError(
                f"not allowed in an expression: {ast.unparse(node)!r} ({type(node).__name__})"
            )
    result = results.pop()
    if not isinstance(result, Tensor) or not result.requires_grad:
        raise ExpressionError("the expression must use at least one variable, e.g. '(a*b + c)'")
    return result, variables


def build_model(name: str, backward: bool = True) -> tuple:
    """(model, loss) for a built-in model, after one forward and (unless backward=False) one
    backward pass.

    'mlp': Linear(4, 8) -> Tanh -> Linear(8, 3) on a batch of 16, cross-entropy loss.
    'deep-mlp': 20 Linear(16, 16) + Sigmoid layers: watch the gradients vanish towards the input.
    """
    from .. import factories, nn
    from ..nn import functional as F

    factories.manual_seed(0)
    if name == "mlp":
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
        x, y = factories.randn(16, 4), factories.randint(0, 3, (16,))
    elif name == "deep-mlp":
        layers = [m for _ in range(20) for m in (nn.Linear(16, 16), nn.Sigmoid())]
        model = nn.Sequential(*layers, nn.Linear(16, 3))
        x, y = factories.randn(32, 16), factories.randint(0, 3, (32,))
    else:
        raise ValueError(f"unknown model {name!r}; choose one of {MODELS}")
    loss = F.cross_entropy(model(x), y)
    if backward:
        loss.backward()
    return model, loss


MODELS = ("mlp", "deep-mlp")


def add_graph_subcommand(subparsers) -> argparse.ArgumentParser:
    """Register `graph` on an argparse subparsers object; its handler is `run_graph`."""
    p = subparsers.add_parser(
        "graph",
        help="draw the autograd graph of a built-in model or an expression",
        description=__doc__.split("\n\n")[0] + " Examples:\n" + __doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--model", choices=MODELS, help="a built-in model (after one backward)")
    what.add_argument("--expr", help='an expression of scalar variables, e.g. "(a*b + c).tanh()"')
    p.add_argument(
        "--var",
        action="append",
        metavar="NAME=VALUE",
        help="a variable's value for --expr (repeatable); others get 2, -3, 10, ...",
    )
    p.add_argument(
        "--out",
        help="output file: .svg, .png, .pdf, or .gv for the DOT text (default graph.svg, none "
        "with --walk)",
    )
    p.add_argument(
        "--walk",
        metavar="PATH",
        help="step through backward: .html (interactive page), .gif, or a folder of PNG frames",
    )
    p.add_argument("--show", default="auto", choices=["auto", "values", "stats", "shapes"])
    p.add_argument("--collapse", action="store_true", help="draw each module as one box")
    p.add_argument(
        "--rankdir",
        choices=["TB", "LR", "BT", "RL"],
        help="layout direction (default LR for --expr, TB for --model)",
    )
    p.add_argument("--max-nodes", type=int, default=2000)
    p.set_defaults(func=run_graph)
    return p


def run_graph(args) -> int:
    """Handle `tinygrad-edu graph`: draw and save; print the path. Returns the exit status."""
    from .graph import draw_graph

    out_path = args.out if args.out is not None or args.walk else "graph.svg"
    written = []
    try:
        if args.expr is not None:
            out, variables = evaluate_expression(args.expr, parse_vars(args.var))
            named = list(variables.items()) + [("out", out)]
            if args.walk:
                written.append(_walk(out, named, args, "LR"))
            out.backward()
            if out_path:
                graph = draw_graph(
                    out,
                    params=named,
                    show=args.show,
                    max_nodes=args.max_nodes,
                    rankdir=args.rankdir or "LR",
                )
        else:
            model, loss = build_model(args.model, backward=not args.walk)
            if args.walk:
                written.append(_walk(loss, model, args, "TB"))
                loss.backward()
            if out_path:
                graph = draw_graph(
                    loss,
                    params=model,
                    show=args.show,
                    collapse=True if args.collapse else "auto",
                    max_nodes=args.max_nodes,
                    rankdir=args.rankdir or "TB",
                )
        if out_path:
            written.append(graph.save(out_path))
    except (ExpressionError, ValueError, RuntimeError) as e:
        print(f"tinygrad-edu graph: error: {e}", file=sys.stderr)
        return 1
    for path in written:
        print(os.path.abspath(path))
    return 0


def _walk(root, params, args, rankdir: str) -> str:
    """Record the step-through of backward from `root` and save it to args.walk."""
    from .walkthrough import explain_backward

    walk = explain_backward(
        root,
        params=params,
        show=args.show,
        max_nodes=args.max_nodes,
        rankdir=args.rankdir or rankdir,
    )
    return walk.save(args.walk)


def main(argv=None) -> int:
    """Run `graph` on its own: python -m tinygrad_edu.viz.cli --expr 'a*b'."""
    parser = argparse.ArgumentParser(prog="tinygrad-edu")
    sub = parser.add_subparsers(dest="command", required=True)
    add_graph_subcommand(sub)
    args = parser.parse_args(["graph"] + list(sys.argv[1:] if argv is None else argv))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
