"""`python -m bcs_tui` is `bcs-tui`."""

import sys

from bcs_tui.cli import main

sys.exit(main())
