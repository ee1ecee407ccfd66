#!/usr/bin/env python3
"""Check the optpar catalogue's names and positions against an installed Keras.

The catalogue (metadata/*.yaml) is read as JSON, so this script needs no YAML library. Feed it
the merged callables, e.g. from the repository root:

    node -e "const Y=require('yaml'),fs=require('fs');const c=[],s={};for(const f of fs.readdirSync('metadata').filter(f=>f.endsWith('.yaml'))){const d=Y.parse(fs.readFileSync('metadata/'+f,'utf8'));Object.assign(s,d.sets??{});for(const e of d.callables??[])c.push({...e,origin:f})}process.stdout.write(JSON.stringify({callables:c,sets:s}))" \\
      | .venv/bin/python metadata/check_keras.py

Accepted input: {"callables": [...], "sets": {...}}, a list of callables, or a list of parsed
files ({"source": ..., "sets": ..., "callables": [...]}). A callable may carry "origin" (its file)
for messages. Each named choice set whose name says what it holds (kernel_initializers,
activations, optimizers...) is checked value by value with keras.initializers.get,
keras.activations.get, keras.optimizers.get or keras.regularizers.get.

For every callable, each path starting with "keras." or "tensorflow." is imported. A keras.*
path that this Keras does not have at top level is also looked up in its tf.keras API
(keras._tf_keras.keras, what `tf.keras` is under Keras 3: keras.preprocessing.image.ImageDataGenerator
lives only there). Methods: "Model.fit" is looked up as keras.Model.fit, "Owner.method" as an
attribute of the catalogue's own callable named Owner (ImageDataGenerator.flow). A Model method
that Keras 3 removed (fit_generator) is checked against its Keras 2 signature recorded in
KERAS2_METHODS (from tf_keras 2.21.0, the last Keras 2; --verify-keras2 compares the record with
an importable tf_keras). Paths absent from this Keras (Keras 2 module paths, removed aliases) are
reported as info; at least one path must resolve. The first path that resolves gives the
signature: __init__ of a class (self excluded), the function itself otherwise. Every other
tensorflow.* path (TF's own classes, such as tf.random_normal_initializer beside
keras.initializers.RandomNormal) is checked against its own signature as well. Each parameter
must then be a named parameter of that signature, or, when the signature has **kwargs, a
keyword-only catalogue parameter (no position) such as input_shape on layers; a tunable one
must moreover be read from **kwargs by the Keras code (kwargs.pop/get), so that a misspelt
hyperparameter cannot hide there (fixed and tune: false ones, like the Keras 2 keyword
batch_input_shape, are only noted). A catalogue
position must equal the parameter's index among the positional(-or-keyword) parameters; a
Keras keyword-only parameter must have no position. A legacy name must not be a current
parameter of the same signature.

Output (stdout): {"keras", "source", "errors": [{"callable", "param", "message"}], "info",
"callables", "checked"}; exit status 1 when there are errors.

--write prints the positions taken from the installed Keras instead, as JSON
{callable: {param: position or null}}, for a maintainer to copy into the YAML files; it does
not rewrite the YAML files in place (comments and layout would be lost). It exits 1 when errors
remain that positions cannot fix (unresolvable callables, unknown names).
"""

import argparse
import contextlib
import importlib
import inspect
import json
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


@contextlib.contextmanager
def _quiet_stderr():
    """Silences native (absl/TensorFlow C++) log lines written while Keras imports its backend."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
KWARG_READ = re.compile(
    r"""kwargs\s*\.\s*(?:pop|get)\(\s*["'](\w+)["']|["'](\w+)["']\s+(?:not\s+)?in\s+kwargs"""
)


# Model methods that Keras 3 removed, with their Keras 2 signatures (self excluded), recorded from
# tf_keras 2.21.0 (tf_keras/src/engine/training.py). Keras 2 scripts still call them.
KERAS2_SOURCE = "tf_keras 2.21.0"
KERAS2_METHODS = {
    "fit_generator": "generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None, validation_data=None, "
    "validation_steps=None, validation_freq=1, class_weight=None, max_queue_size=10, workers=1, "
    "use_multiprocessing=False, shuffle=True, initial_epoch=0",
    "evaluate_generator": "generator, steps=None, callbacks=None, max_queue_size=10, workers=1, "
    "use_multiprocessing=False, verbose=0",
}


def keras2_params(method):
    """The recorded Keras 2 signature of a removed Model method, as inspect.Parameter objects."""
    params = []
    for part in KERAS2_METHODS[method].split(","):
        name, eq, default = part.strip().partition("=")
        params.append(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        default=eval(default) if eq else inspect.Parameter.empty))  # noqa: S307 - our own literals
    return params


