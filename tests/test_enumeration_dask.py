"""The region tree on a dask.distributed cluster (a LocalCluster of two worker processes on
127.0.0.1): the same counts and pattern sets as exact_counts.json and the one-process tree,
limits that stop it with complete=False, resume from its checkpoint, the CLI option, and the
one-line error when dask is not installed."""

import builtins
import json

import numpy as np
import onnx
import pytest

from regioncount.enumeration import count_tree
from regioncount.enumeration import executors as par
from regioncount.errors import SolverError

from conftest import network_from_entry


def _by_name(exact_counts, name):
    return next(e for e in exact_counts if e["name"] == name)


@pytest.fixture(scope="module")
def client(request):
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    cl = distributed.Client(cluster)

    def close():
        cl.close()
        cluster.close()

    request.addfinalizer(close)
    return cl


@pytest.fixture
def split(monkeypatch):
    """Send even these small trees to the cluster, and record how many subtrees went there."""
    monkeypatch.setattr(par, "SERIAL_WARMUP", 0.0)
    monkeypatch.setattr(par, "SUBTREES_PER_WORKER", 4)
    sent = []
    orig = par._warm_and_split

    def spy(*args, **kw):
        out = orig(*args, **kw)
        sent.append(0 if out[2] is None else len(out[2]))
        return out

    monkeypatch.setattr(par, "_warm_and_split", spy)
    return sent


@pytest.mark.parametrize("name", ["random-3-8-8-8-seed5-box1", "max-construction-2-6-6"])
def test_cluster_count_equals_reference_and_local(client, split, exact_counts, name):
    e = _by_name(exact_counts, name)
    net, dom = network_from_entry(e)
    one = count_tree(net, dom, workers=1, keep_patterns=True)
    res = count_tree(net, dom, scheduler=client, keep_patterns=True)
    assert split and split[-1] > 1                 # the subtrees really went to the cluster
    assert res.complete and res.stop_reason == ""
    assert res.regions == one.regions == e["regions"]
    assert res.pattern_set() == one.pattern_set()
    assert len(res.patterns) == e["regions"]       # no subtree counted twice
    assert res.per_layer == one.per_layer and res.per_layer[-1] == e["regions"]
    # the argmax is taken at each region's certificate point, which depends on the LP path
    # (as with the process pool), so only the total is path-independent
    assert sum(res.per_class.values()) == e["regions"]
    assert res.workers == 2


def test_local_scheduler_word_starts_and_closes_a_cluster(split, exact_counts):
    pytest.importorskip("distributed")
    e = _by_name(exact_counts, "random-4-6-6-seed6-box1")
    net, dom = network_from_entry(e)
    res = count_tree(net, dom, scheduler="local", workers=2)
    assert split[-1] > 1
    assert res.complete and res.regions == e["regions"] == 122 and res.workers == 2


def test_cluster_limits_stop_partial_and_resume_exactly(client, split, exact_counts, tmp_path):
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    net, dom = network_from_entry(e)
    ck = tmp_path / "dask.ck"
    part = count_tree(net, dom, scheduler=client, max_regions=40, checkpoint=ck,
                      keep_patterns=True, checkpoint_every=0.0)   # also the periodic saves
    assert not part.complete and part.stop_reason == "region limit"
    assert 40 <= part.regions < 338
    assert len(part.patterns) == part.regions
    rest = count_tree(net, dom, scheduler=client, checkpoint=ck, resume=True, keep_patterns=True)
    assert rest.complete and rest.regions == 338
    full = count_tree(net, dom, workers=1, keep_patterns=True)
    assert rest.pattern_set() == full.pattern_set()
    timed = count_tree(net, dom, scheduler=client, time_limit=0.0)
    assert not timed.complete and timed.stop_reason == "time limit" and timed.regions < 338


