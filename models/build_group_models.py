"""Train the p4 G-CNN demo models (models/groups/) with torch; called by models/build_models.py.

Two networks on scikit-learn's 8x8 digits (pixels / 16, the split of build_models.py), built and
written by :mod:`regioncount.builders.groups` (Cohen & Welling, ICML 2016): a p4 lifting layer
and a p4 group convolution (3x3 filters), each one plain ``Conv`` followed by ``Relu`` and 2x2
max pooling (8 -> 4 -> 2, even sizes keep the grid centre), then max pooling over the four
orientations (``Reshape`` + ``ReduceMax``):

- ``groups/digits_p4.onnx``: ``Flatten`` and a dense head. The features (second graph output
  ``features``, ``[8, 2, 2]``) are p4-equivariant (rotating the image rotates them); the
  logits are not (a 6 turned upside down is a 9).
- ``groups/digits_p4_inv.onnx``: ``GlobalAveragePool`` before the head: the logits are
  invariant under quarter turns of the image.

Only the base filters are trained (the p4 weights are their rotated copies, built in torch with
the formulas of the builder). Training (deterministic on one machine: one thread, fixed seeds):
the builder's seeded initialisation, Adam (lr 1e-2), minibatches of 64 in a seeded order, 60
epochs, cross-entropy. Each file records its accuracies and the onnxruntime check in
``metadata_props``, so that build_models.py can write models/README.md from the committed files
when torch is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: (file, global average pooling) of every p4 demo model, relative to models/.
MODELS = [("groups/digits_p4.onnx", False), ("groups/digits_p4_inv.onnx", True)]
CHANNELS = (1, 4, 8)
KERNEL = 3
EPOCHS, BATCH, LR, SEED = 60, 64, 1e-2, 0
import model_rows  # noqa: E402  (models/ is on sys.path: the script's own folder)
from model_rows import stamp  # noqa: E402


def _spec(global_pool: bool):
    """The untrained, seeded network of one model (the training's initialisation)."""
    from regioncount.builders.groups import build_group_net

    return build_group_net("p4", CHANNELS, KERNEL, (1, 8, 8), seed=SEED, pool="max",
                           orientation_pool="max", global_pool=global_pool, classes=10)


def _transform(w, t: int):
    import torch

    return torch.rot90(w, t, dims=(-2, -1))          # p4: quarter turns only (t < 4)


def _filters(params):
    """The plain Conv weights and biases of the two layers from the trained base filters (the
    formulas of regioncount.builders.groups.lift_filters / group_conv_filters for p4)."""
    import torch

    (w0, b0), (w1, b1) = params[:2]
    W0 = torch.stack([_transform(w0, t) for t in range(4)], dim=1).flatten(0, 1)
    Co, Ci, G, k, _ = w1.shape
    W1 = torch.stack([_transform(w1[:, :, [(s - r) % 4 for s in range(4)]], r)
                      for r in range(4)], dim=1).reshape(Co * 4, Ci * 4, k, k)
    return [(W0, b0.repeat_interleave(4)), (W1, b1.repeat_interleave(4))]


def _torch_forward(params, X, global_pool: bool):
    import torch.nn.functional as F

    h = X
    for W, b in _filters(params):
        h = F.max_pool2d(F.relu(F.conv2d(h, W, b, padding=KERNEL // 2)), 2)
    n, c, hh, ww = h.shape
    h = h.reshape(n, c // 4, 4, hh, ww).amax(dim=2)
    if global_pool:
        h = h.mean(dim=(2, 3))
    Wf, bf = params[-1]
    return h.flatten(1) @ Wf.T + bf


def _train(net, Xtr, ytr, global_pool: bool):
    """Trained ``[(w, b) per layer, (head W, head b)]`` as float64 numpy arrays."""
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    params = [(torch.tensor(l.weight, dtype=torch.float32, requires_grad=True),
               torch.tensor(l.bias, dtype=torch.float32, requires_grad=True)) for l in net.layers]
    params.append((torch.tensor(net.head_weight, dtype=torch.float32, requires_grad=True),
                   torch.tensor(net.head_bias, dtype=torch.float32, requires_grad=True)))
    opt = torch.optim.Adam([p for pair in params for p in pair], lr=LR)
    X = torch.tensor(Xtr.reshape(-1, 1, 8, 8), dtype=torch.float32)
    y = torch.tensor(ytr, dtype=torch.long)
    rng = np.random.default_rng(SEED)
    for _ in range(EPOCHS):
        order = torch.tensor(rng.permutation(len(X)))
        for s in range(0, len(X), BATCH):
            idx = order[s:s + BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(_torch_forward(params, X[idx], global_pool),
                                                     y[idx])
            loss.backward()
            opt.step()
    return [(a.detach().double().numpy(), b.detach().double().numpy()) for a, b in params]


def _trained_net(net, trained):
    from regioncount.builders.groups import GroupConv, GroupConvNet

    layers = tuple(GroupConv(w, b, net.group) for w, b in trained[:-1])
    W, b = trained[-1]
    return GroupConvNet(net.group, net.input_shape, layers, net.pool, net.orientation_pool,
                        net.global_pool, W, b)


def _torch_logits(trained, X, global_pool: bool):
    """The trainer's logits in float64 (torch), for the onnxruntime check."""
    import torch

    params = [(torch.tensor(a), torch.tensor(b)) for a, b in trained]
    with torch.no_grad():
        return _torch_forward(params, torch.tensor(X.reshape(-1, 1, 8, 8)), global_pool).numpy()


def build_one(rel: str, global_pool: bool, out: Path, split, check) -> dict:
    """Train, write ``out / rel`` and check it with onnxruntime; returns the README row."""
    import onnx

    Xtr, Xte, ytr, yte = split
    spec = _spec(global_pool)
    trained = _train(spec, Xtr, ytr, global_pool)
    net = _trained_net(spec, trained)
    model = net.to_onnx(name=Path(rel).stem, features_output=not global_pool)
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    ref_te = _torch_logits(trained, Xte, global_pool)
    diff = check(path, Xte.reshape(-1, 1, 8, 8), ref_te, ref_te.argmax(1))
    what = "p4-invariant logits" if global_pool else "p4-equivariant features"
    row = dict(file=rel, arch=net.describe(), data=f"digits, {what}, torch Adam",
               train_acc=float(np.mean(_torch_logits(trained, Xtr, global_pool).argmax(1) == ytr)),
               acc=float(np.mean(ref_te.argmax(1) == yte)), n_test=len(yte), diff=diff,
               params=net.params(), dense_params=net.dense_params())
    return stamp(path, row)


def build_all(out: Path, split, check) -> list[dict]:
    """Train and write every model of :data:`MODELS` under ``out`` (needs torch)."""
    return [build_one(rel, gp, out, split, check) for rel, gp in MODELS]


def committed_rows(models: Path) -> list[dict]:
    """README rows read back from the committed files' ``metadata_props`` (no torch)."""
    return model_rows.committed_rows(models, [rel for rel, _ in MODELS])


def readme_section(rows: list[dict]) -> str:
    """The models/README.md section of the p4 models."""
    lines = [
        "",
        "## p4 G-CNN models (`groups/`)",
        "",
        "Trained by `models/build_group_models.py` (called by `build_models.py` when torch is",
        "installed; otherwise the files are kept and this table is read from their",
        "`metadata_props`). p4 group convolutions (Cohen & Welling, ICML 2016), each written as",
        "one plain Conv whose filters are rotated copies of the trained base filters; only the",
        "base filters are trained. `digits_p4.onnx` has a second output `features` (the",
        "orientation-pooled maps, p4-equivariant); `digits_p4_inv.onnx` is p4-invariant. See",
        "`docs/groups.md`. Adam lr 1e-2, minibatch 64, 60 epochs, one thread, seed 0.",
        "",
        "| file | architecture | data, training | train acc | test acc (n) | max abs diff ORT vs trainer | params (plain CNN) | bytes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| `{r['file']}` | {r['arch']} | {r['data']} | {r['train_acc']:.4f} | "
              f"{r['acc']:.4f} ({r['n_test']}) | {r['diff']:.1e} | {r['params']:,} "
              f"({r['dense_params']:,}) | {r['bytes']:,} |" for r in rows]
    return "\n".join(lines) + "\n"