def verify_keras2():
    """Compares KERAS2_METHODS with the installed tf_keras; returns a list of differences."""
    import tf_keras  # noqa: PLC0415 - only for --verify-keras2

    diffs = []
    for method in KERAS2_METHODS:
        real = list(inspect.signature(getattr(tf_keras.Model, method)).parameters.values())[1:]
        want = [(p.name, p.default) for p in keras2_params(method)]
        got = [(p.name, p.default) for p in real]
        if want != got:
            diffs.append(f"{method}: recorded {want}, tf_keras {tf_keras.__version__} has {got}")
    return diffs


def resolve_any(path):
    """resolve(), falling back to this Keras's tf.keras API for keras.* paths: (obj, why, via)."""
    obj, why = resolve(path)
    if obj is None and path.startswith("keras."):
        alt = "keras._tf_keras." + path
        obj2, _ = resolve(alt)
        if obj2 is not None:
            return obj2, None, alt
    return obj, why, None


def resolve(path):
    """The object at a dotted keras.* path, or (None, reason)."""
    parts = path.split(".")
    obj = None
    for i in range(len(parts)):
        if i == 0:
            try:
                obj = importlib.import_module(parts[0])
            except Exception as exc:  # noqa: BLE001 - any import failure means "absent"
                return None, f"cannot import {parts[0]}: {exc}"
            continue
        if hasattr(obj, parts[i]):
            obj = getattr(obj, parts[i])
            continue
        if inspect.ismodule(obj):
            try:
                obj = importlib.import_module(".".join(parts[: i + 1]))
                continue
            except Exception:  # noqa: BLE001
                pass
        return None, f"{'.'.join(parts[:i])} has no attribute {parts[i]}"
    if inspect.ismodule(obj):
        return None, "is a module, not a callable"
    if not callable(obj):
        return None, "is not callable"
    return obj, None


