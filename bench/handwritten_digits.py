"""The baseline of bench/harness.mjs: a hyperopt search written by hand for the same model, data
and epochs as bench/harness_model.py, the way a data scientist would write it without optpar."""
import math
import sys

import numpy as np
from hyperopt import STATUS_OK, Trials, fmin, hp, rand
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras import layers

digits = load_digits()
images = digits.images[..., np.newaxis].astype("float32") / 16.0
x_train, x_val, y_train, y_val = train_test_split(images, digits.target, test_size=0.2, random_state=42)

space = {
    "dropout.rate": hp.uniform("dropout.rate", 0.0, 0.6),
    "compile.optimizer.learning_rate": hp.loguniform("compile.optimizer.learning_rate", math.log(1e-5), math.log(0.1)),
}


def objective(params):
    print("trial started", file=sys.stderr, flush=True)  # as the harness logs each trial
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu", padding="same"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu", padding="same"),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dropout(params["dropout.rate"]),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=params["compile.optimizer.learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=3, batch_size=32, validation_data=(x_val, y_val), verbose=0)
    keras.backend.clear_session()
    return {"loss": min(history.history["val_loss"]), "status": STATUS_OK}


trials = Trials()
fmin(objective, space, algo=rand.suggest, max_evals=int(sys.argv[1]), trials=trials,
     rstate=np.random.default_rng(0), show_progressbar=False)
