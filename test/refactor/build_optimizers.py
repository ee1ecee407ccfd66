"""Runs model files up to their first fit with real Keras and prints, per file, the optimizer
each compile() built: its class and learning rate. fit() stops the file (nothing is trained).

Usage: python build_optimizers.py FILE... -> JSON {file: [{"class": ..., "learning_rate": ...}]}
"""
import json
import os
import runpy
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402


class _Stop(Exception):
    pass


built = []
_compile = keras.Model.compile


def compile(self, *args, **kwargs):
    _compile(self, *args, **kwargs)
    opt = self.optimizer
    built.append({"class": type(opt).__name__, "learning_rate": float(keras.ops.convert_to_numpy(opt.learning_rate))})


def fit(self, *args, **kwargs):
    raise _Stop()


keras.Model.compile = compile
keras.Model.fit = fit
out = {}
for path in sys.argv[1:]:
    built = []
    keras.utils.clear_session()
    try:
        runpy.run_path(path, run_name="__main__")
    except _Stop:
        pass
    out[path] = built
print(json.dumps(out))
