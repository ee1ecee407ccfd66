# --- optpar runtime, hyperopt backend: the search loop (fmin one trial at a time), its trials file,
# and SparkTrials with --spark-parallelism ---


def _optpar_backend_arguments(parser):
    parser.add_argument("--algo", choices=["tpe", "rand", "anneal", "atpe"], default=OPTPAR_SETTINGS["algo"], help="search algorithm (default: %(default)s)")
    parser.add_argument("--spark-parallelism", type=int, default=None, metavar="N",
                        help="run N trials at a time with hyperopt's SparkTrials (needs pyspark; a local Spark unless SPARK_MASTER or --spark-master says otherwise)")
    parser.add_argument("--spark-master", default=None, metavar="URL",
                        help="the Spark master of --spark-parallelism (default: $SPARK_MASTER, else local[N] on this machine)")


_OPTPAR_TRIAL_COUNT = [0]
_OPTPAR_SEARCH_SEED = [OPTPAR_SETTINGS["seed"]]


def objective(params):
    """The function hyperopt minimises: builds, trains and scores the model with these values."""
    _OPTPAR_TRIAL_COUNT[0] += 1
    number = _OPTPAR_TRIAL_COUNT[0]
    _optpar_log("trial %d started" % number)
    result = _optpar_run_trial(params, OPTPAR_SETTINGS["validation_split"], True,
                               seed=_optpar_trial_seed(_OPTPAR_SEARCH_SEED[0], number))
    if result.get("loss") is not None:
        _optpar_log("trial %d done: %s %.6g in %.1fs" % (number, result.get("scored_on"), result["loss"], result["duration"]))
    elif result.get("phase") == "build":
        _optpar_log("trial %d could not build the model (not counted, no training spent): %s" % (number, result.get("error")))
    else:
        _optpar_log("trial %d failed: %s" % (number, result.get("error")))
    return result


def _optpar_load_trials(path, fresh):
    from hyperopt import Trials
    if fresh or not _optpar_os.path.exists(path):
        return Trials()
    try:
        with open(path, "rb") as f:
            saved = _optpar_pickle.load(f)
    except Exception as exc:
        _optpar_log("could not read saved trials %s (%s): starting a new search" % (path, exc))
        return Trials()
    if saved.get("fingerprint") != _optpar_space_fingerprint():
        _optpar_log("WARNING: the search space changed since the trials in %s were saved; "
                    "starting a new search (the old file is kept as %s.old)" % (path, path))
        _optpar_os.replace(path, path + ".old")
        return Trials()
    trials = saved["trials"]
    _optpar_log("resuming: %d trial(s) already in %s" % (len(trials.trials), path))
    return trials


def _optpar_save_trials(path, trials):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        _optpar_pickle.dump({"fingerprint": _optpar_space_fingerprint(), "trials": trials}, f)
    _optpar_os.replace(tmp, path)


def _optpar_trial_values(trial):
    from hyperopt import space_eval
    vals = {k: v[0] for k, v in trial["misc"]["vals"].items() if v}
    return _optpar_plain(space_eval(OPTPAR_SPACE, vals))


def _optpar_counts(trials):
    """(trials that count toward max_evals, build failures): a model that could not be built cost no training."""
    finished = [t for t in trials.trials if t["state"] == 2]  # not the queued first trial
    build = sum(1 for t in finished if _optpar_is_build_failure(t.get("result") or {}))
    return len(finished) - build, build


def _optpar_original_point():
    """The original values in hyperopt's own terms (a choice by its index), for the first trial."""
    draw = _optpar_original_draw()
    return None if draw is None else {key: value if index is None else index for key, (index, value) in draw.items()}


def _optpar_hyperopt_rows(trials, interrupted):
    """The results file's trial rows from hyperopt's Trials."""
    from hyperopt import STATUS_OK
    rows = []
    # Finished trials, and one cut short by Ctrl-C ("pruned": stopped before it gave a loss).
    for t in [t for t in trials.trials if t["state"] == 2 or (interrupted and any(t["misc"]["vals"].values()))]:
        r = t.get("result") or {}
        if t["state"] != 2:
            r = {"error": "stopped before it finished (the search was interrupted)"}
            status = "pruned"
        else:
            status = "failed" if r.get("status") != STATUS_OK else "ok"
        rows.append({"number": t["tid"] + 1, "params": _optpar_trial_values(t), "status": status, "phase": r.get("phase"),
                     "loss": _optpar_plain(r.get("loss")), "error": r.get("error"), "duration": r.get("duration"),
                     "seed": r.get("seed"), "best_epoch": r.get("best_epoch"), "epochs": r.get("epochs"),
                     "metrics": r.get("metrics"), "notes": r.get("notes")})
    return rows


