"""Bad inputs to nn, optim and data: conv/pool, losses, layer constructors, init, clip_grad,
optimizers, lr schedulers, DataLoader and datasets, transforms (same row format as
tests/bad_inputs_tensor.py; opt() is an SGD over one parameter, p() a parameter, ds() a
TensorDataset of 4 rows).
"""

from .bad_inputs_tensor import IX, RT, R, T, V

X4 = "M.ones(1, 3, 5, 5)"

CONV_POOL = [
    R(f"F.conv2d({X4}, M.ones(4, 2, 3, 3))", RT, "conv2d", "(4, 2, 3, 3)"),
    R("F.conv2d(M.ones(3, 5), M.ones(4, 3, 3, 3))", RT, "conv2d", "(3, 5)"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3))", RT, "conv2d", "(4, 3, 3)"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 7, 7))", RT, "conv2d", "7"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), stride=0)", RT, "conv2d", "stride", "0"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), stride=-1)", RT, "conv2d", "stride", "-1"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), padding=-1)", RT, "conv2d", "padding", "-1"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), dilation=0)", RT, "conv2d", "dilation", "0"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), groups=0)", RT, "conv2d", "groups", "0"),
    R(f"F.conv2d({X4}, M.ones(4, 1, 3, 3), groups=2)", RT, "conv2d", "groups", "2"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), M.ones(3))", RT, "conv2d", "(3,)"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), padding='foo')", RT, "conv2d", "foo"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), stride=2, padding='same')", RT, "conv2d", "same"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3), stride=1.5)", T, "conv2d", "1.5"),
    R(f"F.conv2d({X4}, M.ones(4, 3, 3, 3, dtype=M.float64))", RT, "conv2d", "float64"),
    R(f"nn.Conv2d(3, 4, 0)({X4})", RT, "conv2d", "kernel_size", "0"),
    R(f"nn.Conv2d(3, 4, -1)({X4})", RT, "conv2d", "-1"),
    R(f"nn.Conv2d(3, 4, (3, 0))({X4})", RT, "conv2d", "0"),
    R(f"nn.Conv2d(3, 4, 2.5)({X4})", T, "conv2d", "2.5"),
    R(f"nn.Conv2d(3.5, 4, 3)({X4})", T, "conv2d", "3.5"),
    R(f"nn.Conv2d(3, -4, 3)({X4})", RT, "conv2d", "-4"),
    R(f"nn.Conv2d(3, 4, 3, stride=0)({X4})", RT, "conv2d", "stride", "0"),
    R(f"nn.Conv2d(3, 4, 3, padding=-1)({X4})", RT, "conv2d", "padding", "-1"),
    R(f"nn.Conv2d(3, 4, 3, dilation=0)({X4})", RT, "conv2d", "dilation", "0"),
    R("nn.Conv2d(3, 4, 3, groups=2)", V, "conv2d", "groups", "2"),
    R("nn.Conv2d(3, 4, 3, groups=0)", V, "conv2d", "groups", "0"),
    R("nn.Conv2d(4, 3, 3, groups=2)", V, "conv2d", "groups", "3"),
    R("nn.Conv2d(3, 4, 3, padding='foo')", V, "conv2d", "foo"),
    R("nn.Conv2d(3, 4, 3, stride=2, padding='same')", V, "conv2d", "same"),
    R("nn.Conv2d(3, 4, 3, padding_mode='foo')", V, "conv2d", "foo"),
    R("nn.Conv2d(3, 4, 3)(M.ones(1, 2, 5, 5))", RT, "conv2d", "(1, 2, 5, 5)"),
    R("nn.Conv2d(3, 4, 3)(M.ones(5, 5))", RT, "conv2d", "(5, 5)"),
    R("nn.Conv2d(3, 4, 3)(M.ones(1, 3, 2, 2))", RT, "conv2d", "(1, 3, 2, 2)"),
    R(f"F.max_pool2d({X4}, 0)", RT, "max_pool2d", "0"),
    R(f"F.max_pool2d({X4}, 2, stride=0)", RT, "max_pool2d", "stride", "0"),
    R(f"F.max_pool2d({X4}, 2, padding=2)", RT, "max_pool2d", "pad", "2"),
    R(f"F.max_pool2d({X4}, 2, padding=-1)", RT, "max_pool2d", "-1"),
    R(f"F.max_pool2d({X4}, 7)", RT, "max_pool2d", "7"),
    R(f"F.max_pool2d({X4}, 2, dilation=0)", RT, "max_pool2d", "dilation", "0"),
    R("F.max_pool2d(M.ones(5, 5), 2)", RT, "max_pool2d", "(5, 5)"),
    R(f"F.max_pool2d({X4}, 2.5)", T, "max_pool2d", "2.5"),
    R(f"F.avg_pool2d({X4}, 0)", RT, "avg_pool2d", "0"),
    R(f"F.avg_pool2d({X4}, 2, stride=0)", RT, "avg_pool2d", "stride", "0"),
    R(f"F.avg_pool2d({X4}, 2, padding=2)", RT, "avg_pool2d", "pad", "2"),
    R(f"F.avg_pool2d({X4}, 7)", RT, "avg_pool2d", "7"),
    R("F.avg_pool2d(M.ones(5, 5), 2)", RT, "avg_pool2d", "(5, 5)"),
    R(f"F.avg_pool2d({X4}, -1)", RT, "avg_pool2d", "-1"),
    R(f"F.adaptive_avg_pool2d({X4}, -1)", RT, "adaptive_avg_pool2d", "-1"),
    R("F.adaptive_avg_pool2d(M.ones(5, 5), 2)", RT, "adaptive_avg_pool2d", "(5, 5)"),
    R(f"F.adaptive_avg_pool2d({X4}, (2, 2, 2))", RT, "adaptive_avg_pool2d", "(2, 2, 2)"),
    R(f"nn.MaxPool2d(0)({X4})", RT, "max_pool2d", "0"),
    R(f"nn.MaxPool2d(2, stride=0)({X4})", RT, "max_pool2d", "0"),
    R(f"nn.AvgPool2d(0)({X4})", RT, "avg_pool2d", "0"),
    R(f"nn.AvgPool2d(2, padding=3)({X4})", RT, "avg_pool2d", "3"),
    R("nn.MaxPool2d(2)(M.ones(5))", RT, "maxpool2d", "(5,)"),
    R("nn.AdaptiveAvgPool2d(2)(M.ones(5))", RT, "adaptiveavgpool2d", "(5,)"),
    R(f"F.unfold({X4}, 0)", RT, "unfold", "0"),
    R(f"F.unfold({X4}, 2, stride=0)", RT, "unfold", "stride", "0"),
    R("F.unfold(M.ones(5, 5), 2)", RT, "unfold", "(5, 5)"),
    R("F.fold(M.ones(1, 12, 5), (3, 3), 2)", RT, "fold", "5"),
    R(f"F.batch_norm({X4}, M.zeros(2), M.ones(2))", RT, "batch_norm", "2"),
    R("F.layer_norm(M.ones(2, 4), (3,))", RT, "layer_norm", "(3,)", "(2, 4)"),
    R("F.layer_norm(M.ones(2, 3), (3,), M.ones(4))", RT, "layer_norm", "(4,)"),
]

