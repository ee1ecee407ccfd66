;;; optpar.el --- optpar language server for eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, tools

;;; Commentary:

;; optpar finds the hyperparameters in Python Keras code: diagnostics, inlay hints, hovers,
;; quick fixes ("Parametrize <param>", "Ignore this hyperparameter") and "Generate tuning
;; harness".  This file registers its language server, `optpar-lsp --stdio', with eglot
;; and with lsp-mode; it loads whether one, both or neither is installed (each registration
;; runs when its package loads).
;;
;;   (add-to-list 'load-path "/path/to/optpar/clients/emacs")
;;   (require 'optpar)
;;
;; eglot: Python buffers get optpar from `M-x eglot' / `eglot-ensure'.  Eglot runs ONE
;; server per buffer, so this replaces pyright/pylsp there unless you go through an LSP
;; multiplexer (see README.md), or set `optpar-eglot-register' to nil and use
;; `optpar-eglot-contact' yourself.
;; lsp-mode: optpar is an add-on client, started beside pyright/pylsp in the same buffer.
;;
;; Settings: the `optpar-*' options of the customization group `optpar' are sent as the
;; server's "optpar" settings (initializationOptions for eglot, workspace/configuration for
;; lsp-mode).  Under eglot, a project's `eglot-workspace-configuration' entry `:optpar'
;; (dir-locals) answers the server's workspace/configuration requests.

;;; Code:

(require 'cl-lib)

(defgroup optpar nil
  "Hyperparameters in Keras code, through the optpar language server."
  :group 'tools
  :prefix "optpar-")

(defcustom optpar-server-command '("optpar-lsp" "--stdio")
  "Command (program and arguments) that starts the optpar language server over stdio.
For a checkout of optpar: (\"node\" \"/path/to/optpar/bin/optpar-lsp.js\" \"--stdio\")."
  :type '(repeat string))

(defcustom optpar-eglot-register t
  "Non-nil: loading eglot makes optpar the eglot server of Python buffers."
  :type 'boolean)

(defconst optpar-major-modes '(python-mode python-ts-mode)
  "Major modes optpar serves.")

;;;; Settings: one option per key of the server's settings schema
;; (server/src/lsp/settings.ts, SETTINGS_SCHEMA; test/clients checks they match).

;; OPTPAR-SETTINGS-BEGIN
(defcustom optpar-catalogue-paths nil
  "Extra catalogue files (YAML in metadata/'s schema, or the paper's CSV) loaded after the built-in one; relative paths are resolved from the workspace root.
Server setting optpar.cataloguePaths."
  :type '(repeat string))

(defcustom optpar-severity-hyperparameter "hint"
  "Severity of the diagnostic on a tunable hyperparameter (\"off\" hides it).
Server setting optpar.severity.hyperparameter."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-budget "hint"
  "Severity of the diagnostic on a training budget (epochs, patience), kept as written unless budgets are tuned (\"off\" hides it).
Server setting optpar.severity.budget."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-fixed-by-task "hint"
  "Severity of the diagnostic on a value set by the task (output units, loss...); shown only with showFixed.
Server setting optpar.severity.fixed-by-task."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-not-a-literal "hint"
  "Severity of the diagnostic on a hyperparameter whose value is not a literal; shown only with showFixed.
Server setting optpar.severity.not-a-literal."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-ignored "hint"
  "Severity of the diagnostic on a hyperparameter excluded by \"# optpar: ignore\" or optpar.yaml; shown only with showFixed.
Server setting optpar.severity.ignored."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-inert "hint"
  "Severity of the diagnostic on a value the training never reaches (in a model the file builds but never trains, a dataset fit never reads); shown only with showFixed.
Server setting optpar.severity.inert."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-severity-syntax-error "information"
  "Severity of the diagnostic on a syntax error or unreadable file (your Python server reports these too).
Server setting optpar.severity.syntax-error."
  :type '(choice (const "error") (const "warning") (const "information") (const "hint") (const "off")))

(defcustom optpar-show-fixed nil
  "Also show diagnostics for values that are not tuned: fixed by the task, not literals, ignored, inert.
Server setting optpar.showFixed."
  :type 'boolean)

(defcustom optpar-inlay-hints t
  "Show the search range beside each tunable value (∈ {32, 64, 128}).
Server setting optpar.inlayHints."
  :type 'boolean)

(defcustom optpar-code-lens t
  "Show \"Tune this model (N hyperparameters)\" above model.compile/fit.
Server setting optpar.codeLens."
  :type 'boolean)

(defcustom optpar-harness-algo "tpe"
  "hyperopt search algorithm of generated tuning harnesses.
Server setting optpar.harness.algo."
  :type '(choice (const "tpe") (const "rand") (const "anneal") (const "atpe")))

(defcustom optpar-harness-max-evals 50
  "Number of trials (max_evals) of generated tuning harnesses.
Server setting optpar.harness.maxEvals."
  :type 'integer)

(defcustom optpar-log-level "info"
  "Verbosity of the server log (window/logMessage).
Server setting optpar.logLevel."
  :type '(choice (const "error") (const "warning") (const "info") (const "debug")))

(defcustom optpar-debounce-ms 150
  "Delay after the last keystroke before a document is analysed again (milliseconds).
Server setting optpar.debounceMs."
  :type 'integer)

(defcustom optpar-split-tuples nil
  "Tune the elements of equal tuples separately (kernel_size=(3, 3) as two values).
Server setting optpar.splitTuples."
  :type 'boolean)

(defcustom optpar-tune-budget nil
  "Tune training budgets (epochs, EarlyStopping patience...) too; by default they are kept as written.
Server setting optpar.tuneBudget."
  :type 'boolean)

(defconst optpar--settings
  '(
    ("cataloguePaths" optpar-catalogue-paths "array")
    ("severity.hyperparameter" optpar-severity-hyperparameter "string")
    ("severity.budget" optpar-severity-budget "string")
    ("severity.fixed-by-task" optpar-severity-fixed-by-task "string")
    ("severity.not-a-literal" optpar-severity-not-a-literal "string")
    ("severity.ignored" optpar-severity-ignored "string")
    ("severity.inert" optpar-severity-inert "string")
    ("severity.syntax-error" optpar-severity-syntax-error "string")
    ("showFixed" optpar-show-fixed "boolean")
    ("inlayHints" optpar-inlay-hints "boolean")
    ("codeLens" optpar-code-lens "boolean")
    ("harness.algo" optpar-harness-algo "string")
    ("harness.maxEvals" optpar-harness-max-evals "integer")
    ("logLevel" optpar-log-level "string")
    ("debounceMs" optpar-debounce-ms "integer")
    ("splitTuples" optpar-split-tuples "boolean")
    ("tuneBudget" optpar-tune-budget "boolean"))
  "Each server setting: (KEY VARIABLE JSON-TYPE), KEY as in SETTINGS_SCHEMA.")
;; OPTPAR-SETTINGS-END

(defun optpar--json-value (value type)
  "VALUE of a setting of JSON TYPE, ready for the JSON encoders of eglot and lsp-mode."
  (cond ((equal type "boolean") (if value t :json-false))
        ((equal type "array") (vconcat value))
        (t value)))

(defun optpar-settings-plist ()
  "The `optpar-*' settings as a plist, keys nested at their dots, for eglot."
  (let ((result nil))
    (dolist (entry optpar--settings (or result (make-hash-table)))
      (let* ((path (split-string (car entry) "\\."))
             (value (optpar--json-value (symbol-value (nth 1 entry)) (nth 2 entry))))
        (setq result (optpar--plist-put-path result path value))))))

