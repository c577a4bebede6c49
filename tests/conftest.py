"""Shared test setup."""

import os

# NO_COLOR in the environment makes every SVG snapshot differ.
os.environ.pop("NO_COLOR", None)