_LOSSES = (
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
)
_P = "M.full((2,), 0.5)"

LOSSES = (
    [R(f"F.{op}({_P}, {_P}, reduction='foo')", V, op, "foo") for op in _LOSSES]
    + [
        R(f"F.{op}(M.ones(2), M.ones(3))", RT, op, "(2,)", "(3,)")
        for op in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div")
    ]
    + [
        R(f"F.{op}(M.ones(2, 3), M.tensor([0, 1]), reduction='foo')", V, op, "foo")
        for op in ("cross_entropy", "nll_loss", "multi_margin_loss")
    ]
    + [
        R(f"F.{op}(M.ones(2, 3), M.tensor([0, 3]))", IX, op, "3")
        for op in ("cross_entropy", "nll_loss")
    ]
    + [
        R(f"F.{op}(M.ones(2, 3), M.tensor([0, -1]))", IX, op, "-1")
        for op in ("cross_entropy", "nll_loss")
    ]
    + [
        R(f"F.{op}(M.ones(2, 3), M.tensor([0, 1, 2]))", V, op, "2", "3")
        for op in ("cross_entropy", "nll_loss")
    ]
    + [
        R(f"F.{op}(M.ones(2, 3), M.tensor([0, 1]), weight=M.ones(2))", RT, op, "(2,)")
        for op in ("cross_entropy", "nll_loss")
    ]
    + [
        R("F.cross_entropy(M.ones(2, 3), M.ones(2))", RT, "cross_entropy", "float32"),
        R("F.cross_entropy(M.ones(2, 3), M.tensor([0.5, 1.5]))", RT, "cross_entropy", "float32"),
        R(
            "F.cross_entropy(M.ones(2, 3, dtype=M.int64), M.tensor([0, 1]))",
            RT,
            "cross_entropy",
            "int64",
        ),
        R(
            "F.cross_entropy(M.ones(2, 3), M.tensor([0, 1]), label_smoothing=1.5)",
            RT,
            "cross_entropy",
            "1.5",
        ),
        R("F.cross_entropy(M.ones(2, 3), M.tensor([[0, 1]]))", V, "cross_entropy", "(1, 2)"),
        R("F.nll_loss(M.ones(2, 3), M.ones(2))", RT, "nll_loss", "float32"),
        R(
            "F.binary_cross_entropy(M.tensor([0.5]), M.tensor([2.0]))",
            RT,
            "binary_cross_entropy",
            "target",
            "2",
        ),
        R(
            "F.binary_cross_entropy(M.tensor([0.5]), M.tensor([-0.5]))",
            RT,
            "binary_cross_entropy",
            "target",
            "-0.5",
        ),
        R(
            "F.binary_cross_entropy(M.tensor([1.5]), M.tensor([1.0]))",
            RT,
            "binary_cross_entropy",
            "input",
            "1.5",
        ),
        R(
            "F.binary_cross_entropy(M.tensor([-0.1]), M.tensor([1.0]))",
            RT,
            "binary_cross_entropy",
            "input",
            "-0.1",
        ),
        R(
            "F.binary_cross_entropy(M.tensor([float('nan')]), M.tensor([1.0]))",
            RT,
            "binary_cross_entropy",
            "nan",
        ),
        R(
            f"F.binary_cross_entropy({_P}, M.full((3,), 0.5))",
            V,
            "binary_cross_entropy",
            "(2,)",
            "(3,)",
        ),
        R(
            f"F.binary_cross_entropy({_P}, {_P}, weight=M.ones(3))",
            RT,
            "binary_cross_entropy",
            "(3,)",
        ),
        R(
            f"F.binary_cross_entropy_with_logits({_P}, M.ones(3))",
            V,
            "binary_cross_entropy_with_logits",
            "(3,)",
        ),
        R(
            f"F.binary_cross_entropy_with_logits({_P}, {_P}, pos_weight=M.ones(3))",
            RT,
            "binary_cross_entropy_with_logits",
            "(3,)",
        ),
        R(f"F.huber_loss({_P}, {_P}, delta=0.0)", RT, "huber_loss", "0.0"),
        R(f"F.huber_loss({_P}, {_P}, delta=-1.0)", RT, "huber_loss", "-1.0"),
        R(f"F.smooth_l1_loss({_P}, {_P}, beta=-1.0)", RT, "smooth_l1_loss", "-1.0"),
        R("F.multi_margin_loss(M.ones(2, 3), M.tensor([0, 1]), p=3)", V, "multi_margin_loss", "3"),
        R("F.multi_margin_loss(M.ones(2, 3), M.tensor([0, 3]))", RT, "multi_margin_loss", "3"),
        R(
            "F.multi_margin_loss(M.ones(2, 3), M.tensor([0, 1]), weight=M.ones(2))",
            RT,
            "multi_margin_loss",
            "(2,)",
        ),
        R(
            "nn.CrossEntropyLoss(reduction='foo')(M.ones(2, 3), M.tensor([0, 1]))",
            V,
            "crossentropyloss",
            "foo",
        ),
        R("nn.NLLLoss(weight=M.ones(2))(M.ones(2, 3), M.tensor([0, 1]))", RT, "nll_loss", "(2,)"),
        R("nn.MSELoss()(M.ones(2), M.ones(3))", RT, "mse_loss", "(2,)", "(3,)"),
        R("nn.BCELoss()(M.tensor([0.5]), M.tensor([3.0]))", RT, "binary_cross_entropy", "3"),
        R("nn.HuberLoss(delta=-1.0)(M.ones(2), M.ones(2))", RT, "huber_loss", "-1.0"),
        R("nn.CrossEntropyLoss()(M.ones(2, 3), M.tensor([0, 5]))", IX, "cross_entropy", "5"),
    ]
)

