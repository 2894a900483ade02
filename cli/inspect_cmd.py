"""``regioncount inspect``: the layer graph and the lowered architecture."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import click
import numpy as np
import scipy.sparse as sp

from regioncount.cli.common import emit, json_option, model_options


@dataclass(frozen=True)
class InspectResult:
    model: str
    producer: str
    opset: int
    onnx_ops: dict
    onnx_nodes: tuple
    input_shape: tuple
    output_shape: tuple
    output_name: str | None
    layers: tuple
    pwl_units: int
    params: int
    chain: bool
    notes: tuple


def _stage_info(k, s):
    d = {"index": k, "kind": s.kind, "units": int(s.size), "inputs": list(s.inputs),
         "shape": list(s.source.shape), "nodes": list(s.source.nodes)}
    if s.kind == "affine":
        d["params"] = s.params()
        d["sparse"] = any(sp.issparse(W) for W in s.weights)
    elif s.kind == "max":
        sizes = np.diff(s.indptr)
        d["group_sizes"] = sorted(set(int(v) for v in sizes))
    elif s.kind == "leaky_relu":
        d["alpha"] = sorted(set(float(a) for a in np.unique(s.alpha)))[:4]
    return d


def inspect_model(path, output_name=None) -> InspectResult:
    from regioncount.io import read_model
    from regioncount.lowering import lower

    graph = read_model(path)
    net = lower(graph, output=output_name)
    layers = graph.layers()
    nodes = tuple({"name": l.name, "op": l.op, "inputs": list(l.inputs), "outputs": list(l.outputs)}
                  for l in layers)
    return InspectResult(
        model=str(path), producer=graph.producer, opset=int(graph.opset),
        onnx_ops=dict(sorted(Counter(l.op for l in layers).items())), onnx_nodes=nodes,
        input_shape=tuple(net.input_shape), output_shape=tuple(net.output_shape),
        output_name=net.output_name,
        layers=tuple(_stage_info(k, s) for k, s in enumerate(net.stages) if k > 0),
        pwl_units=int(net.pwl_units), params=int(net.params()), chain=net.is_chain(),
        notes=tuple(net.notes))


def _human(r: InspectResult, max_nodes: int = 40) -> None:
    click.echo(f"model      {r.model}")
    click.echo(f"producer   {r.producer or '-'}   opset {r.opset}")
    click.echo(f"input      {list(r.input_shape)} (no batch dim)   output {list(r.output_shape)}"
               f" ('{r.output_name}')")
    click.echo("ONNX ops   " + ", ".join(f"{op} x{n}" for op, n in r.onnx_ops.items()))
    click.echo("")
    click.echo(f"layer graph ({len(r.onnx_nodes)} nodes):")
    for n in r.onnx_nodes[:max_nodes]:
        click.echo(f"  {n['op']:<20} {n['name']:<28} {', '.join(n['inputs'])} -> {', '.join(n['outputs'])}")
    if len(r.onnx_nodes) > max_nodes:
        click.echo(f"  ... {len(r.onnx_nodes) - max_nodes} more (use --json for all)")
    click.echo("")
    kind = "chain" if r.chain else "DAG (branches / residual adds)"
    click.echo(f"lowered network ({kind}): {len(r.layers)} stages, {r.pwl_units:,} PWL units, "
               f"{r.params:,} parameters")
    click.echo(f"  {'#':>3}  {'kind':<11} {'units':>8}  {'from':<8} {'shape':<16} source")
    for L in r.layers:
        extra = ""
        if L["kind"] == "affine":
            extra = f"  [{L['params']:,} params{', sparse' if L['sparse'] else ''}]"
        elif L["kind"] == "max":
            extra = f"  [groups of {', '.join(map(str, L['group_sizes']))}]"
        src = ", ".join(L["nodes"][:3]) + (" ..." if len(L["nodes"]) > 3 else "")
        click.echo(f"  {L['index']:>3}  {L['kind']:<11} {L['units']:>8,}  {str(L['inputs']):<8} "
                   f"{str(tuple(L['shape'])):<16} {src}{extra}")
    for note in r.notes:
        click.echo(f"note: {note}")


@click.command("inspect")
@model_options
@json_option
def inspect(model, output_name, as_json):
    """Print the layer graph of MODEL and its lowered architecture: input shape, stages with
    widths and unit kinds, PWL units, parameters."""
    emit(inspect_model(model, output_name), as_json, _human)
