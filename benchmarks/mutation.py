"""Mutation testing of the modules where a bug gives a wrong number (issue 18, item 6).

mutmut 3 (``pip install mutmut``; configured in setup.cfg ``[mutmut]``) runs one module at a
time, each against a focused selection of the tests that exercise it, so that the two cores of
the build machine finish in minutes rather than hours. For every module the script builds a
scratch project ``mutants/<name>/`` (a copy of ``regioncount/`` with ``cli/`` inside it as
installed, ``tests/``, ``models/``, ``pyproject.toml`` and ``setup.cfg``, whose ``[mutmut]``
section names that module and its tests) and runs ``mutmut run`` there; mutmut then mutates
its own copy in ``mutants/<name>/mutants/``.
The working tree is only read: mutmut runs with the scratch project as its working directory and
writes nothing outside it (mutmut 3 never edits the sources it mutates; ``mutmut apply``, which
would, is never called).

It writes a table per module (mutants, killed, survived, timeout, no test, judged equivalent,
score = killed / (mutants - equivalent)) into its section of docs/benchmarks.md, lists the
surviving mutants judged equivalent with the reason for each, and leaves the diff of every
survivor in ``mutants/<name>/survivors.txt``. A judgment is keyed by mutant name and carries a
fragment of the mutated line; when the module changed and the mutant of that name no longer
contains the fragment, the judgment is dropped (reported as stale) instead of being trusted.

Run: ``python benchmarks/mutation.py [MODULE ...] [--max-children N] [--baseline |
--rerun-open | --report-only] [--no-doc]`` (``tox -e mutation``); MODULE is a key of
:data:`MODULES` (default: all, in priority order). The script lowers its own priority
(``--nice``, default 10) for shared machines. It does not run in CI. The usual sequence for a
module: ``--baseline`` (the "before" table), write tests against the survivors, then
``--rerun-open`` (only the mutants left open are run again, with the new tests).
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from docsection import write_section

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "mutants"
SHARED = Path(os.environ.get("REGIONCOUNT_SHARED", ROOT.parent / "shared")).resolve()
START, END = "<!-- mutation:start -->", "<!-- mutation:end -->"
COPIED = ("regioncount", "tests", "models", "docs", "pyproject.toml", "setup.cfg")


@dataclass(frozen=True)
class Target:
    """One measured unit: the files mutmut mutates and the tests that exercise them."""

    files: tuple[str, ...]
    tests: tuple[str, ...]


#: The vertex method's tests: the worker pool, dask and the CLI (spawned processes, seconds
#: each; ``cli_vertex``: a bare ``cli`` would also leave out the clip cases), the 45 s TLL
#: model and the spilled record resumed with two workers (13 s alone, past mutmut's 30 s
#: beside a second child) left out (the same cell code on the tests' networks).
_VERTEX_TESTS = ("tests/test_vertex.py", "tests/test_oracles.py", "-k",
                 "test_mutants or not (workers or dask or tllBench or hands_back or "
                 "cli_vertex or milp or spilled_record_with)")

#: Priority order (largest value first). ``tests/test_mutants_<key>.py`` is added to every
#: module's selection (a placeholder without tests when the file does not exist).
MODULES: dict[str, Target] = {
    "formulas": Target(("regioncount/bounds/formulas.py",),
                       ("tests/test_bounds.py", "tests/test_bounds_construct.py",
                        "tests/test_reference_data.py")),
    "intervals": Target(("regioncount/intervals.py",),
                        ("tests/test_intervals.py", "tests/test_network.py")),
    # the MILP against the tree on reference networks takes 1 to 70 s a case (about 90 s a
    # surviving mutant under load): left out, test_stopped.py covers the stops and the counts
    # are checked against the exact oracle in tests/test_mutants_milp_count.py
    "milp_count": Target(("regioncount/enumeration/milp_count.py",),
                         ("tests/test_enumeration_milp.py", "tests/test_stopped.py", "-k",
                          "not test_milp_count_and_patterns_equal_the_tree and not "
                          "test_a_stopped_milp_count_is_partial")),
    # the region tree against the exact oracles of tests/oracles.py (every unit kind), and the
    # reference counts; the slow cases of test_enumeration.py (workers, tolerances) left out
    "units": Target(("regioncount/enumeration/units.py",),
                    ("tests/test_oracles.py", "tests/test_enumeration.py", "-k",
                     "test_mutants or (test_oracles and not milp) or reference_network or "
                     "slices_equal_tree")),
    # the tree against the exact oracles (every unit kind; tests/test_mutants_search.py drives
    # the Searcher with each of its switches and checks what it records per region), and the
    # stopped and resumed counts; the reference networks (2 s), the slices and the MILP's
    # stops (tests/test_stopped.py) left out: several seconds a surviving mutant on a loaded
    # machine, and no search code they reach that the rest does not
    "search": Target(("regioncount/enumeration/search.py",),
                     ("tests/test_oracles.py", "tests/test_enumeration.py",
                      "-k", "test_mutants or (test_oracles and not milp) or partial_counts "
                      "or ctrl_c")),
    # the encoding against the forward pass, the no-good loop against the exact counts and
    # tests/test_mutants_milp.py (every kind: columns pinned by the input, the relaxation's
    # hull, the margins against the 1-D sweep); the OR-Tools runs, the 15 s comparison with the
    # tree and the range tool (7 s) left out
    "milp": Target(("regioncount/milp/formulation.py", "regioncount/milp/encodings.py"),
                   ("tests/test_milp.py", "tests/test_backends.py", "-k",
                    "test_mutants or not (ortools or agree or range_command)")),
    "network": Target(("regioncount/network.py",),
                      ("tests/test_network.py", "tests/test_stages.py")),
    # the reference networks (12 s), the CLI and the report (9 s) and the shared models left
    # out: the same certificate code on larger inputs
    "certify": Target(("regioncount/enumeration/certify.py", "regioncount/enumeration/rows.py"),
                      ("tests/test_certify.py", "-k", "test_mutants or not (reference_network "
                       "or cli or report or shared_models)")),
    # priority 2 (issue 18, item 6): the modules behind the bounds and the exact arithmetic
    "construct": Target(("regioncount/bounds/construct.py",),
                        ("tests/test_bounds_construct.py",)),
    # the two CNN cases (8 s and 5 s) left out
    "bounds_model": Target(("regioncount/bounds/model.py", "regioncount/bounds/linalg.py"),
                           ("tests/test_bounds_model.py", "-k", "test_mutants or not "
                            "(cnn_one_layer_count or conv_maxpool_model_is_unrolled)")),
    # priority 3: the rest of enumeration/ where a bug moves a count
    "classes": Target(("regioncount/enumeration/classes.py",), ("tests/test_classes.py",)),
    # the LP of every node: the tree against the exact oracles, the reference counts, the
    # tolerance and partial-count cases
    # (the feasibility LPs are off by default: tests/test_mutants_search.py turns them on)
    "lp": Target(("regioncount/enumeration/lp.py",),
                 ("tests/test_oracles.py", "tests/test_enumeration.py",
                  "tests/test_mutants_search.py", "-k",
                  "test_mutants or (test_oracles and not milp) or reference_network or "
                  "partial_counts or tolerances")),
    "tree": Target(("regioncount/enumeration/tree.py",),
                   ("tests/test_oracles.py", "tests/test_enumeration.py", "tests/test_stopped.py",
                    "-k", "not milp and not dask")),
    "slices": Target(("regioncount/enumeration/slices.py",),
                     ("tests/test_oracles.py", "tests/test_enumeration.py", "-k",
                      "not milp and not workers")),
    # (one module a file: about 2,500 mutants in all, too many for one sitting); the vertex
    # method's own tests only (tests/test_mutants_vertex.py holds it to the exact oracles of
    # tests/oracles.py): test_oracles.py runs every method, the MILP's counts included, which
    # made a surviving mutant cost a minute
    "vertex": Target(("regioncount/enumeration/vertex.py",),
                     ("tests/test_vertex.py", "-k", "test_mutants or not (workers or dask or "
                      "tllBench or hands_back or cli_vertex or milp or spilled_record_with or "
                      "spilled_record_gives)")),
    "vertex_cells": Target(("regioncount/enumeration/vertex_cells.py",), _VERTEX_TESTS),
    "vertex_record": Target(("regioncount/enumeration/vertex_record.py",), _VERTEX_TESTS),
    # the pool's tasks and merge run in the test process (tests/test_mutants_vertex_pool.py),
    # and the worker tests of test_vertex.py start real pools (count_pool, the shares)
    "vertex_pool": Target(("regioncount/enumeration/vertex_pool.py",
                           "regioncount/enumeration/heap.py"),
                          ("tests/test_vertex.py", "-k", "test_mutants or workers or hands_back "
                           "or process_share or trimming or spilled_task")),
    # the tree's executors: the pool and the cluster run in the test process
    # (tests/test_mutants_executors.py, tests/fake_parallel.py), and two real pools start
    "executors": Target(("regioncount/enumeration/executors.py",),
                        ("tests/test_enumeration.py", "-k", "test_mutants or two_workers")),
    # the vertex method on a cluster, in the test process (a LocalCluster takes seconds to
    # start: past mutmut's limit beside a second child)
    "vertex_dask": Target(("regioncount/enumeration/vertex_dask.py",), ()),
    # priority 4: the bound registry, LP tightening and the output range
    "registry": Target(("regioncount/bounds/registry.py",),
                       ("tests/test_bounds.py", "tests/test_reference_data.py",
                        "tests/test_bounds_model.py", "-k", "test_mutants or not (cnn_one_layer_"
                        "count or conv_maxpool_model_is_unrolled)")),
    "tighten": Target(("regioncount/milp/tighten.py",), ("tests/test_tighten.py",)),
    "range": Target(("regioncount/milp/range.py",),
                    ("tests/test_backends.py", "tests/test_milp.py", "tests/test_cli_options.py",
                     "-k", "range")),
    # priority 5: what a count passes through on its way (the unit-cube coordinates, the
    # checkpoints it resumes from, the MILP model every backend loads)
    "unitbox": Target(("regioncount/enumeration/unitbox.py",),
                      ("tests/test_scale_free.py", "tests/test_enumeration.py", "-k",
                       "not milp and not workers")),
    # (the SIGTERM case, 11 s, and the spilled vertex record with two workers, 16 s, left
    # out: under mutmut's 30 s limit on a loaded machine they would count as kills)
    "checkpoint": Target(("regioncount/enumeration/checkpoint.py",
                          "regioncount/enumeration/vertex_checkpoint.py"),
                         ("tests/test_stopped.py", "tests/test_hostile.py",
                          "tests/test_count_cli.py", "tests/test_vertex.py", "-k",
                          "test_mutants or ((checkpoint or resume) and not (workers or sigterm "
                          "or spilled_record_with))")),
    "milp_model": Target(("regioncount/milp/model.py",),
                         ("tests/test_milp.py", "tests/test_backends.py", "-k",
                          "test_mutants or not (ortools or agree or range_command)")),
    # what every count hands back (the result, its JSON and pattern set) and how it stops
    # (time and region limits, Ctrl-C and SIGTERM); the MILP's stops left out (test_stopped's
    # own selection for milp_count covers them)
    "results": Target(("regioncount/enumeration/results.py",),
                      ("tests/test_classes.py", "tests/test_api.py", "tests/test_stopped.py",
                       "-k", "test_mutants or not milp")),
    "limits": Target(("regioncount/enumeration/limits.py",),
                     ("tests/test_stopped.py", "tests/test_api.py", "-k",
                      "test_mutants or not milp")),
    "exact": Target(("regioncount/enumeration/exact.py",),
                    ("tests/test_certify.py", "tests/test_mutants_certify.py", "-k",
                     "test_mutants or not (reference_network or cli or report or "
                     "shared_models)")),
}

_DTYPE = ("the dtype of an array only read as numbers: weights reach it as float arrays, and "
          "integer arrays give the same ranks and subsets")
_SHORTCUT = ("the shortcut that counts 2^rest extensions at once when the current set and the "
             "remaining rows are jointly independent: it fires only after an exact rank check, "
             "so a mutant that fires it never, or tests it differently, enumerates the same "
             "subsets one by one (the same count, more time)")
_REORTH = ("Gram-Schmidt against the basis is done twice (the second pass for rounding): with "
           "one pass changed or dropped the other still projects the basis out (an empty "
           "basis projects nothing), so the same rows are found independent")
_SAME_RANK = ("the only caller passes the rank that matrix_rank gives for the same matrix "
              "(A.layers[0].rank of A.first_matrix, the identity's size when the first layer "
              "reads the input): without it the same value is recomputed")
_LABEL = ("the label of the bounds the MILP is built on: make_bounds stores it, the encoding "
          "never reads it (only their values)")

_LATER = ("the bounds of the stages after i: the LP of stage i encodes stages 1..i only "
          "(upto=i + 1), whose bounds are self.lo / self.hi whatever follows them")
_SNAP_LABEL = ("the label of the bounds of the LP stage's snapshot: stable_units reads their "
               "values only")
_NOT_MIN = ("the second sense of the LP loop is only compared with 'min': any other string "
            "maximises (negated cost) and stores an upper bound, as 'max' does")
_SENSE = ("both backends minimise for any sense but 'max' (highs and ortools test "
          "`sense == 'max'`), and the loop maximises by negating the cost")

#: Surviving mutants judged equivalent: name -> (fragment of the mutated line, reason).
_UNIT_FLOAT = ("the folded bias is the copy plus W @ lo, a float array whatever the copy's "
               "type (lo is float): the same values")
_UNIT_INPUT = ("lo + U * scale is float whatever U's type (lo and scale are float arrays): the "
               "same points")

_UNREACHED = ("a 0-d array has one entry and a 1-entry array is nonempty: the branch for an "
              "empty one is never taken")
_ONE_VALUE = ("the array has exactly one entry: any 1-D reshape of it holds that entry first")
_VIOLATION_X = ("the point is only read in arithmetic with float bounds and rows: the same "
                "violations for integer points")
_VIOLATION_INITIAL = ("inside `if self.num_integer`, so the array is nonempty, and its entries "
                      "are absolute values, never below the initial 0")
_BUILD_CASTS = ("build() casts every part to its type (int64 rows and columns, float values) "
                "before the matrix is made: the same model")
_ASTYPE_NONE = ("astype(None) is astype(float64): float parts stay float64; integer indices become "
                "floats of the same whole values, which scipy casts back to its index type")
_NAMES_KEPT = ("the builder's names list is never None (it starts as a list and is only "
               "extended)")
_OBJECTIVE_COLS = ("asarray of integer column indices is int64 already; the values are only used "
                   "as dictionary keys and indices")

_NEG_RESHAPE = ("numpy reads any negative size as the one to infer: the same shape")
_FLOATS_IN = ("the values are float64 already (interior points, margins, sub-box corners, and an "
              "empty list gives float64 too): the same array")
_KIND_LETTERS = ("a dtype kind is one letter, and X is none: the same test")
_DOMAIN_FLOAT = ("a Domain stores its box and half-spaces as float64 (Domain.__post_init__): the "
                 "same bytes")
_NO_PICKLE_DEFAULT = ("numpy's np.load refuses pickles by default (allow_pickle=False); None is "
                      "false: the same refusal")
_TYPE_NAME_ONLY = ("the refusal names the exception's type only, never its message")
_RESHAPE_NONE = ("the array is one-dimensional of length k already; reshape(None) keeps it")

_SLICE_PATTERNS = ("a cell's pattern is an int32 array (the unit plan's): the same array")
_SLICE_INTS = ("integer coordinates enter only sums and products with float maps, distances and "
               "the float domain: the same values (at most an integer dtype of the same numbers)")
_ZERO_ROW = ("a row with a = 0 gives b / 0: +inf (b > 0) or nan (b = 0) leave t1 as it is, -inf "
             "(b < 0) empties the segment as the original's return does")
_ORDERED_CELLS = ("the cells come in order along the segment (each split returns its left piece "
                  "first, in every stage), so a pattern's first cell has the smallest start and its "
                  "last the largest end, and the intervals are disjoint: the same intervals")
_NO_FLAT_CELL = ("no cell has zero area: a part of a cut is kept only when it reaches farther "
                 "than REGION_MARGIN from the line, and a convex part that touches the line and "
                 "reaches beyond it has positive area")

_SIZING = ("the number of buckets or the rows of a bucket, which only decide which pass sees "
           "a row: rows with equal prefixes share a bucket whatever their number, so the counts "
           "are the same (the memory and the passes differ)")
_PACKING = ("the packing of the hash's fine bins into buckets (or none: every width counted on "
            "its own), which only decides which pass sees a row: the same counts")
_STEPS = ("the rows of one block of a batched operation: the same values, computed in other "
          "slices")
_EMPTY_BUCKET = ("an extra bucket number past the last packed one holds no row and adds 0 to "
                 "every count")
_EVERY_WIDTH = ("every width asked for is in the counts when the loop ends (counted with the "
                "others or on its own): the default is never used")
_SORT_KIND = ("the order of equal rows only: equal neighbours never differ, so the first "
              "differing bytes and the counts are the same")
_SAME_NUMBERS = ("the dtype of an array of the same numbers (bytes stay bytes, an empty array "
                 "stays empty, and a sum of uint64 is uint64 by default)")
_NONEMPTY_HIST = ("the histogram has at least one bin and a bucket holds at least one row, so "
                  "the initial value of its maximum never decides")
_FIRST_LONGER = ("two more neighbour pairs marked as differing only after the last byte: "
                 "never below a width asked for, so the counts are the same")
_NO_BYTES = ("rows of no bytes are all equal: sorted or in their order, they never differ")
_MMAP = ("read whole instead of mapped: the same shape and dtype")
_DEL_DEFAULT = ("a spill without a folder attribute is one whose constructor failed: isdir of "
                "the default is False or raises inside __del__, which Python ignores; nothing "
                "is removed either way")
_NO_BLOCKS = ("parts is empty only when blocks() yields nothing, the same for every bucket: "
              "stopping or going on both leave nothing counted")

_NO_MMAP_OBJECTS = ("np.load refuses to memory-map an array of objects before it reads a "
                    "pickle, whatever allow_pickle says: the same refusal, nothing built")
_WORKER_FOLDER = ("the files dropped lie in the worker's folder, which adopt removes whole at "
                  "its end")

_VX_DIV = ("true division by the rows' norms makes float arrays of any input dtype: the same "
           "lines")
_VX_ANC = ("split_all reads only the geometry of its cells (vertices, incidence, edges): the "
           "ancestor index of the one cell it starts from is never read")
_VX_FIRST_ROWS = ("split reads one row per cell it cuts (a[seg], seg below the number of cells): "
                  "rows past the first cs.nc are never read")
_VX_ONE_WORD = ("split_all starts from a box cell, whose rows are its 2 d faces (bits below 2^52 "
                "for d below 26: exact in float64), and CellSet.add stores the incidence in its "
                "uint64 arena: the same bits")
_VX_ASTYPE = ("box_cell turns the corners into floats (astype(float)): the bounds' dtype never "
              "reaches the cell")
_VX_CUBE_WORDS = ("the incidence words of a d-cube: the same number for d up to 21 (3 d from "
                  "d = 22, 64 more at d = 32, 65 per word from d = 33); a 22-cube's 4 million "
                  "corners and 46 million edges take more than a gigabyte, and count_vertex "
                  "refuses cubes past its budget")
_VX_FLOAT_ROWS = ("switch_lines of the identity (np.eye, float) gives float rows: asarray "
                  "without a dtype is the same array, the same bytes as the stage's index")
_VX_TAKE_AXIS = ("np.take_along_axis takes the last axis by default (numpy 2.3 on; before, a "
                 "TypeError no test on this numpy can see): axis 1 of the 2-D offsets")
_VX_ZERO_SLOPE = ("c * s is 0 where the slope s is 0 (c finite: the maps of finite weights), "
                  "as np.where gives; -0.0 + o is o")
_VX_HIGHS = ("linprog's method: 'highs' is scipy's default, and scipy reads the name in any "
             "case")
_VX_CAP = ("the cap on the Chebyshev radius (1 in the unit cube) only bounds how far "
           "toward_centre moves the point: with another cap the point is still in the open "
           "sub-box, at least half the radius from every facet (test_chebyshev_centre_of_every_"
           "cell checks both), another certificate of the same cell")
_VX_VERIFY_ROWS = ("verify reads as many patterns as points (B[a:a + n], n the points of the "
                   "block): a longer slice of B is never read")
_VX_BOOL_NONE = "None stored in a bool array is False"
_VX_UNIT_VAL = ("the switching lines of an elementwise unit are its input minus a breakpoint "
                "(Elementwise.switch_lines): their coefficient val is 1, so multiplying or "
                "dividing by it is the same")
_VX_MAX_BETA = ("the lines of max groups are differences of two entries, with no constant (beta "
                "is 0): adding or subtracting it is the same")
_VX_RESHAPE = "numpy's reshape takes any negative size as the one to infer"
_VX_ORDER = ("the cells of a group of one size are read by their index: any order of the sort "
             "gives the same values")
_VX_EINSUM = "einsum subscripts in capitals: the same contraction"
_VX_CACHE = ("the stages' maps are a cache: without it, or under another key, each is computed "
             "again, with the same values")
_VX_INPUT_P = ("the map of a PWL stage's source is in the cache (its table keeps its source's "
               "map) or is the network's input, whose map reads no pattern: P is never read "
               "there")
_VX_NO_INPUTS = ("every PWL stage reads at least one unit: norms.shape[1] is never 0, and the "
                 "branch for none never runs")

_VP_UNSIGNED = ("the stop flag is 0 or 1 and the shared counts of regions never go below 0: "
                "unsigned values hold the same numbers")
_VP_TIME_EQ = ("a comparison of two monotonic readings with a constant (the grace, the progress "
               "period): equality is a coincidence of nanoseconds, the next look decides")
_VP_FLAG = "the stop flag is only ever read for its truth"
_VP_SLEEP = ("whether the master sleeps a poll between two looks: a busy loop makes the same "
             "merges")
_VP_WHY = ("the reason of a cut record is read only when a quota cuts it: with no region limit "
           "there is no quota")
_VP_FALSE = "None, like the default of Spill.adopt, is false: every file is adopted"
_VP_PAD = ("malloc_trim's pad (bytes left at the top of the heap): one byte keeps no page, the "
           "same memory is released")

_EX_CACHE = ("the worker's searcher is a cache: without it (or under another key) each task "
             "builds its own from the same network and domain, the same search")
_EX_FALSY = ("the reason a task returns is read for its truth and against 'region limit': None "
             "is as false as ''")
_EX_ENCODING = ("the script is read to find a main guard: with the platform's default encoding "
                "(UTF-8 wherever the tests run) or 'UTF-8' in capitals, the same text")
_EX_ORDER = ("which pending node the split expands first: the roots are disjoint subtrees "
             "whatever the order, their counts add up the same (load balance only)")
_EX_BUDGET = ("the warm-up returns before the split once its regions reach the limit, so the "
              "limit less them is at least 1 where the budget is computed: max(0, .) and "
              "max(1, .) agree")
_EX_SET_LATER = ("run() sets the queue before the loop reads it, and stopping starts false: "
                 "None is as false as False")

_VX_REDUCEAT = "np.add.reduceat sums along axis 0 by default: the same vertex means"
_VX_MEANS = ("record computes the vertex means itself when none are given: the same values as "
             "the ones finish_stage passes")
_VX_SHARED_MAP = ("a map shared by all cells of a table (leading dimension 1) sliced by the "
                  "ancestors anyway: the same rows, repeated (more memory, the same values)")
_VX_TAKE = ("a batch that is the whole cell set taken as a copy (cs.take) instead of shared: "
            "the same cells")

_VD_ONLY_EVENT = ("a box task is interrupted only by its stop(), which answers looked[1]: the "
                  "branch for an interruption without the event never runs")
_VD_RENEW = ("looked[0] not renewed: after the first period the task looks at the event at every "
             "pass instead of every period, more looks and the same stop")

_EX_SECONDS = ("a task's seconds are zeroed before the merge, and Counters.merge never reads "
               "them: any value is the same")
_EX_NEXT_LOOK = ("the finished tasks not merged in this pass stay in pending, finished: the next "
                 "pass merges them")
_EX_INTERRUPTED = ("the pool's stop flag is set only where 'interrupted' joins the reasons, and "
                   "it wins over every other: the grace's reason for a set flag never shows")
_EX_REASONED = ("a pool task that leaves nodes always gives its reason, and the grace adds one "
                "for the tasks that do not answer: leftovers never come without a reason")

_VX_BLOCKS = ("the points verified in blocks of another size (one, or overlapping by one): "
              "every point read once at least, with the same values")
_VX_RECOMPUTE = ("region_pattern computes the forward pass itself when not given it: the same "
                 "values")
_VX_NO_PWL = ("with no PWL stage the recorded patterns are empty: a (n, 1) array of zeros "
              "compared with (n, 0) broadcasts to nothing differing")
_VX_EXTRA_PASS = ("a pass for j = -1 reads no row (no line row has stage -1) and only walks "
                  "from the first stage's table to its parent, which it never reads")

_VX_HALVES = ("the halving of a batch is a memory policy: where the cells are cut (a third, a "
              "half), whether a batch of one or two cells is cut, and the table links of the "
              "second half (it keeps the table, whose parent and ancestors it then reads) "
              "change no cell")
_VX_USERS = ("a table's count of users only decides when it drops the maps no batch needs any "
             "more: a count that never reaches zero keeps them longer (memory), the same cells")
_VX_SPLIT_TRY = ("which lines are tried on a cell: split() itself cuts only where vertices lie "
                 "beyond the margin on both sides, so an extra try or another order of the "
                 "crossing lines gives the same cells")
_VX_LINE_COLUMNS = ("the columns of crossing lines per ancestor: more columns (all lines, or one "
                    "when none crosses) are never read past ncross")
_VX_KEPT_MAPS = ("which maps a table keeps for later stages: one kept longer costs memory, one "
                 "dropped is computed again from the patterns (the maps are a cache)")
_VX_CONST_ALWAYS = ("np.where over a const mask with no True entry is A itself: the same maps")
_VX_NEAR_MEMBERS = ("lines between max-group members that are one function (a residue norm) made "
                    "lines, or lines of entries that cannot be the maximum: extra cuts, and the "
                    "pieces on both sides read as the same by piece_on_maps; the regions are "
                    "merged by pattern")
_VX_FLOAT_BIAS = ("the stages' biases are float arrays (the network's float64 parameters): "
                  "asarray without a dtype adds the same values")
_VX_ONES = ("the input's scale is all ones: a (2, d) array of ones sliced or broadcast gives "
            "the same ones")

_VC_NUMPY1 = ("the popcount path of numpy before 2.0 instead of bitwise_count: the same counts "
              "(test_set_bits_of_each_word_and_each_row checks both paths)")
_VC_WORDS = ("the incidence words are uint64 arrays already (CellSet.Z): the same bytes")
_VC_GROUPS = ("every caller passes two or three groups: the list of counts is never empty, "
              "and the branch for none never runs")
_VC_THIRD = ("pairs with one simple vertex get the third-vertex test too, which decides every "
             "pair exactly (Fukuda and Prodon 1996): the shortcut only saves that work")
_VC_TWO_VERTICES = ("a crossed cell has vertices on both sides, so at least two entries: each "
                    "cell's first entry lies below len - 1 and the clip never acts")
_VC_LAST_CELL = ("every crossed cell keeps its vertices on the side being built, the last cell "
                 "included: bincount is m long without minlength")
_VC_HLOC = ("the local vertex indices (small integers, exact in float64) are written into the "
            "int32 edge array, which casts them back")
_VC_WORDS_UNREAD = ("row_bits never reads its words argument (the word of a row is row // 64)")
_VC_BOOL = ("(0, 2) cast to bool is (False, True): the same corner bits")
_VC_INT64 = ("lengths, starts and row ids come as int64 arrays or lists of Python ints: asarray "
             "gives int64 either way")
_VC_FLOAT = ("astype(None) is astype(float64), which is what float means")
_VC_EINSUM = ("einsum accepts upper-case subscripts: the same contraction")
_VC_SPARE_SLOT = ("a spare slot at the start of a per-cell array other than vs: each array is "
                  "grown to nc on its own and read only below nc (nbytes counts len(vs) for "
                  "all five)")

_FALSY = ("None where False is passed: both are false, the same float arithmetic")
_MEMO = ("the dict of |W| only memoises abs_matrix(W): a fresh one computes the same values")
_NO_INTERIOR = ("a radius of exactly 0 means no interior: the point then found lies on the "
                "region's boundary, and the judge (in rationals if need be) rejects it")
_BOTH_NONE = ("_exact is called with keep and y both None (an unsure piece) or both given: "
              "'or' and 'and' agree")
_POSITIVE_SCALE = ("a positive scale of the columns (the widths, never 0) does not change "
                   "whether a row's norm is 0")
_EXACT_DECIDES = ("unreachable: judge_point in rationals always decides (0 or 1), so the loop "
                  "returns before this line")
_HAS_ROWS = ("marking every piece as having kept rows gives a piece without them "
             "flatnonzero of no kept rows: the same empty array")
_STATE_NAME = ("only the state 'unsure' is compared; 'empty' and 'open' are never read by "
               "name")
_UNUSED_N = ("the row stack's n is never read (its arrays are sized from the argument)")
_CAPACITY = ("the row stack's first room: it grows whenever a push needs more, so a larger or "
             "earlier start changes no row")
_SEL_BELOW_TOP = ("the duals are one per stacked row, so every index is below top already")
_STRICT_UNREAD = ("farkas never reads the rows' strictness")
_PARTS = ("every unit has at least one piece, so the list of parts is never empty and the "
          "branch for none never runs")
_FLAGS = ("the per-piece flags are only read as truth values (if, copy, assignment of a "
          "bool): 1.0 and 0.0 read as True and False")
_UNUSED_NFIXED = ("the trie's nfixed is never read (the LP's own is)")
_INF = ("float('INF') is inf")
_DUALS_FLOAT = ("row_dual is a list of Python floats: asarray gives float64 either way")
_LAST_STAGE = ("after the last PWL stage the maps are never read (_stage returns at once)")
_OPEN_TO_EXACT = ("a piece whose LP finds a radius above OPEN_RADIUS then gets the exact tier "
                  "without multipliers, which looks only for a constant row that fails; its "
                  "rows are LIVE or hold (else the piece is empty or unsure), so it finds none: "
                  "'open' as before")
_BRANCH_EARLY = ("the walk branches at the first unit instead of after the units all patterns "
                 "share there: a branch on one piece makes the same calls (_missing, then "
                 "_put, in the same order), one recursion level deeper")
_RECURSION_UP = ("a higher recursion limit than the walk needs (at most a few frames a unit)")
_FIRST_AFFINE = ("the stages before the first PWL stage are affine: extend reads no pattern "
                 "there")
_SUM_START = ("sum() from the integer 0 instead of Q(0): a Fraction plus an int is the same "
              "rational")
_Y_OBJECTS = ("the exact tier's multipliers come as an object array of rationals "
              "(rational_weights): asarray keeps it")
_Y_FLOAT = ("the float multipliers come as a float64 array (the LP's duals): asarray keeps "
            "it")
_M_NONE_RAISES = ("with no map, unit_rows raises before the size is read")
_BOTH_NONE_EXACT = ("a map's error bounds EA and Ec are both None (exact) or both arrays")
_EMPTY_OVERRIDES = ("the next line marks EMPTY every zero row this adds to HOLDS (h < 0, or "
                    "h = 0 on a strict row), so the classes are the same")

EQUIVALENT: dict[str, tuple[str, str]] = {
    # bounds/formulas.py
    "regioncount.bounds.formulas.x__arora_shape__mutmut_14": (
        "else 3", "the default width of a one-layer network enters only as w ** 0"),
    "regioncount.bounds.formulas.x_check_arch__mutmut_10": (
        "'XX-XX'.join", "the separator of a message about fewer than two entries: never used"),
    "regioncount.bounds.formulas.x_zaslavsky_one_layer__mutmut_17": (
        "min(int(ranks[0]), n0, )", "C(n1, j) = 0 for j > n1, so the cap by n1 adds nothing"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_40": (
        "small = [1] * (K + 2)", "one more table entry, never read (e <= K)"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_54": (
        "bsum = [0] * (K + 3)", "one more table entry, never read (t <= K)"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_66": (
        "suffix = [0] * (D + 3)", "one more zero entry, never read (lo <= D)"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_74": (
        "range(D, -2, -1)", "the extra step writes suffix[-1] = suffix[D + 1], never read"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_89": (
        "new = [0] * (min(D, n) + 2)", "a trailing zero in the histogram adds 0 regions and "
        "contributes nothing downstream (every term is a multiple of a histogram entry)"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_105": (
        "t >= 0 or hist[d]", "t = min(d, c, n - d) >= 0 always, and hist[d] = 0 adds 0"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_108": (
        "new[d] = hist[d]", "new[d] is still 0 there: each d is visited once, before the "
        "second loop"),
    "regioncount.bounds.formulas.x_hinz_histogram_upper__mutmut_119": (
        "range(min(D, n) + 2)", "the extra e has j = n - e < 0 or lo > D and is skipped"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_64": (
        "(dims[L] + 2)", "one more entry of R(L + 1, .), never read (d <= D_L)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_87": (
        "min(u, rk[l], )", "the cap by D only shortens the tables: j > D never enters "
        "R(l, d) for d <= D (values equal, tables longer)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_92": (
        "binom = [1] * (c + 2)", "one more table entry, never read (j <= c)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_106": (
        "bsum = [0] * (c + 3)", "one more table entry, never read (t1 <= c)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_109": (
        "gsum = [1] * (c + 2)", "shifts every prefix sum by 1; only differences "
        "gsum[hi + 1] - gsum[lo] are read"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_111": (
        "gsum = [0] * (c + 3)", "one more table entry, never read (hi <= c)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_126": (
        "if m - j <= Dn else 1", "the else branch is taken only when m - j > D_{l+1}, for j "
        "below every lo = max(m - d + 1, 0) of a prefix-sum difference that is read"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_133": (
        "cur = [1] * (D + 1)", "every entry read is overwritten first (the first layer "
        "returns only cur[n0])"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_135": (
        "cur = [0] * (D + 2)", "one more entry of R(l, .), never read (d <= D_l)"),
    "regioncount.bounds.formulas.x_serra_recursion__mutmut_137": (
        "(l) or True", "evaluates the first layer at every d <= n0 instead of only n0; "
        "only R(1, n0) is returned"),
    # intervals.py
    "regioncount.intervals.x_make_bounds__mutmut_7": (
        "else -2", "stage_input of a stage that is not PWL is only compared with 0 "
        "(NeuronBounds.pre refuses i < 0); -1 and -2 behave alike"),
    # enumeration/milp_count.py
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_4": (
        "last = 0, 1.0", "the first progress report waits until the monotonic clock passes "
        "1.5 s instead of 0.5 s: both long past on a running system"),
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_29": (
        ">= tol.REGION_MARGIN", "differs only when the best margin equals REGION_MARGIN (1e-9) "
        "exactly, to the last bit"),
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_36": (
        "np.asarray(p, None)", "the recorded pattern is cast to int32 again when the result's "
        "array is built (the no-good cut reads the solver's own pattern)"),
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_38": (
        "np.asarray(p, )", "the recorded pattern is cast to int32 again when the result's "
        "array is built (the no-good cut reads the solver's own pattern)"),
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_41": (
        "np.asarray(sol.x[enc.input_cols], None)", "the solver's x is a float64 array already"),
    "regioncount.enumeration.milp_count.x__nogood_loop__mutmut_43": (
        "np.asarray(sol.x[enc.input_cols], )", "the solver's x is a float64 array already"),
    "regioncount.enumeration.milp_count.x__per_class__mutmut_14": (
        "reshape(len(X), -2)", "numpy's reshape takes any negative size as the one unknown "
        "dimension"),
    "regioncount.enumeration.milp_count.x__ties_possible__mutmut_20": (
        "np.asarray(W, None)",
        "the dtype of the row signatures: every row is cut from the one array np.hstack builds,"
        " in one common dtype, so equal rows stay equal and distinct rows distinct"),
    "regioncount.enumeration.milp_count.x__ties_possible__mutmut_22": (
        "np.asarray(W, )",
        "the dtype of the row signatures: every row is cut from the one array np.hstack builds,"
        " in one common dtype, so equal rows stay equal and distinct rows distinct"),
    "regioncount.enumeration.milp_count.x__ties_possible__mutmut_24": (
        "np.asarray(src.bias, None)",
        "the dtype of the row signatures: every row is cut from the one array np.hstack builds,"
        " in one common dtype, so equal rows stay equal and distinct rows distinct"),
    "regioncount.enumeration.milp_count.x__ties_possible__mutmut_26": (
        "np.asarray(src.bias, )",
        "the dtype of the row signatures: every row is cut from the one array np.hstack builds,"
        " in one common dtype, so equal rows stay equal and distinct rows distinct"),
    # enumeration/units.py
    "regioncount.enumeration.units.xǁStageMapǁ__init____mutmut_16": (
        "\"IJ,IJ->I\"",
        "einsum subscripts in capitals: the same contraction"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_55": (
        "\"IJ,IJ->I\"",
        "einsum subscripts in capitals: the same contraction"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_90": (
        "\"IJ,IJ->I\"",
        "einsum subscripts in capitals: the same contraction"),
    "regioncount.enumeration.units.xǁUnitPlanǁ__init____mutmut_4": (
        "np.asarray(lo, None)",
        "the domain's lo is a float64 array already (Domain converts it)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ__init____mutmut_6": (
        "np.asarray(lo, )",
        "the domain's lo is a float64 array already (Domain converts it)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ__init____mutmut_9": (
        "np.asarray(hi, None)",
        "the domain's hi is a float64 array already (Domain converts it)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ__init____mutmut_11": (
        "np.asarray(hi, )",
        "the domain's hi is a float64 array already (Domain converts it)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_1": (
        "got = None",
        "disables the memo of the affine maps: _map is a pure function of the decided pattern, "
        "the same maps are recomputed (more work; the same result, LPs included)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_2": (
        "maps.get(None)",
        "disables the memo of the affine maps: the same maps are recomputed (more work; the "
        "same result, LPs included)"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_91": (
        "maps[i] = None",
        "stores an empty memo entry, read back as a miss: the maps are recomputed (more work; "
        "the same result, LPs included); nothing else reads this dict"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_68": (
        "self._map(s.inputs[0], None, maps)",
        "the input of a PWL stage was mapped when the stage before it was decided (the search "
        "maps stages in order), so this call only hits the memo and never reads the pattern"),
    "regioncount.enumeration.units.xǁStageMapǁ__init____mutmut_1": (
        "self.plan = None",
        "StageMap.plan is never read after __init__"),
    "regioncount.enumeration.units.xǁStageMapǁ__init____mutmut_25": (
        "Ap = np.maximum(A, 1.0)",
        "lb and ub are read only by the region tree's Searcher, which builds its UnitPlan on the"
        " unit box (the slices read only A and c): with lo = 0 the lower bound is unchanged and"
        " the upper one only looser, then clipped by the interval bounds; a looser bound only"
        " sends a unit to the LP (same count)"),
    "regioncount.enumeration.units.xǁStageMapǁ__init____mutmut_34": (
        "lb = c - Ap @ plan.lo",
        "lb is read only by the region tree's Searcher, whose UnitPlan is on the unit box (the"
        " slices read only A and c): lo = 0 there, so Ap @ lo is 0 whatever its sign"),
    "regioncount.enumeration.units.xǁStageMapǁ__init____mutmut_36": (
        "- An @ plan.lo",
        "ub is read only by the region tree's Searcher, whose UnitPlan is on the unit box (the"
        " slices read only A and c): lo = 0 there, so An @ lo is 0 whatever its sign"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_15": (
        "np.array(s.bias, dtype=None)",
        "the biases that reach the tree are float: unit_box rebuilds the stages that read the"
        " input, and a deeper stage with an integer bias already fails in Network.evaluate"),
    "regioncount.enumeration.units.xǁUnitPlanǁ_map__mutmut_17": (
        "np.array(s.bias, )",
        "the biases that reach the tree are float: unit_box rebuilds the stages that read the"
        " input, and a deeper stage with an integer bias already fails in Network.evaluate"),
    # enumeration/search.py
    "regioncount.enumeration.search.xǁCountersǁmerge__mutmut_12": (
        "len(self.per_layer) <= len(other.per_layer)",
        "with lists of equal length the extension adds zero entries"),
    "regioncount.enumeration.search.xǁNodeǁ__init____mutmut_8": (
        "self.maps = None",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁ__init____mutmut_12": (
        "self.domain = None",
        "Searcher.domain is never read (the search reads lo, hi, center and fixed, taken from the "
        "unit-box domain before)"),
    "regioncount.enumeration.search.xǁSearcherǁ__init____mutmut_52": (
        "self.heuristic = None",
        "the switch is only tested for truth: None is off like False"),
    "regioncount.enumeration.search.xǁSearcherǁ__init____mutmut_54": (
        "self.feasibility = None",
        "the switch is only tested for truth: None is off like False"),
    "regioncount.enumeration.search.xǁSearcherǁchebyshev__mutmut_43": (
        "if not rr >= self.margin:",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁroot__mutmut_16": (
        "if not r >= self.margin:",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁroot__mutmut_26": (
        "None, None)",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁroot__mutmut_34": (
        "x, r, None, )",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁthaw__mutmut_41": (
        "float(r), None, None)",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁthaw__mutmut_49": (
        "float(r), None, )",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁthaw__mutmut_53": (
        "np.asarray(x, None)",
        "the frozen point is a float64 array already (Node.freeze copies it, a checkpoint reads it"
        " back with astype(float))"),
    "regioncount.enumeration.search.xǁSearcherǁthaw__mutmut_55": (
        "np.asarray(x, )",
        "the frozen point is a float64 array already (Node.freeze copies it, a checkpoint reads it"
        " back with astype(float))"),
    "regioncount.enumeration.search.xǁSearcherǁ_decide__mutmut_6": (
        "if s <= slack:",
        "the same minimum"),
    "regioncount.enumeration.search.xǁSearcherǁ_decide__mutmut_8": (
        "if slack >= margin:",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁ_decide__mutmut_20": (
        "if sl[k] >= margin:",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁ_decide__mutmut_35": (
        "if rr >= margin:",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁ_step_across__mutmut_3": (
        "self._kcache[1] is not keys",
        "the cache of the stacked rows never hits: they are rebuilt from the same keys (more work,"
        " the same point)"),
    "regioncount.enumeration.search.xǁSearcherǁ_step_across__mutmut_45": (
        "(d <= 0)",
        "also sets to 0 a direction entry that is 0 already"),
    "regioncount.enumeration.search.xǁSearcherǁ_step_across__mutmut_49": (
        "(d >= 0)",
        "also sets to 0 a direction entry that is 0 already"),
    "regioncount.enumeration.search.xǁSearcherǁ_step_across__mutmut_89": (
        "if sl[k] >= self.margin",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁ_slack__mutmut_5": (
        "if s <= m:",
        "the same minimum"),
    "regioncount.enumeration.search.xǁSearcherǁ_filter_pool__mutmut_2": (
        "if len(S) or rows:",
        "also filters the pool when no row is added: every pool entry already has a slack above "
        "the margin (admitted so, and filtered so by every earlier row), nothing is removed"),
    "regioncount.enumeration.search.xǁSearcherǁ_filter_pool__mutmut_10": (
        "ok = S >= self.margin",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁ_filter_pool__mutmut_13": (
        "if se >= self.margin",
        "differs only when a slack equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    "regioncount.enumeration.search.xǁSearcherǁexpand__mutmut_21": (
        "(maps is not None) and False",
        "always starts an empty memo of the affine maps (recomputed: more work, same result)"),
    "regioncount.enumeration.search.xǁSearcherǁexpand__mutmut_22": (
        "(maps is not None) or True",
        "maps is never None in expand: the root, thaw and _split all give a dict"),
    "regioncount.enumeration.search.xǁSearcherǁexpand__mutmut_24": (
        "dict(maps) if maps is None else {}",
        "maps is never None in expand (the root, thaw and _split give a dict): the memo of the "
        "affine maps starts empty at every stage (recomputed: more work, same result)"),
    "regioncount.enumeration.search.xǁSearcherǁexpand__mutmut_77": (
        "smap, None, pool), found)",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁexpand__mutmut_109": (
        "node.u = None",
        "a recorded node is not read again (_record reads its pattern, point, margin and keys)"),
    "regioncount.enumeration.search.xǁSearcherǁ_split__mutmut_70": (
        "smap, None,",
        "maps is only the memo of the affine maps: expand starts an empty one when it is None"),
    "regioncount.enumeration.search.xǁSearcherǁ_record__mutmut_10": (
        "(not math.isfinite(node.r)) and False",
        "r is infinite only at the root of a box never cut, whose point is the centre (nd = 0): no"
        " move"),
    "regioncount.enumeration.search.xǁSearcherǁ_record__mutmut_12": (
        "t = 1.5 if not math.isfinite(node.r)",
        "r is infinite only at the root of a box never cut, whose point is the centre (nd = 0): no"
        " move"),
    "regioncount.enumeration.search.xǁSearcherǁ_record__mutmut_30": (
        "if s <= m:",
        "the same minimum"),
    "regioncount.enumeration.search.xǁSearcherǁ_record__mutmut_50": (
        "> _CLASS_BATCH",
        "classifies in batches of 4097 points instead of 4096: the same classes"),
    "regioncount.enumeration.search.xǁSearcherǁflush__mutmut_12": (
        "reshape(len(X), -2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.search.xǁSearcherǁrun__mutmut_15": (
        "now - last > tick_every",
        "differs only when two readings of the monotonic clock are exactly tick_every apart"),
    # milp/encodings.py
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_3": (
        "np.asarray(c, None).ravel()",
        "the column indices are int64 and the coefficients float already"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_5": (
        "np.asarray(c, ).ravel()",
        "the column indices are int64 and the coefficients float already"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_7": (
        "np.asarray(v, None))",
        "the column indices are int64 and the coefficients float already"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_9": (
        "np.asarray(v, ))",
        "the column indices are int64 and the coefficients float already"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_11": (
        "r = terms[1][0].size",
        "every term contributes one entry per row: all the terms have the same size"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_34": (
        "shape=None)",
        "the inferred shape has the same rows (each row has an entry) and at most the model's "
        "columns, which the builder takes as its first columns"),
    "regioncount.milp.encodings.xǁRowsǁadd__mutmut_36": (
        "(rows, cols)), )",
        "the inferred shape has the same rows (each row has an entry) and at most the model's "
        "columns, which the builder takes as its first columns"),
    "regioncount.milp.encodings.xǁRowsǁadd_sparse__mutmut_3": (
        "shape=None)",
        "the inferred shape has the same rows (each row has an entry) and at most the model's "
        "columns, which the builder takes as its first columns"),
    "regioncount.milp.encodings.xǁRowsǁadd_sparse__mutmut_5": (
        "(rows, cols)), )",
        "the inferred shape has the same rows (each row has an entry) and at most the model's "
        "columns, which the builder takes as its first columns"),
    "regioncount.milp.encodings.x__relu_common__mutmut_3": (
        "astype(None)",
        "the slopes of the table are float already"),
    "regioncount.milp.encodings.x_relu_exact__mutmut_78": (
        "np.full((h.size, 2), -1, None)",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_relu_exact__mutmut_81": (
        "np.full((h.size, 2), -1, )",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_clip_exact__mutmut_80": (
        "np.full((s.size, 3), -1, None)",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_clip_exact__mutmut_83": (
        "np.full((s.size, 3), -1, )",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_max_exact__mutmut_77": (
        "np.full((s.size, K), -1, None)",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_max_exact__mutmut_80": (
        "np.full((s.size, K), -1, )",
        "np.full with the fill value -1 makes an int64 array already"),
    "regioncount.milp.encodings.x_clip_exact__mutmut_19": (
        "np.errstate(invalid=None)",
        "only which floating-point warnings are shown (the products with an absent, infinite "
        "breakpoint): the same values"),
    # milp/formulation.py
    "regioncount.milp.formulation.xǁEncodingǁ_binaries__mutmut_1": (
        "self.implied.get(None)",
        "for a ReLU-like unit the general path selects the same column (piece 0 has none, piece 1 "
        "its binary) with the same value"),
    "regioncount.milp.formulation.xǁEncodingǁ_binaries__mutmut_4": (
        "real = pc[u, 1] > 0",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁ_binaries__mutmut_5": (
        "real = pc[u, 1] >= 1",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁ_binaries__mutmut_16": (
        "real = sub > 0",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁ_binaries__mutmut_17": (
        "real = sub >= 1",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁfix_pattern__mutmut_4": (
        "bad = None",
        "the flag is only tested for truth: None is False"),
    "regioncount.milp.formulation.xǁEncodingǁfix_pattern__mutmut_35": (
        "np.any(pc[u, p[u]] <= 0)",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁfix_pattern__mutmut_36": (
        "np.any(pc[u, p[u]] < 1)",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁfix_pattern__mutmut_40": (
        "self._binaries(None, u, p[u], pc)",
        "for a ReLU-like unit the general path selects the same column (piece 0 has none, piece 1 "
        "its binary) with the same value"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_10": (
        "u = np.flatnonzero(st <= 0)",
        "also passes the units stable on piece 0 to _binaries, which has no column for them (their"
        " pieces are all -1): the same row"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_11": (
        "u = np.flatnonzero(st < 1)",
        "also passes the units stable on piece 0 to _binaries, which has no column for them (their"
        " pieces are all -1): the same row"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_13": (
        "self._binaries(None, u, p[u], pc)",
        "for a ReLU-like unit the general path selects the same column (piece 0 has none, piece 1 "
        "its binary) with the same value"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_39": (
        "np.zeros(0, None)",
        "an empty index array in another dtype: the same empty row"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_41": (
        "np.zeros(0, )",
        "an empty index array in another dtype: the same empty row"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_64": (
        "np.count_nonzero(coef <= 0)",
        "the coefficients are -1 and +1: <= 0 and < 0 count the same"),
    "regioncount.milp.formulation.xǁEncodingǁnogood__mutmut_65": (
        "np.count_nonzero(coef < 1)",
        "the coefficients are -1 and +1: < 1 and < 0 count the same"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_3": (
        "np.asarray(x_solution, dtype=None)",
        "the solution and the points are float arrays already"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_5": (
        "np.asarray(x_solution, )",
        "the solution and the points are float arrays already"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_8": (
        "p = st.astype(None).copy()",
        "the pattern is cast to the stage's pattern dtype at the end: the same integers"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_15": (
        "(x[pc[u, 1]] > 0.5).astype(None)",
        "booleans written into the integer pattern array: the same 0 and 1"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_27": (
        "np.where(cols > 0,",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_28": (
        "np.where(cols >= 1,",
        "a binary column is never column 0 (the input columns come first), so >= 0 and > 0 (or >= "
        "1) select the same columns"),
    "regioncount.milp.formulation.xǁEncodingǁpattern_from__mutmut_33": (
        "np.maximum(cols, 1)",
        "the index read for an absent piece; its value is replaced by -inf either way"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_3": (
        "np.asarray(x_input, dtype=None)",
        "the point goes to Network.forward and Network.pattern, which convert it to float"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_5": (
        "np.asarray(x_input, )",
        "the point goes to Network.forward and Network.pattern, which convert it to float"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_27": (
        "self.stable_piece[k] <= 0)",
        "also passes the units stable on piece 0 to _binaries, which has no column for them"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_28": (
        "self.stable_piece[k] < 1)",
        "also passes the units stable on piece 0 to _binaries, which has no column for them"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_30": (
        "self._binaries(None, u, p[u], self.piece_cols[k])",
        "for a ReLU-like unit the general path selects the same column (piece 0 has none, piece 1 "
        "its binary) with the same value"),
    "regioncount.milp.formulation.xǁEncodingǁstart__mutmut_66": (
        "(slack.size) or True",
        "inside the branch where the margin rows are not empty: slack.size > 0 already"),
    "regioncount.milp.formulation.x_encode__mutmut_37": (
        "cols=None)",
        "the input columns are the model's first columns, where a block without columns goes"),
    "regioncount.milp.formulation.x_encode__mutmut_41": (
        "domain.b, )",
        "the input columns are the model's first columns, where a block without columns goes"),
    "regioncount.milp.formulation.x__affine__mutmut_13": (
        "format=None)",
        "the storage format of the identity block only"),
    "regioncount.milp.formulation.x__affine__mutmut_15": (
        "sp.identity(s.size, )",
        "the storage format of the identity block only"),
    # network.py
    "regioncount.network.xǁNetworkǁaffine_maps__mutmut_10": (
        "np.asarray(x, None)",
        "the point goes to Network.pattern, whose _as_batch converts it to float again"),
    "regioncount.network.xǁNetworkǁaffine_maps__mutmut_12": (
        "np.asarray(x, )",
        "the point goes to Network.pattern, whose _as_batch converts it to float again"),
    "regioncount.network.xǁNetworkǁaffine_maps__mutmut_14": (
        "reshape(-2)", "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.network.xǁNetworkǁbackward__mutmut_62": (
        "(grads[0] is not None) or True",
        "grads[0] is never None: every stage reads an earlier one, so the output's gradient "
        "reaches the input along a chain of readers (an output at stage 0 is seeded directly)"),
    "regioncount.network.xǁNetworkǁbackward__mutmut_66": (
        "np.zeros_like(None)",
        "the branch for grads[0] None, never taken: every stage reads an earlier one, so the "
        "output's gradient reaches the input (an output at stage 0 is seeded directly)"),
    "regioncount.network.xǁNetworkǁevaluate__mutmut_16": (
        'vals[i] = ""',
        "frees the value with another placeholder: it was its last use, never read again"),
    "regioncount.network.xǁNetworkǁevaluate__mutmut_8": (
        "enumerate(self.stages[1:], )",
        "k is one less than the stage's index: no value is freed (an input's last use is at "
        "least its reader's index) and the loop stops one stage after the output, whose value "
        "is already computed; same output, more memory"),
    "regioncount.network.xǁNetworkǁ_last_use__mutmut_5": (
        "last[i] = None",
        "no value is freed (None never equals a stage index): same output, more memory"),
    "regioncount.network.xǁNetworkǁfrom_layers__mutmut_8": (
        "dtype=None)",
        "W0 is read only for its number of columns (the input size)"),
    "regioncount.network.xǁNetworkǁfrom_layers__mutmut_10": (
        "final[0], )",
        "W0 is read only for its number of columns (the input size)"),
    # enumeration/exact.py
    "regioncount.enumeration.exact.x__binary__mutmut_1": (
        "op = None",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_2": (
        "getattr(None, name)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_3": (
        "getattr(Fraction, None)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_4": (
        "getattr(name)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_5": (
        "getattr(Fraction, )",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_6": (
        "b = None",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_7": (
        "_q(None)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_8": (
        "is not NotImplemented",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_9": (
        "Q(None)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_10": (
        "op(None, b)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_11": (
        "op(a, None)",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_12": (
        "Q(op(b))",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_13": (
        "op(a, )",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__binary__mutmut_14": (
        "f.__name__ = None",
        "runs only at import, while the module builds Q's operators, before mutmut 3 "
        "activates a mutant (it forks the test process after the imports): never executed. "
        "The operators themselves are checked against Fraction arithmetic by "
        "test_q_arithmetic_stays_exact"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_3": (
        "dtype=None)",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_5": (
        "else W, )",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_19": (
        "e.astype(None) - 53",
        "the exponents as float64 instead of int64: small integers, exact in float64, and "
        "int() is taken before each shift"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_23": (
        "nz = mant != 1",
        "a nonzero mantissa has 53 bits (at least 2^52), so it is never 1; zeros then join "
        "the minimum exponent, which only lowers e0: M * 2^e0 stays exactly W (a zero "
        "mantissa shifted is still 0)"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_28": (
        "else 1",
        "all weights zero: every mantissa is 0, so the scale of the zero result does not "
        "matter"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_37": (
        "out.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_46": (
        "e - e0, 1)",
        "the shift of a zero mantissa: 0 << 1 is 0"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_48": (
        "0).reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x__dyadic__mutmut_52": (
        "mant.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_abs_matrix__mutmut_1": (
        "(sp.issparse(W)) and False",
        "np.abs of a scipy sparse matrix calls its __abs__: the same |W|"),
    "regioncount.enumeration.exact.x_abs_matrix__mutmut_2": (
        "(sp.issparse(W)) or True",
        "abs() of a numpy array is np.abs"),
    "regioncount.enumeration.exact.x_abs_matrix__mutmut_4": (
        "sp.issparse(None)",
        "np.abs of a scipy sparse matrix calls its __abs__: the same |W|"),
    "regioncount.enumeration.exact.x_exact__mutmut_5": (
        "dtype=None)",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_exact__mutmut_7": (
        "np.asarray(a, )",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_exact__mutmut_16": (
        "out.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact__mutmut_20": (
        "a.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_6": (
        "M.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_9": (
        "(flat.size) or True",
        "math.lcm() of no arguments is 1"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_11": (
        "else 2",
        "an empty M gives an empty product: the denominator divides nothing"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_20": (
        "Mi.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_37": (
        "P.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_40": (
        "out.reshape(-2)",
        "numpy's reshape takes any negative size as the one unknown dimension"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_52": (
        "if e > 0 else",
        "at e = 0 both branches give Q(v, den)"),
    "regioncount.enumeration.exact.x_exact_dot__mutmut_53": (
        "if e >= 1 else",
        "at e = 0 both branches give Q(v, den)"),
    "regioncount.enumeration.exact.x_no_underflow__mutmut_5": (
        "else v, None)",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_no_underflow__mutmut_7": (
        "else v, )",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_no_underflow__mutmut_31": (
        "min(np.log2(lo), 1.0)",
        "differs only when the smallest value is above 1, where both give a nonnegative left "
        "side, above -1000"),
    "regioncount.enumeration.exact.x_rational_weights__mutmut_7": (
        "np.asarray(y, None)",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_rational_weights__mutmut_9": (
        "np.asarray(y, )",
        "the dtype of an array only read as numbers: weights and coordinates reach it as "
        "float arrays, and integer arrays give the same values"),
    "regioncount.enumeration.exact.x_rational_weights__mutmut_15": (
        "else 1.0",
        "an empty y: the loop that reads top never runs"),
    # enumeration/classes.py
    "regioncount.enumeration.classes.x__classes__mutmut_19": (
        "least = e - np.maximum(D, 0) @ lo",
        "the box is the unit cube here (unit_box), so lo = 0 and every product with lo is 0"),
    "regioncount.enumeration.classes.x__classes__mutmut_24": (
        "np.maximum(D, 1) @ lo",
        "the box is the unit cube here (unit_box), so lo = 0 and every product with lo is 0"),
    "regioncount.enumeration.classes.x__classes__mutmut_30": (
        "if np.any(None):",
        "the test that rules a class out before its LP only saves the LP: a class ruled out "
        "on the whole box has no interior part, and the LP says so too (here: never ruled "
        "out)"),
    "regioncount.enumeration.classes.x__classes__mutmut_36": (
        "np.delete(least, c) > 1",
        "the test that rules a class out before its LP only saves the LP: a class ruled out "
        "on the whole box has no interior part, and the LP says so too (here: ruled out less "
        "often)"),
    "regioncount.enumeration.classes.x__classes__mutmut_64": (
        "np.linalg.norm(D, axis=None) == 0",
        "a row of zeros with an output above c is ruled out before (its least value is its "
        "offset, above 0), so the test only sees zero rows whose offset is not negative; the "
        "whole-matrix norm is 0 only when every row is zero, and then no offset is negative "
        "either"),
    "regioncount.enumeration.classes.x__classes__mutmut_66": (
        "np.linalg.norm(D, ) == 0",
        "a row of zeros with an output above c is ruled out before (its least value is its "
        "offset, above 0), so the test only sees zero rows whose offset is not negative; the "
        "whole-matrix norm is 0 only when every row is zero, and then no offset is negative "
        "either"),
    "regioncount.enumeration.classes.x__classes__mutmut_70": (
        "if np.any(None):",
        "unreachable: a zero row with an output above c is ruled out before, by its least "
        "value"),
    "regioncount.enumeration.classes.x__classes__mutmut_73": (
        "break                                  # an output above c",
        "unreachable: a zero row with an output above c is ruled out before, by its least "
        "value"),
    "regioncount.enumeration.classes.x__classes__mutmut_79": (
        "margin=None)",
        "the margin only lets the dual simplex stop early; the decision r > REGION_MARGIN is "
        "taken after the solve either way"),
    "regioncount.enumeration.classes.x__classes__mutmut_83": (
        "(G, h), )",
        "the margin only lets the dual simplex stop early; the decision r > REGION_MARGIN is "
        "taken after the solve either way"),
    "regioncount.enumeration.classes.x__classes__mutmut_96": (
        "lp.push(None, a, b)",
        "the row's key is bookkeeping: truncate(0) drops rows by position"),
    "regioncount.enumeration.classes.x__classes__mutmut_103": (
        ">= tol.REGION_MARGIN",
        "differs only when the radius equals REGION_MARGIN (1e-9) exactly, to the last bit"),
    # enumeration/lp.py
    "regioncount.enumeration.lp.x_new_highs__mutmut_7": (
        "cls = getattr(getattr(highspy, \"_core\", None), \"_Highs\", ) or highspy.Highs",
        "getattr without a default: the attribute exists in the highspy the project requires, "
        "so the same class"),
    "regioncount.enumeration.lp.x_new_highs__mutmut_12": (
        "cls = getattr(getattr(highspy, \"_core\", ), \"_Highs\", None) or highspy.Highs",
        "getattr without a default: highspy._core exists in the highspy the project requires"),
    "regioncount.enumeration.lp.x_new_highs__mutmut_18": (
        "if _BANNER_DONE:",
        "this highspy builds Highs objects silently (a fresh process building one writes "
        "nothing to stdout): swallowing fd 1 or not prints the same nothing"),
    "regioncount.enumeration.lp.x_new_highs__mutmut_20": (
        "_BANNER_DONE = None",
        "the banner guard stays down, so fd 1 is swallowed at every construction: more dup2 "
        "calls, no value differs"),
    "regioncount.enumeration.lp.x_new_highs__mutmut_21": (
        "_BANNER_DONE = False",
        "the banner guard stays down, so fd 1 is swallowed at every construction: more dup2 "
        "calls, no value differs"),
    "regioncount.enumeration.lp.x_new_highs__mutmut_24": (
        "h.setOptionValue(\"output_flag\", None)",
        "highspy casts None to the bool False: output_flag is off either way"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_10": (
        '("presolve", "OFF")',
        "HiGHS lower-cases string option values: 'OFF' sets 'off'"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_14": (
        '("solver", "SIMPLEX")',
        "HiGHS lower-cases string option values: 'SIMPLEX' sets 'simplex'"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_15": (
        '("XXsimplex_strategyXX", 1)',
        "simplex_strategy 1 (dual) is the default of a fresh Highs object: not setting it "
        "leaves 1"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_16": (
        '("SIMPLEX_STRATEGY", 1)',
        "simplex_strategy 1 (dual) is the default of a fresh Highs object: not setting it "
        "leaves 1"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_33": (
        "cost = np.zeros(n + 2)",
        "addCols reads n + 1 costs; the extra entry is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_39": (
        "clo = np.r_[np.asarray(lo, None), -inf]",
        "np.r_ with -inf gives a float array whatever the dtype of lo"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_41": (
        "clo = np.r_[np.asarray(lo, ), -inf]",
        "np.r_ with -inf gives a float array whatever the dtype of lo"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_45": (
        "chi = np.r_[np.asarray(hi, None), inf]",
        "np.r_ with inf gives a float array whatever the dtype of hi"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_47": (
        "chi = np.r_[np.asarray(hi, ), inf]",
        "np.r_ with inf gives a float array whatever the dtype of hi"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_55": (
        "None)",
        "the columns are added with no nonzeros: the value array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_68": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, None), np.zeros(0, np.int32),",
        "the columns are added with no nonzeros: the start array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_70": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, ), np.zeros(0, np.int32),",
        "the columns are added with no nonzeros: the start array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_71": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(1, np.int32), np.zeros(0, np.int32),",
        "the columns are added with no nonzeros: the start array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_73": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, np.int32), np.zeros(0, None),",
        "the columns are added with no nonzeros: the index array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_75": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, np.int32), np.zeros(0, ),",
        "the columns are added with no nonzeros: the index array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_76": (
        "h.addCols(n + 1, cost, clo, chi, 0, np.zeros(0, np.int32), np.zeros(1, np.int32),",
        "the columns are added with no nonzeros: the index array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_78": (
        "np.zeros(1))",
        "the columns are added with no nonzeros: the value array is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_92": (
        "self._idx = np.arange(n + 1, dtype=None)",
        "highspy casts index arrays to its integer type: the same indices"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ__init____mutmut_94": (
        "self._idx = np.arange(n + 1, )",
        "highspy casts index arrays to its integer type: the same indices"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁ_add__mutmut_4": (
        "vals = np.empty(self.n + 2)",
        "addRow reads n + 1 values; the extra entry is never read"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁpush_many__mutmut_13": (
        "starts = np.arange(0, m * (n + 1), n + 1, dtype=None)",
        "highspy casts the start array to its integer type: the same starts"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁpush_many__mutmut_17": (
        "starts = np.arange(0, m * (n + 1), n + 1, )",
        "highspy casts the start array to its integer type: the same starts"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁpush_many__mutmut_21": (
        "starts = np.arange(0, m * (n + 2), n + 1, dtype=np.int32)",
        "addRows reads the first m starts; the longer array has the same first m"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁpush_many__mutmut_49": (
        "self.h.addRows(m, np.full(m, -self.inf), np.asarray(b, None), m * (n + 1), starts,",
        "highspy casts the bound array to double: the same bounds"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁpush_many__mutmut_51": (
        "self.h.addRows(m, np.full(m, -self.inf), np.asarray(b, ), m * (n + 1), starts,",
        "highspy casts the bound array to double: the same bounds"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁset_feasibility__mutmut_36": (
        "h.changeColCost(n, 1.0)",
        "the cost of r, fixed at eps, only adds a constant to the objective (whose bound is off"
        " in this mode); a fixed column never enters the basis"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁtruncate__mutmut_13": (
        "self.h.deleteRows(extra, np.arange(first, first + extra, dtype=None))",
        "highspy casts index arrays to its integer type: the same rows deleted"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁtruncate__mutmut_16": (
        "self.h.deleteRows(extra, np.arange(first, first + extra, ))",
        "highspy casts index arrays to its integer type: the same rows deleted"),
    "regioncount.enumeration.lp.xǁChebyshevLPǁtruncate__mutmut_3": (
        "if extra >= 0:",
        "deleting zero rows is a no-op that keeps the basis (checked: the next solve takes 0 "
        "simplex iterations)"),
    # bounds/model.py
    "regioncount.bounds.model.x__domain_text__mutmut_20": (
        'getattr(domain, "A", )',
        "every Domain has the attribute A (None for a box): the default is never used"),
    "regioncount.bounds.model.x__independent_sets__mutmut_12": (
        "limit=limit, rank=None)", _SAME_RANK),
    "regioncount.bounds.model.x__independent_sets__mutmut_15": (
        "count_independent_rows(A.first_matrix, limit=limit, )", _SAME_RANK),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_14": (
        "if (rank is None) or True else rank", _SAME_RANK),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_29": (
        "np.asarray(W, dtype=None)", _DTYPE),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_31": (
        'np.asarray(W, )', _DTYPE),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_53": (
        'if (rows.shape[0]) and False else 0', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_54": (
        'if (rows.shape[0]) or True else 0', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_56": (
        'matrix_rank(rows)[1] if rows.shape[0] else 0', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_57": (
        'if rows.shape[1] else 0', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_58": (
        'if rows.shape[0] else 1', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_60": (
        'k = Q.shape[1]', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_62": (
        'rest = m + start', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_67": (
        'if k - rest <= r and', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_68": (
        'if k + rest < r and', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_72": (
        '== k - rest:', _SHORTCUT),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_82": (
        'if (k) and False else A[i].copy()', _REORTH),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_83": (
        'if (k) or True else A[i].copy()', _REORTH),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_84": (
        'v = A[i] + Q.T @ (Q @ A[i]) if k else A[i].copy()', _REORTH),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_86": (
        'v += Q.T @ (Q @ v) if k else 0.0', _REORTH),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_87": (
        'v -= Q.T @ (Q @ v) if (k) and False else 0.0', _REORTH),
    "regioncount.bounds.linalg.x_count_independent_rows__mutmut_88": (
        'v -= Q.T @ (Q @ v) if (k) or True else 0.0', _REORTH),
    # bounds/registry.py
    "regioncount.bounds.registry.xǁNamesǁ__missing____mutmut_3": (
        "if (key in DEPRECATED_NAMES) or True else key", "current_name of a name that is not "
        "deprecated is the name itself, without a warning (its doctest)"),
    # milp/tighten.py
    "regioncount.milp.tighten.xǁ_Runǁ_milp__mutmut_4": (
        'enc = self._encode(i, None, False)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_milp__mutmut_9": (
        'enc = self._encode(i, "XXmilpXX", False)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_milp__mutmut_10": (
        'enc = self._encode(i, "MILP", False)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_milp__mutmut_5": (
        'enc = self._encode(i, "milp", None)',
        "relax is only tested for truth (`if relax`): None builds the same exact MILP as False"),
    "regioncount.milp.tighten.xǁ_Runǁ_encode__mutmut_6": (
        '                      None)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_encode__mutmut_13": (
        'list(ib.lo[i - 1:])', _LATER),
    "regioncount.milp.tighten.xǁ_Runǁ_encode__mutmut_14": (
        'list(ib.lo[i + 2:])', _LATER),
    "regioncount.milp.tighten.xǁ_Runǁ_encode__mutmut_17": (
        'list(ib.hi[i - 1:])', _LATER),
    "regioncount.milp.tighten.xǁ_Runǁ_encode__mutmut_18": (
        'list(ib.hi[i + 2:])', _LATER),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_3": (
        'enc = self._encode(i, None, self.relax)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_8": (
        'enc = self._encode(i, "XXlpXX", self.relax)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_9": (
        'enc = self._encode(i, "LP", self.relax)', _LABEL),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_24": (
        'for sn in ("min", "XXmaxXX")', _NOT_MIN),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_25": (
        'for sn in ("min", "MAX")', _NOT_MIN),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_46": (
        'be.set_objective(obj, None)', _SENSE),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_48": (
        'be.set_objective(obj, )', _SENSE),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_49": (
        'be.set_objective(obj, "XXminXX")', _SENSE),
    "regioncount.milp.tighten.xǁ_Runǁ_lp__mutmut_50": (
        'be.set_objective(obj, "MIN")', _SENSE),
    "regioncount.milp.tighten.xǁ_Runǁ_milp__mutmut_22": (
        'self.domain.sample(2, 0)[0]', "the first of two points sampled with seed 0 is the one point sampled with seed 0 (the same stream, drawn in the same order)"),
    "regioncount.milp.tighten.xǁ_Runǁstage__mutmut_52": (
        'self.stage_secs.get(None, 0.0) + dt', "each PWL stage has one input, so stage_secs[k] is written once, from 0: the sum never has an earlier term"),
    "regioncount.milp.tighten.xǁ_Runǁresult__mutmut_39": (
        '[b for _, b in snap], None))', _SNAP_LABEL),
    "regioncount.milp.tighten.xǁ_Runǁresult__mutmut_44": (
        '[b for _, b in snap], "XXlpXX"))', _SNAP_LABEL),
    "regioncount.milp.tighten.xǁ_Runǁresult__mutmut_45": (
        '[b for _, b in snap], "LP"))', _SNAP_LABEL),
    # enumeration/unitbox.py
    "regioncount.enumeration.unitbox.x__fold__mutmut_3": (
        "bias = np.array(s.bias, dtype=None)", _UNIT_FLOAT),
    "regioncount.enumeration.unitbox.x__fold__mutmut_5": ("bias = np.array(s.bias, )", _UNIT_FLOAT),
    "regioncount.enumeration.unitbox.x__fold__mutmut_18": (
        "W = W @ sp.diags(scale) if (sp.issparse(W)) or True else W * scale[None, :]",
        "a dense W times the sparse diagonal is a dense array whose entry (i, j) "
        "is the one product W[i, j] * scale[j]: the same array, bit for bit"),
    "regioncount.enumeration.unitbox.x_unit_box__mutmut_86": (
        "lambda U: lo + np.asarray(U, None) * scale", _UNIT_INPUT),
    "regioncount.enumeration.unitbox.x_unit_box__mutmut_88": (
        "lambda U: lo + np.asarray(U, ) * scale", _UNIT_INPUT),
    # milp/model.py
    "regioncount.milp.model.x__broadcast__mutmut_16": (
        'if (a.size) or True else float(a))', _UNREACHED),
    "regioncount.milp.model.x__broadcast__mutmut_22": (
        'if a.size else float(None))', _UNREACHED),
    "regioncount.milp.model.x__broadcast__mutmut_19": (
        'float(a.reshape(+1)[0])', _ONE_VALUE),
    "regioncount.milp.model.x__broadcast__mutmut_20": (
        'float(a.reshape(-2)[0])', _ONE_VALUE),
    "regioncount.milp.model.xǁMilpModelǁviolation__mutmut_3": (
        'x = np.asarray(x, dtype=None)', _VIOLATION_X),
    "regioncount.milp.model.xǁMilpModelǁviolation__mutmut_5": (
        'x = np.asarray(x, )', _VIOLATION_X),
    "regioncount.milp.model.xǁMilpModelǁviolation__mutmut_35": (
        'initial=None))', _VIOLATION_INITIAL),
    "regioncount.milp.model.xǁMilpModelǁviolation__mutmut_37": (
        'v.append(np.max(np.abs(xi - np.round(xi)), ))', _VIOLATION_INITIAL),
    "regioncount.milp.model.xǁModelBuilderǁadd_rows__mutmut_8": (
        'c = A.col.astype(None)', _BUILD_CASTS),
    "regioncount.milp.model.xǁModelBuilderǁadd_rows__mutmut_11": (
        'cols = np.asarray(cols, dtype=None).ravel()', _BUILD_CASTS),
    "regioncount.milp.model.xǁModelBuilderǁadd_rows__mutmut_13": (
        'cols = np.asarray(cols, ).ravel()', _BUILD_CASTS),
    "regioncount.milp.model.xǁModelBuilderǁadd_rows__mutmut_30": (
        'self._rows.append(A.row[keep].astype(None) + self._m)', _BUILD_CASTS),
    "regioncount.milp.model.xǁModelBuilderǁadd_rows__mutmut_33": (
        'self._vals.append(A.data[keep].astype(None))', _BUILD_CASTS),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_19": (
        'sp.csr_matrix((cat(self._vals, None),', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_23": (
        '(cat(self._rows, None), cat(self._cols, np.int64))', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_27": (
        '(cat(self._rows, np.int64), cat(self._cols, None))', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_57": (
        'return MilpModel(cat(self._lb, None),', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_61": (
        'cat(self._ub, None), cat(self._int, bool)', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_69": (
        'self._sense, A, cat(self._rlb, None),', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_73": (
        'cat(self._rub, None), names)', _ASTYPE_NONE),
    "regioncount.milp.model.xǁModelBuilderǁbuild__mutmut_35": (
        'if (self._names is not None) or True else None', _NAMES_KEPT),
    "regioncount.milp.model.xǁModelBuilderǁset_objective__mutmut_7": (
        'cols = np.asarray(cols, dtype=None).ravel()', _OBJECTIVE_COLS),
    "regioncount.milp.model.xǁModelBuilderǁset_objective__mutmut_9": (
        'cols = np.asarray(cols, ).ravel()', _OBJECTIVE_COLS),
    # enumeration/checkpoint.py, enumeration/vertex_checkpoint.py
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_124": (
        'reshape(-2, units)', _NEG_RESHAPE),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_62": (
        '"node_r": np.array([f[4] for f in frozen_nodes], dtype=None)', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_64": (
        '"node_r": np.array([f[4] for f in frozen_nodes], )', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_73": (
        'dtype=None).reshape(k, inputs)', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_75": (
        ').reshape(k, inputs)', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_77": (
        'np.asarray(f[3], None) for f in frozen_nodes', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__arrays__mutmut_79": (
        'np.asarray(f[3], ) for f in frozen_nodes', _FLOATS_IN),
    "regioncount.enumeration.checkpoint.x__check_arrays__mutmut_108": (
        'p.dtype.kind not in "XXiuXX"', _KIND_LETTERS),
    "regioncount.enumeration.checkpoint.x_fingerprint__mutmut_59": (
        'h.update(np.ascontiguousarray(v, dtype=None).tobytes())', _DOMAIN_FLOAT),
    "regioncount.enumeration.checkpoint.x_fingerprint__mutmut_61": (
        'h.update(np.ascontiguousarray(v, ).tobytes())', _DOMAIN_FLOAT),
    "regioncount.enumeration.checkpoint.x_load_arrays__mutmut_3": (
        'z = np.load(path, allow_pickle=None)', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.checkpoint.x_load_arrays__mutmut_5": (
        'z = np.load(path, )', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.checkpoint.x_load_arrays__mutmut_8": (
        'raise ValueError(None)', _TYPE_NAME_ONLY),
    "regioncount.enumeration.checkpoint.x_load_arrays__mutmut_9": (
        'raise ValueError("XXa single arrayXX")', _TYPE_NAME_ONLY),
    "regioncount.enumeration.checkpoint.x_load_arrays__mutmut_10": (
        'raise ValueError("A SINGLE ARRAY")', _TYPE_NAME_ONLY),
    "regioncount.enumeration.checkpoint.x_read_checkpoint__mutmut_64": (
        'data["node_x"][i].astype(None)', _FLOATS_IN),
    "regioncount.enumeration.vertex_checkpoint.xǁVertexCheckpointǁwrite__mutmut_54": (
        '"box_lo": np.array([b[0] for b in boxes], None)', _FLOATS_IN),
    "regioncount.enumeration.vertex_checkpoint.xǁVertexCheckpointǁwrite__mutmut_56": (
        '"box_lo": np.array([b[0] for b in boxes], )', _FLOATS_IN),
    "regioncount.enumeration.vertex_checkpoint.xǁVertexCheckpointǁwrite__mutmut_65": (
        '"box_hi": np.array([b[1] for b in boxes], None)', _FLOATS_IN),
    "regioncount.enumeration.vertex_checkpoint.xǁVertexCheckpointǁwrite__mutmut_67": (
        '"box_hi": np.array([b[1] for b in boxes], )', _FLOATS_IN),
    "regioncount.enumeration.vertex_checkpoint.xǁVertexCheckpointǁwrite__mutmut_71": (
        'np.int64).reshape(None)}', _RESHAPE_NONE),
    # enumeration/slices.py
    "regioncount.enumeration.slices.x__labels__mutmut_16": (
        'reshape(len(pts), -2)', _NEG_RESHAPE),
    "regioncount.enumeration.slices.x_count_slice__mutmut_72": (
        'np.int32).reshape(len(cells), -2)', _NEG_RESHAPE),
    "regioncount.enumeration.slices.x_count_slice__mutmut_68": (
        'pats = np.array([c.pattern for c in cells], None)', _SLICE_PATTERNS),
    "regioncount.enumeration.slices.x_count_slice__mutmut_70": (
        'pats = np.array([c.pattern for c in cells], )', _SLICE_PATTERNS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_3": (
        'origin = np.asarray(origin, None).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_5": (
        'origin = np.asarray(origin, ).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_8": (
        'd = np.asarray(direction, None).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_10": (
        'd = np.asarray(direction, ).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_3": (
        'origin = np.asarray(origin, None).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_5": (
        'origin = np.asarray(origin, ).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_9": (
        'np.asarray(u, None).ravel(), np.asarray(v, float)', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_11": (
        'np.asarray(u, ).ravel(), np.asarray(v, float)', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_13": (
        'np.asarray(u, float).ravel(), np.asarray(v, None)', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_15": (
        'np.asarray(u, float).ravel(), np.asarray(v, ).ravel()', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_24": (
        '[s0, t1]], None)', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_26": (
        '[s0, t1]], )', _SLICE_INTS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_52": (
        'if a >= 0:', _ZERO_ROW),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_93": (
        '[pat, I[1][0], I[1][0]])', _ORDERED_CELLS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_98": (
        'g[2] = min(g[1], I[0][0])', _ORDERED_CELLS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_104": (
        'g[1] = min(g[1], I[1][0])', _ORDERED_CELLS),
    "regioncount.enumeration.slices.x_slice_regions_1d__mutmut_121": (
        'key=lambda g: g[2])', _ORDERED_CELLS),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_71": (
        'if abs(_area(p)) < 0:', _NO_FLAT_CELL),
    "regioncount.enumeration.slices.x_slice_regions_2d__mutmut_73": (
        'break', _NO_FLAT_CELL),
    # enumeration/vertex_record.py
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_6": (
        'k = max(2, math.ceil(rows * (2 * w + _BUCKET_ROW) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_9": (
        'k = max(1, math.ceil(rows / (2 * w + _BUCKET_ROW) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_10": (
        'k = max(1, math.ceil(rows * (2 * w - _BUCKET_ROW) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_11": (
        'k = max(1, math.ceil(rows * (2 / w + _BUCKET_ROW) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_12": (
        'k = max(1, math.ceil(rows * (3 * w + _BUCKET_ROW) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_17": (
        'k = max(1, math.ceil(rows * (2 * w + _BUCKET_ROW) / max(2, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_6": (
        'k = max(2, math.ceil(rows * (2 * width + _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_9": (
        'k = max(1, math.ceil(rows / (2 * width + _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_10": (
        'k = max(1, math.ceil(rows * (2 * width + _BUCKET_ROW - _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_11": (
        'k = max(1, math.ceil(rows * (2 * width - _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_12": (
        'k = max(1, math.ceil(rows * (2 / width + _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_13": (
        'k = max(1, math.ceil(rows * (3 * width + _BUCKET_ROW + _ROW_EXTRA) / max(1, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_18": (
        'k = max(1, math.ceil(rows * (2 * width + _BUCKET_ROW + _ROW_EXTRA) / max(2, room)))', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_10": (
        'cap = max(2, room // (2 * todo[-1] + _BUCKET_ROW))     # rows of one bucket', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_11": (
        'cap = max(1, room / (2 * todo[-1] + _BUCKET_ROW))     # rows of one bucket', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_13": (
        'cap = max(1, room // (2 / todo[-1] + _BUCKET_ROW))     # rows of one bucket', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_14": (
        'cap = max(1, room // (3 * todo[-1] + _BUCKET_ROW))     # rows of one bucket', _SIZING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_17": (
        'of = None', _PACKING),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_19": (
        'of = _pack_bins(blocks, None, math.ceil(rows / cap), cap)', _PACKING),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_13": (
        'hist = np.bincount(buckets(blk[:, :w], nb), minlength=nb)', _PACKING),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_25": (
        'if hist.max(initial=0) >= cap:', _PACKING),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_32": (
        'for i in np.argsort(-hist, kind=None):', _PACKING),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_34": (
        'for i in np.argsort(-hist, ):', _PACKING),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_37": (
        'for i in np.argsort(-hist, kind="STABLE"):', _PACKING),
    "regioncount.enumeration.vertex_record.x_buckets__mutmut_21": (
        'step = max(2, _BLOCK // (8 * P.shape[1]))', _STEPS),
    "regioncount.enumeration.vertex_record.x_buckets__mutmut_24": (
        'step = max(1, _BLOCK // (9 * P.shape[1]))', _STEPS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_37": (
        'step = max(2, _BLOCK // max(1, 2 * B.shape[1]))', _STEPS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_43": (
        'step = max(1, _BLOCK // max(2, 2 * B.shape[1]))', _STEPS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_45": (
        'step = max(1, _BLOCK // max(1, 3 * B.shape[1]))', _STEPS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_52": (
        'for s in range(0, n - 1, ):', _STEPS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_54": (
        'for s in range(0, n + 1, step):', _STEPS),
    "regioncount.enumeration.vertex_record.xǁSpillǁstep__mutmut_11": (
        'return max(1, _BLOCK // max(2, self.width))', _STEPS),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_33": (
        'for b in range(int(of.max(initial=None)) + 1):', _EMPTY_BUCKET),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_34": (
        'for b in range(int(of.max(initial=1)) + 1):', _EMPTY_BUCKET),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_35": (
        'for b in range(int(of.max(initial=0)) + 2):', _EMPTY_BUCKET),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_81": (
        'return tuple(out.get(w, None) for w in widths)', _EVERY_WIDTH),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_83": (
        'return tuple(out.get(w, ) for w in widths)', _EVERY_WIDTH),
    "regioncount.enumeration.vertex_record.x_distinct_prefixes__mutmut_84": (
        'return tuple(out.get(w, 1) for w in widths)', _EVERY_WIDTH),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_12": (
        'order = np.argsort(B.view(np.dtype((np.void, B.shape[1]))).ravel(), kind=None) \\', _SORT_KIND),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_14": (
        'order = np.argsort(B.view(np.dtype((np.void, B.shape[1]))).ravel(), ) \\', _SORT_KIND),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_19": (
        'order = np.argsort(B.view(np.dtype((np.void, B.shape[1]))).ravel(), kind="STABLE") \\', _SORT_KIND),
    "regioncount.enumeration.vertex_record.x__gather__mutmut_12": (
        'return np.concatenate(parts) if parts else np.zeros((0, wide), None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__gather__mutmut_14": (
        'return np.concatenate(parts) if parts else np.zeros((0, wide), )', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_35": (
        'sub = np.concatenate(parts) if parts else np.zeros((0, w), None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__one_width__mutmut_37": (
        'sub = np.concatenate(parts) if parts else np.zeros((0, w), )', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_10": (
        'hist = np.zeros(nb, None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_12": (
        'hist = np.zeros(nb, )', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x_buckets__mutmut_39": (
        'h = (P[s:s + step].astype(np.uint64) * mult).sum(axis=1, dtype=None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x_buckets__mutmut_41": (
        'h = (P[s:s + step].astype(np.uint64) * mult).sum(axis=1, )', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x_buckets__mutmut_48": (
        'out[s:s + step] = ((h >> np.uint64(17)) % np.uint64(k)).astype(None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_25": (
        'first = np.full(n - 1, B.shape[1], None)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_28": (
        'first = np.full(n - 1, B.shape[1], )', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__write_rows__mutmut_22": (
        'np.ascontiguousarray(p, None).tofile(f)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__write_rows__mutmut_24": (
        'np.ascontiguousarray(p, ).tofile(f)', _SAME_NUMBERS),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_23": (
        'if hist.max(initial=None) > cap:', _NONEMPTY_HIST),
    "regioncount.enumeration.vertex_record.x__pack_bins__mutmut_24": (
        'if hist.max(initial=1) > cap:', _NONEMPTY_HIST),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_29": (
        'first = np.full(n + 1, B.shape[1], np.uint16)', _FIRST_LONGER),
    "regioncount.enumeration.vertex_record.x_prefix_counts__mutmut_10": (
        'if (B.shape[1]) or True else np.arange(n)', _NO_BYTES),
    "regioncount.enumeration.vertex_record.x__rows_of__mutmut_4": (
        'a = np.load(path, mmap_mode="r", allow_pickle=None)', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.vertex_record.x__rows_of__mutmut_7": (
        'a = np.load(path, mmap_mode="r", )', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.vertex_record.x__side_ok__mutmut_2": (
        'with np.load(side, allow_pickle=None) as z:', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.vertex_record.x__side_ok__mutmut_4": (
        'with np.load(side, ) as z:', _NO_PICKLE_DEFAULT),
    "regioncount.enumeration.vertex_record.x__rows_of__mutmut_3": (
        'a = np.load(path, mmap_mode=None, allow_pickle=False)', _MMAP),
    "regioncount.enumeration.vertex_record.x__rows_of__mutmut_6": (
        'a = np.load(path, allow_pickle=False)', _MMAP),
    "regioncount.enumeration.vertex_record.xǁSpillǁ__del____mutmut_4": (
        'if os.path.isdir(getattr(self, "dir", None)):', _DEL_DEFAULT),
    "regioncount.enumeration.vertex_record.xǁSpillǁ__del____mutmut_7": (
        'if os.path.isdir(getattr(self, "dir", )):', _DEL_DEFAULT),
    "regioncount.enumeration.vertex_record.xǁSpillǁ__del____mutmut_10": (
        'if os.path.isdir(getattr(self, "dir", "XXXX")):', _DEL_DEFAULT),
    "regioncount.enumeration.vertex_record.x_distinct_rows__mutmut_33": (
        'break', _NO_BLOCKS),
    "regioncount.enumeration.vertex_record.x__rows_of__mutmut_10": (
        'a = np.load(path, mmap_mode="r", allow_pickle=True)', _NO_MMAP_OBJECTS),
    "regioncount.enumeration.vertex_record.xǁSpillǁadopt__mutmut_13": ("_unlink(None, side)", _WORKER_FOLDER),
    "regioncount.enumeration.vertex_record.xǁSpillǁadopt__mutmut_14": ("_unlink(path, None)", _WORKER_FOLDER),
    "regioncount.enumeration.vertex_record.xǁSpillǁadopt__mutmut_15": ("_unlink(side)", _WORKER_FOLDER),
    "regioncount.enumeration.vertex_record.xǁSpillǁadopt__mutmut_16": ("_unlink(path, )", _WORKER_FOLDER),
    # enumeration/vertex.py
    'regioncount.enumeration.vertex.x_split_all__mutmut_4': (
        'np.atleast_2d(np.asarray(La, None))', _VX_DIV),
    'regioncount.enumeration.vertex.x_split_all__mutmut_6': (
        'np.atleast_2d(np.asarray(La, ))', _VX_DIV),
    'regioncount.enumeration.vertex.x_split_all__mutmut_8': (
        'np.asarray(Lb, None).ravel()', _VX_DIV),
    'regioncount.enumeration.vertex.x_split_all__mutmut_10': (
        'np.asarray(Lb, ).ravel()', _VX_DIV),
    'regioncount.enumeration.vertex.x_split_all__mutmut_30': (
        'Z = np.zeros((len(cell.V), words), None)', _VX_ONE_WORD),
    'regioncount.enumeration.vertex.x_split_all__mutmut_32': (
        'Z = np.zeros((len(cell.V), words), )', _VX_ONE_WORD),
    'regioncount.enumeration.vertex.x_split_all__mutmut_52': (
        '[len(cell.E)], [1])', _VX_ANC),
    'regioncount.enumeration.vertex.x_split_all__mutmut_73': (
        'La[i:i + 2]', _VX_FIRST_ROWS),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_7': (
        'np.asarray(lo, None)', _VX_ASTYPE),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_9': (
        'np.asarray(lo, )', _VX_ASTYPE),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_16': (
        'np.asarray(hi, None)', _VX_ASTYPE),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_18': (
        'np.asarray(hi, )', _VX_ASTYPE),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_28': (
        '(3 * d + 63) // 64', _VX_CUBE_WORDS),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_29': (
        '(2 * d + 64) // 64', _VX_CUBE_WORDS),
    'regioncount.enumeration.vertex.x_unit_cube__mutmut_30': (
        '(2 * d + 63) // 65', _VX_CUBE_WORDS),
    'regioncount.enumeration.vertex.x__candidate_lines__mutmut_43': (
        'np.asarray(a, None).tobytes()', _VX_FLOAT_ROWS),
    'regioncount.enumeration.vertex.x__candidate_lines__mutmut_45': (
        'np.asarray(a, ).tobytes()', _VX_FLOAT_ROWS),
    'regioncount.enumeration.vertex.x__max_maps__mutmut_37': (
        'np.take_along_axis(c, rows, )', _VX_TAKE_AXIS),
    'regioncount.enumeration.vertex.x__elementwise_maps__mutmut_7': (
        'np.where(None, 0.0, c * s)', _VX_ZERO_SLOPE),
    'regioncount.enumeration.vertex.xǁ_Countǁ_chebyshev__mutmut_27': (
        '+ [(None, 1.0)], )', _VX_HIGHS),
    'regioncount.enumeration.vertex.xǁ_Countǁ_chebyshev__mutmut_43': (
        'method="HIGHS"', _VX_HIGHS),
    'regioncount.enumeration.vertex.xǁ_Countǁ_chebyshev__mutmut_41': (
        '[(None, 2.0)]', _VX_CAP),
    'regioncount.enumeration.vertex.xǁ_Countǁ_recentre__mutmut_20': (
        'B[r:r + 2], got[0]', _VX_VERIFY_ROWS),
    'regioncount.enumeration.vertex.xǁ_Countǁ_recentre__mutmut_72': (
        'B[r:r + 2], x[None, :])[0][0]', _VX_VERIFY_ROWS),
    'regioncount.enumeration.vertex.xǁ_Countǁ_recentre__mutmut_75': (
        'U[r] = None', _VX_BOOL_NONE),
    'regioncount.enumeration.vertex.x__line_rows__mutmut_8': (
        'Aeff[:, st.col, :] / st.val', _VX_UNIT_VAL),
    'regioncount.enumeration.vertex.x__line_rows__mutmut_11': (
        'c[:, st.col] / st.val', _VX_UNIT_VAL),
    'regioncount.enumeration.vertex.x__line_rows__mutmut_32': (
        'reshape(st.nin, -2)', _VX_RESHAPE),
    'regioncount.enumeration.vertex.x__line_rows__mutmut_53': (
        'T[..., d] -= st.beta', _VX_MAX_BETA),
    'regioncount.enumeration.vertex.x__by_size__mutmut_4': (
        'np.argsort(vn, kind=None)', _VX_ORDER),
    'regioncount.enumeration.vertex.x__by_size__mutmut_6': (
        'np.argsort(vn, )', _VX_ORDER),
    'regioncount.enumeration.vertex.x__by_size__mutmut_8': (
        'kind="STABLE"', _VX_ORDER),
    'regioncount.enumeration.vertex.x_build_table__mutmut_34': (
        '"NUD,NUD->NU"', _VX_EINSUM),
    'regioncount.enumeration.vertex.x_build_table__mutmut_64': (
        '"NLD,NLD->NL"', _VX_EINSUM),
    'regioncount.enumeration.vertex.x_build_table__mutmut_67': (
        'if (norms.shape[1]) or True else', _VX_NO_INPUTS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_71': (
        'np.zeros(None)', _VX_NO_INPUTS),
    'regioncount.enumeration.vertex.xǁ_Planǁ_affine__mutmut_69': (
        '"NUD,NUD->NU"', _VX_EINSUM),
    'regioncount.enumeration.vertex.xǁ_Planǁstage_map__mutmut_42': (
        '"NUD,NUD->NU"', _VX_EINSUM),
    'regioncount.enumeration.vertex.xǁ_Planǁstage_map__mutmut_1': (
        'got = None', _VX_CACHE),
    'regioncount.enumeration.vertex.xǁ_Planǁstage_map__mutmut_2': (
        'maps.get(None)', _VX_CACHE),
    'regioncount.enumeration.vertex.xǁ_Planǁstage_map__mutmut_18': (
        'self.stage_map(s.inputs[0], None, maps)', _VX_INPUT_P),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_13': (
        'cs.vs[:n], ) / cs.vn', _VX_REDUCEAT),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_33': (
        '"NUD,ND->NU"', _VX_EINSUM),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_42': (
        'self.record(cs, P, t, None)', _VX_MEANS),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_46': (
        'self.record(cs, P, t, )', _VX_MEANS),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_70': (
        'if (len(m) > 1) or True else m', _VX_SHARED_MAP),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_71': (
        'if len(m) >= 1 else m', _VX_SHARED_MAP),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_74': (
        'part = cs if (n <= CHUNK_CELLS) and False', _VX_TAKE),
    'regioncount.enumeration.vertex.xǁ_Countǁfinish_stage__mutmut_76': (
        'part = cs if n < CHUNK_CELLS', _VX_TAKE),
    'regioncount.enumeration.vertex.x__touching__mutmut_18': (
        'cs.vs[:cs.nc], )', _VX_REDUCEAT),
    'regioncount.enumeration.vertex.x_verify__mutmut_15': (
        'range(0, len(X), )', _VX_BLOCKS),
    'regioncount.enumeration.vertex.x_verify__mutmut_20': (
        'X[a:a + 8193]', _VX_BLOCKS),
    'regioncount.enumeration.vertex.x_verify__mutmut_30': (
        'p.reshape(n, -2)', _VX_RESHAPE),
    'regioncount.enumeration.vertex.x_verify__mutmut_67': (
        '.reshape(n, -2)', _VX_RESHAPE),
    'regioncount.enumeration.vertex.x_verify__mutmut_32': (
        'net.region_pattern(x, None)', _VX_RECOMPUTE),
    'regioncount.enumeration.vertex.x_verify__mutmut_34': (
        'net.region_pattern(x, )', _VX_RECOMPUTE),
    'regioncount.enumeration.vertex.x_verify__mutmut_44': (
        'np.zeros((n, 1))', _VX_NO_PWL),
    'regioncount.enumeration.vertex.xǁ_Countǁ_coefficients__mutmut_18': (
        'range(len(plan.stages) - 1, -2, -1)', _VX_EXTRA_PASS),
    'regioncount.enumeration.vertex.xǁ_Countǁcertify__mutmut_25': (
        '"IJ,IJ->I"', _VX_EINSUM),
    'regioncount.enumeration.vertex.xǁ_Countǁcertify__mutmut_65': (
        'ok[i] = None', _VX_BOOL_NONE),
    'regioncount.enumeration.vertex.xǁ_Countǁrecord__mutmut_10': (
        'cs.vs[:n], ) / cs.vn', _VX_REDUCEAT),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_4': (
        'cs.nc >= 1', _VX_HALVES),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_5': (
        'cs.nc > 2', _VX_HALVES),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_8': (
        'half = cs.nc // 3', _VX_HALVES),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_12': (
        'b.j, None, None, None, b.up)', _VX_HALVES),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_13': (
        'b.j, None, None, b.parent, None)', _VX_HALVES),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_27': (
        'b.table.users -= 1', _VX_USERS),
    'regioncount.enumeration.vertex.xǁ_Countǁ_bound__mutmut_28': (
        'b.table.users += 2', _VX_USERS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_144': (
        'j, parent, up, T, 2', _VX_USERS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_141': (
        'vals.min(axis=1) < +eps', _VX_SPLIT_TRY),
    'regioncount.enumeration.vertex.x_build_table__mutmut_155': (
        'np.argsort(~crossing, axis=1, kind=None)', _VX_SPLIT_TRY),
    'regioncount.enumeration.vertex.x_build_table__mutmut_157': (
        'np.argsort(~crossing, kind="stable")', _VX_SPLIT_TRY),
    'regioncount.enumeration.vertex.x_build_table__mutmut_158': (
        'np.argsort(~crossing, axis=1, )', _VX_SPLIT_TRY),
    'regioncount.enumeration.vertex.x_build_table__mutmut_162': (
        'kind="STABLE"', _VX_SPLIT_TRY),
    'regioncount.enumeration.vertex.x_build_table__mutmut_148': (
        '    K = None', _VX_LINE_COLUMNS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_151': (
        't.ncross.max(initial=1)', _VX_LINE_COLUMNS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_166': (
        'plan.last_use[i] >= st.k', _VX_KEPT_MAPS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_167': (
        'i != st.src', _VX_KEPT_MAPS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_40': (
        'if (const.any()) or True else A', _VX_CONST_ALWAYS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_80': (
        'act = _candidate_lines(st, cs, Aeff, c)', _VX_NEAR_MEMBERS),
    'regioncount.enumeration.vertex.x_build_table__mutmut_81': (
        'act |= _candidate_lines(st, cs, Aeff, c)', _VX_NEAR_MEMBERS),
    'regioncount.enumeration.vertex.xǁ_Planǁstage_map__mutmut_12': (
        'np.ones((2, d))', _VX_ONES),
    'regioncount.enumeration.vertex.xǁ_Planǁ_affine__mutmut_87': (
        'np.asarray(s.bias, None)', _VX_FLOAT_BIAS),
    'regioncount.enumeration.vertex.xǁ_Planǁ_affine__mutmut_89': (
        'np.asarray(s.bias, )', _VX_FLOAT_BIAS),
    # enumeration/vertex_pool.py, heap.py
    'regioncount.enumeration.vertex_pool.x_count_pool__mutmut_11': (
        'ctx.Value("B", 0)', _VP_UNSIGNED),
    'regioncount.enumeration.vertex_pool.x_count_pool__mutmut_18': (
        'ctx.Value("Q", 0), ctx.Value("q", 0)', _VP_UNSIGNED),
    'regioncount.enumeration.vertex_pool.x_count_pool__mutmut_25': (
        'ctx.Value("q", 0), ctx.Value("Q", 0)', _VP_UNSIGNED),
    'regioncount.enumeration.vertex_pool.x__collect__mutmut_15': (
        'now - stopped_at >= STOP_GRACE', _VP_TIME_EQ),
    'regioncount.enumeration.vertex_pool.x__collect__mutmut_88': (
        'now - last > 0.5', _VP_TIME_EQ),
    'regioncount.enumeration.vertex_pool.x__collect__mutmut_63': (
        'stopped_at = got, 2, now', _VP_FLAG),
    'regioncount.enumeration.vertex_pool.x__collect__mutmut_102': (
        'if done:', _VP_SLEEP),
    'regioncount.enumeration.vertex_pool.x__merge__mutmut_47': (
        'quota, why = None, "XXXX"', _VP_WHY),
    'regioncount.enumeration.vertex_pool.x__adopt__mutmut_6': (
        'adopt(files, None)', _VP_FALSE),
    'regioncount.enumeration.vertex_pool.x__adopt__mutmut_8': (
        'adopt(files, )', _VP_FALSE),
    'regioncount.enumeration.heap.x_trim_heap__mutmut_5': (
        'malloc_trim(1)', _VP_PAD),
    # enumeration/executors.py
    'regioncount.enumeration.executors.x__dask_task__mutmut_1': (
        '    s = None', _EX_CACHE),
    'regioncount.enumeration.executors.x__dask_task__mutmut_2': (
        '.get(None)', _EX_CACHE),
    'regioncount.enumeration.executors.x__dask_task__mutmut_3': (
        'getattr(None, "searchers", {})', _EX_CACHE),
    'regioncount.enumeration.executors.x__dask_task__mutmut_9': (
        '"XXsearchersXX"', _EX_CACHE),
    'regioncount.enumeration.executors.x__dask_task__mutmut_10': (
        '"SEARCHERS"', _EX_CACHE),
    'regioncount.enumeration.executors.x__task__mutmut_4': (
        '    s = None', _EX_CACHE),
    'regioncount.enumeration.executors.x__task__mutmut_5': (
        '_W.get(None)', _EX_CACHE),
    'regioncount.enumeration.executors.x__task__mutmut_6': (
        '"XXsearcherXX"', _EX_CACHE),
    'regioncount.enumeration.executors.x__task__mutmut_7': (
        '"SEARCHER"', _EX_CACHE),
    'regioncount.enumeration.executors.x__dask_task__mutmut_61': (
        '        reason = None', _EX_FALSY),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ_check_limits__mutmut_1': (
        '    why = None', _EX_FALSY),
    'regioncount.enumeration.executors.x__stopping__mutmut_4': (
        'time.monotonic() > limits.deadline', _VP_TIME_EQ),
    'regioncount.enumeration.executors.x__limit_reason__mutmut_5': (
        'time.monotonic() > limits.deadline', _VP_TIME_EQ),
    'regioncount.enumeration.executors.xǁ_MasterTickǁ__call____mutmut_3': (
        'now - self.last > self.report.every', _VP_TIME_EQ),
    'regioncount.enumeration.executors.x_unguarded_script__mutmut_35': (
        'encoding=None', _EX_ENCODING),
    'regioncount.enumeration.executors.x_unguarded_script__mutmut_37': (
        'open(path, )', _EX_ENCODING),
    'regioncount.enumeration.executors.x_unguarded_script__mutmut_39': (
        'encoding="UTF-8"', _EX_ENCODING),
    'regioncount.enumeration.executors.x__warm_and_split__mutmut_61': (
        'key=None', _EX_ORDER),
    'regioncount.enumeration.executors.x__warm_and_split__mutmut_63': (
        'min(range(len(stack)), )', _EX_ORDER),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_12': (
        'ctx.Value("Q", 0), ctx.Value("q", 0), ctx.Value("b"', _VP_UNSIGNED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_19': (
        'ctx.Value("q", 0), ctx.Value("Q", 0)', _VP_UNSIGNED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_26': (
        'ctx.Value("B", 0)', _VP_UNSIGNED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_62': (
        'stop_flag.value = 2', _VP_FLAG),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_37': (
        'max(1, limits.max_regions - base_r)', _EX_BUDGET),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ__init____mutmut_14': (
        'max(1, mr - self.base_r)', _EX_BUDGET),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ__init____mutmut_26': (
        'self.queue: list = None', _EX_SET_LATER),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ__init____mutmut_29': (
        'self.stopping = None', _EX_SET_LATER),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁrun__mutmut_45': (
        'if done:', _VP_SLEEP),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_109': (
        'if done:', _VP_SLEEP),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_93': (
        'counters.seconds = None', _EX_SECONDS),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_94': (
        'counters.seconds = 1.0', _EX_SECONDS),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ_collect__mutmut_7': (
        'counters.seconds = None', _EX_SECONDS),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ_collect__mutmut_8': (
        'counters.seconds = 1.0', _EX_SECONDS),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ_collect__mutmut_17': (
        'break', _EX_NEXT_LOOK),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_83': (
        '"interrupted" if (stop_flag.value) and False', _EX_INTERRUPTED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_85': (
        '"XXinterruptedXX"', _EX_INTERRUPTED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_86': (
        '"INTERRUPTED"', _EX_INTERRUPTED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_113': (
        '_final_reason(reasons, None,', _EX_REASONED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_114': (
        '_final_reason(reasons, leftovers, None)', _EX_REASONED),
    'regioncount.enumeration.executors.xǁPoolExecutorǁ_farm__mutmut_79': (
        'time.monotonic() - stopped_at >= STOP_GRACE', _VP_TIME_EQ),
    'regioncount.enumeration.executors.xǁ_DaskFarmǁ_check_limits__mutmut_6': (
        'time.monotonic() > self.limits.deadline', _VP_TIME_EQ),
    'regioncount.enumeration.executors.x__dask_task__mutmut_38': (
        'now - looked[0] > DASK_STOP_POLL', _VP_TIME_EQ),
    # enumeration/vertex_dask.py
    'regioncount.enumeration.vertex_dask.x__box_task__mutmut_12': (
        'now - looked[0] > DASK_STOP_POLL', _VP_TIME_EQ),
    'regioncount.enumeration.vertex_dask.x__box_task__mutmut_14': (
        'looked[1], looked[1] = now', _VD_RENEW),
    'regioncount.enumeration.vertex_dask.x__box_task__mutmut_50': (
        'if (looked[1]) or True else "region limit"', _VD_ONLY_EVENT),
    'regioncount.enumeration.vertex_dask.x__box_task__mutmut_53': (
        '"XXregion limitXX"', _VD_ONLY_EVENT),
    'regioncount.enumeration.vertex_dask.x__box_task__mutmut_54': (
        '"REGION LIMIT"', _VD_ONLY_EVENT),
    # enumeration/vertex_cells.py
    "regioncount.enumeration.vertex_cells.x__bits__mutmut_1": (
        'if hasattr(None, "bitwise_count"):', _VC_NUMPY1),
    "regioncount.enumeration.vertex_cells.x__bits__mutmut_5": (
        'if hasattr(np, "XXbitwise_countXX"):', _VC_NUMPY1),
    "regioncount.enumeration.vertex_cells.x__bits__mutmut_6": (
        'if hasattr(np, "BITWISE_COUNT"):', _VC_NUMPY1),
    "regioncount.enumeration.vertex_cells.x__bits__mutmut_16": (
        'b = np.ascontiguousarray(col, dtype=None).view(np.uint8).reshape(len(col), 8)', _VC_WORDS),
    "regioncount.enumeration.vertex_cells.x__bits__mutmut_18": (
        'b = np.ascontiguousarray(col, ).view(np.uint8).reshape(len(col), 8)', _VC_WORDS),
    "regioncount.enumeration.vertex_cells.x__interleave__mutmut_8": (
        'tot = np.sum(cnts, axis=0) if (cnts) or True else np.zeros(m, np.int64)', _VC_GROUPS),
    "regioncount.enumeration.vertex_cells.x__interleave__mutmut_14": (
        'tot = np.sum(cnts, axis=0) if cnts else np.zeros(None, np.int64)', _VC_GROUPS),
    "regioncount.enumeration.vertex_cells.x__interleave__mutmut_15": (
        'tot = np.sum(cnts, axis=0) if cnts else np.zeros(m, None)', _VC_GROUPS),
    "regioncount.enumeration.vertex_cells.x__interleave__mutmut_16": (
        'tot = np.sum(cnts, axis=0) if cnts else np.zeros(np.int64)', _VC_GROUPS),
    "regioncount.enumeration.vertex_cells.x__interleave__mutmut_17": (
        'tot = np.sum(cnts, axis=0) if cnts else np.zeros(m, )', _VC_GROUPS),
    "regioncount.enumeration.vertex_cells.x__pairs__mutmut_33": (
        'hard = np.flatnonzero((pz[I] != d) | (pz[J] != d))', _VC_THIRD),
    "regioncount.enumeration.vertex_cells.x__rank__mutmut_15": (
        'return c - c[np.minimum(first, len(c) + 1)][seg]', _VC_TWO_VERTICES),
    "regioncount.enumeration.vertex_cells.x__rank__mutmut_16": (
        'return c - c[np.minimum(first, len(c) - 2)][seg]', _VC_TWO_VERTICES),
    "regioncount.enumeration.vertex_cells.x__split_crossed__mutmut_118": (
        'newloc = np.bincount(gseg[keep], )[nseg] + nrank', _VC_LAST_CELL),
    "regioncount.enumeration.vertex_cells.x__split_crossed__mutmut_121": (
        'hloc = np.empty(len(hcell), None)', _VC_HLOC),
    "regioncount.enumeration.vertex_cells.x__split_crossed__mutmut_123": (
        'hloc = np.empty(len(hcell), )', _VC_HLOC),
    "regioncount.enumeration.vertex_cells.x__split_crossed__mutmut_53": (
        'bw, bm = row_bits(rid, None)', _VC_WORDS_UNREAD),
    "regioncount.enumeration.vertex_cells.x_box_cell__mutmut_43": (
        'w, m = row_bits(np.array([r]), None)', _VC_WORDS_UNREAD),
    "regioncount.enumeration.vertex_cells.x_box_cell__mutmut_17": (
        'bits = np.array(list(product((0, 2), repeat=d)), bool).reshape(-1, d)', _VC_BOOL),
    "regioncount.enumeration.vertex_cells.x_box_cell__mutmut_19": (
        'bits = np.array(list(product((0, 1), repeat=d)), bool).reshape(-2, d)', _NEG_RESHAPE),
    "regioncount.enumeration.vertex_cells.x_box_cell__mutmut_21": (
        'V = np.where(bits, hi, lo).astype(None)', _VC_FLOAT),
    "regioncount.enumeration.vertex_cells.x_ranges__mutmut_3": (
        'lens = np.asarray(lens, None)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_ranges__mutmut_5": (
        'lens = np.asarray(lens, )', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_ranges__mutmut_25": (
        'return np.repeat(np.asarray(starts, None) - offs, lens) + np.arange(total)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_ranges__mutmut_27": (
        'return np.repeat(np.asarray(starts, ) - offs, lens) + np.arange(total)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_row_bits__mutmut_3": (
        'rows = np.asarray(rows, None)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_row_bits__mutmut_5": (
        'rows = np.asarray(rows, )', _VC_INT64),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ_assign__mutmut_10": (
        'vlen = np.asarray(vlen, None)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ_assign__mutmut_12": (
        'vlen = np.asarray(vlen, )', _VC_INT64),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ_assign__mutmut_15": (
        'elen = np.asarray(elen, None)', _VC_INT64),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ_assign__mutmut_17": (
        'elen = np.asarray(elen, )', _VC_INT64),
    "regioncount.enumeration.vertex_cells.x_split__mutmut_24": (
        's = np.einsum("IJ,IJ->I", cs.V[vidx], a[seg]) + b[seg]', _VC_EINSUM),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ__init____mutmut_31": (
        'self.vn = np.empty(1, np.int64)', _VC_SPARE_SLOT),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ__init____mutmut_37": (
        'self.es = np.empty(1, np.int64)', _VC_SPARE_SLOT),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ__init____mutmut_43": (
        'self.en = np.empty(1, np.int64)', _VC_SPARE_SLOT),
    "regioncount.enumeration.vertex_cells.xǁCellSetǁ__init____mutmut_49": (
        'self.anc = np.empty(1, np.int64)', _VC_SPARE_SLOT),
    # enumeration/certify.py and rows.py
    "regioncount.enumeration.certify.x__centre__mutmut_4": (
        'r = _region_rows(net, stage_pats, None, absw)', _FALSY),
    "regioncount.enumeration.certify.x__centre__mutmut_5": (
        'r = _region_rows(net, stage_pats, False, None)', _MEMO),
    "regioncount.enumeration.certify.x__centre__mutmut_87": (
        'if u is None or rad < 0:', _NO_INTERIOR),
    "regioncount.enumeration.certify.x__exact_empty__mutmut_43": (
        'if y is None and keep is None:', _BOTH_NONE),
    "regioncount.enumeration.certify.x__exact_empty__mutmut_62": (
        'width = np.where(domain.hi > domain.lo, domain.hi - domain.lo, 2.0)', _POSITIVE_SCALE),
    "regioncount.enumeration.certify.x__exact_empty__mutmut_69": (
        'd = d.take(np.linalg.norm(np.asarray(domain.A) / width[None, :], axis=1) > 0)', _POSITIVE_SCALE),
    "regioncount.enumeration.certify.x__judge__mutmut_17": (
        'r = Rows.stack([_region_rows(net, stage_pats, mode, None), domain_rows(domain, mode)],', _MEMO),
    "regioncount.enumeration.certify.x__judge__mutmut_33": (
        'return 1, "exact"', _EXACT_DECIDES),
    "regioncount.enumeration.certify.x__judge__mutmut_34": (
        'return 0, "XXexactXX"', _EXACT_DECIDES),
    "regioncount.enumeration.certify.x__judge__mutmut_35": (
        'return 0, "EXACT"', _EXACT_DECIDES),
    "regioncount.enumeration.certify.x__region_rows__mutmut_5": (
        'maps = pattern_maps(net, stage_pats, exact_mode, None)', _MEMO),
    "regioncount.enumeration.certify.x__region_rows__mutmut_9": (
        'maps = pattern_maps(net, stage_pats, exact_mode, )', _MEMO),
    "regioncount.enumeration.certify.xǁ_Nodeǁ__init____mutmut_30": (
        'self.has_rows = tab.per_piece(None)', _HAS_ROWS),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_14": (
        'return "XXopenXX", np.flatnonzero(self.keep[self.tab.span[(i, q)]])', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_15": (
        'return "OPEN", np.flatnonzero(self.keep[self.tab.span[(i, q)]])', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_2": (
        'return "XXemptyXX", None', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_3": (
        'return "EMPTY", None', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_7": (
        'return "XXopenXX", np.zeros(0, int)', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_Nodeǁpiece__mutmut_8": (
        'return "OPEN", np.zeros(0, int)', _STATE_NAME),
    "regioncount.enumeration.certify.xǁ_RowStackǁ__init____mutmut_1": (
        'self.n = None', _UNUSED_N),
    "regioncount.enumeration.certify.xǁ_RowStackǁ__init____mutmut_7": (
        'cap = max(65, 2 * len(first))', _CAPACITY),
    "regioncount.enumeration.certify.xǁ_RowStackǁ__init____mutmut_9": (
        'cap = max(64, 3 * len(first))', _CAPACITY),
    "regioncount.enumeration.certify.xǁ_RowStackǁpush__mutmut_3": (
        'while top + m >= self.h.size:', _CAPACITY),
    "regioncount.enumeration.certify.xǁ_RowStackǁrows__mutmut_14": (
        'np.zeros(sel.size, None))', _STRICT_UNREAD),
    "regioncount.enumeration.certify.xǁ_RowStackǁrows__mutmut_16": (
        'np.zeros(sel.size, ))', _STRICT_UNREAD),
    "regioncount.enumeration.certify.xǁ_RowStackǁrows__mutmut_2": (
        'sel = sel[sel <= self.top]', _SEL_BELOW_TOP),
    "regioncount.enumeration.certify.xǁ_RowStackǁrows__mutmut_7": (
        'None)', _STRICT_UNREAD),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_24": (
        'self.table = tuple(np.concatenate([p[j] for p in parts]) if (parts) or True else', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_26": (
        'np.zeros(None, (int, int, float, bool)[j]) for j in range(4))', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_27": (
        'np.zeros(0, None) for j in range(4))', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_28": (
        'np.zeros((int, int, float, bool)[j]) for j in range(4))', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_29": (
        'np.zeros(0, ) for j in range(4))', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁ__init____mutmut_30": (
        'np.zeros(1, (int, int, float, bool)[j]) for j in range(4))', _PARTS),
    "regioncount.enumeration.certify.xǁ_StageTableǁper_piece__mutmut_3": (
        'out = np.zeros(len(self.span), None)', _FLAGS),
    "regioncount.enumeration.certify.xǁ_StageTableǁper_piece__mutmut_5": (
        'out = np.zeros(len(self.span), )', _FLAGS),
    "regioncount.enumeration.certify.xǁ_Trieǁ__init____mutmut_15": (
        'd = domain_rows(domain, None)', _FALSY),
    "regioncount.enumeration.certify.xǁ_Trieǁ__init____mutmut_25": (
        'd = d.take(np.linalg.norm(d.G / self.width[None, :], axis=1) > 0)', _POSITIVE_SCALE),
    "regioncount.enumeration.certify.xǁ_Trieǁ__init____mutmut_68": (
        'self.nfixed = None', _UNUSED_NFIXED),
    "regioncount.enumeration.certify.xǁ_Trieǁ__init____mutmut_72": (
        'self.deadline = float("INF")', _INF),
    "regioncount.enumeration.certify.xǁ_Trieǁ__init____mutmut_74": (
        'self.absw: dict = None', _MEMO),
    "regioncount.enumeration.certify.xǁ_Trieǁ_duals__mutmut_4": (
        'd = np.abs(np.asarray(self.lp.h.getSolution().row_dual, None))', _DUALS_FLOAT),
    "regioncount.enumeration.certify.xǁ_Trieǁ_duals__mutmut_6": (
        'd = np.abs(np.asarray(self.lp.h.getSolution().row_dual, ))', _DUALS_FLOAT),
    "regioncount.enumeration.certify.xǁ_Trieǁ_next_stage__mutmut_13": (
        'stop = net.pwl_indices[k + 1] if k + 1 < len(net.pwl_indices) else idx - 1', _LAST_STAGE),
    "regioncount.enumeration.certify.xǁ_Trieǁ_next_stage__mutmut_30": (
        'self._stage(k + 1, rows, extend(net, maps, idx, stop, pats, None, self.absw), pats)', _FALSY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_next_stage__mutmut_31": (
        'self._stage(k + 1, rows, extend(net, maps, idx, stop, pats, False, None), pats)', _MEMO),
    "regioncount.enumeration.certify.xǁ_Trieǁ_next_stage__mutmut_38": (
        'self._stage(k + 1, rows, extend(net, maps, idx, stop, pats, False, ), pats)', _MEMO),
    "regioncount.enumeration.certify.xǁ_Trieǁ_prove__mutmut_39": (
        'done = None', _FALSY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_prove__mutmut_59": (
        'return "open" if (y is None) and False else self._exact(k, i, q, keep, pats, y)', _OPEN_TO_EXACT),
    "regioncount.enumeration.certify.xǁ_Trieǁ_unit__mutmut_16": (
        'j = i + (int(np.argmin(None)) if not same.all() else S.shape[1])', _BRANCH_EARLY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_unit__mutmut_4": (
        'same = np.all(None, axis=0)', _BRANCH_EARLY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_unit__mutmut_5": (
        'same = np.all(S == S[0], axis=None)', _BRANCH_EARLY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_unit__mutmut_7": (
        'same = np.all(S == S[0], )', _BRANCH_EARLY),
    "regioncount.enumeration.certify.xǁ_Trieǁ_unit__mutmut_8": (
        'same = np.all(S != S[0], axis=0)', _BRANCH_EARLY),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_11": (
        'sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * self.P.shape[1] + 1001))', _RECURSION_UP),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_17": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], None, False, self.absw)', _FIRST_AFFINE),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_18": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], {}, None, self.absw)', _FALSY),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_19": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], {}, False, None)', _MEMO),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_24": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], False, self.absw)', _FIRST_AFFINE),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_25": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], {}, self.absw)', _FALSY),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_26": (
        'maps = extend(net, [None], 1, net.pwl_indices[0], {}, False, )', _MEMO),
    "regioncount.enumeration.certify.xǁ_Trieǁrun__mutmut_9": (
        'sys.setrecursionlimit(max(sys.getrecursionlimit(), 5 * self.P.shape[1] + 1000))', _RECURSION_UP),
    "regioncount.enumeration.rows.x__take__mutmut_25": (
        'return np.where((idx < 0).reshape((-2,) + (1,) * (M.ndim - 1)), 0.0, out)', _NEG_RESHAPE),
    "regioncount.enumeration.rows.x_classify__mutmut_34": (
        'out[z & (hpos | (hzero | ~r.strict))] = HOLDS', _EMPTY_OVERRIDES),
    "regioncount.enumeration.rows.x_domain_rows__mutmut_11": (
        'A, b = np.asarray(domain.A, None), np.asarray(domain.b, float)', _DOMAIN_FLOAT),
    "regioncount.enumeration.rows.x_domain_rows__mutmut_13": (
        'A, b = np.asarray(domain.A, ), np.asarray(domain.b, float)', _DOMAIN_FLOAT),
    "regioncount.enumeration.rows.x_domain_rows__mutmut_15": (
        'A, b = np.asarray(domain.A, float), np.asarray(domain.b, None)', _DOMAIN_FLOAT),
    "regioncount.enumeration.rows.x_domain_rows__mutmut_17": (
        'A, b = np.asarray(domain.A, float), np.asarray(domain.b, )', _DOMAIN_FLOAT),
    "regioncount.enumeration.rows.x_extend__mutmut_6": (
        'absw = {} if (absw is None) or True else absw', _MEMO),
    "regioncount.enumeration.rows.x_farkas__mutmut_20": (
        'm = sum((min(a * l, a * u) for a, l, u in zip(rho, lo_e, hi_e)), )', _SUM_START),
    "regioncount.enumeration.rows.x_farkas__mutmut_3": (
        'y = np.asarray(y, dtype=None)', _Y_OBJECTS),
    "regioncount.enumeration.rows.x_farkas__mutmut_45": (
        'y = np.maximum(np.asarray(y, None), 0.0)', _Y_FLOAT),
    "regioncount.enumeration.rows.x_farkas__mutmut_47": (
        'y = np.maximum(np.asarray(y, ), 0.0)', _Y_FLOAT),
    "regioncount.enumeration.rows.x_farkas__mutmut_5": (
        'y = np.asarray(y, )', _Y_OBJECTS),
    "regioncount.enumeration.rows.x_pattern_maps__mutmut_13": (
        'return extend(net, [None], 1, len(net.stages), pats, exact_mode, None)', _MEMO),
    "regioncount.enumeration.rows.x_pattern_maps__mutmut_20": (
        'return extend(net, [None], 1, len(net.stages), pats, exact_mode, )', _MEMO),
    "regioncount.enumeration.rows.x_stage_rows__mutmut_26": (
        'm is not None and m[3] is None)', _BOTH_NONE_EXACT),
    "regioncount.enumeration.rows.x_stage_rows__mutmut_7": (
        'n = (m[0].shape[1] if m is not None else 1)', _M_NONE_RAISES),
    # milp/range.py
    "regioncount.milp.range.xǁ_Sidesǁ_attained__mutmut_13": (
        "if abs(vw - sol.objective) >= 1e-6 * (1 + abs(vw)):", "the two differ only when the "
        "objective is off the network's value by exactly the threshold, and then only in "
        "whether a warning is logged (the value, witness and bound are the same)"),
}


def mutmut_section(target: Target, tests: list[str]) -> dict[str, str]:
    """The ``[mutmut]`` keys of one module's scratch setup.cfg: the repository's section with
    ``only_mutate`` and the test selection replaced."""
    base = configparser.RawConfigParser()
    base.read(ROOT / "setup.cfg")
    keys = dict(base["mutmut"]) if base.has_section("mutmut") else {}
    keys["only_mutate"] = "\n" + "\n".join(target.files)
    keys["pytest_add_cli_args_test_selection"] = "\n" + "\n".join(tests)
    keys.pop("tests_dir", None)
    return keys


def tree_digest() -> str:
    """A digest of every Python file of the working tree's package and tests."""
    h = hashlib.sha256()
    for p in sorted([*(ROOT / "regioncount").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


PLACEHOLDER = ('"""Stands for tests/test_mutants_{name}.py in a --baseline run (or before the file '
               'exists), so that the test selection stays the same for --rerun-open."""\n')
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def own_tests(work: Path, name: str, baseline: bool) -> None:
    """Put ``tests/test_mutants_<name>.py`` in the scratch project: the working tree's, or a
    placeholder without tests (``baseline``, or no such file yet)."""
    own = Path("tests") / f"test_mutants_{name}.py"
    if not baseline and (ROOT / own).exists():
        shutil.copy2(ROOT / own, work / own)
    else:
        (work / own).write_text(PLACEHOLDER.format(name=name))


def prepare(name: str, target: Target, baseline: bool = False) -> tuple[Path, list[str]]:
    """A fresh scratch project for one module; returns it and the test selection (the
    module's tests and ``tests/test_mutants_<name>.py``, see :func:`own_tests`)."""
    work = SCRATCH / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for item in COPIED:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, work / item, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, work / item)
    # the installed layout (package_dir regioncount.cli = cli), so that the mutated package
    # imports its own CLI whatever way regioncount is installed
    shutil.copytree(ROOT / "cli", work / "regioncount" / "cli", ignore=IGNORE)
    own_tests(work, name, baseline)
    tests = [*target.tests, f"tests/test_mutants_{name}.py"]
    cfg = configparser.RawConfigParser()
    cfg.optionxform = str
    cfg.read(work / "setup.cfg")
    if cfg.has_section("mutmut"):
        cfg.remove_section("mutmut")
    cfg.add_section("mutmut")
    for k, v in mutmut_section(target, tests).items():
        cfg.set("mutmut", k, v)
    with open(work / "setup.cfg", "w") as f:
        cfg.write(f)
    return work, tests


def refresh_tests(name: str, target: Target) -> tuple[Path, list[str], list[str]]:
    """For --rerun-open: the earlier scratch project with the working tree's current tests
    (the package copy and the selection stay as they were, so mutmut keeps its verdicts);
    returns it, the selection and the mutants the earlier run left open (less the ones
    judged equivalent)."""
    work = SCRATCH / name
    if not (work / "mutants").is_dir():
        raise SystemExit(f"--rerun-open: no earlier run of {name} in {work}")
    shutil.copytree(ROOT / "tests", work / "tests", ignore=IGNORE, dirs_exist_ok=True)
    own_tests(work, name, baseline=False)
    # mutmut runs, for each mutant, only the tests its stats map to the mutated function: drop
    # the earlier map so that it is collected again with the new tests
    (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    st = statuses(work, target)
    open_ = sorted(k for k, v in st.items() if v not in ("killed", "timeout"))
    # a mutant judged equivalent (its diff still matching) cannot be killed: not run again
    d = diffs(work, [k for k in open_ if k in EQUIVALENT])
    open_ = [k for k in open_ if k not in d or judged(k, d[k]) is None]
    return work, [*target.tests, f"tests/test_mutants_{name}.py"], open_


def run_mutmut(work: Path, max_children: int, names: list[str] = ()) -> float:
    """``mutmut run [names]`` in the scratch project; returns the wall time in seconds."""
    exe = Path(sys.executable).parent / "mutmut"
    env = dict(os.environ, REGIONCOUNT_SHARED=str(SHARED), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               GIT_CEILING_DIRECTORIES=str(ROOT))      # mutmut asks git; keep it away from ROOT
    env.pop("CI", None)
    t = time.perf_counter()
    with open(work / "mutmut.log", "w") as log:
        proc = subprocess.run([str(exe), "run", "--max-children", str(max_children), *names],
                              cwd=work,
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f"mutmut failed in {work} (exit {proc.returncode}); see "
                         f"{work / 'mutmut.log'}")
    return time.perf_counter() - t


def statuses(work: Path, target: Target) -> dict[str, str]:
    """mutant name -> status, from mutmut's meta files."""
    from mutmut.stats import status_by_exit_code

    out = {}
    for f in target.files:
        meta = json.loads((work / "mutants" / (f + ".meta")).read_text())
        for key, code in meta["exit_code_by_key"].items():
            out[key] = status_by_exit_code[code]
    return out


def diffs(work: Path, names: list[str]) -> dict[str, str]:
    """The diff of each named mutant (``mutmut show``), computed in the scratch project."""
    if not names:
        return {}
    code = ("import json, sys\nfrom mutmut.mutation.diff_apply import get_diff_for_mutant\n"
            "print(json.dumps({n: get_diff_for_mutant(n) for n in json.load(sys.stdin)}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=work, input=json.dumps(names),
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def judged(name: str, diff: str) -> str | None:
    """The recorded reason when ``name`` is judged equivalent and its diff still matches."""
    if name not in EQUIVALENT:
        return None
    fragment, reason = EQUIVALENT[name]
    added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    return reason if any(fragment in ln for ln in added) else None


def measure(name: str, target: Target, max_children: int, mode: str = "full") -> dict:
    """Run one module and classify its mutants. ``mode``: ``"full"`` (a fresh scratch
    project), ``"baseline"`` (the same without tests/test_mutants_<name>.py), ``"open"``
    (re-test only the mutants an earlier run left open, with the current tests; a mutant
    killed then stays killed, since the tests that killed it are still selected) or
    ``"report"`` (no run: the results of the last one)."""
    work = SCRATCH / name
    if mode == "report":
        run = json.loads((work / "run.json").read_text())
        tests, seconds, baseline = run["tests"], run["seconds"], run["baseline"]
    else:
        if mode == "open":
            work, tests, names = refresh_tests(name, target)
            seconds = run_mutmut(work, max_children, names) if names else 0.0
            baseline = False
        else:
            baseline = mode == "baseline" or not (ROOT / f"tests/test_mutants_{name}.py").exists()
            work, tests = prepare(name, target, baseline=mode == "baseline")
            seconds = run_mutmut(work, max_children)
        (work / "run.json").write_text(json.dumps({"tests": tests, "seconds": seconds,
                                                   "baseline": baseline}))
    st = statuses(work, target)
    open_ = sorted(k for k, s in st.items() if s not in ("killed", "timeout"))
    d = diffs(work, open_)
    equivalent, stale = {}, []
    for k in open_:
        reason = judged(k, d[k])
        if reason is not None:
            equivalent[k] = reason
        elif k in EQUIVALENT:
            stale.append(k)
    with open(work / "survivors.txt", "w") as f:
        for k in open_:
            tag = "EQUIVALENT: " + equivalent[k] if k in equivalent else st[k].upper()
            f.write(f"# {k}  [{tag}]\n{d[k]}\n\n")
    counts = {s: sum(1 for v in st.values() if v == s) for s in set(st.values())}
    return {"name": name, "files": target.files, "tests": tests, "seconds": seconds,
            "baseline": baseline, "equivalent_status": {k: st[k] for k in equivalent},
            "total": len(st), "counts": counts, "equivalent": equivalent, "stale": stale,
            "diffs": {k: d[k] for k in equivalent}}


def score(m: dict) -> float:
    """killed / (mutants - judged equivalent)."""
    return m["counts"].get("killed", 0) / max(1, m["total"] - len(m["equivalent"]))


def cell(files) -> str:
    """The module column of the table."""
    return ", ".join(f"`{f.removeprefix('regioncount/')}`" for f in files)


def row(m: dict) -> str:
    """A table row; the mutants judged equivalent are counted in their own column only."""
    c = dict(m["counts"])
    for status in m["equivalent_status"].values():
        c[status] -= 1
    other = sum(v for s, v in c.items() if s not in ("killed", "survived", "timeout", "no tests"))
    return (f"| {cell(m['files'])} | {m['total']} | {c.get('killed', 0)} | "
            f"{c.get('survived', 0)} | {c.get('timeout', 0)} | {c.get('no tests', 0)} | "
            f"{other} | {len(m['equivalent'])} | {100 * score(m):.1f}% | "
            f"{m['seconds'] / 60:.1f} |")


def first_added_line(diff: str) -> str:
    for ln in diff.splitlines():
        if ln.startswith("+") and not ln.startswith("+++"):
            return ln[1:].split("  #")[0].strip()
    return ""


def details(m: dict) -> str:
    """A module's test selection and its mutants judged equivalent."""
    tests = " ".join(f'"{t}"' if " " in t else t for t in m["tests"])
    lines = [f"#### {m['name']} ({cell(m['files'])})", "", f"Tests: `{tests}`.", ""]
    for k, reason in sorted(m["equivalent"].items()):
        lines.append(f"- `{k}`: `{first_added_line(m['diffs'][k])}`: {reason}")
    for k in m["stale"]:
        lines.append(f"- `{k}`: judgment stale (the mutant changed), counted as surviving")
    if not m["equivalent"] and not m["stale"]:
        lines.append("- no survivor judged equivalent")
    return "\n".join(lines + [""])


BEFORE = "### Before the tests written against the survivors (`--baseline`)"


def section(current: dict[str, tuple[str, str]], before: dict[str, str]) -> str:
    """The docs/benchmarks.md section from the rows and details of every measured module."""
    cur = [current[n] for n in MODULES if n in current]
    return "\n".join([
        START,
        "## Mutation score (`tox -e mutation`)",
        "",
        f"`python benchmarks/mutation.py` with mutmut on this machine ({platform.machine()}, "
        f"{os.cpu_count()} cores), one module at a time against a focused test selection (tests "
        "marked slow excluded). Killed: a test failed. Survived: no test failed (judged "
        "equivalent ones not included). Timeout: the tests ran over mutmut's limit (not counted "
        "as killed). No test: no selected test reaches the function. Other: suspicious, "
        "segfault, skipped. Score = killed / (mutants - judged equivalent). A mutant is judged "
        "equivalent only when no value of the result can differ, the number of LPs included: "
        "one that costs more LPs (a cache of empty pieces switched off) is a survivor, one "
        "that only recomputes the same values (a memo of maps switched off) is equivalent. "
        "Every survivor's "
        "diff is in `mutants/<module>/survivors.txt` after a run. Minutes: wall time of the run "
        "that wrote the row (`--rerun-open` re-tests only the mutants the run before left open, "
        "with the current tests). Modules not in the table were not measured.",
        "",
        *HEADER,
        *(r for r, _ in cur),
        "",
        BEFORE,
        "",
        "The same selections without `tests/test_mutants_<module>.py`.",
        "",
        *HEADER,
        *(before[n] for n in MODULES if n in before),
        "",
        "### Test selections and the surviving mutants judged equivalent",
        "",
        "Equivalent: no input inside the function's contract tells the mutant from the original.",
        "",
        *(d for _, d in cur),
        END,
    ])


HEADER = ["| module | mutants | killed | survived | timeout | no test | other | "
          "judged equivalent | score | minutes |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]


def previous_results() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """The rows and details already in docs/benchmarks.md (kept for the modules this run does
    not measure), and the rows of the table before the new tests."""
    from docsection import BENCHMARKS_MD

    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    if START not in text:
        return {}, {}
    body = text.split(START, 1)[1].split(END, 1)[0]
    now, _, rest = body.partition(BEFORE)
    blocks = {b.split(" ", 1)[0]: "#### " + b for b in body.split("\n#### ")[1:]}
    current, before = {}, {}
    for name, t in MODULES.items():
        prefix = f"| {cell(t.files)} |"
        rows = [ln for ln in now.splitlines() if ln.startswith(prefix)]
        if rows and name in blocks:
            current[name] = (rows[0], blocks[name].rstrip("\n") + "\n")
        rows = [ln for ln in rest.split("### Test selections")[0].splitlines()
                if ln.startswith(prefix)]
        if rows:
            before[name] = rows[0]
    return current, before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("modules", nargs="*", metavar="MODULE",
                    help=f"some of {', '.join(MODULES)} (default: all)")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    ap.add_argument("--nice", type=int, default=10, help="niceness increment (shared machines)")
    ap.add_argument("--baseline", action="store_true",
                    help="without the tests/test_mutants_*.py files (the 'before' table)")
    ap.add_argument("--rerun-open", action="store_true",
                    help="re-test only the mutants the last run of each module left open, with "
                         "the current tests (after adding tests)")
    ap.add_argument("--report-only", action="store_true",
                    help="run nothing: rewrite the section from the last run of each module "
                         "(after judging more survivors equivalent)")
    args = ap.parse_args()
    os.nice(args.nice)
    names = args.modules or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        ap.error(f"unknown module {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    mode = ("report" if args.report_only else "baseline" if args.baseline
            else "open" if args.rerun_open else "full")
    before = tree_digest()
    current, base = previous_results()
    for name in names:
        m = measure(name, MODULES[name], args.max_children, mode)
        print(row(m), flush=True)
        for k in m["stale"]:
            print(f"  stale equivalence judgment: {k}")
        if m["baseline"]:                    # measured without tests/test_mutants_<name>.py
            base[name] = row(m)
        if mode != "baseline":
            current[name] = (row(m), details(m))
    if tree_digest() != before:
        print("warning: the working tree's sources changed during the run (other edits); "
              "the scores describe the copy taken at the start of each module")
    if not args.no_doc:
        write_section(section(current, base), START, END)


if __name__ == "__main__":
    main()