LAYERS = [
    R("nn.Linear(-1, 2)", RT, "linear", "-1"),
    R("nn.Linear(2, -1)", RT, "linear", "-1"),
    R("nn.Linear(2.5, 2)", T, "linear", "2.5"),
    R("nn.Linear('a', 2)", T, "linear", "'a'"),
    R("nn.Linear(None, 2)", T, "linear", "none"),
    R("nn.BatchNorm1d(-1)", RT, "batchnorm1d", "-1"),
    R("nn.BatchNorm1d(2.5)", T, "batchnorm1d", "2.5"),
    R("nn.BatchNorm2d(-2)", RT, "batchnorm2d", "-2"),
    R("nn.BatchNorm1d(3)(M.ones(4, 2))", RT, "batchnorm1d", "(4, 2)"),
    R("nn.BatchNorm2d(3)(M.ones(2, 3))", V, "batchnorm2d", "(2, 3)"),
    R("nn.BatchNorm1d(3)(M.ones(1, 3))", V, "batch_norm", "(1, 3)"),
    R("nn.BatchNorm1d(3)(M.ones(2, 3, 4, 5))", V, "batchnorm1d", "(2, 3, 4, 5)"),
    R("nn.BatchNorm2d(3)(M.ones(2, 4, 2, 2))", RT, "batchnorm2d", "(2, 4, 2, 2)"),
    R("nn.LayerNorm(-1)", RT, "layernorm", "-1"),
    R("nn.LayerNorm(2.5)", T, "layernorm", "2.5"),
    R("nn.LayerNorm(3)(M.ones(2, 4))", RT, "layernorm", "(2, 4)"),
    R("nn.RMSNorm(-1)", RT, "rmsnorm", "-1"),
    R("nn.RMSNorm(3)(M.ones(2, 4))", RT, "rmsnorm", "(2, 4)"),
    R("nn.Embedding(-1, 2)", RT, "embedding", "-1"),
    R("nn.Embedding(3, -1)", RT, "embedding", "-1"),
    R("nn.Embedding(3, 2, padding_idx=5)", V, "embedding", "5"),
    R("nn.Embedding(3, 2, padding_idx=-4)", V, "embedding", "-4"),
    R("nn.Embedding(2.5, 2)", T, "embedding", "2.5"),
    R("nn.Dropout(1.5)", V, "dropout", "1.5"),
    R("nn.Dropout(-0.1)", V, "dropout", "-0.1"),
    R("nn.Dropout('a')", T, "dropout", "'a'"),
    R("nn.Softmax(dim=5)(M.ones(2))", IX, "softmax", "5"),
    R("nn.LogSoftmax(dim=2)(M.ones(2))", IX, "log_softmax", "2"),
    R("nn.Hardtanh(2.0, 1.0)", V, "hardtanh", "2.0"),
    R("nn.Flatten(5)(M.ones(2, 3))", IX, "flatten", "5"),
    R("nn.Unflatten(1, (2, 2))(M.ones(2, 3))", RT, "unflatten", "(2, 2)"),
    R("nn.Sequential(1)", T, "sequential", "int"),
    R("nn.Sequential(nn.ReLU(), 'a')", T, "sequential", "str"),
    R("nn.ModuleList([1])", T, "modulelist", "int"),
    R("nn.ModuleList([nn.ReLU()]).append(3)", T, "modulelist", "int"),
    R("nn.ModuleDict({'a': 1})", T, "moduledict", "int"),
    R("nn.Linear(2, 2).register_parameter('w', M.ones(2))", T, "register_parameter", "'w'"),
    R("nn.Linear(2, 2).register_parameter('a.b', None)", KeyError, "a.b"),
    R("nn.Linear(2, 2).add_module('x', 3)", T, "add_module", "int"),
    R("nn.Linear(2, 2).load_state_dict({'weight': M.ones(2, 2)})", RT, "state_dict", "bias"),
    R(
        "nn.Linear(2, 2).load_state_dict({'weight': M.ones(3, 2), 'bias': M.ones(2)})",
        RT,
        "state_dict",
        "weight",
        "(3, 2)",
    ),
    R(
        "nn.Linear(2, 2).load_state_dict({'weight': M.ones(2, 2), 'bias': M.ones(2), 'x': "
        "M.ones(1)})",
        RT,
        "state_dict",
        '"x"',
    ),
    R("nn.Linear(2, 2).load_state_dict([1])", T, "load_state_dict", "list"),
    R("nn.Linear(2, 2).to('tpu')", T, "tpu", "device"),
    R("nn.Parameter([1.0, 2.0])", T, "parameter", "list"),
]

