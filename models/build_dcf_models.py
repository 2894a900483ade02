"""Train the DCF demo models (models/dcf/) with torch; called by models/build_models.py.

Five networks of one shape on scikit-learn's 8x8 digits (pixels / 16, the split of
build_models.py): ``[1,8,8] -> conv(4, 5x5) -> Relu -> MaxPool 2x2 -> conv(8, 5x5) -> Relu ->
MaxPool 2x2 -> Flatten(32) -> Gemm(10)``, whose convolutions are DCF layers (Qiu, Cheng,
Calderbank & Sapiro, ICML 2018) with the first K = 3, 6, 9 or all 14 Fourier-Bessel bases of
5x5 filters, or plain convolutions (25 pixel bases). Only the coefficients are trained. The
networks are built and written by :mod:`regioncount.builders.dcf` (DCF layers in the
two-stage form: depthwise bases Conv + 1x1 Conv; the plain CNN as one Conv per layer).

Training (deterministic on one machine: one thread, fixed seeds): the builder's seeded
initialisation, Adam (lr 1e-2), minibatches of 64 in a seeded order, 60 epochs, cross-entropy.
Each file records its accuracies and the onnxruntime check in ``metadata_props``, so that
build_models.py can write models/README.md from the committed files when torch is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: (file, K or None for the plain CNN) of every DCF demo model, relative to models/.
MODELS = [("dcf/digits_dcf_k3.onnx", 3), ("dcf/digits_dcf_k6.onnx", 6),
          ("dcf/digits_dcf_k9.onnx", 9), ("dcf/digits_dcf_k14.onnx", 14),
          ("dcf/digits_cnn5.onnx", None)]
CHANNELS = (4, 8)
KERNEL = 5
EPOCHS, BATCH, LR, SEED = 60, 64, 1e-2, 0
import model_rows  # noqa: E402  (models/ is on sys.path: the script's own folder)
from model_rows import stamp  # noqa: E402


def _spec(K):
    """The untrained, seeded network of one model (the training's initialisation)."""
    from regioncount.builders.dcf import build_dcf_net

    basis = "pixel" if K is None else "fourier-bessel"
    return build_dcf_net(KERNEL, K, CHANNELS, (1, 8, 8), classes=10, pool="max", basis=basis,
                         seed=SEED)


def _torch_forward(params, bases, X):
    import torch
    import torch.nn.functional as F

    h = X
    for (a, b), psi in zip(params[:-1], bases):
        W = torch.einsum("oik,kuv->oiuv", a, psi)
        h = F.max_pool2d(F.relu(F.conv2d(h, W, b, padding=W.shape[-1] // 2)), 2)
    Wf, bf = params[-1]
    return h.flatten(1) @ Wf.T + bf


def _train(net, Xtr, ytr):
    """Trained ``[(coef, bias) per conv, (head W, head b)]`` as float64 numpy arrays."""
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    bases = [torch.tensor(c.bases, dtype=torch.float32) for c in net.convs]
    params = [(torch.tensor(c.coef, dtype=torch.float32, requires_grad=True),
               torch.tensor(c.bias, dtype=torch.float32, requires_grad=True)) for c in net.convs]
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
            loss = torch.nn.functional.cross_entropy(_torch_forward(params, bases, X[idx]), y[idx])
            loss.backward()
            opt.step()
    return [(a.detach().double().numpy(), b.detach().double().numpy()) for a, b in params]


def _trained_net(net, trained):
    from regioncount.builders.dcf import DCFConv, DCFNet

    convs = tuple(DCFConv(a, c.bases, b, c.basis, c.seed) for c, (a, b) in zip(net.convs, trained))
    W, b = trained[-1]
    return DCFNet(net.input_shape, convs, W, b, net.pool)


def _torch_logits(trained, net, X):
    """The trainer's logits in float64 (torch), for the onnxruntime check."""
    import torch

    params = [(torch.tensor(a), torch.tensor(b)) for a, b in trained]
    bases = [torch.tensor(c.bases) for c in net.convs]
    with torch.no_grad():
        return _torch_forward(params, bases, torch.tensor(X.reshape(-1, 1, 8, 8))).numpy()


def build_one(rel: str, K, out: Path, split, check) -> dict:
    """Train, write ``out / rel`` and check it with onnxruntime; returns the README row."""
    import onnx

    Xtr, Xte, ytr, yte = split
    spec = _spec(K)
    trained = _train(spec, Xtr, ytr)
    net = _trained_net(spec, trained)
    model = net.to_onnx("fused" if K is None else "two-stage", name=Path(rel).stem)
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    ref_te = _torch_logits(trained, spec, Xte)
    diff = check(path, Xte.reshape(-1, 1, 8, 8), ref_te, ref_te.argmax(1))
    what = "plain CNN, torch Adam" if K is None else f"DCF K={K} FB, torch Adam"
    row = dict(file=rel, arch=net.describe(), data=f"digits, {what}",
               train_acc=float(np.mean(_torch_logits(trained, spec, Xtr).argmax(1) == ytr)),
               acc=float(np.mean(ref_te.argmax(1) == yte)), n_test=len(yte), diff=diff,
               params=net.params(), dense_params=net.dense_params())
    return stamp(path, row)


def build_all(out: Path, split, check) -> list[dict]:
    """Train and write every model of :data:`MODELS` under ``out`` (needs torch)."""
    return [build_one(rel, K, out, split, check) for rel, K in MODELS]


def committed_rows(models: Path) -> list[dict]:
    """README rows read back from the committed files' ``metadata_props`` (no torch)."""
    return model_rows.committed_rows(models, [rel for rel, _ in MODELS])


def readme_section(rows: list[dict]) -> str:
    """The models/README.md section of the DCF models."""
    lines = [
        "",
        "## DCF models (`dcf/`)",
        "",
        "Trained by `models/build_dcf_models.py` (called by `build_models.py` when torch is",
        "installed; otherwise the files are kept and this table is read from their",
        "`metadata_props`). DCF layers (Qiu, Cheng, Calderbank & Sapiro, ICML 2018): each 5x5",
        "filter is a combination of the first K Fourier-Bessel bases and only the coefficients",
        "are trained; the plain CNN has the same shape. DCF files are in the two-stage form",
        "(depthwise bases Conv + 1x1 coefficient Conv); see `docs/dcf.md`.",
        "Adam lr 1e-2, minibatch 64, 60 epochs, one thread, seed 0.",
        "",
        "| file | architecture | data, training | train acc | test acc (n) | max abs diff ORT vs trainer | params (plain CNN) | bytes |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [f"| `{r['file']}` | {r['arch']} | {r['data']} | {r['train_acc']:.4f} | "
              f"{r['acc']:.4f} ({r['n_test']}) | {r['diff']:.1e} | {r['params']:,} "
              f"({r['dense_params']:,}) | {r['bytes']:,} |" for r in rows]
    return "\n".join(lines) + "\n"
