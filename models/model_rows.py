"""The README rows of the torch-trained demo models, stored in and read back from each file's
ONNX ``metadata_props`` (so that build_models.py writes the same README without torch).
Shared by build_dcf_models.py and build_group_models.py."""

from __future__ import annotations

from pathlib import Path

#: metadata_props keys written into every file (read back by :func:`committed_rows`).
KEYS = ("arch", "data", "train_acc", "acc", "n_test", "diff", "params", "dense_params")


def stamp(path: Path, row: dict) -> dict:
    """Write ``row``'s :data:`KEYS` into the model file's metadata; the row with its size."""
    import onnx

    model = onnx.load(str(path))
    onnx.helper.set_model_props(model, {k: str(row[k]) for k in KEYS})
    onnx.save(model, str(path))
    return dict(row, bytes=path.stat().st_size)


def committed_rows(models: Path, rels) -> list[dict]:
    """README rows read back from the committed files ``models / rel`` (no torch)."""
    import onnx

    rows = []
    for rel in rels:
        path = models / rel
        if not path.exists():
            continue
        props = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
        row = {k: props[k] for k in KEYS}
        for k in ("train_acc", "acc", "diff"):
            row[k] = float(row[k])
        for k in ("n_test", "params", "dense_params"):
            row[k] = int(row[k])
        rows.append(dict(row, file=rel, bytes=path.stat().st_size))
    return rows