def _optpar_report(trials, args, results_path, interrupted, spark_parallelism=None):
    counted, build_failures = _optpar_counts(trials)
    settings = {"backend": "hyperopt", "algo": args.algo,
                "n_startup_jobs": _optpar_n_startup_jobs(args.max_evals) if args.algo == "tpe" else None}
    if spark_parallelism:
        settings["spark_parallelism"] = spark_parallelism
    return _optpar_write_results(_optpar_hyperopt_rows(trials, interrupted), args, results_path, interrupted, counted, build_failures, settings)


def _optpar_algos(args):
    import functools
    from hyperopt import anneal, rand, tpe
    algos = {"tpe": functools.partial(tpe.suggest, n_startup_jobs=_optpar_n_startup_jobs(args.max_evals)),
             "rand": rand.suggest, "anneal": anneal.suggest}
    if args.algo == "atpe":
        from hyperopt import atpe  # needs lightgbm and scikit-learn
        algos["atpe"] = atpe.suggest
    return algos


def _optpar_search(args):
    import numpy as np
    from hyperopt import fmin
    from hyperopt.exceptions import AllTrialsFailed
    from hyperopt.base import Domain
    from hyperopt.fmin import FMinIter, generate_trials_to_calculate
    algos = _optpar_algos(args)
    import signal
    from tqdm import tqdm

    # Ctrl-C (and a scheduler's SIGTERM) stop the search with the best so far, even when the
    # shell started us with SIGINT ignored (a background job).
    def _optpar_stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, _optpar_stop)
    signal.signal(signal.SIGTERM, _optpar_stop)
    # absl (and some user code) route Python logging to stderr at INFO: keep hyperopt's own lines out.
    import logging
    logging.getLogger("hyperopt").setLevel(logging.WARNING)
    _OPTPAR_SEARCH_SEED[0] = args.seed
    if args.spark_parallelism:
        return _optpar_spark_search(args)
    trials_path, results_path = _optpar_paths(args)
    trials = _optpar_load_trials(trials_path, args.fresh)
    if not trials.trials:
        # The first trial is the code as written, so the search can only improve on it.
        point = _optpar_original_point()
        if point is not None:
            trials = generate_trials_to_calculate([point])
            trials.refresh()
    _OPTPAR_TRIAL_COUNT[0] = len([t for t in trials.trials if t["state"] == 2])
    interrupted = False
    counted, build_failures = _optpar_counts(trials)
    bar = tqdm(total=args.max_evals, initial=min(counted, args.max_evals), desc="optpar search", unit="trial", file=_optpar_sys.stderr,
               disable=not _optpar_bar_wanted())
    # On a terminal, a progress bar (log lines go above it); in a log file or pipe, one line per trial.
    _OPTPAR_BAR[0] = None if bar.disable else bar
    try:
        # One evaluation per fmin call, saved atomically in between: a killed search loses at most
        # the running trial, and a rerun resumes from the file. Draws whose model cannot be built
        # are not counted (up to max_evals of them): they spent no training.
        while counted < args.max_evals and build_failures <= args.max_evals:
            done = len(trials.trials)
            try:
                if any(t["state"] == 0 for t in trials.trials):
                    # The queued first trial (the original values) runs alone: an fmin call would
                    # also draw a new point in the same step.
                    FMinIter(algos[args.algo], Domain(objective, OPTPAR_SPACE), trials, rstate=np.random.default_rng([args.seed, done]),
                             max_evals=done, show_progressbar=False).serial_evaluate()
                    trials.refresh()
                else:
                    fmin(objective, OPTPAR_SPACE, algo=algos[args.algo], max_evals=done + 1, trials=trials,
                         rstate=np.random.default_rng([args.seed, done]), show_progressbar=False, return_argmin=False)
            except AllTrialsFailed:
                pass  # hyperopt's fmin ends with trials.argmin, which raises while every trial so far failed
            _optpar_save_trials(trials_path, trials)
            before = counted
            counted, build_failures = _optpar_counts(trials)
            ok = [t["result"]["loss"] for t in trials.trials if (t.get("result") or {}).get("status") == "ok"]
            bar.set_postfix(best_loss="%.4g" % min(ok) if ok else "n/a", unbuilt=build_failures)
            bar.update(counted - before)
            if bar.disable:
                _optpar_log("progress: %d/%d trials, best loss %s%s" % (min(counted, args.max_evals), args.max_evals,
                            "%.6g" % min(ok) if ok else "n/a", ", %d unbuilt" % build_failures if build_failures else ""))
    except KeyboardInterrupt:
        interrupted = True
        _optpar_log("interrupted: stopping with the best so far (rerun to resume)")
    finally:
        bar.close()
        _OPTPAR_BAR[0] = None
    if build_failures > args.max_evals:
        _optpar_log("stopped: %d draws could not build the model; narrow the space (optpar.yaml)" % build_failures)
    report = _optpar_report(trials, args, results_path, interrupted)
    return _optpar_save_best(args, report, interrupted)