def test_cli_dask_option_with_a_scheduler_address(client, split, cli_run, exact_counts, tmp_path):
    from regioncount.io.export import mlp_to_onnx

    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    layers = [(np.array(W, float), np.array(b, float)) for W, b in e["layers"]]
    path = tmp_path / "net3d.onnx"
    onnx.save(mlp_to_onnx(layers, (np.ones((2, 8)), np.zeros(2))), path)
    code, out, err = cli_run("count", path, "--box", "-1,1", "--dask", client.scheduler.address,
                             "--json", "-q")
    assert code == 0, err
    d = json.loads(out)
    assert d["regions"] == 338 and d["complete"] and d["workers"] == 2
    code, _, err = cli_run("count", path, "--method", "slice", "--dask", "local")
    assert code == 2 and "--dask" in err


def test_missing_dask_is_one_line_error(monkeypatch, exact_counts):
    real = builtins.__import__

    def no_dask(name, *args, **kw):
        if name == "distributed" or name.startswith(("distributed.", "dask")):
            raise ImportError(f"No module named '{name}'")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    net, dom = network_from_entry(_by_name(exact_counts, "random-2-4-4-seed1-box1"))
    with pytest.raises(SolverError, match=r"pip install regioncount\[dask\]") as ei:
        count_tree(net, dom, scheduler="tcp://127.0.0.1:8786")
    assert "\n" not in str(ei.value)


def test_unreachable_scheduler_is_one_line_error(monkeypatch, exact_counts):
    pytest.importorskip("distributed")
    monkeypatch.setattr(par, "DASK_CONNECT_TIMEOUT", 1.0)
    net, dom = network_from_entry(_by_name(exact_counts, "random-2-4-4-seed1-box1"))
    with pytest.raises(SolverError, match=r"tcp://127\.0\.0\.1:9: cannot reach") as ei:
        count_tree(net, dom, scheduler="tcp://127.0.0.1:9")
    assert "\n" not in str(ei.value)


# -- the vertex method's sub-boxes on the cluster -----------------------------------------------

def _vertex_net():
    from regioncount import Domain, Network

    rng = np.random.default_rng(14)
    net = Network.from_layers([(rng.normal(size=(8, 3)), rng.normal(size=8) * 0.3),
                               (rng.normal(size=(8, 8)), rng.normal(size=8) * 0.3),
                               (rng.normal(size=(2, 8)), np.zeros(2))])
    return net, Domain.box(-1, 1, 3)


def test_vertex_sub_boxes_on_the_cluster_equal_the_tree(client, exact_counts):
    """The vertex method on the cluster: the pattern set of the tree (and the reference count
    of a network of exact_counts.json)."""
    from regioncount.enumeration.vertex import count_vertex

    net, dom = _vertex_net()
    tree = count_tree(net, dom, workers=1, keep_patterns=True)
    v = count_vertex(net, dom, scheduler=client, keep_patterns=True)
    assert v.complete and v.extra["subboxes"] >= 8
    assert v.pattern_set() == tree.pattern_set() and v.per_layer == tree.per_layer
    e = _by_name(exact_counts, "random-3-8-8-8-seed5-box1")
    rnet, rdom = network_from_entry(e)
    assert count_vertex(rnet, rdom, scheduler=client).regions == e["regions"]


def test_vertex_cluster_limit_checkpoint_and_resume(client, tmp_path):
    """Stopped by a region limit on the cluster with a checkpoint, resumed on the cluster:
    the full pattern set, no region lost or counted twice."""
    from regioncount.enumeration.vertex import count_vertex

    net, dom = _vertex_net()
    full = count_vertex(net, dom, keep_patterns=True)
    ck = tmp_path / "v.ck"
    part = count_vertex(net, dom, scheduler=client, max_regions=full.regions // 3,
                        checkpoint=ck, keep_patterns=True)
    assert not part.complete and part.stop_reason == "region limit"
    assert part.regions <= full.regions // 3
    res = count_vertex(net, dom, scheduler=client, checkpoint=ck, resume=True,
                       keep_patterns=True)
    assert res.complete and res.pattern_set() == full.pattern_set()
    assert res.regions == full.regions
