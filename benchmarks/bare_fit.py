"""The baseline of the stability check: a bare, hand-written model.fit of the reference CNN in a
new process (1 warm-up epoch, then EPOCHS timed epochs). Prints training images/s as JSON.

    python benchmarks/bare_fit.py [EPOCHS]
"""

from __future__ import annotations

import json
import sys

from _common import bare_fit_seconds, load_keras, reference_cnn


def main() -> int:
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    keras = load_keras()
    model, data = reference_cnn(keras)
    bare_fit_seconds(model, data, 1, validation=False)
    seconds = bare_fit_seconds(model, data, epochs, validation=False)
    sys.stdout.write(json.dumps({"train_images_per_s": epochs * len(data.x_train) / seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
