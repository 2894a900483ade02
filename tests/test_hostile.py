"""Hostile input (issue 16): nothing silently wrong, nothing that hangs, safe checkpoints.

Every bad model, domain or option gives exit 2 and one line naming the file, the node and the
reason; sizes past the memory limit are refused before anything big is allocated; a count
stops on --time-limit, Ctrl-C and SIGTERM (with its checkpoint) whatever --workers says, and
leaves no process behind; checkpoints are data only; and a seeded fuzz of small models never
gives a traceback, exit 3 or a run of more than 10 s.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import make_model
from regioncount.io.export import mlp_to_onnx

# -- models ------------------------------------------------------------------------------------

RNG = np.random.default_rng(0)
W0, B0 = RNG.normal(size=(6, 2)), RNG.normal(size=6)
W1, B1 = RNG.normal(size=(3, 6)), RNG.normal(size=3)


def mlp(**kw) -> onnx.ModelProto:
    """x (2) -> gemm0 (W0, b0) -> relu0 -> gemm1 (W1, b1) -> y (3)."""
    return mlp_to_onnx([(W0, B0)], final=(W1, B1), **kw)


def set_init(model, name, value) -> onnx.ModelProto:
    """``model`` with initializer ``name`` replaced by ``value`` (float32)."""
    for t in model.graph.initializer:
        if t.name == name:
            t.CopyFrom(numpy_helper.from_array(np.asarray(value, np.float32), name))
    return model


def entry(name, value, at):
    v = numpy_helper.to_array(next(t for t in mlp().graph.initializer if t.name == name)).copy()
    v[at] = value
    return v


def conv(attrs=None, w_shape=(2, 1, 3, 3), b_shape=(2,), in_shape=(1, 1, 6, 6), opset=13):
    """x -> Conv 'conv0' (w, b) -> Relu."""
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv0", **(attrs or {})),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    return make_model(nodes, [("x", list(in_shape))], {"w": np.ones(w_shape, np.float32),
                                                        "b": np.zeros(b_shape, np.float32)},
                      opset=opset)


def maxpool(attrs, opset=13):
    return make_model([helper.make_node("MaxPool", ["x"], ["y"], name="mp", **attrs)],
                      [("x", [1, 1, 4, 4])], opset=opset)


def fused_overflow():
    """Two Gemms in a row (one fused affine stage) whose product overflows float64."""
    nodes = [helper.make_node("Gemm", ["x", "a"], ["h"], name="ga"),
             helper.make_node("Gemm", ["h", "b"], ["z"], name="gb"),
             helper.make_node("Relu", ["z"], ["y"], name="r")]
    return make_model(nodes, [("x", [1, 2])], {"a": np.full((2, 2), 1e200),
                                                "b": np.full((2, 2), 1e200)})


def with_attr(model, node, **attrs):
    for k, v in attrs.items():
        model.graph.node[node].attribute.append(helper.make_attribute(k, v))
    return model


def save(tmp_path, model, name="m.onnx") -> Path:
    path = tmp_path / name
    data = model if isinstance(model, bytes) else model.SerializeToString()
    path.write_bytes(data)
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- non-finite parameters: every command ------------------------------------------------------

NONFINITE = {
    "nan weight": (lambda: set_init(mlp(), "W0", entry("W0", np.nan, (0, 0))),
                   ["node 'gemm0' (Gemm)", "tensor 'W0'", "1 NaN value"]),
    "+inf weight": (lambda: set_init(mlp(), "W0", entry("W0", np.inf, (1, 1))),
                    ["node 'gemm0' (Gemm)", "tensor 'W0'", "+inf"]),
    "-inf output bias": (lambda: set_init(mlp(), "b1", entry("b1", -np.inf, 0)),
                         ["node 'gemm1' (Gemm)", "tensor 'b1'", "-inf"]),
    "nan Gemm alpha": (lambda: with_attr(mlp(), 0, alpha=float("nan")),
                       ["node 'gemm0' (Gemm)", "attribute 'alpha'", "not a finite number"]),
    "nan LeakyRelu alpha": (lambda: mlp(activation="leaky_relu", alpha=float("nan")),
                            ["node 'lrelu0' (LeakyRelu)", "attribute 'alpha'", "not a finite"]),
    "fused overflow": (fused_overflow, ["node 'ga, gb'", "non-finite", "overflow"]),
}

COMMANDS = {"count": ["--method", "tree", "--workers", "1", "-q"], "stable": [], "range": [],
            "bounds": [],
            "report": ["-q", "--no-count", "--no-slice"], "check": ["--samples", "5"],
            "inspect": []}


@pytest.mark.parametrize("case", list(NONFINITE))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_nonfinite_parameters_are_refused_by_every_command(cli_run, tmp_path, case, command):
    build, fragments = NONFINITE[case]
    path = save(tmp_path, build())
    extra = COMMANDS[command] + (["-o", tmp_path / "r.html"] if command == "report" else [])
    code, out, err = cli_run(command, path, *extra)
    line = one_line(err)
    assert code == 2 and out == "", (code, out, err)
    assert line.startswith(f"regioncount: error: {path}:")
    for f in fragments:
        assert f in line, line


def test_validation_is_in_the_library(tmp_path):
    """``regioncount.load`` refuses as the CLI does (scripts and the report get it too)."""
    import regioncount

    path = save(tmp_path, set_init(mlp(), "W0", entry("W0", np.nan, (0, 1))))
    with pytest.raises(regioncount.ModelError, match="tensor 'W0' has 1 NaN value") as e:
        regioncount.load(path)
    assert e.value.node == "gemm0" and e.value.path == str(path)


def test_clip_without_bounds_stays_valid(tmp_path):
    """Clip's infinite bounds mean "no bound": not a non-finite parameter."""
    import regioncount

    nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], name="g"),
             helper.make_node("Clip", ["h", "lo", "hi"], ["y"], name="clip")]
    m = make_model(nodes, [("x", [1, 2])], {"w": np.eye(2, dtype=np.float32),
                                            "lo": np.float32(-np.inf), "hi": np.float32(1.0)})
    net = regioncount.load(save(tmp_path, m))
    assert net.evaluate(np.array([5.0, -7.0])).tolist() == [1.0, -7.0]


