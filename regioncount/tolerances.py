"""Every numerical tolerance of regioncount, in one place, each with its reason.

A count must not change when any of these moves tenfold on the test networks; the test
suite checks that for the region margin and the stability tolerance.
"""

#: A ReLU (or leaky ReLU) is *active* when its pre-activation is strictly above zero; zero
#: counts as inactive (docs/regions.md). This is a semantic threshold, not a tolerance,
#: and it is exactly zero on purpose: patterns at points are computed exactly as defined.
ACTIVE_THRESHOLD = 0.0

#: A pattern is a region (non-empty interior) when the largest ball inside its polytope has a
#: radius above this, measured where it cannot depend on the input's units: in the coordinates
#: ``u = (x - lo) / (hi - lo)`` in which the domain's box is the unit cube, with every
#: inequality row normalised to unit Euclidean norm (regioncount.enumeration.unitbox). There
#: the data of every LP is of order one, HiGHS runs with feasibility tolerances of
#: CHEBYSHEV_FEASIBILITY_TOL (1e-10) and every point it returns is re-checked in float64
#: (rounding about 1e-15), so 1e-9 is an order of magnitude above what the solver can
#: misjudge, and far below the regions of real networks: the smallest of the 3,998 regions of
#: the conv test network on [-100, 100]^9 (biases 1e-3) has a radius of 7e-9 in these
#: coordinates; the count is the same at 1e-8 and 1e-10.
REGION_MARGIN = 1e-9

#: Primal and dual feasibility tolerances of the region tree's Chebyshev LPs (HiGHS allows down
#: to 1e-10): two orders below REGION_MARGIN, so that the LP's yes/no answer on "radius above
#: the margin" is not decided by the solver's slack.
CHEBYSHEV_FEASIBILITY_TOL = 1e-10

#: Neuron bounds are *outer* bounds and stability is decided on them exactly (upper bound
#: <= 0: stably inactive; lower bound >= 0: stably active; see regioncount.intervals). Bounds
#: computed by an LP or MILP are only as exact as the solver's tolerances (about 1e-9 on
#: normalised rows), so tightening widens every optimum by this much before storing it: a unit
#: within 1e-7 of flipping stays unstable, which costs a binary variable and never a count.
STABILITY_TOL = 1e-7

#: Two affine pieces (rows of local affine maps: coefficients and offset) are the same
#: function when they agree to this relative tolerance. Pieces of a max-pool over inactive
#: ReLUs are identically zero and compare equal exactly; the tolerance only absorbs rounding
#: in products of weights.
EQUAL_PIECES_RTOL = 1e-9

#: ``regioncount check``: largest relative error (per sample, ``||a - b||_inf / ||b||_inf``) to
#: onnxruntime that still counts as exact. float32 inference in onnxruntime against float64
#: here gives about 1e-7 per layer (measured: at most 3e-6 on the 34 shared models); 1e-5
#: leaves room for deep nets and flags any real lowering error, which is O(1e-2) or more.
CHECK_RTOL = 1e-5

#: Rank of a weight matrix (bounds with rank(W), independent rows of unrolled convolutions):
#: a singular value, or the residual of a unit-norm row after projecting out earlier rows,
#: counts as zero when it is at most this (relative to the largest singular value). Exact
#: linear dependencies (tied convolution weights, duplicated units) leave about
#: ``max(m, n) * 2.2e-16``, below 1e-12 up to thousands of rows; generic float32 weights leave
#: far more than 1e-6. A rank taken too high only loosens a bound, never invalidates it.
RANK_RTOL = 1e-10

#: Feasibility and integrality tolerance asked of MILP / LP solvers (HiGHS, SCIP, GLOP). In a
#: big-M row ``h <= u z`` an integrality violation ``eps`` of ``z`` lets ``h`` move by
#: ``u * eps``; with the solvers' default 1e-6 and bounds of order 100 an inactive ReLU could
#: output 1e-4. 1e-9 keeps the MILP's outputs within 1e-6 of the network for |bounds| up to
#: 1e3, while staying above double rounding on rows of order one.
SOLVER_FEASIBILITY_TOL = 1e-9

#: Optimality gaps asked of MILP solvers for "exact" optima (``regioncount range``, MILP
#: bound tightening): the defaults (HiGHS 1e-4 relative) would report a maximum 0.01 % short.
#: Reported optima are values the network attains at the solver's input (a witness), and the
#: solver's dual bound is reported beside them, so any gap is visible, never hidden.
MIP_REL_GAP = 1e-9
MIP_ABS_GAP = 1e-9

#: The region tree can ask "does this polytope have an interior?" first as a feasibility LP
#: (``Searcher.feasibility``, off by default): every row must keep slack
#: ``REGION_FEASIBILITY_FACTOR * REGION_MARGIN``, and when no point keeps it the Chebyshev LP
#: decides ``r* > REGION_MARGIN`` itself, so the factor changes speed, never counts. Off by
#: default because with the margin in unit-cube coordinates the fallback costs more LPs than
#: it saves (digits_mlp, first 3,000 regions: 10,591 LPs with it, 7,007 without).
REGION_FEASIBILITY_FACTOR = 1000.0

#: ``regioncount equivariance``: a model is invariant / equivariant when ``f(g x)`` and the
#: group's action on ``f(x)`` differ by at most this, relative to the largest ``|f(x)|`` over
#: the samples. Exactly equivariant weights (rotated copies of float32 filters are exact) leave
#: only the rounding of sums taken in another order, about 1e-15 in float64; one perturbed
#: weight leaves an error of the order of the perturbation. 1e-5 is issue 13's target and
#: matches CHECK_RTOL (a model saved in float32 by another tool still passes).
EQUIVARIANCE_RTOL = 1e-5

#: Symmetry-aware counting (regioncount.symmetry) maps each region's pattern through the
#: permutation of PWL units that the group induces; that permutation is accepted when the
#: units' inputs at ``g x`` equal the permuted inputs at ``x`` to this, relative to the stage's
#: largest value. Far tighter than EQUIVARIANCE_RTOL, because a count built on a wrong
#: permutation would be wrong: exact equivariance leaves about 1e-15, and a weight perturbed
#: by more than 1e-9 of the layer's scale is refused.
SYMMETRY_UNIT_RTOL = 1e-9
