"""Expert hyperopt search of test/fixtures/value/lstm_tokens.py, written by hand.

Embedding size, LSTM width, Adam's learning rate and the batch size: the usual knobs of a small
text classifier. LSTM widths stay modest (1,280 training sequences). Same generated data, split
and epochs (6) as the user's script."""
import math

import numpy as np
from hyperopt import hp
from tensorflow import keras
from tensorflow.keras import layers

from _search import run

VOCAB_SIZE = 50
MAX_LEN = 20

rng = np.random.default_rng(1234)
n = 1600
lengths = rng.integers(8, MAX_LEN + 1, size=n)
sequences = np.zeros((n, MAX_LEN), dtype="int32")
for i, length in enumerate(lengths):
    sequences[i, MAX_LEN - length:] = rng.integers(1, VOCAB_SIZE, size=length)
positive = ((sequences >= 1) & (sequences <= 5)).sum(axis=1)
negative = ((sequences >= 6) & (sequences <= 10)).sum(axis=1)
labels = (positive > negative).astype("float32")
split = int(0.8 * n)
x_train, y_train = sequences[:split], labels[:split]
x_val, y_val = sequences[split:], labels[split:]

space = {
    "embedding_dim": hp.choice("embedding_dim", [8, 16, 32, 64]),
    "lstm_units": hp.choice("lstm_units", [16, 32, 64, 128]),
    "learning_rate": hp.loguniform("learning_rate", math.log(3e-4), math.log(3e-2)),
    "batch_size": hp.choice("batch_size", [32, 64, 128]),
}


def train(p):
    model = keras.Sequential([
        layers.Input(shape=(MAX_LEN,)),
        layers.Embedding(VOCAB_SIZE, p["embedding_dim"]),
        layers.LSTM(p["lstm_units"]),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=p["learning_rate"]),
                  metrics=["accuracy"])
    return model.fit(x_train, y_train, epochs=6, batch_size=p["batch_size"], validation_data=(x_val, y_val), verbose=0)


if __name__ == "__main__":
    run("lstm_tokens", space, train)
