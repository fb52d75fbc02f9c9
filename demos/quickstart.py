# %% [markdown]
# # Quick start: the whole library in one page
#
# Train a small MLP on scikit-learn's 8x8 handwritten digits with the same code you would write in
# PyTorch (only the imports differ), then look at the learning curves and the autograd graph.
#
#     python demos/quickstart.py            # about 20 seconds
#     python demos/quickstart.py --quick    # a few seconds

# %%
import _common

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
from tinygrad_edu import optim
from tinygrad_edu.data import DataLoader
from tinygrad_edu.train import evaluate, fit

args = _common.parse_args("quickstart", "Quick start: an MLP on the built-in 8x8 digits")
full_train, test = _common.load("digits", args)  # (N, 1, 8, 8) float32 in [0, 1], int64 labels
train, val = _common.split_validation(full_train, 288, seed=args.seed)  # for the curves
print(
    f"{len(train)} training, {len(val)} validation and {len(test)} test images of shape "
    f"{tuple(train[0][0].shape)}"
)

# %% [markdown]
# ## 1. A model, a loss and an optimizer: exactly as in PyTorch

# %%

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(64, 128),
    nn.BatchNorm1d(128),
    nn.ReLU(),
    nn.Linear(128, 10),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=3e-3)
print(model)

# %% [markdown]
# ## 2. The training loop, written out once so that nothing is hidden ...

# %%
train_loader = DataLoader(train, batch_size=32, shuffle=True)
val_loader = DataLoader(val, batch_size=512)
test_loader = DataLoader(test, batch_size=512)
for x, y in train_loader:  # one epoch by hand
    logits = model(x)  # forward: builds the graph
    loss = loss_fn(logits, y)
    optimizer.zero_grad()
    loss.backward()  # reverse mode: d loss / d every parameter
    optimizer.step()  # p -= lr * (Adam's update)
print(f"after one epoch by hand: loss {loss.item():.4f}")

# %% [markdown]
# ## 3. ... then the same loop with progress, History, checkpoints: `tinygrad_edu.train.fit`
# The validation set drives the curves; the test set is looked at once, at the end.

# %%
epochs = 3 if args.quick else 20
history = fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader,
    epochs=epochs,
    checkpoint_dir=f"{args.out}/checkpoints",
)
result = evaluate(model, test_loader, loss_fn)
print(f"test accuracy {result['accuracy']:.2%}")

# %% [markdown]
# ## 4. Pictures: learning curves, and the graph autograd walks backwards through

# %%
history.save_csv(f"{args.out}/history.csv")
_common.save_figure(history.plot(f"{args.out}/curves.png"), f"{args.out}/curves.png")
x, y = next(iter(test_loader))
model.eval()
loss = loss_fn(model(x[:4]), y[:4])
loss.backward()
try:
    from tinygrad_edu.viz import draw_graph

    path = draw_graph(loss, params=model).save(f"{args.out}/graph.svg")
    print(f"  wrote {path}")
except (ImportError, RuntimeError) as e:  # graphviz is optional
    print(f"  (graph skipped: {e})")
tg.save(model.state_dict(), f"{args.out}/model.npz")
_common.write_json(
    f"{args.out}/metrics.json", {"test_accuracy": result["accuracy"], "epochs": epochs + 1}
)