# -- structure: duplicate names, shapes, attributes --------------------------------------------

def dup_initializer():
    m = mlp()
    m.graph.initializer.append(numpy_helper.from_array(np.zeros((6, 2), np.float32), "W0"))
    return m


def gemm_one_input():
    m = mlp()
    del m.graph.node[0].input[1:]
    return m


STRUCTURE = {
    "duplicate initializer": (dup_initializer, ["initializer 'W0' is defined twice"]),
    "Gemm bias length": (lambda: set_init(mlp(), "b0", np.zeros(5)),
                         ["node 'gemm0' (Gemm)", "bias C of shape (5,)", "(1, 6)"]),
    "Gemm bias shape": (lambda: set_init(mlp(), "b0", np.zeros((2, 6))),
                        ["node 'gemm0' (Gemm)", "bias C of shape (2, 6)"]),
    "Gemm with one input": (gemm_one_input, ["node 'gemm0' (Gemm)", "has 1 inputs"]),
    "Gemm alpha of a wrong type": (lambda: with_attr(mlp(), 0, alpha=[1.0, 2.0]),
                                   ["attribute 'alpha' has type FLOATS, expected FLOAT"]),
    "Conv bias": (lambda: conv(b_shape=(3,)), ["node 'conv0' (Conv)", "bias of shape (3,)"]),
    "Conv stride 0": (lambda: conv({"strides": [0, 1]}),
                      ["node 'conv0' (Conv)", "attribute 'strides' is (0, 1)"]),
    "Conv strides of one axis": (lambda: conv({"strides": [1]}),
                                 ["attribute 'strides' has 1 entries, expected 2"]),
    "Conv dilation 0": (lambda: conv({"dilations": [1, 0]}), ["attribute 'dilations'"]),
    "Conv negative pads": (lambda: conv({"pads": [-1, 0, 0, 0]}), ["attribute 'pads'"]),
    "Conv group 0": (lambda: conv({"group": 0}), ["attribute 'group' is 0"]),
    "Conv kernel_shape": (lambda: conv({"kernel_shape": [2, 2]}),
                          ["kernel_shape (2, 2) disagrees with the weight of shape (2, 1, 3, 3)"]),
    "Conv 2-D weight": (lambda: conv(w_shape=(2, 9)), ["weight of shape (2, 9) does not fit"]),
    "MaxPool stride 0": (lambda: maxpool({"kernel_shape": [2, 2], "strides": [0, 0]}),
                         ["node 'mp' (MaxPool)", "attribute 'strides' is (0, 0)"]),
    "MaxPool without kernel": (lambda: maxpool({"strides": [1, 1]}),
                               ["attribute 'kernel_shape' is missing"]),
    "attribute unknown at the opset": (
        lambda: maxpool({"kernel_shape": [2, 2], "dilations": [2, 2]}, opset=8),
        ["attribute 'dilations' is not an attribute of MaxPool at opset 8"]),
}


