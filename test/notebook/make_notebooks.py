"""Writes the test notebooks with the real nbformat package (issue 14). Usage: make_notebooks.py DIR"""
import base64
import json
import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

out = sys.argv[1]

IMPORTS = "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras import layers"
DATA = (
    "rng = np.random.default_rng(0)\n"
    "x = rng.random((256, 8)).astype('float32')\n"
    "y = (x.sum(axis=1) > 4).astype('int32')"
)

# A model split over several cells, with IPython syntax of every kind (v4.5: cells have ids).
split = new_notebook()
split.cells = [
    new_markdown_cell("# A model over several cells\n\n`units` is defined in one cell and used in another."),
    new_code_cell("%matplotlib inline\n!pip install -q hyperopt\n" + IMPORTS, id="imports"),
    new_code_cell(
        DATA + "\nunits = 64\nfiles = !ls\nif False:\n    !echo never\n    %time pass\n"
        'msg = ("units: %d"\n       % units)\n!echo (\nw = 1\ndoc = """\n%not a magic\n"""',
        id="data",
    ),
    new_raw_cell("raw text: Dense(999)"),
    new_code_cell("%%bash\necho Dense(1234)\nls -l", id="shell"),
    new_code_cell(
        "model = keras.Sequential([\n"
        "    keras.Input(shape=(8,)),\n"
        "    layers.Dense(units, activation='relu'),\n"
        "    layers.Dropout(0.2),\n"
        "    layers.Dense(2, activation='softmax'),\n"
        "])\n"
        "model.summary?",
        id="model",
    ),
    new_markdown_cell("Train it:"),
    new_code_cell(
        "%%time\n"
        "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss='sparse_categorical_crossentropy')\n"
        "history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)",
        id="train",
    ),
    new_code_cell("", id="empty"),
]
assert split.nbformat_minor >= 5
nbformat.write(split, os.path.join(out, "split_v45.ipynb"))

# nbformat 4.4: no cell ids.
v44 = new_notebook()
v44.nbformat_minor = 4
v44.cells = [
    new_code_cell(IMPORTS + "\n" + DATA),
    new_code_cell(
        "model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(32, activation='tanh'), layers.Dense(2, activation='softmax')])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)\n"
    ),
]
for cell in v44.cells:
    del cell["id"]
nbformat.validate(v44)
nbformat.write(v44, os.path.join(out, "v44.ipynb"))

# Kaggle style: sources as single strings, outputs (stream, a result, a PNG image), execution
# counts, Kaggle metadata, written with indent=2 as Kaggle's own files are.
png = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()
kaggle = new_notebook(
    metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.10.12"},
        "kaggle": {"accelerator": "gpu", "isInternetEnabled": True, "language": "python", "sourceType": "notebook"},
    }
)
cells = [
    new_code_cell("!pip install -q keras-tuner\n" + IMPORTS + "\nprint('ready')", execution_count=1, outputs=[new_output("stream", name="stdout", text="ready\n")]),
    new_code_cell(DATA + "\nx.shape", execution_count=2, outputs=[new_output("execute_result", data={"text/plain": "(256, 8)"}, execution_count=2)]),
    new_code_cell(
        "inputs = keras.Input(shape=(8,))\n"
        "h = layers.Dense(48, activation='relu')(inputs)\n"
        "h = layers.Dropout(0.25)(h)\n"
        "outputs = layers.Dense(2, activation='softmax')(h)\n"
        "model = keras.Model(inputs, outputs)\n"
        "model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.002), loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
        execution_count=3,
        outputs=[],
    ),
    new_code_cell(
        "history = model.fit(x, y, validation_split=0.25, epochs=2, batch_size=64, verbose=0)\n"
        "print(min(history.history['val_loss']))\nhistory.history['loss']",
        execution_count=4,
        outputs=[
            new_output("display_data", data={"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"}, metadata={"image/png": {"width": 1, "height": 1}}),
        ],
    ),
    new_markdown_cell("Résumé: ça marche ✓"),
]
kaggle.cells = cells
nbformat.validate(kaggle)
doc = json.loads(nbformat.writes(kaggle))
for cell in doc["cells"]:
    cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
with open(os.path.join(out, "kaggle.ipynb"), "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
nbformat.validate(nbformat.read(os.path.join(out, "kaggle.ipynb"), as_version=4))
print("ok")
