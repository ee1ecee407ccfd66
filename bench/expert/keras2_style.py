"""Expert hyperopt search of test/fixtures/value/keras2_style.py, written by hand.

The old-guide MLP with SGD + Nesterov: widths, one dropout rate for both blocks, the hidden
activation, SGD's learning rate and momentum, and the batch size. Same data, split and epochs (8)
as the user's script."""
import math

from hyperopt import hp
from sklearn.datasets import make_classification
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Dropout, Activation
from tensorflow.keras.optimizers import SGD

from _search import run

X, Y = make_classification(n_samples=1500, n_features=20, n_informative=8, n_redundant=4,
                           flip_y=0.05, class_sep=0.8, random_state=1337)
X_train, X_test = X[:1200], X[1200:]
Y_train, Y_test = Y[:1200], Y[1200:]

space = {
    "units_1": hp.choice("units_1", [32, 64, 128, 256]),
    "units_2": hp.choice("units_2", [32, 64, 128, 256]),
    "dropout": hp.uniform("dropout", 0.0, 0.5),
    "activation": hp.choice("activation", ["relu", "tanh", "elu"]),
    "learning_rate": hp.loguniform("learning_rate", math.log(1e-3), math.log(0.3)),
    "momentum": hp.uniform("momentum", 0.5, 0.99),
    "batch_size": hp.choice("batch_size", [16, 32, 64]),
}


def train(p):
    model = Sequential()
    model.add(Dense(p["units_1"], input_dim=20, kernel_initializer='uniform'))
    model.add(Activation(p["activation"]))
    model.add(Dropout(p["dropout"]))
    model.add(Dense(p["units_2"], kernel_initializer='uniform'))
    model.add(Activation(p["activation"]))
    model.add(Dropout(p["dropout"]))
    model.add(Dense(1))
    model.add(Activation('sigmoid'))
    sgd = SGD(learning_rate=p["learning_rate"], momentum=p["momentum"], nesterov=True)
    model.compile(loss='binary_crossentropy', optimizer=sgd, metrics=['accuracy'])
    return model.fit(X_train, Y_train, epochs=8, batch_size=p["batch_size"], verbose=0,
                     validation_data=(X_test, Y_test))


if __name__ == "__main__":
    run("keras2_style", space, train)