INIT = [
    R(f"init.{fn}(M.ones(3))", V, fn, "(3,)")
    for fn in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_")
] + [
    R("init.kaiming_uniform_(M.ones(2, 2), mode='foo')", V, "kaiming_uniform_", "foo"),
    R("init.kaiming_normal_(M.ones(2, 2), nonlinearity='foo')", V, "kaiming_normal_", "foo"),
    R("init.calculate_gain('foo')", V, "calculate_gain", "foo"),
    R("init.calculate_gain('leaky_relu', 'a')", V, "calculate_gain", "a"),
    R("init.orthogonal_(M.ones(3))", V, "orthogonal_", "(3,)"),
    R("init.eye_(M.ones(2, 2, 2))", V, "eye_", "(2, 2, 2)"),
    R("init.uniform_(M.ones(2), 1.0, 0.0)", RT, "uniform_", "1.0", "0.0"),
    R("init.normal_(M.ones(2), std=-1.0)", RT, "normal_", "-1.0"),
    R("init.constant_(M.ones(2), 'a')", T, "constant_", "'a'"),
    R("init.uniform_(M.ones(2, dtype=M.int64))", RT, "uniform_", "int64"),
    R("init.normal_(M.ones(2, dtype=M.int64))", RT, "normal_", "int64"),
]