(defun optpar--plist-put-path (plist path value)
  "Set VALUE in nested PLIST at the list of strings PATH."
  (let ((key (intern (concat ":" (car path)))))
    (plist-put plist key
               (if (cdr path)
                   (optpar--plist-put-path (plist-get plist key) (cdr path) value)
                 value))))

;;;; eglot

(defun optpar-eglot-contact (&optional _interactive)
  "The eglot contact for optpar: the server command and its initializationOptions."
  (append optpar-server-command
          (list :initializationOptions (lambda (_server) (optpar-settings-plist)))))

(with-eval-after-load 'eglot
  (when optpar-eglot-register
    (add-to-list 'eglot-server-programs
                 (cons optpar-major-modes #'optpar-eglot-contact))))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function lsp-register-custom-settings "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp--set-configuration "lsp-mode")
(declare-function lsp-configuration-section "lsp-mode")
(defvar lsp-language-id-configuration)

(with-eval-after-load 'lsp-mode
  (lsp-register-custom-settings
   (mapcar (lambda (entry)
             (list (concat "optpar." (car entry)) (nth 1 entry) (equal (nth 2 entry) "boolean")))
           optpar--settings))
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () optpar-server-command))
    :activation-fn (lsp-activate-on "python")
    :add-on? t
    :priority -2
    :server-id 'optpar
    :initialized-fn (lambda (workspace)
                      (with-lsp-workspace workspace
                        (lsp--set-configuration (lsp-configuration-section "optpar")))))))

(provide 'optpar)
;;; optpar.el ends here
