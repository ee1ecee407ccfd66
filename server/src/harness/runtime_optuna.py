# --- optpar runtime, Optuna backend: one study in a storage that any number of worker processes
# (on this machine with --workers, on others by running the same command) share; pruning through a
# Keras callback; a trial cap that holds across all of them ---
import socket as _optpar_socket


def _optpar_backend_arguments(parser):
    algo = OPTPAR_SETTINGS["algo"] if OPTPAR_SETTINGS["algo"] in ("tpe", "rand") else "tpe"
    parser.add_argument("--algo", choices=["tpe", "rand"], default=algo, help="Optuna sampler: TPE or random (default: %(default)s)")
    parser.add_argument("--study", default=OPTPAR_SETTINGS["study"], metavar="NAME", help="the study's name in the storage (default: %(default)s)")
    parser.add_argument("--storage", default=None, metavar="URL",
                        help="where the study lives: a database URL (postgresql://user:password@host/db: workers on several machines "
                             "share it) or a journal file path (default: optuna.journal beside the results)")
    parser.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes on this machine, sharing the study (default: 1)")
    parser.add_argument("--pruner", default="median", metavar="P",
                        help="median (default), hyperband, none, or threshold:U (prune a trial whose val_loss exceeds U)")
    parser.add_argument("--heartbeat", type=float, default=30.0, metavar="SECONDS",
                        help="with a database storage, each running trial's heartbeat interval; a trial silent for 3 intervals "
                             "(its worker was killed) is marked failed and retried (default: %(default)s)")
    parser.add_argument("--worker-index", type=int, default=0, help=_optpar_argparse.SUPPRESS)


class _OptparTrialFailed(Exception):
    """A trial whose model failed (recorded in its user attributes): Optuna marks it failed and goes on."""


class _OptparSpaceChanged(Exception):
    """The default journal holds a study of another search space: it is set aside, as the hyperopt harness sets aside its trials file."""


class _OptparSurplus(Exception):
    """A trial started by a worker after the cap was reached elsewhere: marked failed and left out of the results."""


def _optpar_redacted(url):
    import re
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


_OPTPAR_HEARTBEAT = [False]


def _optpar_with_driver(url):
    """postgresql:// names no driver, and SQLAlchemy 2.1 then wants psycopg 3: with only psycopg2
    installed (psycopg2-binary, the common wheel), the URL is given its driver."""
    scheme, rest = url.split("://", 1)
    if scheme not in ("postgresql", "postgres"):
        return url
    import importlib.util
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
        return "postgresql+psycopg2://" + rest
    return "postgresql://" + rest