def describe(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', '?'))}"


def signature_of(obj, is_method):
    """(parameters without self, functions whose source may read **kwargs)."""
    if inspect.isclass(obj):
        func = obj.__init__
        params = list(inspect.signature(func).parameters.values())[1:]
        sources = [c.__dict__["__init__"] for c in obj.__mro__ if "__init__" in c.__dict__]
    else:
        func = obj
        params = list(inspect.signature(func).parameters.values())
        if is_method and params and params[0].name in ("self", "cls"):
            params = params[1:]
        sources = [func]
    return params, sources


def shown(obj):
    try:
        return str(inspect.signature(obj.__init__ if inspect.isclass(obj) else obj))
    except (TypeError, ValueError):
        return "(...)"


def kwargs_read(sources):
    names = set()
    for func in sources:
        try:
            src = inspect.getsource(func)
        except (OSError, TypeError):
            continue
        for m in KWARG_READ.finditer(src):
            names.add(m.group(1) or m.group(2))
    return names


def load_input(args):
    text = open(args.json, encoding="utf-8").read() if args.json and args.json != "-" else sys.stdin.read()
    data = json.loads(text)
    sources = set()
    if isinstance(data, dict):
        if "source" in data:
            sources.add(data["source"])
        return data.get("callables", []), sources, data.get("sets") or {}
    callables, sets = [], {}
    for item in data:
        if isinstance(item, dict) and "callables" in item and "name" not in item:
            if "source" in item:
                sources.add(item["source"])
            callables.extend(item["callables"] or [])
            sets.update(item.get("sets") or {})
        else:
            callables.append(item)
    return callables, sources, sets


def check(callables):
    errors, info, positions = [], [], {}
    checked = 0
    seen_keys = set()
    # Owners of catalogue methods other than Model (ImageDataGenerator.flow): their paths.
    owners = {}
    for spec in callables:
        if spec.get("kind") != "method":
            owners.setdefault(spec.get("name"), spec.get("paths") or [])

    def err(spec, param, message, position_only=False):
        e = {"callable": spec.get("name"), "param": param, "message": message}
        if position_only:
            e["_position"] = True  # fixed by copying --write's positions; stripped from the report
        if spec.get("origin"):
            e["origin"] = spec["origin"]
        errors.append(e)

    def note(spec, message, param=None):
        info.append({"callable": spec.get("name"), "param": param, "message": message})

    def resolve_method(spec, path):
        """(obj, why, via, recorded_params) for a method path Owner.method."""
        owner, _, method = path.rpartition(".")
        if owner == "Model":
            obj, why = resolve("keras.Model." + method)
            if obj is None and method in KERAS2_METHODS:
                return None, None, None, keras2_params(method)
            return obj, why, None, None
        for owner_path in owners.get(owner, []):
            if not owner_path.startswith(("keras.", "tensorflow.")):
                continue
            obj, why, via = resolve_any(owner_path + "." + method)
            if obj is not None:
                return obj, None, via or owner_path + "." + method, None
        return None, f"no catalogue callable {owner} with a path that has {method}", None, None

    def check_params(spec, key, params, sources, where, shown_sig, record):
        nonlocal checked
        positional = [p.name for p in params if p.kind in POSITIONAL]
        keyword_only = {p.name for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY}
        named = set(positional) | keyword_only
        has_var_kw = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params)
        read = None
        fixed_positions = positions.setdefault(key, {}) if record else {}

        for p in spec.get("params") or []:
            pname = p.get("name")
            pos = p.get("position")
            if record:
                checked += 1
            if p.get("removed"):
                # A Keras 2 argument this Keras refuses: it must indeed be gone.
                if pname in named:
                    err(spec, pname, f"marked removed, but {where} still has it")
                continue
            if "implicit" in p:
                default = next((q.default for q in params if q.name == pname), inspect.Parameter.empty)
                if default is inspect.Parameter.empty:
                    err(spec, pname, f"implicit default {p['implicit']!r}, but {where} has no default for it")
                elif default is None:
                    note(spec, f"implicit default {p['implicit']!r}: {where} says None (resolved in its code)", pname)
                elif default != p["implicit"]:
                    err(spec, pname, f"implicit default {p['implicit']!r} in the catalogue, {default!r} in Keras ({where})")
            if pname in positional:
                index = positional.index(pname)
                fixed_positions[pname] = index
                if pos is None:
                    err(spec, pname, f"Keras takes it positionally at index {index} ({where}); the catalogue has no position", True)
                elif pos != index:
                    err(spec, pname, f"position {pos} in the catalogue, {index} in Keras ({where})", True)
            elif pname in keyword_only:
                fixed_positions[pname] = None
                if pos is not None:
                    err(spec, pname, f"keyword-only in Keras ({where}); the catalogue gives position {pos}", True)
            elif has_var_kw:
                fixed_positions[pname] = None
                if read is None:
                    read = kwargs_read(sources)
                tunable = p.get("tune", True) is not False and not p.get("fixed")
                if pos is not None:
                    err(spec, pname, f"no named parameter {pname} in {where}{shown_sig}; "
                        f"only its **kwargs could take it, so it has no position; the catalogue gives {pos}", True)
                elif pname in read:
                    pass
                elif tunable:
                    err(spec, pname, f"no parameter {pname} in {where}{shown_sig}, and its **kwargs "
                        "never read it: a tunable parameter must be real (a misspelt name?)")
                else:
                    note(spec, f"accepted by **kwargs of {where} but not read by its code (a Keras 1/2 keyword?)", pname)
            else:
                err(spec, pname, f"no parameter {pname} in {where}{shown_sig}")
            for legacy in p.get("legacy") or []:
                if legacy == pname:
                    err(spec, pname, "legacy repeats the current name")
                elif legacy in named:
                    err(spec, pname, f"legacy name {legacy} is a current parameter of {where}")

    for spec in callables:
        name = spec.get("name")
        kind = spec.get("kind")
        is_method = kind == "method"
        key = name if name not in seen_keys else f"{name} ({kind})"
        seen_keys.add(key)

        primary, primary_path, recorded = None, None, None
        others = []  # tensorflow.* objects other than the primary, checked on their own
        for path in spec.get("paths") or []:
            via = None
            if is_method and "." in path and not path.startswith(("keras.", "tensorflow.")):
                obj, why, via, rec = resolve_method(spec, path)
                if rec is not None:
                    if primary is None and recorded is None:
                        recorded, primary_path = rec, path
                        note(spec, f"{path} is not in this Keras; checked against its Keras 2 signature recorded from {KERAS2_SOURCE}")
                    continue
            elif not path.startswith(("keras.", "tensorflow.")):
                note(spec, f"path {path}: not a keras.* or tensorflow.* path, not checked")
                continue
            else:
                obj, why, via = resolve_any(path)
            if obj is None:
                note(spec, f"legacy path, absent in this Keras: {path} ({why})")
                continue
            if via and via != path:
                note(spec, f"path {path} resolved as {via}")
            if primary is None and recorded is None:
                primary, primary_path = obj, path
            elif obj is not primary:
                if path.startswith("tensorflow."):
                    others.append((obj, path))
                else:
                    note(spec, f"path {path} resolves to {describe(obj)}, not {describe(primary)} (checked through {primary_path})")
        if primary is None and recorded is None:
            if all(not p.startswith(("keras.", "tensorflow.")) and "." in p and p.split(".")[0] not in ("Model",) for p in spec.get("paths") or []):
                note(spec, "a third-party callable (no keras.* or tensorflow.* path): its facts are not checked here")
                continue
            err(spec, None, "no path resolves in this Keras")
            continue

        if recorded is not None:
            sig = "(" + KERAS2_METHODS[primary_path.rpartition(".")[2]] + ")"
            check_params(spec, key, recorded, [], f"Keras 2 {primary_path}", sig, True)
            continue
        try:
            params, sources = signature_of(primary, is_method)
        except (TypeError, ValueError) as exc:
            err(spec, None, f"no signature for {primary_path}: {exc}")
            continue
        check_params(spec, key, params, sources, primary_path, shown(primary), True)
        for obj, path in others:
            try:
                params, sources = signature_of(obj, False)
            except (TypeError, ValueError) as exc:
                err(spec, None, f"no signature for {path}: {exc}")
                continue
            check_params(spec, key, params, sources, path, shown(obj), False)
    return errors, info, positions, checked


