"""Counts do not depend on the units of the input (docs/count.md, "What the margin means"):
the same function on the same points, rescaled by powers of two or translated, has the same
regions; thin regions above the margin are counted."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from regioncount import Domain, load
from regioncount.enumeration import count_tree
from regioncount.enumeration.slices import count_slice
from regioncount.network import Network

from conftest import shared_path

MODELS = Path(__file__).resolve().parents[1] / "models"


def _rescaled(net: Network, s: float, shift=None) -> Network:
    """``net(x / s - shift)``: the first affine stage divided by ``s`` (and shifted)."""
    st = list(net.stages)
    a = st[1]
    bias = a.bias if shift is None else a.bias - sum(np.asarray(W @ shift).ravel() for W in a.weights)
    st[1] = replace(a, weights=tuple(W / s for W in a.weights), bias=bias)
    return Network(st, output=net.output, input_shape=net.input_shape,
                   output_shape=net.output_shape)


def _toy():
    rng = np.random.default_rng(3)
    return Network.from_layers([(rng.normal(size=(8, 2)), rng.normal(size=8) * 0.3),
                                (rng.normal(size=(8, 8)), rng.normal(size=8) * 0.3)])


@pytest.mark.parametrize("e", [-16, -8, -1, 3, 10, 16])
def test_rescaled_copies_count_alike(e):
    net, s = _toy(), 2.0 ** e
    want = count_slice(net, Domain.box(-1, 1, 2)).regions     # an exact polygon count
    got = count_tree(_rescaled(net, s), Domain.box(-s, s, 2), keep_patterns=True)
    assert got.regions == want
    assert got.pattern_set() == count_tree(net, Domain.box(-1, 1, 2),
                                           keep_patterns=True).pattern_set()


def test_translated_domain_counts_alike():
    net = _toy()
    t = np.array([1e3, -2.5e4])
    want = count_tree(net, Domain.box(-1, 1, 2), keep_points=True)
    got = count_tree(_rescaled(net, 1.0, shift=t), Domain.box(t - 1, t + 1), keep_points=True)
    assert got.regions == want.regions
    # the interior points come back in the input's own coordinates
    assert np.all(np.abs(got.points - t) <= 1.0)


def test_trained_net_scaled_copies():
    """A trained network (the demo digits_mlp, 64-16-16-10, on [0.4, 0.6]^64: 551 regions by
    the tree count) counts alike when its inputs are rescaled by 2^-16 .. 2^16."""
    net = load(MODELS / "digits_mlp.onnx")
    base = count_tree(net, Domain.box(0.4, 0.6, net.input_size)).regions
    assert base == 551
    for e in (-16, -10, 10, 16):
        s = 2.0 ** e
        assert count_tree(_rescaled(net, s), Domain.box(0.4 * s, 0.6 * s, net.input_size)).regions == base


def test_cartpole_scaled_copies():
    path = shared_path("models", "vnncomp2022", "cartpole.onnx")
    net = load(path)
    base = count_tree(net, Domain.box(-0.1, 0.1, net.input_size)).regions
    assert base == 231
    for e in (-16, -10, 10, 16):
        s = 2.0 ** e
        assert count_tree(_rescaled(net, s), Domain.box(-0.1 * s, 0.1 * s, net.input_size)).regions == base


def test_acasxu_thin_regions_are_counted():
    """Two regions of N_1,1 on [-0.02, 0.02]^5 have inscribed radii 6.4e-7 and 3.3e-7 (input
    units) and reproduce their patterns at their centres: an independent vertex enumeration
    finds 971 regions."""
    net = load(shared_path("models", "vnncomp2021", "ACASXU_run2a_1_1_batch_2000.onnx"))
    r = count_tree(net, Domain.box(-0.02, 0.02, 5), keep_patterns=True, keep_points=True)
    assert r.complete and r.regions == 971
    assert np.array_equal(np.concatenate(net.pattern(r.points), axis=1), r.patterns)


@pytest.mark.parametrize("e", [-16, 12])
def test_milp_count_is_scale_free_too(e):
    from regioncount.enumeration.milp_count import count_milp

    rng, s = np.random.default_rng(4), 2.0 ** e
    net = Network.from_layers([(rng.normal(size=(4, 2)), rng.normal(size=4) * 0.3),
                               (rng.normal(size=(3, 4)), rng.normal(size=3) * 0.3)])
    want = count_milp(net, Domain.box(-1, 1, 2))
    assert want.regions == count_slice(net, Domain.box(-1, 1, 2)).regions
    got = count_milp(_rescaled(net, s), Domain.box(-s, s, 2))
    assert got.regions == want.regions and got.pattern_set() == want.pattern_set()
    assert np.all(np.abs(got.points) <= s * (1 + 1e-9))     # points in the input units
