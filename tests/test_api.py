"""The Python API a script sees: front doors, names, docstrings (issue 17)."""

import configparser
import doctest
import importlib
import inspect
import pkgutil
import pydoc
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import regioncount
from regioncount import Domain, Network
from regioncount.errors import RegioncountError

ROOT = Path(__file__).resolve().parents[1]


def _abs_net():
    """relu(x) + relu(-x) - 1.5 on [-1, 1]: intervals leave the last unit unstable, the LP
    relaxation proves it off (|x| <= 1)."""
    net = Network.from_layers([(np.array([[1.0], [-1.0]]), np.zeros(2)),
                               (np.array([[1.0, 1.0]]), np.array([-1.5]))])
    return net, Domain.box(-1, 1, 1)


# -- tighten: the function, and its result accepted where neuron bounds are -------------------

def test_from_milp_import_tighten_gives_the_function():
    from regioncount.milp import tighten

    assert inspect.isfunction(tighten) and tighten.__name__ == "tighten"
    module = importlib.import_module("regioncount.milp.tighten")
    assert inspect.ismodule(module) and module.tighten is tighten
    from regioncount.milp.tighten import STABILITY_TOL, Tightening  # the module's names
    assert STABILITY_TOL > 0 and isinstance(tighten(*_abs_net(), method="interval"), Tightening)
    from regioncount.milp import output_range
    assert inspect.isfunction(output_range)


def test_bounds_for_network_takes_a_tightening_or_its_bounds():
    from regioncount.bounds import bounds_for_network
    from regioncount.milp import tighten

    net, dom = _abs_net()
    t = tighten(net, dom, method="lp")
    name = "serra2018_stable_upper"
    interval = bounds_for_network(net, dom).bounds[name]
    whole = bounds_for_network(net, dom, neuron_bounds=t)
    inner = bounds_for_network(net, dom, neuron_bounds=t.bounds)
    assert whole.bounds[name] == inner.bounds[name] == 3 < interval == 6
    assert "from lp bounds" in " ".join(whole.notes)
    from regioncount.app import bounds

    assert bounds(net, dom, neuron_bounds=t).bounds[name] == 3


def test_stable_units_take_a_tightening_and_refuse_anything_else():
    from regioncount.intervals import as_neuron_bounds, stable_units
    from regioncount.milp import tighten

    net, dom = _abs_net()
    t = tighten(net, dom, method="lp")
    a, b = stable_units(net, t), stable_units(net, t.bounds)
    assert [s.inactive.tolist() for s in a] == [s.inactive.tolist() for s in b] == [[False, False],
                                                                                   [True]]
    with pytest.raises(RegioncountError, match="expected NeuronBounds or a Tightening"):
        as_neuron_bounds({"lo": 0})
    from regioncount.bounds import bounds_for_network

    with pytest.raises(RegioncountError, match="expected NeuronBounds"):
        bounds_for_network(net, dom, neuron_bounds=[1.0])


# -- the renamed bound -------------------------------------------------------------------------

def test_stable_bound_has_its_new_name_and_citation():
    from regioncount.bounds.registry import BOUNDS, bounds_for_arch

    assert "serra2018_stable_upper" in list(BOUNDS) and "serra2020_stable_upper" not in list(BOUNDS)
    ref = BOUNDS["serra2018_stable_upper"].reference
    assert "ICML 2018" in ref and "AAAI" not in ref
    assert not any("serra2020" in n for n in bounds_for_arch((2, 3)).bounds)


def test_old_stable_bound_name_still_works_with_a_deprecation_warning():
    from regioncount.bounds import bounds_for_network
    from regioncount.bounds import formulas as F
    from regioncount.bounds.registry import BOUNDS

    with pytest.warns(DeprecationWarning, match="serra2018_stable_upper"):
        assert F.serra2020_stable_upper((784, 11, 11), (2, 1), (3, 2)) == 12911
    with pytest.warns(DeprecationWarning, match="serra2018_stable_upper"):
        assert BOUNDS["serra2020_stable_upper"] is BOUNDS["serra2018_stable_upper"]
    net, dom = _abs_net()
    r = bounds_for_network(net, dom)
    with pytest.warns(DeprecationWarning):
        assert r.bounds["serra2020_stable_upper"] == r.bounds["serra2018_stable_upper"] == 6
    with pytest.warns(DeprecationWarning):
        assert r.bounds.get("serra2020_stable_upper") == 6
    with pytest.warns(DeprecationWarning):
        assert "serra2020_stable_upper" in r.kinds
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # the new name never warns
        assert r.references["serra2018_stable_upper"].startswith("Serra et al., ICML 2018")
        assert r.bounds.get("no_such_bound") is None and "no_such_bound" not in r.bounds
    with pytest.raises(KeyError):
        r.bounds["no_such_bound"]
    d = r.to_json()                                 # JSON carries the current name only
    assert "serra2018_stable_upper" in d["bounds"] and "serra2020_stable_upper" not in d["bounds"]
    r2 = bounds_for_network(Network.from_layers([(np.eye(2), np.zeros(2))],
                                                activation="leaky_relu"), Domain.box(0, 1, 2))
    with pytest.warns(DeprecationWarning):          # absent under either name
        assert "serra2020_stable_upper" not in r2.bounds


