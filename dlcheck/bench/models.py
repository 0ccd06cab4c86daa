"""Keras builders for the course's models, and their cost counted from layer shapes.

Keras is imported inside the functions: the caller sets KERAS_BACKEND first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlcheck.bench.workloads import Workload


def ep2_dense(keras: Any) -> Any:
    """Episode 2: Dense(10, relu) -> Dense(3, softmax) on 4 penguin features (83 params)."""
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(10, activation="relu")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="penguins")
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())
    return model


def ep3_dense(keras: Any) -> Any:
    """Episode 3: Dense(100, relu) -> Dense(50, relu) -> Dense(1) on 89 features (14,101)."""
    inputs = keras.Input(shape=(89,), name="input")
    x = keras.layers.Dense(100, activation="relu", name="dense1")(inputs)
    x = keras.layers.Dense(50, activation="relu", name="dense2")(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="weather_prediction_model")
    model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.RootMeanSquaredError()])
    return model


def _compile_classifier(keras: Any, model: Any) -> Any:
    """The lesson's compile call for its image classifiers (episodes 4 and 5)."""
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def ep4_cnn(keras: Any) -> Any:
    """Episode 4, the reference CNN: two Conv2D(50, 3x3)/MaxPool blocks, Dense(50), Dense(10)
    on 64x64x3 images (514,510 params)."""
    inputs = keras.Input(shape=(64, 64, 3))
    x = keras.layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(50, activation="relu")(x)
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model_small")
    return _compile_classifier(keras, model)


def resize_with_pad(keras: Any, size: int) -> Any:
    """The lesson's ``Lambda(lambda x: tf.image.resize_with_pad(x, 160, 160))`` on the
    TensorFlow backend, as written; on the other backends (where that TensorFlow code does not
    run) Keras' own ``Resizing(..., pad_to_aspect_ratio=True)``, the same bilinear resize with
    padding (the 64x64 images are square: no padding is added either way)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return keras.layers.Lambda(lambda x: tf.image.resize_with_pad(x, size, size))
    return keras.layers.Resizing(size, size, pad_to_aspect_ratio=True)


EP5_SIZE = 160  # DenseNet121's input size in the lesson


def ep5_densenet(keras: Any) -> Any:
    """Episode 5 as the lesson builds it: the 64x64 images resized with padding to 160x160
    inside the model, a frozen DenseNet121(include_top=False, pooling='max') and a small head
    (7,093,360 params, 53,808 trainable). Random weights (weights=None): the ImageNet weights
    are a download, and the architecture, the frozen layers and so the cost are the same."""
    inputs = keras.Input(shape=(64, 64, 3))
    x = resize_with_pad(keras, EP5_SIZE)(inputs)
    base = keras.applications.DenseNet121(
        include_top=False, pooling="max", weights=None, input_shape=(EP5_SIZE, EP5_SIZE, 3)
    )
    base.trainable = False
    x = base(x, training=False)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(50, activation="relu")(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="densenet_model")
    return _compile_classifier(keras, model)


BUILDERS = {f.__name__: f for f in (ep2_dense, ep3_dense, ep4_cnn, ep5_densenet)}


def build_model(workload: Workload, keras: Any) -> Any:
    """The compiled model of ``workload``, as the lesson builds it."""
    return BUILDERS[workload.builder](keras)


def count_params(model: Any) -> tuple[int, int]:
    """(total, trainable) parameter counts, as model.summary() shows them."""
    trainable = sum(int(_size(w.shape)) for w in model.trainable_weights)
    return int(model.count_params()), trainable


@dataclass(frozen=True)
class Cost:
    forward_flops: float  # per sample, 2 x multiply-adds of Conv2D and Dense layers
    train_flops: float  # per sample: forward + weight gradients + input gradients needed


def _size(shape: Any) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _flat_layers(model: Any) -> list[Any]:
    out = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            out.extend(_flat_layers(layer))
        else:
            out.append(layer)
    return out


def layer_macs(kind: str, in_shape: list[int], out_shape: list[int], kernel: list[int]) -> int:
    """Multiply-adds per sample of one Conv2D ('conv') or Dense ('dense') layer, channels last.
    For conv: kernel = [kh, kw]; for dense the kernel is unused."""
    if kind == "conv":
        return _size(out_shape) * kernel[0] * kernel[1] * in_shape[-1]
    return _size(in_shape[:-1] or [1]) * in_shape[-1] * out_shape[-1]


def model_cost(model: Any) -> Cost:
    """FLOPs per sample counted from the layer shapes (Conv2D, DepthwiseConv2D and Dense;
    pooling, activations and normalisation are left out, the usual convention).
    Training adds a weight gradient for each trainable layer and an input gradient for each
    layer with a trainable layer before it (2 x forward for most layers, so about 3 x)."""
    fwd = train = 0
    trainable_seen = False
    for layer in _flat_layers(model):
        name = type(layer).__name__
        if name not in ("Conv2D", "DepthwiseConv2D", "Dense"):
            if layer.trainable_weights:
                trainable_seen = True
            continue
        in_shape = [int(d) for d in layer.input.shape[1:]]
        out_shape = [int(d) for d in layer.output.shape[1:]]
        if name == "Conv2D":
            groups = int(getattr(layer, "groups", 1) or 1)
            macs = layer_macs("conv", in_shape, out_shape, list(layer.kernel_size)) // groups
        elif name == "DepthwiseConv2D":
            kh, kw = layer.kernel_size
            macs = _size(out_shape) * kh * kw
        else:
            macs = layer_macs("dense", in_shape, out_shape, [])
        fwd += macs
        train += macs
        if trainable_seen:
            train += macs  # gradient with respect to the input
        if layer.trainable_weights:
            train += macs  # gradient with respect to the weights
            trainable_seen = True
    return Cost(forward_flops=2.0 * fwd, train_flops=2.0 * train)
