"""``python -m tui.cli``: the ``debrief`` command, as the tests and benchmarks run it."""

import sys

from tui.cli import main

sys.exit(main())