_GRAD = "[M.ones(2, requires_grad=True)]"

CLIP = [
    R(
        f"nn.utils.clip_grad_norm_(g({_GRAD}, float('inf')), 1.0, error_if_nonfinite=True)",
        RT,
        "clip_grad_norm_",
        "inf",
    ),
    R(
        f"nn.utils.clip_grad_norm_(g({_GRAD}, float('nan')), 1.0, error_if_nonfinite=True)",
        RT,
        "clip_grad_norm_",
        "nan",
    ),
    R(
        f"nn.utils.clip_grad_norm_(g({_GRAD}, 1.0), 1.0, norm_type='foo')",
        V,
        "clip_grad_norm_",
        "foo",
        torch="nn.utils.clip_grad_norm_(g(" + _GRAD + ", 1.0), 1.0, norm_type='foo')",
    ),
    R(f"nn.utils.clip_grad_norm_(g({_GRAD}, 1.0), 'a')", V, "clip_grad_norm_", "'a'"),
    R(f"nn.utils.clip_grad_value_(g({_GRAD}, 1.0), 'a')", V, "clip_grad_value_", "'a'"),
    R("nn.utils.clip_grad_norm_(5, 1.0)", T, "clip_grad_norm_", "int"),
    R("nn.utils.vector_to_parameters([1.0], [M.ones(2)])", T, "vector_to_parameters", "list"),
]

_OPTS = {
    "SGD": ["lr=-1.0", "momentum=-1.0", "weight_decay=-1.0"],
    "Adam": ["lr=-1.0", "eps=-1.0", "betas=(1.0, 0.9)", "betas=(0.9, -0.1)", "weight_decay=-1.0"],
    "AdamW": ["lr=-1.0", "eps=-1.0", "betas=(-0.1, 0.9)", "betas=(0.9, 1.5)", "weight_decay=-1.0"],
    "RMSprop": ["lr=-1.0", "alpha=-1.0", "eps=-1.0", "momentum=-1.0", "weight_decay=-1.0"],
    "Adagrad": [
        "lr=-1.0",
        "lr_decay=-1.0",
        "eps=-1.0",
        "weight_decay=-1.0",
        "initial_accumulator_value=-1.0",
    ],
}


def _bad_value(arg: str) -> tuple:
    """("lr=-1.0") -> ("lr", "-1.0"); ("betas=(0.9, -0.1)") -> ("beta", "-0.1")."""
    name, value = arg.split("=")
    name = {"lr": "learning rate", "eps": "epsilon"}.get(name, name)
    if name == "betas":
        a, b = value.strip("()").split(", ")
        return "beta", (b if a == "0.9" else a)
    return name, value


