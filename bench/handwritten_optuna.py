"""The baseline of bench/optuna.mjs: an Optuna search written by hand for the same model, data and
epochs as bench/harness_model.py, the way a data scientist would write it without optpar (an
in-memory study, the objective building the model from trial.suggest_*)."""
import sys

import optuna
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras import layers
import numpy as np

digits = load_digits()
images = digits.images[..., np.newaxis].astype("float32") / 16.0
x_train, x_val, y_train, y_val = train_test_split(images, digits.target, test_size=0.2, random_state=42)


def objective(trial):
    print("trial started", file=sys.stderr, flush=True)  # as the harness logs each trial
    dropout = trial.suggest_float("dropout.rate", 0.0, 0.6)
    learning_rate = trial.suggest_float("compile.optimizer.learning_rate", 1e-5, 0.1, log=True)
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding="same"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(dropout),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=3, batch_size=32, validation_data=(x_val, y_val), verbose=0)
    keras.backend.clear_session()
    return min(history.history["val_loss"])


optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=0))
study.optimize(objective, n_trials=int(sys.argv[1]))