@pytest.mark.parametrize("case", list(STRUCTURE))
@pytest.mark.parametrize("command", ["count", "check"])
def test_inconsistent_models_give_a_named_reason(cli_run, tmp_path, case, command):
    build, fragments = STRUCTURE[case]
    path = save(tmp_path, build())
    code, out, err = cli_run(command, path, *COMMANDS[command])
    line = one_line(err)
    assert code == 2 and out == "", (code, err)
    assert line.startswith(f"regioncount: error: {path}:")
    for f in fragments:
        assert f in line, line


@pytest.mark.parametrize("opset", [1, 99, None])
def test_check_of_a_model_onnxruntime_refuses(cli_run, tmp_path, opset):
    m = mlp()
    if opset is None:
        del m.opset_import[:]
    else:
        m.opset_import[0].version = opset
    code, out, err = cli_run("check", save(tmp_path, m), "--samples", "5")
    assert code == 2 and out == ""
    assert "onnxruntime cannot run the model" in err.strip().splitlines()[-1]
    assert "Traceback" not in err and "/onnxruntime_src/" not in err


# -- sizes: estimated before allocating --------------------------------------------------------

SIZES = {
    "input of 10^9": (lambda: make_model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                                         [("x", [1, 10**9])]),
                      ["input 'x' of shape (1, 1000000000)", "GiB of memory"]),
    "conv input of 10^5 x 10^5": (lambda: conv(in_shape=(1, 1, 10**5, 10**5)),
                                  ["(1, 1, 100000, 100000)", "GiB of memory"]),
    "conv output of 1.8 x 10^9": (lambda: conv(w_shape=(20000, 1, 1, 1), b_shape=(20000,),
                                               in_shape=(1, 1, 300, 300)),
                                  ["node 'conv0' (Conv)", "GiB of memory"]),
}


@pytest.mark.parametrize("case", list(SIZES))
def test_absurd_sizes_are_refused_before_allocating(cli_run, tmp_path, case):
    build, fragments = SIZES[case]
    path = save(tmp_path, build())
    t0 = time.monotonic()
    code, out, err = cli_run("count", path, "--workers", "1", "-q")
    assert time.monotonic() - t0 < 5.0
    line = one_line(err)
    assert code == 2 and "REGIONCOUNT_MEMORY_LIMIT" in line, line
    for f in fragments:
        assert f in line, line


def test_the_memory_limit_is_the_users(cli_run, tmp_path, monkeypatch):
    path = save(tmp_path, conv(in_shape=(1, 1, 32, 32)))
    code, _, err = cli_run("inspect", path)
    assert code == 0, err
    monkeypatch.setenv("REGIONCOUNT_MEMORY_LIMIT", "16K")
    code, _, err = cli_run("inspect", path)
    assert code == 2 and "above the limit of 16 KiB" in one_line(err)
    monkeypatch.setenv("REGIONCOUNT_MEMORY_LIMIT", "lots")
    code, _, err = cli_run("inspect", path)
    assert code == 2 and "REGIONCOUNT_MEMORY_LIMIT='lots'" in one_line(err)


def test_region_tree_maps_are_estimated_first(monkeypatch):
    from regioncount import Domain, Network
    from regioncount.enumeration import count_tree
    from regioncount.errors import ResourceError

    net = Network.from_layers([(np.ones((4, 3)), np.zeros(4))])
    monkeypatch.setenv("REGIONCOUNT_MEMORY_LIMIT", "100")
    with pytest.raises(ResourceError, match="region tree's affine maps"):
        count_tree(net, Domain.box(0, 1, 3))


def test_bounds_of_huge_architectures(cli_run):
    t0 = time.monotonic()
    code, out, err = cli_run("bounds", "--arch", "2,100000000,100000000")
    assert code == 0, err
    assert time.monotonic() - t0 < 10.0
    assert "serra2018_upper" in out and "~" in out
    code, out, err = cli_run("bounds", "--arch", "2,100000000,100000000", "--json")
    assert code == 2 and "--json writes bounds exactly" in one_line(err)
    code, out, err = cli_run("bounds", "--arch", "100000000,100000000,100000000")
    assert code == 2 and "the bound tables of 100000000-100000000-100000000" in one_line(err)


