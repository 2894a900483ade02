"""Networks that regioncount builds itself and writes as plain ONNX (structured layers).

:mod:`regioncount.builders.dcf`: DCF layers, convolutions whose filters are truncated
Fourier-Bessel expansions (Qiu, Cheng, Calderbank & Sapiro, ICML 2018). See docs/dcf.md.
"""