OPTIM = (
    [
        R(f"optim.{name}([p()], {arg})", V, name, *_bad_value(arg))
        for name, args in _OPTS.items()
        for arg in args
    ]
    + [R(f"optim.{name}([])", V, name, "empty") for name in _OPTS]
    + [R(f"optim.{name}(M.ones(2))", T, name, "tensor") for name in _OPTS]
    + [R(f"optim.{name}([1.0], lr=0.1)", T, name, "float") for name in _OPTS]
    + [R(f"optim.{name}([p().exp()], lr=0.1)", V, name, "leaf") for name in _OPTS]
    + [
        R("optim.SGD([p()], lr=0.1, nesterov=True)", V, "sgd", "nesterov"),
        R(
            "optim.SGD([p()], lr=0.1, momentum=0.9, dampening=0.5, nesterov=True)",
            V,
            "sgd",
            "nesterov",
        ),
        R("optim.SGD([p()], lr='a')", T, "sgd", "'a'"),
        R("optim.Adam([p()], betas=0.9)", T, "adam", "0.9"),
        R("optim.SGD([{'lr': 0.1}], lr=0.1)", V, "sgd", "params"),
        R(
            "(lambda q: optim.SGD([{'params': [q]}, {'params': [q]}], lr=0.1))(p())",
            V,
            "sgd",
            "more than one",
        ),
        R(
            "(lambda o: o.add_param_group({'params': o.param_groups[0]['params']}))(opt())",
            V,
            "sgd",
            "more than one",
        ),
        R(
            "opt().load_state_dict({'state': {}, 'param_groups': []})",
            V,
            "load_state_dict",
            "0",
            "1",
        ),
        R("opt().load_state_dict(5)", T, "load_state_dict", "int"),
    ]
)

SCHEDULERS = [
    R("sched.StepLR(5, step_size=2)", T, "steplr", "int"),
    R("sched.MultiStepLR(5, milestones=[1])", T, "multisteplr", "int"),
    R("sched.ExponentialLR(5, gamma=0.9)", T, "exponentiallr", "int"),
    R("sched.LinearLR(opt(), start_factor=0.0)", V, "linearlr", "start_factor", "0.0"),
    R("sched.LinearLR(opt(), start_factor=1.5)", V, "linearlr", "start_factor", "1.5"),
    R("sched.LinearLR(opt(), end_factor=1.5)", V, "linearlr", "end_factor", "1.5"),
    R("sched.LinearLR(opt(), end_factor=-0.5)", V, "linearlr", "end_factor", "-0.5"),
    R("sched.LambdaLR(opt(), lr_lambda=[abs, abs])", V, "lambdalr", "2"),
    R("sched.LambdaLR(opt(), lr_lambda=5)", T, "lambdalr", "int"),
    R(
        "(lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2)], milestones=[1]))(opt())",
        V,
        "sequentiallr",
        "milestones",
    ),
    R(
        "(lambda o: sched.SequentialLR(o, [sched.StepLR(o, 2), sched.StepLR(o, 2)], "
        "milestones=[]))(opt())",
        V,
        "sequentiallr",
        "milestones",
    ),
    R(
        "(lambda o: sched.SequentialLR(o, [sched.StepLR(opt(), 2), sched.StepLR(o, 2)], "
        "milestones=[1]))(opt())",
        V,
        "sequentiallr",
        "optimizer",
    ),
    R("sched.OneCycleLR(opt(), max_lr=0.1)", V, "onecyclelr", "total_steps"),
    R("sched.OneCycleLR(opt(), max_lr=0.1, total_steps=0)", V, "onecyclelr", "total_steps", "0"),
    R(
        "sched.OneCycleLR(opt(), max_lr=0.1, epochs=-1, steps_per_epoch=2)",
        V,
        "onecyclelr",
        "epochs",
        "-1",
    ),
    R(
        "sched.OneCycleLR(opt(), max_lr=0.1, epochs=2, steps_per_epoch=0)",
        V,
        "onecyclelr",
        "steps_per_epoch",
        "0",
    ),
    R(
        "sched.OneCycleLR(opt(), max_lr=0.1, total_steps=10, pct_start=1.5)",
        V,
        "onecyclelr",
        "pct_start",
        "1.5",
    ),
    R(
        "sched.OneCycleLR(opt(), max_lr=0.1, total_steps=10, anneal_strategy='foo')",
        V,
        "onecyclelr",
        "foo",
    ),
    R("sched.OneCycleLR(opt(), max_lr=[0.1, 0.2], total_steps=10)", V, "onecyclelr", "2"),
    R(
        "(lambda s: [s.step() for _ in range(4)])(sched.OneCycleLR(opt(), 0.1, total_steps=2))",
        V,
        "onecyclelr",
        "2",
    ),
    R("sched.ReduceLROnPlateau(opt(), mode='foo')", V, "reducelronplateau", "foo"),
    R("sched.ReduceLROnPlateau(opt(), factor=1.0)", V, "reducelronplateau", "factor", "1.0"),
    R("sched.ReduceLROnPlateau(opt(), threshold_mode='foo')", V, "reducelronplateau", "foo"),
    R("sched.ReduceLROnPlateau(opt(), min_lr=[0.1, 0.2])", V, "reducelronplateau", "2"),
    R("sched.ReduceLROnPlateau(5)", T, "reducelronplateau", "int"),
]