def _optpar_quiet_spark_conf():
    """A Spark configuration folder whose log4j2 settings keep Spark's INFO and WARN lines (the
    default profile's notice, native-hadoop) out of the search's output; errors still show."""
    import atexit
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="optpar-spark-conf-")
    atexit.register(shutil.rmtree, folder, True)
    with open(_optpar_os.path.join(folder, "log4j2.properties"), "w") as f:
        f.write("rootLogger.level = error\n"
                "rootLogger.appenderRef.stderr.ref = console\n"
                "appender.console.type = Console\n"
                "appender.console.name = console\n"
                "appender.console.target = SYSTEM_ERR\n"
                "appender.console.layout.type = PatternLayout\n"
                "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n\n"
                "logger.repl.name = org.apache.spark.repl.Main\n"
                "logger.repl.level = error\n")
    return folder


def _optpar_spark_session(args):
    """A Spark session for SparkTrials: local[N] on this machine, on loopback only, unless a master is given."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SystemExit("optpar: --spark-parallelism needs pyspark in this Python (pip install pyspark; Spark also needs Java 17 or later): %s" % exc)
    master = args.spark_master or _optpar_os.environ.get("SPARK_MASTER") or "local[%d]" % args.spark_parallelism
    local = master.startswith("local")
    if local:
        # A local Spark listens on loopback only: nothing on this machine is opened to the network.
        _optpar_os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        if "SPARK_CONF_DIR" not in _optpar_os.environ:
            _optpar_os.environ["SPARK_CONF_DIR"] = _optpar_quiet_spark_conf()
    # Spark's Python workers run this Python (the one with TensorFlow and hyperopt), not the first python3 on PATH.
    _optpar_os.environ.setdefault("PYSPARK_PYTHON", _optpar_sys.executable)
    import warnings
    warnings.filterwarnings("ignore", message="Spark session is not provided")  # pyspark's thread-tag notice, raised by SparkTrials
    builder = (SparkSession.builder.master(master).appName("optpar %s" % OPTPAR_SETTINGS["source"])
               .config("spark.ui.showConsoleProgress", "false"))
    if local:
        builder = (builder.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    _optpar_log("starting Spark (%s) for %d trials at a time" % (master, args.spark_parallelism))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _optpar_point_seed(search_seed, values):
    """A Spark task cannot know its trial's number: its seed is made from the search seed and the values."""
    digest = _optpar_hashlib.sha256(_optpar_json.dumps([search_seed, _optpar_plain(values)], sort_keys=True).encode()).hexdigest()
    return int(digest[:8], 16) % (2 ** 31 - 1)


def _optpar_spark_objective(values):
    """What SparkTrials runs in Spark's Python workers (shipped by cloudpickle with the globals it reads)."""
    _optpar_log("trial started")
    return _optpar_run_trial(values, OPTPAR_SETTINGS["validation_split"], True,
                             seed=_optpar_point_seed(_OPTPAR_SEARCH_SEED[0], values))


def _optpar_spark_search(args):
    """One fmin call over SparkTrials (N trials at a time): it cannot be stepped a trial at a time as
    the serial loop is, so the trials file is written when the search ends, and a rerun resumes from it."""
    import numpy as np
    from hyperopt import SparkTrials, Trials, fmin
    from hyperopt.exceptions import AllTrialsFailed
    from hyperopt.fmin import generate_trials_to_calculate
    trials_path, results_path = _optpar_paths(args)
    saved = _optpar_load_trials(trials_path, args.fresh)
    spark = _optpar_spark_session(args)
    trials = SparkTrials(parallelism=args.spark_parallelism, spark_session=spark)
    done = [t for t in saved.trials if t["state"] == 2]
    if done:
        trials.insert_trial_docs([dict(t) for t in done])
    else:
        point = _optpar_original_point()
        if point is not None:
            # The original values, queued: SparkTrials runs a queued trial as its first task.
            trials.insert_trial_docs(generate_trials_to_calculate([point])._dynamic_trials)
    trials.refresh()
    interrupted = False
    try:
        # Build failures count here: fmin over SparkTrials stops at max_evals trials of any kind.
        fmin(_optpar_spark_objective, OPTPAR_SPACE, algo=_optpar_algos(args)[args.algo], max_evals=args.max_evals, trials=trials,
             rstate=np.random.default_rng([args.seed, len(done)]), show_progressbar=False, return_argmin=False)
    except AllTrialsFailed:
        pass
    except KeyboardInterrupt:
        interrupted = True
        _optpar_log("interrupted: stopping with the best so far (rerun to resume)")
    finally:
        spark.stop()
    plain = Trials()
    plain.insert_trial_docs([dict(t) for t in trials.trials if t["state"] == 2])
    plain.refresh()
    _optpar_save_trials(trials_path, plain)
    report = _optpar_report(plain, args, results_path, interrupted, spark_parallelism=args.spark_parallelism)
    return _optpar_save_best(args, report, interrupted)


OPTPAR_ARGS = _optpar_parse_args(_optpar_sys.argv, _optpar_backend_arguments) if __name__ == "__main__" else None
# --- end of optpar runtime ---
