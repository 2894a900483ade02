import numpy as np

from regioncount import Domain
from regioncount.intervals import interval_bounds, stable_units
from regioncount.network import Affine, Clip, Input, MaxGroups, Network

from conftest import network_from_entry


def test_interval_bounds_contain_every_sample(exact_counts, rng):
    for entry in exact_counts:
        net, dom = network_from_entry(entry)
        b = interval_bounds(net, dom)
        vals = net.forward(dom.sample(2000, rng))
        for k, v in enumerate(vals):
            assert np.all(v >= b.lo[k] - 1e-12) and np.all(v <= b.hi[k] + 1e-12), (entry["name"], k)


def test_stable_units_are_stable_on_samples(exact_counts, rng):
    for entry in exact_counts:
        net, dom = network_from_entry(entry)
        b = interval_bounds(net, dom)
        pats = net.pattern(dom.sample(3000, rng))
        for st, p in zip(stable_units(net, b), pats):
            assert np.all(p[:, st.active] == 1)
            assert np.all(p[:, st.inactive] == 0)


def test_first_layer_bounds_are_exact_on_a_box():
    W = np.array([[1.0, -2.0], [0.5, 0.5]])
    net = Network.from_layers([(W, np.array([0.0, -1.0]))])
    b = interval_bounds(net, Domain.box(0, 1, 2))
    np.testing.assert_allclose(b.pre(2)[0], [-2.0, -1.0])
    np.testing.assert_allclose(b.pre(2)[1], [1.0, 0.0])
    st = stable_units(net, b)[0]
    assert st.inactive.tolist() == [False, True]   # upper bound exactly 0: zero counts as inactive


def test_max_and_clip_stability():
    stages = [Input(size=1),
              Affine(size=3, sources=(0,), weights=(np.array([[1.0], [0.0], [1.0]]),),
                     bias=np.array([0.0, 5.0, 10.0])),
              MaxGroups(size=1, source_index=1, indptr=np.array([0, 3]), indices=np.arange(3)),
              Clip(size=1, source_index=2, lo=np.array([0.0]), hi=np.array([10.5]))]
    net = Network(stages)
    b = interval_bounds(net, Domain.box(0, 1, 1))
    st = stable_units(net, b)
    assert st[0].candidates.tolist() == [False, False, True]
    assert st[0].active.tolist() == [True]
    assert st[1].active.tolist() == [False] and st[1].inactive.tolist() == [False]   # 10..11 straddles 10.5