DATA = [
    R("D.DataLoader(ds(), batch_size=0)", V, "dataloader", "batch_size", "0"),
    R("D.DataLoader(ds(), batch_size=-1)", V, "dataloader", "-1"),
    R("D.DataLoader(ds(), batch_size=2.5)", V, "dataloader", "2.5", torch=None),
    R("D.DataLoader(ds(), batch_size='a')", V, "dataloader", "'a'", torch=None),
    R("D.DataLoader(5)", T, "dataloader", "int", torch=None),
    R("D.TensorDataset(M.ones(2), M.ones(3))", V, "tensordataset", "2", "3"),
    R("D.TensorDataset()", V, "tensordataset", "tensor", torch=None),
    R("ds()[10]", IX, "10"),
    R("ds()[-5]", IX, "-5"),
    R("D.Subset(ds(), [10])[0]", IX, "10"),
    R("D.random_split(ds(), [3, 3])", V, "random_split", "6", "4"),
    R("D.random_split(ds(), [0.5, 0.6])", V, "random_split", "0.6"),
    R("D.random_split(ds(), [2.5, 1.5])", V, "random_split", "2.5"),
    R("D.default_collate([M.ones(2), M.ones(3)])", RT, "(2,)", "(3,)"),
    R("D.default_collate([(M.ones(2), 1), (M.ones(2),)])", V, "collate", "1", "2", torch=None),
    R("D.transforms.Normalize([0.5], [0.0])(M.ones(1, 2, 2))", V, "normalize", "0", torch=None),
    R(
        "D.transforms.Normalize([0.5, 0.5], [1.0])(M.ones(1, 2, 2))",
        V,
        "normalize",
        "1",
        torch=None,
    ),
    R(
        "D.transforms.Normalize([0.5, 0.5], [1.0, 1.0])(M.ones(3, 2, 2))",
        V,
        "normalize",
        "3",
        torch=None,
    ),
    R("D.transforms.Normalize([0.5], [1.0])([1.0])", T, "normalize", "list", torch=None),
    R("D.transforms.RandomCrop(0)", V, "randomcrop", "0", torch=None),
    R("D.transforms.RandomCrop(4)(M.ones(1, 2, 2))", V, "randomcrop", "4", torch=None),
    R("D.transforms.RandomCrop(2, padding=-1)", V, "randomcrop", "-1", torch=None),
    R("D.transforms.RandomCrop((1, 2, 3))", V, "randomcrop", "(1, 2, 3)", torch=None),
    R("D.transforms.RandomHorizontalFlip(1.5)", V, "randomhorizontalflip", "1.5", torch=None),
    R("D.transforms.RandomHorizontalFlip(-0.5)", V, "randomhorizontalflip", "-0.5", torch=None),
    R("D.transforms.GaussianNoise(-1.0)", V, "gaussiannoise", "-1.0", torch=None),
    R("D.transforms.RandomShift(-1)", V, "randomshift", "-1", torch=None),
    R("D.transforms.Compose(5)", T, "compose", "int", torch=None),
    R("D.transforms.Compose([5])", T, "compose", "int", torch=None),
    R("D.transforms.Lambda(5)", T, "lambda", "int", torch=None),
    R("D.transforms.ToTensor()('a')", T, "totensor", "str", torch=None),
    R(
        "D.transforms.ToTensor()(np.ones((1, 2, 2, 2, 2)))",
        V,
        "totensor",
        "(1, 2, 2, 2, 2)",
        torch=None,
    ),
]

ROWS = CONV_POOL + LOSSES + LAYERS + INIT + CLIP + OPTIM + SCHEDULERS + DATA
