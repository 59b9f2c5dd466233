"""``python -m bench``: the same as ``python -m bench.run`` (every bench, one table)."""

import sys

from bench.run import main

sys.exit(main())
