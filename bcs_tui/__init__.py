"""bcs-tui: a terminal operations console for BCS mesos clusters."""

__version__ = "0.1.0"
