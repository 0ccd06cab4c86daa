"""Stand-in for a TensorFlow wheel on a CPU without AVX: dies of SIGILL on import."""

import os
import signal

os.kill(os.getpid(), signal.SIGILL)
