"""The lesson's own training code, one episode, in this (fresh) process: the models and
``model.fit`` calls as "Introduction to deep learning" writes them, on synthetic data of the
lesson's shapes (timing does not depend on values). Written out here on purpose, not taken
from dlcheck, so that the honesty check compares dlcheck against independent code.
Prints one JSON line: the wall time of the fit call and of each epoch.

    python benchmarks/lesson_fit.py EPISODE [--epochs N] [--backend torch]

--backend sets KERAS_BACKEND before Keras is imported, as the lesson's PyTorch flavour does
(default: KERAS_BACKEND if set, else tensorflow).

Episode 5 feeds the 64x64 images through the lesson's resize with padding to 160x160 inside the
model (``tf.image.resize_with_pad`` in a Lambda layer on TensorFlow, as the lesson writes it;
Keras' ``Resizing(pad_to_aspect_ratio=True)`` on the other backends, where that code does not
run) and uses DenseNet121 with random weights (weights=None: the ImageNet weights are a
download; same architecture, same frozen layers, same cost).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def penguins(keras, np):  # episode 2
    rng = np.random.default_rng(2)
    x_train = rng.random((273, 4), dtype=np.float32)
    y_train = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 273)]
    inputs = keras.Input(shape=x_train.shape[1:])
    hidden_layer = keras.layers.Dense(10, activation="relu")(inputs)
    output_layer = keras.layers.Dense(3, activation="softmax")(hidden_layer)
    model = keras.Model(inputs=inputs, outputs=output_layer)
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())
    return model, dict(x=x_train, y=y_train, epochs=100)


def weather(keras, np):  # episode 3
    rng = np.random.default_rng(3)
    x_train = rng.standard_normal((766, 89), dtype=np.float32)
    y_train = rng.standard_normal((766,), dtype=np.float32)
    x_val = rng.standard_normal((164, 89), dtype=np.float32)
    y_val = rng.standard_normal((164,), dtype=np.float32)
    inputs = keras.Input(shape=(x_train.shape[1],), name="input")
    dense1 = keras.layers.Dense(100, "relu", name="dense1")(inputs)
    dense2 = keras.layers.Dense(50, "relu", name="dense2")(dense1)
    outputs = keras.layers.Dense(1)(dense2)
    model = keras.Model(inputs=inputs, outputs=outputs, name="weather_prediction_model")
    model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.RootMeanSquaredError()])
    return model, dict(x=x_train, y=y_train, batch_size=32, epochs=200,
                       validation_data=(x_val, y_val))  # fmt: skip


def dollar_street(keras, np):  # episode 4
    rng = np.random.default_rng(4)
    train_images = rng.random((878, 64, 64, 3), dtype=np.float32)
    train_labels = rng.integers(0, 10, 878)
    val_images = rng.random((293, 64, 64, 3), dtype=np.float32)
    val_labels = rng.integers(0, 10, 293)
    inputs = keras.Input(shape=train_images.shape[1:])
    x = keras.layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(50, activation="relu")(x)
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model_small")
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])  # fmt: skip
    return model, dict(x=train_images, y=train_labels, epochs=10,
                       validation_data=(val_images, val_labels))  # fmt: skip


def transfer(keras, np):  # episode 5
    rng = np.random.default_rng(5)
    train_images = rng.random((878, 64, 64, 3), dtype=np.float32)
    train_labels = rng.integers(0, 10, 878)
    val_images = rng.random((293, 64, 64, 3), dtype=np.float32)
    val_labels = rng.integers(0, 10, 293)
    inputs = keras.Input(train_images.shape[1:])
    if keras.backend.backend() == "tensorflow":  # the lesson's code
        import tensorflow as tf

        method = tf.image.resize_with_pad
        resize = keras.layers.Lambda(lambda imgs: method(imgs, 160, 160))
    else:  # tf.image does not run on torch: Keras' own resize with padding
        resize = keras.layers.Resizing(160, 160, pad_to_aspect_ratio=True)
    resized_images = resize(inputs)
    base_model = keras.applications.DenseNet121(
        include_top=False, pooling="max", weights=None, input_shape=(160, 160, 3)
    )
    base_model.trainable = False
    x = base_model(resized_images, training=False)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(50, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])  # fmt: skip
    early_stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
    return model, dict(
        x=train_images, y=train_labels, batch_size=32, epochs=30,
        validation_data=(val_images, val_labels), callbacks=[early_stopper],
    )  # fmt: skip


EPISODES = {2: penguins, 3: weather, 4: dollar_street, 5: transfer}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("episode", type=int, choices=sorted(EPISODES))
    ap.add_argument("--epochs", type=int, help="fewer epochs than the lesson (episode 5: 2)")
    ap.add_argument("--backend", choices=("tensorflow", "torch", "jax"))
    args = ap.parse_args()
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    import keras
    import numpy as np

    model, kw = EPISODES[args.episode](keras, np)
    if args.epochs:
        kw["epochs"] = args.epochs
    ends: list[float] = []

    class EpochClock(keras.callbacks.Callback):  # one stamp per epoch, as a learner's eye
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    kw["callbacks"] = [*kw.get("callbacks", []), EpochClock()]
    out = open(os.devnull, "w")  # the progress bar of the default verbose, written as usual
    saved, sys.stdout = sys.stdout, out
    try:
        t0 = time.perf_counter()
        model.fit(kw.pop("x"), kw.pop("y"), **kw)
        fit_s = time.perf_counter() - t0
    finally:
        sys.stdout = saved
    epochs = [b - a for a, b in zip([t0, *ends[:-1]], ends)]  # noqa: B905
    sys.stdout.write(json.dumps({"episode": args.episode, "fit_seconds": fit_s,
                                 "epoch_seconds": epochs,
                                 "backend": keras.backend.backend()}) + "\n")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