def test_analysis_bound_accepts_the_old_name():
    from regioncount.app import analyse

    net = Network.from_layers([(np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))])
    a = analyse(net, Domain.box(-1, 1, 1), time_limit=None)
    with pytest.warns(DeprecationWarning):
        assert a.bound("serra2020_stable_upper") == a.bound("serra2018_stable_upper") == 3


# -- docstrings ------------------------------------------------------------------------------

#: Modules whose examples no other test file runs (test_doctests.py, test_bounds_model.py and
#: test_report.py run the others).
DOCTEST_MODULES = ["regioncount", "regioncount.milp", "regioncount.milp.range",
                   "regioncount.estimate", "regioncount.reports.render"]


@pytest.mark.parametrize("name", DOCTEST_MODULES)
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0 and res.attempted > 0


def test_help_gives_a_map_of_the_package():
    text = pydoc.render_doc(regioncount, renderer=pydoc.plaintext)
    assert "Map of the package" in text and "Front doors" in text
    for mod in pkgutil.iter_modules(regioncount.__path__):
        if mod.name != "cli" and not mod.name.startswith("_"):
            assert f"``{mod.name}``" in regioncount.__doc__, f"{mod.name} missing from the map"
    # the example defines every name it uses
    assert re.search(r"^>>> x = ", regioncount.__doc__, re.M)


#: The front doors of issue 17 and the sections their docstrings must have.
FRONT_DOORS = {
    "regioncount.load": "PRE", "regioncount.network.Network.evaluate": "PRE",
    "regioncount.network.Network.pattern": "PRE", "regioncount.network.Network.local_affine": "PRE",
    "regioncount.network.Network.affine_maps": "PRE",
    "regioncount.network.Network.from_layers": "PRE",
    "regioncount.domain.Domain.box": "PRE", "regioncount.domain.Domain.from_file": "PRE",
    "regioncount.domain.Domain": "PE",
    "regioncount.app.count": "PRE", "regioncount.app.bounds": "PRE",
    "regioncount.app.stable": "PRE", "regioncount.app.analyse": "PRE",
    "regioncount.milp.tighten.tighten": "PRE", "regioncount.milp.output_range": "PRE",
    "regioncount.intervals.stable_units": "PRE", "regioncount.intervals.interval_bounds": "PRE",
    "regioncount.bounds.bounds_for_network": "PRE", "regioncount.bounds.bounds_for_arch": "PR",
    "regioncount.estimate.bracket": "PRE", "regioncount.reports.build_report": "PRE",
}
SECTIONS = {"P": "Parameters", "R": "Returns", "E": "Examples"}


def _locate(dotted):
    """The object ``a.b.c.name``: the longest importable module prefix, then attributes (not
    pydoc.locate, which reads ``regioncount.milp.tighten`` as the package attribute)."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("dotted", sorted(FRONT_DOORS))
def test_front_door_docstrings_have_their_sections(dotted):
    obj = _locate(dotted)
    doc = inspect.getdoc(obj) or ""
    for key in FRONT_DOORS[dotted]:
        head = SECTIONS[key]
        assert re.search(rf"^{head}\n-{{{len(head)}}}$", doc, re.M), f"{dotted}: no {head}"


# -- the oldest-versions env -----------------------------------------------------------------

def _floors():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    reqs = cfg["options"]["install_requires"].split("\n")
    reqs += cfg["options.extras_require"]["test"].split("\n")
    out = {}
    for r in filter(None, (x.strip() for x in reqs)):
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[a-z,]+\])?>=([0-9.]+)", r)
        assert m, f"setup.cfg: {r!r} has no plain lower bound"
        out[m.group(1).lower()] = m.group(3)
        if m.group(2):                              # dask[distributed]: distributed too
            for extra in m.group(2)[1:-1].split(","):
                out[extra] = m.group(3)
    return out


def test_oldest_constraints_pin_every_floor_of_setup_cfg():
    path = ROOT / ".ci" / "oldest-constraints.txt"
    if not path.exists():
        pytest.skip("no .ci/ in this checkout")
    pins = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    floors = _floors()
    assert set(pins) == set(floors)
    for name, floor in floors.items():
        f = [int(p) for p in floor.split(".")]
        p = [int(x) for x in pins[name].split(".")]
        # the pin is the floor, or its first release (9.8 -> 9.8.3296, 1.12 -> 1.12.0)
        assert p[:len(f)] == f, f"{name}: floor {floor}, pinned {pins[name]}"
