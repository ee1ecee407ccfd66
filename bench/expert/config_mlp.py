"""Expert hyperopt search of test/fixtures/value/config_mlp.py, written by hand.

A small regression MLP: the search covers both widths, dropout (kept low: it rarely helps a
regression net this size), the hidden activation, Adam's learning rate and the batch size.
Same data, scaling, split and epochs (8) as the user's script."""
import math

from hyperopt import hp
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import keras
from keras import layers

from _search import run

X, y = make_friedman1(n_samples=1500, n_features=10, noise=1.0, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
y_mean, y_std = y_train.mean(), y_train.std()
y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

space = {
    "hidden_1": hp.choice("hidden_1", [32, 64, 128, 256]),
    "hidden_2": hp.choice("hidden_2", [16, 32, 64, 128]),
    "dropout": hp.uniform("dropout", 0.0, 0.3),
    "activation": hp.choice("activation", ["relu", "elu", "gelu"]),
    "learning_rate": hp.loguniform("learning_rate", math.log(3e-4), math.log(3e-2)),
    "batch_size": hp.choice("batch_size", [16, 32, 64, 128]),
}


def train(p):
    inputs = keras.Input(shape=(10,))
    x = layers.Dense(p["hidden_1"], activation=p["activation"])(inputs)
    x = layers.Dropout(p["dropout"])(x)
    x = layers.Dense(p["hidden_2"], activation=p["activation"])(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=p["learning_rate"]), loss="mse")
    return model.fit(X_train, y_train, validation_data=(X_val, y_val), batch_size=p["batch_size"],
                     epochs=8, verbose=0)


if __name__ == "__main__":
    run("config_mlp", space, train)
