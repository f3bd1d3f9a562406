import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

# pytest -n 2 already keeps both cores busy: one torch thread per worker avoids
# oversubscription (a small training test went from 83 s to 0.4 s on a loaded machine)
try:
    import torch
except ImportError:  # torch is optional for most tests
    pass
else:
    torch.set_num_threads(1)

# one executed quickstart notebook per session (and xdist worker), shared by test modules
from _notebooks import executed_quickstart  # noqa: E402,F401
