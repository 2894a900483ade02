"""The ``regioncount`` command-line application (installed as ``regioncount.cli``)."""
