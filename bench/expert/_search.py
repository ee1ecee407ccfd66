"""The search loop shared by the hand-written expert searches in this folder.

Each expert script defines its own data, its own hyperopt space and a `train(params)` that builds,
compiles and fits the model and returns the Keras History. This module gives them the same
command line (--seed, --max-evals), scores a trial the way optpar does (the minimum val_loss over
the epochs), seeds Python, NumPy and Keras before each trial, runs TPE, and prints one JSON line.
"""
import argparse
import json
import math
import sys
import time
from functools import partial

import numpy as np
from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, space_eval, tpe
from hyperopt.exceptions import AllTrialsFailed


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def run(name, space, train, default_max_evals=20):
    parser = argparse.ArgumentParser(description="Hand-written hyperopt TPE search of %s." % name)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-evals", type=int, default=default_max_evals)
    args = parser.parse_args()

    import keras

    count = [0]

    def objective(params):
        count[0] += 1
        trial_seed = args.seed * 1000 + count[0]
        keras.utils.set_random_seed(trial_seed)  # Python, NumPy and the backend
        started = time.perf_counter()
        print("expert: trial %d started" % count[0], file=sys.stderr, flush=True)
        try:
            history = train(params)
            losses = [v for v in history.history["val_loss"] if math.isfinite(v)]
            if not losses:
                raise FloatingPointError("val_loss was never finite")
            loss = float(min(losses))
            result = {"loss": loss, "status": STATUS_OK}
            print("expert: trial %d done: val_loss %.6g in %.1fs" % (count[0], loss, time.perf_counter() - started),
                  file=sys.stderr, flush=True)
        except Exception as exc:  # a broken configuration is a failed trial, the search goes on
            result = {"status": STATUS_FAIL, "error": "%s: %s" % (type(exc).__name__, exc)}
            print("expert: trial %d failed: %s" % (count[0], result["error"]), file=sys.stderr, flush=True)
        finally:
            keras.backend.clear_session()
        result["seed"] = trial_seed
        result["duration"] = round(time.perf_counter() - started, 3)
        return result

    # TPE learning after a few random draws, as optpar sets it (hyperopt's default waits 20).
    algo = partial(tpe.suggest, n_startup_jobs=max(5, args.max_evals // 5))
    trials = Trials()
    started = time.perf_counter()
    try:
        fmin(objective, space, algo=algo, max_evals=args.max_evals, trials=trials,
             rstate=np.random.default_rng(args.seed), show_progressbar=False)
    except AllTrialsFailed:
        pass
    rows = []
    for t in trials.trials:
        r = t["result"]
        vals = {k: v[0] for k, v in t["misc"]["vals"].items() if v}
        rows.append({"params": _plain(space_eval(space, vals)), "status": r.get("status"), "loss": r.get("loss"),
                     "error": r.get("error"), "duration": r.get("duration")})
    ok = [row for row in rows if row["status"] == STATUS_OK]
    best = min(ok, key=lambda row: row["loss"]) if ok else None
    print(json.dumps({
        "expert": name, "seed": args.seed, "max_evals": args.max_evals,
        "best_loss": best["loss"] if best else None, "best_params": best["params"] if best else None,
        "losses": [row["loss"] for row in rows], "failures": len(rows) - len(ok),
        "trials": rows, "seconds": round(time.perf_counter() - started, 1),
    }))