SET_GETTERS = (("initializer", "initializers"), ("activation", "activations"), ("optimizer", "optimizers"),
               ("regularizer", "regularizers"))


def check_sets(sets):
    """Each value of a named choice set must be accepted by keras.<family>.get, the family being
    named in the set's name (kernel_initializers -> keras.initializers.get)."""
    errors, info = [], []
    for name, values in sorted((sets or {}).items()):
        family = next((mod for word, mod in SET_GETTERS if word in name), None)
        if family is None:
            info.append({"callable": None, "param": None, "message": f"set {name}: no keras.*.get for it, not checked"})
            continue
        getter = getattr(importlib.import_module("keras." + family), "get")
        for value in values:
            try:
                if getter(value) is None:
                    raise ValueError("get returned None")
            except Exception as exc:  # noqa: BLE001 - any failure means Keras does not accept the name
                errors.append({"callable": None, "param": None, "set": name,
                               "message": f"set {name}: keras.{family}.get({value!r}) fails: {exc}"})
    return errors, info


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="--write prints the real positions as JSON {callable: {param: position}}; it does "
        "not rewrite the YAML files in place.",
    )
    parser.add_argument("--json", metavar="FILE", help="catalogue JSON (default: stdin; '-' is stdin)")
    parser.add_argument("--write", action="store_true", help="print the positions from the installed Keras")
    parser.add_argument("--verify-keras2", action="store_true",
                        help="compare the recorded Keras 2 signatures (KERAS2_METHODS) with an importable tf_keras")
    args = parser.parse_args(argv)

    if args.verify_keras2:
        with _quiet_stderr():
            diffs = verify_keras2()
        for d in diffs:
            print(f"error: {d}", file=sys.stderr)
        print(json.dumps({"keras2": KERAS2_SOURCE, "methods": sorted(KERAS2_METHODS), "differences": diffs}))
        return 1 if diffs else 0

    callables, sources, sets = load_input(args)
    with _quiet_stderr():
        import keras  # noqa: F401 - imported for its side effect on resolve()
    errors, info, positions, checked = check(callables)
    if not args.write:
        set_errors, set_info = check_sets(sets)
        errors += set_errors
        info += set_info

    if args.write:
        json.dump(positions, sys.stdout, indent=2)
        sys.stdout.write("\n")
        remaining = [e for e in errors if not e.get("_position")]
        for e in remaining:
            print(f"error: {e['callable']}.{e['param']}: {e['message']}", file=sys.stderr)
        return 1 if remaining else 0

    for e in errors:
        e.pop("_position", None)
    report = {
        "keras": keras.__version__,
        "source": sorted(sources),
        "errors": errors,
        "info": info,
        "callables": len(callables),
        "checked": checked,
    }
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