def _optpar_storage(args):
    """(storage, how to name it to the user): a database URL, or a journal file (by default beside the results).
    Never SQLite by default: Optuna's documentation warns against it for parallel workers and network file systems."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalStorage
    url = args.storage
    if url is None or "://" not in url:
        path = _optpar_os.path.abspath(url or _optpar_out_file(args, "optuna.journal"))
        return JournalStorage(JournalFileBackend(path)), path
    if url.startswith("sqlite") and args.workers > 1:
        _optpar_log("WARNING: SQLite serialises every write and breaks on network file systems; use a journal file or PostgreSQL for workers")
    from optuna.storages import RDBStorage, RetryFailedTrialCallback
    url = _optpar_with_driver(url)
    _OPTPAR_HEARTBEAT[0] = True
    import warnings
    from optuna.exceptions import ExperimentalWarning
    # The heartbeat lets any worker mark a trial whose worker died as failed; the callback queues its values again.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)  # heartbeats are "experimental" since Optuna 2.9
        storage = RDBStorage(url, engine_kwargs={"pool_pre_ping": True}, heartbeat_interval=max(1, int(round(args.heartbeat))),
                             grace_period=max(3, int(round(3 * args.heartbeat))),
                             heartbeat_stale_trial_callback=RetryFailedTrialCallback(max_retry=2))
    return storage, _optpar_redacted(url)


def _optpar_pruner(spec):
    import optuna
    if spec == "median":
        # A trial is cut when its val_loss after an epoch is worse than the median of earlier trials' at that epoch.
        return optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    if spec == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1)
    if spec == "none":
        return optuna.pruners.NopPruner()
    if spec.startswith("threshold:"):
        return optuna.pruners.ThresholdPruner(upper=float(spec.split(":", 1)[1]))
    raise SystemExit("optpar: --pruner must be median, hyperband, none or threshold:U, not %r" % spec)


def _optpar_sampler(args, existing):
    import numpy as np
    import optuna
    # Each worker, and each resumption, draws its own random start-up points: seeded by the search
    # seed, the worker and the trials already there (one seed for all would repeat the same draws).
    seed = int(np.random.SeedSequence([args.seed, args.worker_index, existing]).generate_state(1)[0])
    if args.algo == "rand":
        return optuna.samplers.RandomSampler(seed=seed)
    # constant_liar: a worker treats the trials running elsewhere as bad, so parallel workers do not draw the same region.
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=_optpar_n_startup_jobs(args.max_evals),
                                      constant_liar=args.workers > 1 or args.storage is not None)


def _optpar_suggest(trial):
    """This trial's values, each drawn by Optuna under its optpar id; a tied value takes its leader's draw."""
    values = {}
    for key, space in OPTPAR_SPACE_DESCRIPTION.items():
        if key in OPTPAR_TIES:
            continue
        kind = space["kind"]
        if kind == "choice":
            values[key] = trial.suggest_categorical(key, space["options"])
        elif kind == "uniform":
            values[key] = trial.suggest_float(key, space["low"], space["high"])
        elif kind == "loguniform":
            values[key] = trial.suggest_float(key, space["low"], space["high"], log=True)
        elif kind == "uniformint":
            values[key] = trial.suggest_int(key, int(space["low"]), int(space["high"]))
        elif kind == "qloguniform":
            # Optuna's log-scaled ints take no step: drawn log-uniformly, then rounded to the step as hyperopt's qloguniform is.
            drawn = trial.suggest_int(key, int(space["low"]), int(space["high"]), log=True)
            q = space["q"]
            values[key] = int(min(space["high"], max(space["low"], round(drawn / q) * q)))
        else:
            raise ValueError("unknown search space kind %r for %s" % (kind, key))
    for follower, leader in OPTPAR_TIES.items():
        values[follower] = values[leader]
    return values


def _optpar_original_params():
    """The original values as Optuna params (a choice's own spelling), or None when one is not among its options."""
    draw = _optpar_original_draw()
    return None if draw is None else {key: value for key, (_, value) in draw.items()}


def _optpar_pruning_callback(trial, state):
    """Reports each epoch's val_loss to the Optuna trial and stops training when the pruner says so
    (trial.report / should_prune: no optuna-integration dependency). Steps run on across the fits of a trial."""
    import keras

    class _OptparPruning(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            value = logs.get("val_loss", logs.get("loss"))
            if value is None or not _optpar_math.isfinite(float(value)):
                return
            step = state["steps"]
            state["steps"] += 1
            trial.report(float(value), step)
            # The original values are never pruned: the search must know their loss to report a best at or below it.
            if not state["original"] and trial.should_prune():
                state["pruned"] = {"epoch": step + 1, "value": float(value)}
                self.model.stop_training = True

    return _OptparPruning()


def _optpar_tally(trials):
    """(counted, build failures, running, waiting): counted are finished trials that spent training
    (complete, pruned, failed in training); a model that could not be built, a trial lost with its
    worker (retried) and a surplus start do not count."""
    from optuna.trial import TrialState
    counted = build = running = waiting = 0
    for t in trials:
        if t.user_attrs.get("optpar_surplus"):
            continue
        if t.state == TrialState.RUNNING:
            running += 1
        elif t.state == TrialState.WAITING:
            waiting += 1
        elif t.state in (TrialState.COMPLETE, TrialState.PRUNED):
            counted += 1
        elif t.state == TrialState.FAIL:
            result = t.user_attrs.get("optpar_result")
            if result:
                if result.get("phase") == "build":
                    build += 1
                else:
                    counted += 1
    return counted, build, running, waiting


_OPTPAR_MAX_EVALS = [OPTPAR_SETTINGS["max_evals"]]
_OPTPAR_SEARCH_SEED = [OPTPAR_SETTINGS["seed"]]
_OPTPAR_WORKER = [0]


def _optpar_worker_log(message):
    _optpar_log(("worker %d: " % _OPTPAR_WORKER[0] if _OPTPAR_WORKER[0] else "") + message)


def objective(trial):
    """The function Optuna minimises: draws this trial's values, builds, trains and scores the model."""
    import optuna
    number = trial.number + 1
    trial.set_user_attr("optpar_worker", {"host": _optpar_socket.gethostname(), "pid": _optpar_os.getpid()})
    # The cap, checked against the trials numbered before this one: two workers that both started a
    # trial when one was left run only the first of them (a check after each trial, as Optuna's
    # MaxTrialsCallback makes, would let each of N workers run one more).
    earlier = [t for t in trial.study.get_trials(deepcopy=False) if t.number < trial.number]
    counted, _, running, _ = _optpar_tally(earlier)
    if counted + running >= _OPTPAR_MAX_EVALS[0]:
        trial.set_user_attr("optpar_surplus", True)
        raise _OptparSurplus()
    values = _optpar_suggest(trial)
    trial.set_user_attr("optpar_values", _optpar_plain(values))
    original = bool(trial.user_attrs.get("optpar_original"))
    state = {"steps": 0, "original": original, "pruned": None}
    _optpar_worker_log("trial %d started%s" % (number, " (the original values)" if original else ""))
    try:
        result = _optpar_run_trial(values, OPTPAR_SETTINGS["validation_split"], True,
                                   seed=_optpar_trial_seed(_OPTPAR_SEARCH_SEED[0], number),
                                   callbacks=[_optpar_pruning_callback(trial, state)])
    except KeyboardInterrupt:
        trial.set_user_attr("optpar_interrupted", True)
        raise
    result.pop("traceback", None)
    if state["pruned"] and result.get("status") == _OPTPAR_OK:
        pruned = state["pruned"]
        result = dict(result, status="pruned", loss=None,
                      error="pruned after epoch %d (val_loss %.6g) by the %s" % (pruned["epoch"], pruned["value"], type(trial.study.pruner).__name__))
        trial.set_user_attr("optpar_result", _optpar_plain(result))
        _optpar_worker_log("trial %d %s" % (number, result["error"]))
        raise optuna.TrialPruned(result["error"])
    trial.set_user_attr("optpar_result", _optpar_plain(result))
    if result.get("status") != _OPTPAR_OK:
        if result.get("phase") == "build":
            _optpar_worker_log("trial %d could not build the model (not counted, no training spent): %s" % (number, result.get("error")))
        else:
            _optpar_worker_log("trial %d failed: %s" % (number, result.get("error")))
        raise _OptparTrialFailed(result.get("error"))
    _optpar_worker_log("trial %d done: %s %.6g in %.1fs" % (number, result.get("scored_on"), result["loss"], result["duration"]))
    return result["loss"]


def _optpar_alive(pid):
    try:
        _optpar_os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_OPTPAR_CHILDREN = []


def _optpar_fail_lost_trials(study):
    """A journal file has no heartbeat: a running trial whose worker on this machine is gone (killed) is
    marked failed and its values queued again, as a database storage's heartbeat does."""
    from optuna.trial import TrialState
    if _OPTPAR_HEARTBEAT[0]:
        import optuna
        optuna.storages.fail_stale_trials(study)
        return
    for child in _OPTPAR_CHILDREN:
        child.poll()  # reaps a dead child, so its pid is no longer alive
    host = _optpar_socket.gethostname()
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = t.user_attrs.get("optpar_worker")
        if not worker or worker.get("host") != host or _optpar_alive(worker["pid"]):
            continue
        try:
            study._storage.set_trial_user_attr(t._trial_id, "optpar_lost", "its worker (pid %d) stopped without finishing it" % worker["pid"])
            study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        except Exception:
            continue  # another worker marked it first
        attrs = {"optpar_retry_of": t.number + 1}
        if t.user_attrs.get("optpar_original"):
            attrs["optpar_original"] = True
        study.enqueue_trial(t.params, user_attrs=attrs)
        _optpar_worker_log("trial %d was lost with its worker (pid %d): marked failed, its values queued again" % (t.number + 1, worker["pid"]))


def _optpar_work(study, args):
    """One worker's loop: a trial at a time until the study holds max_evals counted trials. When the
    last ones are running elsewhere, it waits for them (and fails those whose worker died, whose
    retries it may then run), so every worker ends when the study is complete."""
    from optuna.exceptions import ExperimentalWarning
    import warnings
    warnings.simplefilter("ignore", ExperimentalWarning)
    last = None
    while True:
        counted, build, running, waiting = _optpar_tally(study.get_trials(deepcopy=False))
        if counted != last and not args.worker_index:
            ok = [t.value for t in study.get_trials(deepcopy=False) if t.value is not None and t.state.name == "COMPLETE"]
            _optpar_log("progress: %d/%d trials, best loss %s%s" % (min(counted, args.max_evals), args.max_evals,
                        "%.6g" % min(ok) if ok else "n/a", ", %d unbuilt" % build if build else ""))
            last = counted
        if counted >= args.max_evals:
            return
        if build > args.max_evals:
            _optpar_log("stopped: %d draws could not build the model; narrow the space (optpar.yaml)" % build)
            return
        if counted + running >= args.max_evals:
            _optpar_fail_lost_trials(study)
            _optpar_time.sleep(0.5)
            continue
        try:
            study.optimize(objective, n_trials=1, catch=(_OptparTrialFailed,), gc_after_trial=False)
        except _OptparSurplus:
            pass


def _optpar_optuna_rows(trials, interrupted):
    """The results file's trial rows from the study's trials, in trial order."""
    from optuna.trial import TrialState
    by_retry = {t.user_attrs.get("optpar_retry_of") or (t.system_attrs.get("failed_trial", -1) + 1): t.number + 1
                for t in trials if t.user_attrs.get("optpar_retry_of") or "failed_trial" in t.system_attrs}
    rows = []
    for t in sorted(trials, key=lambda t: t.number):
        if t.user_attrs.get("optpar_surplus") or t.state == TrialState.WAITING:
            continue
        number = t.number + 1
        r = dict(t.user_attrs.get("optpar_result") or {})
        params = t.user_attrs.get("optpar_values")
        if params is None:
            params = dict(t.params)
            for follower, leader in OPTPAR_TIES.items():
                if leader in params:
                    params[follower] = params[leader]
            params = _optpar_plain(params)
        if t.state == TrialState.COMPLETE:
            status = "ok"
        elif t.state == TrialState.PRUNED:
            status = "pruned"
        elif t.state == TrialState.RUNNING:
            if not interrupted:
                continue  # still running on another machine
            status, r = "pruned", {"error": "stopped before it finished (the search was interrupted)"}
        elif r:
            status = "failed"
        elif t.user_attrs.get("optpar_interrupted"):
            status, r = "pruned", {"error": "stopped before it finished (the search was interrupted)"}
        else:
            retry = by_retry.get(number)
            status, r = "failed", {"phase": "lost", "error": "%s%s" % (
                t.user_attrs.get("optpar_lost") or "its worker stopped without finishing it (no heartbeat)",
                "; retried as trial %d" % retry if retry else "")}
        notes = r.get("notes")
        if t.user_attrs.get("optpar_retry_of") or "failed_trial" in t.system_attrs:
            notes = (notes or []) + ["retry of trial %d, lost with its worker" % (t.user_attrs.get("optpar_retry_of") or t.system_attrs["failed_trial"] + 1)]
        rows.append({"number": number, "params": params, "status": status, "phase": r.get("phase"),
                     "loss": _optpar_plain(r.get("loss")), "error": r.get("error"), "duration": r.get("duration"),
                     "seed": r.get("seed"), "best_epoch": r.get("best_epoch"), "epochs": r.get("epochs"),
                     "metrics": r.get("metrics"), "notes": notes})
    return rows


def _optpar_open_study(args, storage, where):
    """Creates or loads the study; on a fresh one, the first trial queued is the code as written."""
    import optuna
    if args.fresh and not args.worker_index:
        try:
            optuna.delete_study(study_name=args.study, storage=storage)
            _optpar_log("--fresh: deleted study %s in %s" % (args.study, where))
        except KeyError:
            pass
    existing = 0
    try:
        existing = len(optuna.load_study(study_name=args.study, storage=storage).get_trials(deepcopy=False))
    except KeyError:
        pass
    study = optuna.create_study(study_name=args.study, storage=storage, direction="minimize", load_if_exists=True,
                                sampler=_optpar_sampler(args, existing), pruner=_optpar_pruner(args.pruner))
    fingerprint = _optpar_space_fingerprint()
    saved = study.user_attrs.get("optpar_space")
    if saved is None:
        study.set_user_attr("optpar_space", fingerprint)
        study.set_user_attr("optpar_source", OPTPAR_SETTINGS["source"])
    elif saved != fingerprint:
        if args.storage is None and not args.worker_index:
            raise _OptparSpaceChanged()
        raise SystemExit("optpar: the search space changed since study %s in %s was started; rerun with --fresh to replace it, "
                         "or name a new study with --study NAME" % (args.study, where))
    if args.worker_index:
        return study
    if existing:
        _optpar_log("resuming: %d trial(s) already in study %s (%s)" % (existing, args.study, where))
    else:
        # The first trial is the code as written, so the search can only improve on it
        # (skip_if_exists: machines that start together queue it once).
        point = _optpar_original_params()
        if point is not None:
            study.enqueue_trial(point, user_attrs={"optpar_original": True}, skip_if_exists=True)
    return study


def _optpar_dashboard_hint(where):
    import shutil
    if shutil.which("optuna-dashboard"):
        _optpar_log("watch the study: optuna-dashboard %s" % where)
    else:
        _optpar_log("to watch the study: pip install optuna-dashboard, then: optuna-dashboard %s" % where)


def _optpar_spawn_workers(args):
    """Workers 1..N-1: this script again, with the same arguments, on the same study (this process is worker 0)."""
    import subprocess
    for index in range(1, args.workers):
        cmd = [_optpar_sys.executable] + _OPTPAR_ARGV + ["--worker-index", str(index)]
        _OPTPAR_CHILDREN.append(subprocess.Popen(cmd))
    if _OPTPAR_CHILDREN:
        _optpar_log("started %d more worker(s): pids %s" % (len(_OPTPAR_CHILDREN), ", ".join(str(c.pid) for c in _OPTPAR_CHILDREN)))


def _optpar_open(args):
    """Opens the study (queueing the original values in a new one) and starts the other workers."""
    import logging
    try:
        import optuna
    except ImportError as exc:
        raise SystemExit("optpar: this harness needs optuna (pip install optuna): %s" % exc)
    # Optuna logs every trial at INFO and each failure at WARNING: the harness logs its own lines.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    logging.getLogger("optuna").setLevel(logging.ERROR)
    storage, where = _optpar_storage(args)
    try:
        study = _optpar_open_study(args, storage, where)
    except _OptparSpaceChanged:
        _optpar_log("WARNING: the search space changed since the study in %s was started; starting a new search "
                    "(the old journal is kept as %s.old)" % (where, where))
        del storage
        _optpar_os.replace(where, where + ".old")
        storage, where = _optpar_storage(args)
        study = _optpar_open_study(args, storage, where)
    if not args.worker_index:
        _optpar_dashboard_hint(where)
        _optpar_spawn_workers(args)
    return study, where


_OPTPAR_OPENED = [None]


def _optpar_search(args):
    import signal
    _OPTPAR_MAX_EVALS[0] = args.max_evals
    _OPTPAR_SEARCH_SEED[0] = args.seed
    _OPTPAR_WORKER[0] = args.worker_index

    # Ctrl-C (and a scheduler's SIGTERM) stop the search with the best so far.
    def _optpar_stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGINT, _optpar_stop)
    signal.signal(signal.SIGTERM, _optpar_stop)
    results_path = _optpar_out_file(args, "results.json")
    study, where = _OPTPAR_OPENED[0] or _optpar_open(args)
    interrupted = False
    try:
        _optpar_work(study, args)
    except KeyboardInterrupt:
        interrupted = True
        _optpar_worker_log("interrupted: stopping with the best so far (rerun to resume)")
    finally:
        for child in _OPTPAR_CHILDREN:
            if interrupted and child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in _OPTPAR_CHILDREN:
            while True:
                try:
                    code = child.wait()
                    break
                except KeyboardInterrupt:
                    interrupted = True
                    child.send_signal(signal.SIGTERM)
            if code < 0:
                _optpar_log("worker pid %d was killed by signal %d; its trial was marked failed and retried" % (child.pid, -code))
    if args.worker_index:
        return 130 if interrupted else 0
    trials = study.get_trials(deepcopy=False)
    counted, build_failures, _, _ = _optpar_tally(trials)
    settings = {"backend": "optuna", "algo": args.algo, "n_startup_jobs": _optpar_n_startup_jobs(args.max_evals) if args.algo == "tpe" else None,
                "study": args.study, "storage": where, "pruner": args.pruner, "workers": args.workers}
    report = _optpar_write_results(_optpar_optuna_rows(trials, interrupted), args, results_path, interrupted, counted, build_failures, settings)
    _optpar_dashboard_hint(where)
    return _optpar_save_best(args, report, interrupted)


# The command line as given, for the workers this process starts (parsing below keeps only the user's part in sys.argv).
_OPTPAR_ARGV = list(_optpar_sys.argv)
OPTPAR_ARGS = _optpar_parse_args(_optpar_sys.argv, _optpar_backend_arguments) if __name__ == "__main__" else None
if OPTPAR_ARGS is not None and not OPTPAR_ARGS.defaults and OPTPAR_ARGS.params is None:
    # Before the user's code below (TensorFlow, the data): the other workers load while this one does.
    _OPTPAR_OPENED[0] = _optpar_open(OPTPAR_ARGS)
# --- end of optpar runtime ---
