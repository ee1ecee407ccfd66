"""Expert hyperopt search of test/fixtures/value/subclassed_classifier.py, written by hand.

The subclassed model takes its settings through the constructor; the search covers both widths,
the hidden activation, dropout, RMSprop's learning rate and the batch size. Same data,
validation_split (0.2) and epochs (6) as the user's script."""
import math

from hyperopt import hp
import keras
from keras import layers
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

from _search import run

X, y = make_classification(n_samples=2000, n_features=30, n_informative=12, n_redundant=6,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=7)
X = StandardScaler().fit_transform(X).astype("float32")


class TabularClassifier(keras.Model):
    def __init__(self, num_classes, units_1, units_2, activation, dropout, **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = layers.Dense(units_1, activation=activation)
        self.dropout = layers.Dropout(dropout)
        self.hidden2 = layers.Dense(units_2, activation=activation)
        self.classifier = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = self.hidden1(inputs)
        x = self.dropout(x, training=training)
        x = self.hidden2(x)
        return self.classifier(x)


space = {
    "units_1": hp.choice("units_1", [64, 128, 256, 512]),
    "units_2": hp.choice("units_2", [32, 64, 128, 256]),
    "activation": hp.choice("activation", ["relu", "tanh", "elu"]),
    "dropout": hp.uniform("dropout", 0.0, 0.5),
    "learning_rate": hp.loguniform("learning_rate", math.log(1e-4), math.log(1e-2)),
    "batch_size": hp.choice("batch_size", [16, 32, 64, 128]),
}


def train(p):
    model = TabularClassifier(4, p["units_1"], p["units_2"], p["activation"], p["dropout"])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=p["learning_rate"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model.fit(X, y, batch_size=p["batch_size"], epochs=6, validation_split=0.2, verbose=0)


if __name__ == "__main__":
    run("subclassed_classifier", space, train)
