"""Networks that regioncount builds itself and writes as plain ONNX (structured layers).

:mod:`regioncount.builders.dcf`: DCF layers, convolutions whose filters are truncated
Fourier-Bessel expansions (Qiu, Cheng, Calderbank & Sapiro, ICML 2018). See docs/dcf.md.

:mod:`regioncount.builders.groups`: finite groups as permutation actions, p4 / p4m G-CNN layers
(Cohen & Welling, ICML 2016) and DeepSets layers, each written as plain ONNX. See
docs/groups.md.
"""