def test_bounds_with_more_than_4300_digits(cli_run):
    """2^20000 has 6,021 digits: past Python's default int-to-str limit."""
    code, out, err = cli_run("bounds", "--arch", "784,10000,10000", "--json")
    assert code == 0, err
    assert json.loads(out)["bounds"]["two_pow_n"] == 2 ** 20000
    code, out, err = cli_run("bounds", "--arch", "784,10000,10000")
    assert code == 0 and "two_pow_n" in out and "~3.980e6020" in out


def test_bound_recursions_still_exact():
    """The tables now stop at the reachable dimension: the same values as the recursion
    R(l, d) = sum_{j <= min(d, n_l, r_l)} C(n_l, j) R(l+1, min(d, n_l - j)) written out."""
    from functools import lru_cache
    from math import comb

    from regioncount.bounds import formulas as F

    def direct(n0, ws, rk):
        @lru_cache(None)
        def R(l, d):
            if l == len(ws):
                return 1
            return sum(comb(ws[l], j) * R(l + 1, min(d, ws[l] - j))
                       for j in range(min(d, ws[l], rk[l]) + 1))
        return R(0, n0)

    rng = np.random.default_rng(3)
    for _ in range(200):
        n0 = int(rng.integers(1, 9))
        ws = tuple(int(w) for w in rng.integers(1, 12, size=int(rng.integers(1, 4))))
        rk = tuple(int(rng.integers(1, w + 1)) for w in ws)
        want = direct(n0, ws, rk)
        assert F.serra_recursion(n0, ws, rk) == want
        assert F.hinz_histogram_upper((n0,) + ws, rk) == want


# -- domains and options -----------------------------------------------------------------------

@pytest.mark.parametrize("args, fragment", [
    (["--box="], "--box: expected LO,HI (two numbers), got ''"),
    (["--box=1"], "got '1'"),
    (["--box=a,b"], "got 'a,b'"),
    (["--box=nan,1"], "must be finite"),
    (["--box=1,0"], "is above hi"),
    (["--box-file="], "cannot read"),
    (["--box=", "--box-file=x.json"], "give at most one of --box, --box-file, --vnnlib"),
])
def test_bad_option_values_are_errors(cli_run, tmp_path, args, fragment):
    path = save(tmp_path, mlp())
    code, out, err = cli_run("count", path, "--workers", "1", *args)
    assert code == 2 and out == "" and fragment in err.strip().splitlines()[-1], err
    assert "Traceback" not in err


@pytest.mark.parametrize("content, fragment", [
    ({"lo": ["a", "b"], "hi": [1, 1]}, "'lo' must be a list of numbers"),
    ({"lo": [0, None], "hi": [1, 1]}, "'lo' must be a list of numbers"),
    ({"lo": [0, 0], "hi": "1,1"}, "'hi' must be a list of numbers, not str"),
    ({"lo": [[0], [0, 1]], "hi": [1, 1]}, "'lo' must be a list of numbers"),
    ({"lo": [0, 0], "hi": [1, 1], "A": [[1, 1]]}, "give both 'A' and 'b'"),
    ({"lo": [0, 0], "hi": [1, 1], "A": [["x", 1]], "b": [1]}, "'A' must be a list of numbers"),
    ({"lo": [0, 0], "hi": [1, 1], "A": [[1, 1, 1]], "b": [1]}, "A has shape (1, 3)"),
])
def test_bad_box_files_name_the_file(cli_run, tmp_path, content, fragment):
    path = save(tmp_path, mlp())
    box = tmp_path / "box.json"
    box.write_text(json.dumps(content))
    code, out, err = cli_run("count", path, "--workers", "1", "--box-file", box)
    line = one_line(err)
    assert code == 2 and f"{box}:" in line and fragment in line, line


# -- workers, the split and the time limit -----------------------------------------------------

def slow_model(arch=(3, 16, 16), seed=7) -> onnx.ModelProto:
    """A random ReLU network with 3,173 regions on [-1, 1]^3 (about 5 s on one core)."""
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(size=(arch[i + 1], arch[i])), rng.normal(size=arch[i + 1]) * 0.5)
              for i in range(len(arch) - 1)]
    return mlp_to_onnx(layers, final=(rng.normal(size=(2, arch[-1])), np.zeros(2)))


