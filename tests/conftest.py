import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

# one executed quickstart notebook per session (and xdist worker), shared by test modules
from _notebooks import executed_quickstart  # noqa: E402,F401
