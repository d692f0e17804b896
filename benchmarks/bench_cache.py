"""A cache folder of the benchmark run's own, never the user's ~/.cache.

Imported by each benchmark before anything of Masthead's: it sets
MASTHEAD_CACHE_DIR for this process and the commands it starts, and the
folder is removed when the run ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

CACHE = tempfile.mkdtemp(prefix="masthead-bench-cache-")
os.environ["MASTHEAD_CACHE_DIR"] = CACHE
atexit.register(shutil.rmtree, CACHE, True)