def test_workers_are_capped_with_a_warning(caplog):
    from regioncount.enumeration import executors as ex

    cores = ex.available_cores()
    with caplog.at_level("WARNING"):
        assert ex.resolve_workers(10**6) == ex.MAX_WORKERS_PER_CORE * cores
    assert "--workers 1000000 is more than" in caplog.text
    assert ex.resolve_workers(0) == cores and ex.resolve_workers(1) == 1


class _Quiet:
    every = 10.0

    def progress(self, *a):
        pass

    def checkpoint(self, pending):
        pass


@pytest.mark.parametrize("stop", ["time limit", "interrupted"])
def test_the_split_before_the_pool_honours_the_limits(tmp_path, stop):
    """With a million workers the master wants 32 million subtrees: it must still stop at the
    deadline or on Ctrl-C (it expanded the whole tree before)."""
    import regioncount
    from regioncount import Domain
    from regioncount.enumeration import executors as ex
    from regioncount.enumeration.limits import Limits
    from regioncount.enumeration.search import Searcher

    net = regioncount.load(save(tmp_path, slow_model()))
    searcher = Searcher(net, Domain.box(-1, 1, 3))
    t0 = time.monotonic()
    if stop == "time limit":
        limits = Limits(deadline=t0 + 1.0)
    else:
        limits = Limits(interrupt=lambda: time.monotonic() > t0 + 1.0)
    reason, frozen, roots = ex._warm_and_split(searcher, [searcher.root()], 10**6, limits,
                                               _Quiet())
    assert time.monotonic() - t0 < 2.0
    assert reason == stop and roots is None and frozen
    assert searcher.counters.regions < 3173


def test_a_million_workers_stop_at_the_time_limit(cli_run, tmp_path):
    path = save(tmp_path, slow_model((3, 24, 24)))
    t0 = time.monotonic()
    code, out, err = cli_run("count", path, "--method", "tree", "--box=-1,1", "--workers",
                             "1000000", "--time-limit", "3", "--json", "-q")
    elapsed = time.monotonic() - t0
    assert code == 0, err
    res = json.loads(out)
    assert res["complete"] is False and res["stop_reason"] == "time limit"
    assert elapsed < 4.5, elapsed
    assert "is more than" in err and res["workers"] <= 2 * os.cpu_count()


# -- SIGTERM and kill -9 on real processes -----------------------------------------------------

def _children(pid: int) -> list[int]:
    """Pool workers of process ``pid`` (its children running multiprocessing's spawn_main)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            cmd = (d / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in cmd:
            out.append(int(d.name))
    return out


def _gone(pid: int) -> bool:
    """No such process, or a zombie waiting to be reaped."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


#: A real ``regioncount count`` process: the region tree on 2 workers, JSON out (run outside the
#: checkout, so that ``-m`` finds the installed package and not the source folder).
COUNT_TREE = [sys.executable, "-m", "regioncount.cli.main", "count", "--method", "tree",
              "--box=-1,1", "--workers", "2", "--json", "-q"]


