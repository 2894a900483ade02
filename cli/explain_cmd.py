"""``regioncount explain``: saliency, DeconvNet and guided-backprop maps of one input or a batch
(:func:`regioncount.analysis.explain`; docs/explain.md)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from regioncount.analysis import METHODS, ImageLayout, explain, image_layout
from regioncount.cli.common import emit, json_option, model_options
from regioncount.errors import DomainError, RegioncountError

#: Input files read as images (matplotlib reads PNG itself, the others through Pillow).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")
#: Output files: the maps as an array, or the picture.
OUT_SUFFIXES = (".npy", ".png")
#: Inputs listed by the human-readable summary (``--json`` lists all).
HUMAN_ROWS = 10


def read_array(path: Path) -> np.ndarray:
    """A ``.npy`` file as a float array; anything else is a one-line error."""
    try:
        a = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        raise RegioncountError(f"{path}: not a .npy array file") from None
    if not isinstance(a, np.ndarray):
        a.close()
        raise RegioncountError(f"{path}: an .npz archive, not one .npy array")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise RegioncountError(f"{path}: an array of {a.dtype}, not numbers")
    return a.astype(float)


def read_image(path: Path) -> np.ndarray:
    """An image file as floats in [0, 1], shape (height, width) or (height, width, 3)."""
    from matplotlib import image as mpimg

    try:
        img = np.asarray(mpimg.imread(path))
    except Exception as e:  # noqa: BLE001 - Pillow and matplotlib raise many kinds
        why = " ".join(str(e).split()) or type(e).__name__
        raise RegioncountError(f"{path}: not an image ({why})") from None
    scale = 255.0 if np.issubdtype(img.dtype, np.integer) else 1.0
    img = img.astype(float) / scale
    if img.ndim == 3 and img.shape[2] in (2, 4):        # drop alpha
        img = img[..., :1] if img.shape[2] == 2 else img[..., :3]
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
        raise RegioncountError(f"{path}: an image of shape {list(img.shape)}, not grey or RGB")
    return img


def image_input(img: np.ndarray, net, path) -> tuple[np.ndarray, ImageLayout]:
    """The flat model input of an image and the layout to draw it: the model's own layout, or
    for a flat input of ``height * width`` values the grey image row by row."""
    h, w = img.shape[:2]
    grey = img if img.ndim == 2 else img.mean(axis=2)
    lay = image_layout(net.input_shape)
    if lay is None:
        if h * w != net.input_size:
            raise DomainError(f"{path}: an image of {h}x{w} pixels does not fit the model input "
                              f"{list(net.input_shape)} ({net.input_size} values)")
        return grey.reshape(-1), ImageLayout(h, w)
    if (h, w) != (lay.height, lay.width):
        raise DomainError(f"{path}: an image of {h}x{w} pixels, the model takes "
                          f"{lay.height}x{lay.width} (input {list(net.input_shape)})")
    if lay.channels == 1:
        hwc = grey[..., None]
    elif lay.channels == 3:
        hwc = img if img.ndim == 3 else np.repeat(grey[..., None], 3, axis=2)
    else:
        raise DomainError(f"{path}: the model takes {lay.channels} channels; give a .npy array")
    return lay.from_hwc(hwc), lay


def load_input(path: str, net) -> tuple[np.ndarray, ImageLayout | None, tuple]:
    """``(x, layout, shape)``: the input (one or a batch), how to draw it, and the shape each
    saved map takes (the ``.npy`` file's own shape, or the model input shape)."""
    p = Path(path)
    if not p.is_file():
        raise RegioncountError(f"{path}: no such file")
    suffix = p.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        x, lay = image_input(read_image(p), net, p)
        return x, lay, tuple(net.input_shape)
    if suffix != ".npy":
        raise RegioncountError(f"{path}: expected a .npy array or an image "
                               f"({', '.join(IMAGE_SUFFIXES)})")
    a = read_array(p)
    return a, None, a.shape


def _human(res) -> None:
    click.echo(f"{res.model}: {', '.join(res.methods)} maps of {len(res)} input"
               f"{'s' if len(res) != 1 else ''} (input shape {list(res.input_shape)})")
    for b, e in enumerate(res.explanations[:HUMAN_ROWS]):
        click.echo(f"input {b}: argmax {e.predicted}, explaining output {e.output}")
        for m, s in e.summaries.items():
            cos = "n/a" if s.cosine is None else f"{s.cosine:+.4f}"
            top = ", ".join(f"{list(i)} {v:+.4g}" for i, v in s.top[:3])
            click.echo(f"  {m:<10} norm {s.norm:.4g}  cos with input {cos}  top: {top}")
    if len(res) > HUMAN_ROWS:
        click.echo(f"... {len(res) - HUMAN_ROWS} more inputs (use --json for all)")


def save_maps(res, out: Path, shape: tuple, layout, single: bool) -> None:
    """Write the maps: ``.npy`` (each map in ``shape``; ``all`` stacks the three in front) or
    ``.png`` (the input beside its maps)."""
    if out.suffix.lower() == ".npy":
        maps = [res.stack(m).reshape(shape) for m in res.methods]
        data = maps[0] if len(maps) == 1 else np.stack(maps)
        try:
            np.save(out, data)
        except OSError as e:
            raise RegioncountError(f"{out}: cannot write ({e.strerror or e})") from None
        return
    from regioncount.reports.figures import explain_figure

    png = explain_figure(res, layout, title=f"{res.model}" + ("" if single else f", {len(res)} inputs"))
    try:
        out.write_bytes(png)
    except OSError as e:
        raise RegioncountError(f"{out}: cannot write ({e.strerror or e})") from None


@click.command("explain")
@model_options
@click.option("--input", "input_path", required=True, metavar="FILE",
              help="The input: a .npy array (one input shaped like the model input, or a batch "
                   "with one more axis in front) or an image (.png, grey levels in [0, 1]).")
@click.option("--class", "klass", type=int, default=None, metavar="K",
              help="The output to explain (default: the argmax at each input).")
@click.option("--method", type=click.Choice(list(METHODS)), default="all", show_default=True,
              help="Saliency (the gradient), DeconvNet, guided backprop, or all three.")
@click.option("-o", "--out", "out_path", default=None, metavar="FILE",
              help="Write the maps: .npy (the input's shape; 'all' stacks the three maps in "
                   "front) or .png (the input beside its maps).")
@json_option
def explain_(model, output_name, input_path, klass, method, out_path, as_json):
    """Saliency, DeconvNet and guided-backprop maps of MODEL at an input, with their norms,
    cosines with the input and largest entries (Nie, Zhang and Patel, ICML 2018)."""
    from regioncount.cli.common import load_model

    out = Path(out_path) if out_path else None
    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise RegioncountError(f"-o {out_path}: expected a .npy or .png file")
    net = load_model(model, output_name)
    x, layout, shape = load_input(input_path, net)
    res = explain(net, x, method=method, output=klass)
    if out is not None:
        save_maps(res, out, shape, layout, single=len(res) == 1)
    emit(res, as_json, _human)
