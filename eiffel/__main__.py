"""python -m eiffel: the `eiffel` command."""

import sys

from eiffel.cli import main

sys.exit(main())