def _start_count(path, *args) -> tuple[subprocess.Popen, list[int]]:
    """A real ``regioncount count`` process with 2 workers, once its pool runs."""
    proc = subprocess.Popen([*COUNT_TREE, str(path), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=path.parent)
    end = time.monotonic() + 30
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < end and proc.poll() is None:
        time.sleep(0.1)
        workers = _children(proc.pid)
    assert len(workers) == 2, "the pool never started"
    time.sleep(1.0)
    return proc, workers


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_saves_a_checkpoint_and_leaves_no_process(tmp_path):
    from regioncount import Domain, load
    from regioncount.enumeration import count_tree

    path = save(tmp_path, slow_model())
    ck = tmp_path / "run.ck"
    proc, workers = _start_count(path, "--checkpoint", ck)
    proc.send_signal(signal.SIGTERM)          # what kill and Slurm send
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
    part = json.loads(out)
    assert part["complete"] is False and part["stop_reason"] == "interrupted"
    assert "SIGTERM received" in err
    time.sleep(0.5)
    assert all(_gone(w) for w in workers)
    assert not list(tmp_path.glob("run.ck.tmp*"))
    rest = subprocess.run([*COUNT_TREE, str(path), "--checkpoint", str(ck), "--resume"],
                          capture_output=True, text=True, timeout=60, cwd=path.parent)
    assert rest.returncode == 0, rest.stderr
    total = json.loads(rest.stdout)
    whole = count_tree(load(path), Domain.box(-1, 1, 3), workers=1)
    assert total["complete"] is True and total["regions"] == whole.regions == 3173
    assert part["regions"] < total["regions"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_exit_when_the_master_is_killed(tmp_path):
    proc, workers = _start_count(save(tmp_path, slow_model()))
    proc.kill()                               # kill -9: no handler, no cleanup
    proc.communicate(timeout=10)
    end = time.monotonic() + 5
    while not all(_gone(w) for w in workers) and time.monotonic() < end:
        time.sleep(0.1)
    assert all(_gone(w) for w in workers)


# -- checkpoints -------------------------------------------------------------------------------

@pytest.fixture
def partial(tmp_path):
    """A 3-input model and the checkpoint of its count stopped after 40 regions."""
    from regioncount import Domain, load
    from regioncount.enumeration import count_tree

    path = save(tmp_path, slow_model((3, 8, 8)))
    net, dom = load(path), Domain.box(-1, 1, 3)
    ck = tmp_path / "part.ck"
    res = count_tree(net, dom, workers=1, max_regions=40, checkpoint=ck, keep_patterns=True)
    assert not res.complete
    return path, net, dom, ck


def test_checkpoints_hold_data_only(partial):
    from regioncount.enumeration import count_tree

    _, net, dom, ck = partial
    with np.load(ck, allow_pickle=False) as z:
        header = json.loads(bytes(z["header"]).decode())
        assert all(z[k].dtype != object for k in z.files)
        assert z["patterns"].shape == (header["regions"], header["units"])
    assert header["format"] == "regioncount-checkpoint" and header["version"] == 2
    assert len(header["fingerprint"]) == 32 and header["regions"] >= 40
    rest = count_tree(net, dom, workers=1, checkpoint=ck, resume=True, keep_patterns=True)
    whole = count_tree(net, dom, workers=1, keep_patterns=True)
    assert rest.complete and rest.regions == whole.regions
    assert rest.pattern_set() == whole.pattern_set()


class _Evil:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_checkpoint_is_refused_without_running_it(cli_run, partial, tmp_path):
    path, _, _, ck = partial
    marker = tmp_path / "pwned"
    with open(ck, "wb") as f:
        pickle.dump({"version": 1, "stack": [_Evil(marker)]}, f)
    code, out, err = cli_run("count", path, "--method", "tree", "--box=-1,1", "--workers", "1",
                             "--checkpoint", ck, "--resume")
    line = one_line(err)
    assert code == 2 and f"{ck}: not a regioncount checkpoint" in line and "pickled" in line
    assert not marker.exists()


def _rewrite(ck, **changes):
    with np.load(ck, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    header = json.loads(bytes(data["header"]).decode())
    for k, v in changes.items():
        if k in data:
            data[k] = v
        else:
            header[k] = v
    data["header"] = np.frombuffer(json.dumps(header).encode(), np.uint8)
    with open(ck, "wb") as f:
        np.savez(f, **data)


@pytest.mark.parametrize("damage, fragment", [
    ("truncate", "not a regioncount checkpoint"),
    ("version", "format version 1"),
    ("node_x", "damaged checkpoint (the pending nodes' arrays"),
    ("cuts", "damaged checkpoint (a cut unit is not among the decided units)"),
    ("regions", "damaged checkpoint (counters"),
    ("piece", "a cut unit has no such piece"),
    ("fingerprint", "another network or domain"),
])
def test_damaged_checkpoints_name_the_file(cli_run, partial, damage, fragment):
    path, _, _, ck = partial
    if damage == "truncate":
        ck.write_bytes(ck.read_bytes()[:200])
    elif damage == "version":
        _rewrite(ck, version=1)
    elif damage == "node_x":
        _rewrite(ck, node_x=np.zeros((1, 3)))
    elif damage == "cuts":
        with np.load(ck) as z:
            _rewrite(ck, cuts=z["cuts"] + 10**6)
    elif damage == "regions":
        _rewrite(ck, regions=-5)
    elif damage == "fingerprint":
        _rewrite(ck, fingerprint="0" * 32)
    else:   # a cut unit on a piece it does not have: the rows cannot be rebuilt
        with np.load(ck) as z:
            prefix, us, counts, cuts = z["prefix"].copy(), z["node_u"], z["cut_counts"], z["cuts"]
        i = int(np.argmax(counts))
        prefix[int(np.sum(us[:i])) + int(cuts[int(np.sum(counts[:i]))])] = 7
        _rewrite(ck, prefix=prefix)
    code, out, err = cli_run("count", path, "--method", "tree", "--box=-1,1", "--workers", "1",
                             "--checkpoint", ck, "--resume")
    line = one_line(err)
    assert code == 2 and out == "" and line.startswith(f"regioncount: error: {ck}:"), line
    assert fragment in line, line


def test_an_interrupted_write_leaves_no_temporary_file(partial, monkeypatch):
    from regioncount.enumeration import checkpoint as cpt
    from regioncount.enumeration import count_tree

    _, net, dom, ck = partial
    before = ck.read_bytes()

    def torn(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(cpt.np, "savez", torn)
    with pytest.raises(KeyboardInterrupt):
        count_tree(net, dom, workers=1, max_regions=60, checkpoint=ck, resume=True)
    assert ck.read_bytes() == before
    assert not list(ck.parent.glob("part.ck.tmp*"))


def test_stale_temporary_files_are_removed(partial):
    from regioncount.enumeration import count_tree

    _, net, dom, ck = partial
    dead = 2**22 + 12345
    while not _gone(dead):
        dead += 1
    stale = Path(f"{ck}.tmp{dead}")
    live = Path(f"{ck}.tmp{os.getppid()}")    # a writer that is still running
    stale.write_bytes(b"killed mid-write")
    live.write_bytes(b"still writing")
    count_tree(net, dom, workers=1, max_regions=45, checkpoint=ck, resume=True)
    assert not stale.exists() and live.exists()


# -- fuzz --------------------------------------------------------------------------------------

#: 10^9 and -2^40 are refused at once; 10^4 gives large but valid models (a fixed batch of 10^4
#: is 160,000 inputs for the conv model; 10^5 would be a valid model whose float64 check by
#: onnx's reference evaluator alone takes half a minute: slow, not hostile).
ODD_INTS = [0, -1, 1, 2, 3, 7, 10**4, 10**9, -(2**40)]
ODD_FLOATS = [float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 1e308, 0.5, 2.0]
ODD_DTYPES = [TensorProto.INT64, TensorProto.DOUBLE, TensorProto.FLOAT16, TensorProto.BOOL,
              TensorProto.INT8, TensorProto.STRING, TensorProto.UNDEFINED]


def fuzz_conv_model() -> onnx.ModelProto:
    rng = np.random.default_rng(0)
    nodes = [helper.make_node("Conv", ["x", "W", "b"], ["c"], name="conv", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1], strides=[1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("Flatten", ["p"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "G", "c0"], ["y"], name="gemm", transB=1)]
    return make_model(nodes, [("x", [1, 1, 4, 4])],
                      {"W": rng.normal(size=(2, 1, 3, 3)).astype(np.float32),
                       "b": rng.normal(size=2).astype(np.float32),
                       "G": rng.normal(size=(2, 8)).astype(np.float32),
                       "c0": rng.normal(size=2).astype(np.float32)})


def fuzz_mlp_model() -> onnx.ModelProto:
    rng = np.random.default_rng(1)
    return mlp_to_onnx([(rng.normal(size=(5, 2)), rng.normal(size=5))],
                       final=(rng.normal(size=(2, 5)), rng.normal(size=2)),
                       activation="leaky_relu", alpha=0.1)


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def _mutate_dims(m, rng):
    dims = _pick(rng, list(m.graph.input) + list(m.graph.output)).type.tensor_type.shape.dim
    if len(dims):
        dims[int(rng.integers(len(dims)))].dim_value = _pick(rng, ODD_INTS)


def _mutate_dtype(m, rng):
    if rng.random() < 0.5:
        _pick(rng, m.graph.initializer).data_type = _pick(rng, ODD_DTYPES)
    else:
        m.graph.input[0].type.tensor_type.elem_type = _pick(rng, ODD_DTYPES)


def _mutate_attribute(m, rng):
    node = _pick(rng, m.graph.node)
    own = [a.name for a in node.attribute]
    name = _pick(rng, own) if own and rng.random() < 0.7 else _pick(rng, [
        "alpha", "beta", "transA", "transB", "strides", "kernel_shape", "pads", "dilations",
        "group", "axis", "auto_pad", "ceil_mode"])
    value = _pick(rng, [lambda: _pick(rng, ODD_FLOATS), lambda: _pick(rng, ODD_INTS),
                        lambda: [_pick(rng, ODD_INTS) for _ in range(int(rng.integers(5)))],
                        lambda: _pick(rng, ["SAME_UPPER", "VALID", "NOTSET", "bogus", ""])])()
    keep = [a for a in node.attribute if a.name != name]
    del node.attribute[:]
    node.attribute.extend(keep + [helper.make_attribute(name, value)])


def _mutate_values(m, rng):
    t = _pick(rng, m.graph.initializer)
    a = numpy_helper.to_array(t).copy()
    if a.size and a.dtype.kind == "f":
        with np.errstate(over="ignore"):      # 1e308 becomes inf in a float32 tensor
            a.flat[int(rng.integers(a.size))] = _pick(rng, ODD_FLOATS)
    t.CopyFrom(numpy_helper.from_array(a, t.name))


def _mutate_names(m, rng):
    g = m.graph
    k = int(rng.integers(4))
    if k == 0:
        n = _pick(rng, g.node)
        n.input[int(rng.integers(len(n.input)))] = _pick(rng, ["ghost", "", "x", "y"])
    elif k == 1:
        g.initializer.append(onnx.TensorProto())
        g.initializer[-1].CopyFrom(_pick(rng, g.initializer[:-1]))
    elif k == 2:
        _pick(rng, g.node).output[0] = _pick(rng, [o for n in g.node for o in n.output] + ["x"])
    else:
        _pick(rng, [g.output, g.input])[0].name = _pick(rng, ["", "zz", "W"])


def _mutate_shape(m, rng):
    t = _pick(rng, m.graph.initializer)
    a = numpy_helper.to_array(t)
    s = _pick(rng, [(a.size,), (1, a.size), (a.size + 1,), (0,), a.shape[::-1]])
    t.CopyFrom(numpy_helper.from_array(np.resize(a, s).astype(a.dtype), t.name))


def _mutate_op(m, rng):
    _pick(rng, m.graph.node).op_type = _pick(rng, [
        "Relu", "Gemm", "Conv", "MaxPool", "Softmax", "Erf", "Max", "Clip", "Reshape", "Add",
        "MatMul", "LeakyRelu"])


def _mutate_opset(m, rng):
    m.opset_import[0].version = _pick(rng, [1, 6, 7, 11, 13, 21, 99, 0, -3])


MUTATIONS = [_mutate_dims, _mutate_dtype, _mutate_attribute, _mutate_values, _mutate_names,
             _mutate_shape, _mutate_op, _mutate_opset]


def mutant(seed: int) -> bytes:
    """Mutant ``seed`` of one of two small models: a few byte flips (1 in 5), a truncation
    (1 in 5), else one to three field mutations through the onnx API."""
    rng = np.random.default_rng(seed)
    m = fuzz_conv_model() if seed % 2 else fuzz_mlp_model()
    data = m.SerializeToString()
    if seed % 5 == 0:
        b = bytearray(data)
        for _ in range(int(rng.integers(1, 6))):
            b[int(rng.integers(len(b)))] ^= 1 << int(rng.integers(8))
        return bytes(b)
    if seed % 5 == 1:
        return data[: int(rng.integers(1, len(data)))]
    for _ in range(int(rng.integers(1, 4))):
        try:
            _pick(rng, MUTATIONS)(m, rng)
        except (ValueError, TypeError, IndexError, KeyError):
            pass    # does not apply to the model as already mutated
    return m.SerializeToString()


def _fuzz(cli_run, tmp_path, seeds):
    outcomes = {}
    for seed in seeds:
        path = save(tmp_path, mutant(seed), f"m{seed}.onnx")
        for cmd in (["count", path, "--method", "tree", "--workers", "1", "--max-regions", "20",
                     "--time-limit", "3", "-q"], ["check", path, "--samples", "5"]):
            t0 = time.monotonic()
            code, out, err = cli_run(*cmd)
            dt = time.monotonic() - t0
            assert code in (0, 1, 2) and "Traceback" not in err and "internal error" not in err, \
                (seed, cmd[0], err)
            assert dt < 10.0, (seed, cmd[0], dt)
            if code == 2:
                assert err.strip().splitlines()[-1].startswith("regioncount: error: "), err
            outcomes[code] = outcomes.get(code, 0) + 1
    return outcomes


def test_fuzz_small_models(cli_run, tmp_path):
    outcomes = _fuzz(cli_run, tmp_path, range(120))
    assert outcomes.get(2, 0) > 100 and outcomes.get(0, 0) > 5     # both kinds exercised


@pytest.mark.slow
def test_fuzz_small_models_long(cli_run, tmp_path):
    _fuzz(cli_run, tmp_path, range(120, 2120))
