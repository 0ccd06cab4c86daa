"""Stand-in for a framework whose import hangs: sleeps far past any probe timeout."""

import time

time.sleep(120)
