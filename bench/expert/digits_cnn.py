"""Expert hyperopt search of test/fixtures/value/digits_cnn.py, written by hand.

8x8 inputs leave little room for the spatial settings: the two 3x3/2x2 convolutions and the 2x2
pool are kept (they already take the map down to 2x2); the search is over widths, dropout,
learning rate and batch size. Same data, split and epochs (8) as the user's script."""
import math

import numpy as np
from hyperopt import hp
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras import layers

from _search import run

digits = load_digits()
x = (digits.images.astype("float32") / 16.0)[..., np.newaxis]
y = digits.target
x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=42, stratify=y)

space = {
    "filters_1": hp.choice("filters_1", [16, 32, 64]),
    "filters_2": hp.choice("filters_2", [32, 64, 128]),
    "dense_units": hp.choice("dense_units", [32, 64, 128, 256]),
    "dropout": hp.uniform("dropout", 0.0, 0.5),
    "learning_rate": hp.loguniform("learning_rate", math.log(1e-4), math.log(1e-2)),
    "batch_size": hp.choice("batch_size", [32, 64, 128]),
}


def train(p):
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(p["filters_1"], (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(p["filters_2"], (2, 2), activation="relu"),
        layers.Flatten(),
        layers.Dense(p["dense_units"], activation="relu"),
        layers.Dropout(p["dropout"]),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=p["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(x_train, y_train, batch_size=p["batch_size"], epochs=8,
                     validation_data=(x_val, y_val), verbose=0)


if __name__ == "__main__":
    run("digits_cnn", space, train)
