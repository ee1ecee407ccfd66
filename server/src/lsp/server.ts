/**
 * The optpar language server: wires the connection's requests to one module per feature.
 * Thin: documents and analysis results in, protocol objects out; the engine does the work.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LineIndex } from '../analysis/lines';
import type { Hyperparameter, ScanResult } from '../analysis/types';
import { formatCatalogueError } from '../catalogue/load';
import type { CatalogueError } from '../catalogue/types';
import { Analyzer } from './analyzer';
import { applyAction, applyEdit, applyLens, bestDiagnostics, bestHints, BestValues } from './bestValues';
import { readClientFlags, serverCapabilities, type ClientFlags } from './capabilities';
import { codeActions, harnessWorkspaceEdit, type HarnessActionData } from './codeActions';
import { codeLenses } from './codeLens';
import { buildHarness, commandUri, harnessOptions, harnessTarget, writeHarness } from './commands';
import { COMMANDS, NAME } from './constants';
import { DiagnosticMemo, fileDiagnostic, toDiagnostics } from './diagnostics';
import { DocumentStore, MAX_TREES } from './documents';
import { hover } from './hover';
import { inlayHints } from './inlayHints';
import { NotebookSync } from './notebooks';
import { elapsed, type ClientLogger } from './logger';
import { applyProjectConfig, EMPTY_PROJECT_CONFIG, parseProjectConfig, type ProjectConfig } from '../config/projectConfig';
import { PROJECT_FILE } from '../config/projectFile';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  MessageType,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from './protocol';
import { parseSettings, type Settings, DEFAULT_SETTINGS } from './settings';

export class OptparServer {
  private docs = new DocumentStore();
  private flags!: ClientFlags;
  private settings: Settings = DEFAULT_SETTINGS;
  private initOptions: unknown;
  private root: string | undefined;
  private project: ProjectConfig = EMPTY_PROJECT_CONFIG;
  private projectDiagnosticUri: string | undefined;
  private catalogueErrorUris = new Set<string>();
  /** Each document's scheduled publish, as the function that cancels it. */
  private timers = new Map<string, () => void>();
  private diagnosticMemos = new Map<string, DiagnosticMemo>();
  private shownMessages = new Set<string>();
  private analyzer: Analyzer;
  private shuttingDown = false;
  /** The search results beside each open model (.optpar/<name>/results.json). */
  private best: BestValues;
  /** Open notebooks (notebookDocument/* sync): their cells are answered through notebooks.ts. */
  private notebooks!: NotebookSync;

  private constructor(private connection: Connection, private log: ClientLogger) {
    this.analyzer = new Analyzer(this.docs, log);
    this.best = new BestValues(() => this.analyzer.catalogue);
  }

  /** Sets the server up on a connection: handlers registered, nothing analysed before `initialized`. */
  static create(connection: Connection, log: ClientLogger): OptparServer {
    const server = new OptparServer(connection, log);
    server.register();
    return server;
  }

  /** Every request and notification we handle, in one list. */
  private register(): void {
    const c = this.connection;
    this.notebooks = new NotebookSync(
      c,
      () => this.analyzer.catalogue,
      () => ({ splitTuples: this.settings.splitTuples, tuneBudget: this.settings.tuneBudget }),
      (cell) => this.diagnosticsFor(cell.uri, cell.text, cell.scan),
    );
    c.onInitialize((p) => this.onInitialize(p));
    c.onInitialized(() => void this.guard('initialized', () => this.onInitialized()));
    c.onShutdown(() => this.onShutdown());
    c.onDidOpenTextDocument((p) => this.guardSync('didOpen', () => this.onDidOpen(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text)));
    c.onDidChangeTextDocument((p) => this.guardSync('didChange', () => this.onDidChange(p.textDocument.uri, p.textDocument.version, p.contentChanges)));
    c.onDidCloseTextDocument((p) => this.guardSync('didClose', () => this.onDidClose(p.textDocument.uri)));
    c.onDidChangeConfiguration((p) => void this.guard('didChangeConfiguration', () => this.loadSettings(p.settings)));
    c.onDidChangeWatchedFiles((p) => void this.guard('didChangeWatchedFiles', () => this.onWatchedFiles(p.changes.map((x) => x.uri))));
    c.onHover((p, token) => this.request('hover', token, p.textDocument.uri, null, (a, text) => hover(text, a, p.position, this.flags.markdownHover)));
    c.languages.inlayHint.on((p, token) =>
      this.request('inlayHint', token, p.textDocument.uri, [], (a, text) => {
        if (!this.settings.inlayHints) return [];
        const best = this.best.get(p.textDocument.uri, text);
        return [...inlayHints(text, a, p.range), ...(best ? bestHints(text, best, p.range) : [])];
      }),
    );
    c.onCodeLens((p, token) =>
      this.request('codeLens', token, p.textDocument.uri, [], (a, text) => {
        if (!this.settings.codeLens) return [];
        const lenses = codeLenses(p.textDocument.uri, text, a);
        const best = this.best.get(p.textDocument.uri, text);
        // Beside "Tune this model" (above compile/fit), or on the first line.
        return [...lenses, ...(best ? applyLens(p.textDocument.uri, lenses[0]?.range.start.line ?? 0, best) : [])];
      }),
    );
    c.onCodeAction((p, token) =>
      this.request('codeAction', token, p.textDocument.uri, [], (a, text, version) => {
        const target = this.safeTarget(p.textDocument.uri);
        const best = this.best.get(p.textDocument.uri, text);
        const apply = best ? applyAction(p.textDocument.uri, version, text, best, this.flags, p.context.only) : [];
        return [...apply, ...codeActions({
          params: p,
          text,
          version,
          hps: a,
          flags: this.flags,
          harness: target && { uri: target.uri, name: target.path.split(/[\\/]/).pop()!, exists: target.exists },
          harnessEdit: () => this.harnessEdit(p.textDocument.uri, text, a),
        })];
      }),
    );
    c.onCodeActionResolve((action) => this.resolveCodeAction(action));
    c.onExecuteCommand((p) => this.guard('executeCommand', () => this.executeCommand(p.command, p.arguments)));
    c.languages.diagnostics.on(async (p, token) => {
      const items = await this.request('diagnostic', token, p.textDocument.uri, [] as Diagnostic[], (_a, text, _v, scan) => this.diagnosticsFor(p.textDocument.uri, text, scan));
      return { kind: DocumentDiagnosticReportKind.Full, items };
    });
  }

  // ---- lifecycle ----

  private onInitialize(params: InitializeParams): InitializeResult {
    this.flags = readClientFlags(params.capabilities);
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    this.root = folder?.startsWith('file:') ? fileURLToPath(folder) : (params.rootPath ?? undefined);
    const init = params.initializationOptions as Record<string, unknown> | undefined;
    this.initOptions = init && typeof init === 'object' && init[NAME] && typeof init[NAME] === 'object' ? init[NAME] : init;
    const { settings, errors } = parseSettings(this.initOptions);
    this.settings = settings;
    this.log.level = settings.logLevel;
    this.pendingSettingErrors = errors;
    return { capabilities: serverCapabilities(this.flags), serverInfo: { name: NAME, version: require('../../package.json').version } };
  }

  private pendingSettingErrors: string[] = [];

  private async onInitialized(): Promise<void> {
    this.reportSettingErrors(this.pendingSettingErrors);
    if (this.flags.configurationDynamic) void this.connection.client.register(DidChangeConfigurationNotification.type, { section: NAME });
    if (this.flags.watchedFilesDynamic) {
      void this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/${PROJECT_FILE}` }, { globPattern: '**/*.{yaml,yml,csv}' }, { globPattern: '**/.optpar/*/results.json' }],
      });
    }
    this.loadProject();
    if (this.flags.configuration) await this.loadSettings(undefined);
    else await this.configureAnalyzer();
  }

  private onShutdown(): void {
    this.shuttingDown = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    this.notebooks.dispose();
    this.best.unpoll();
    this.analyzer.dispose();
  }

  // ---- documents ----

  private onDidOpen(uri: string, languageId: string, version: number, text: string): void {
    this.docs.open(uri, languageId, version, text);
    this.analyzer.forget(uri);
    // Without client-side file watching the server watches the model's results file itself; so
    // it does while the search folder does not exist yet, which a client's watcher may not see
    // appear (eglot watches the project's existing directories).
    const results = BestValues.resultsPathOf(uri);
    if (results && (!this.flags?.watchedFilesDynamic || !existsSync(dirname(results)))) this.best.poll(uri, () => this.refreshAll());
    this.schedule(uri, 0);
  }

  private onDidChange(uri: string, version: number, changes: Parameters<DocumentStore['change']>[2]): void {
    const entry = this.docs.change(uri, version, changes);
    if (!entry) return this.log.warn(`didChange for a document that is not open: ${uri}`);
    this.analyzer.forget(uri);
    this.schedule(uri, this.settings.debounceMs);
  }

  private onDidClose(uri: string): void {
    this.timers.get(uri)?.();
    this.timers.delete(uri);
    this.diagnosticMemos.delete(uri);
    this.best.unpoll(uri);
    this.docs.close(uri);
    this.analyzer.forget(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  // ---- diagnostics ----

  private schedule(uri: string, delay: number): void {
    this.timers.get(uri)?.();
    const run = () => {
      this.timers.delete(uri);
      void this.guard('publish', () => this.publish(uri));
    };
    // No debounce: on the next turn of the event loop (a zero timeout waits a millisecond).
    if (delay <= 0) {
      const immediate = setImmediate(run);
      this.timers.set(uri, () => clearImmediate(immediate));
    } else {
      const timeout = setTimeout(run, delay);
      this.timers.set(uri, () => clearTimeout(timeout));
    }
  }

  private async publish(uri: string): Promise<void> {
    const entry = this.docs.get(uri);
    if (!entry || this.shuttingDown) return;
    const t0 = performance.now();
    let analysis;
    try {
      analysis = await this.analyzer.analyze(uri);
    } catch (err) {
      return this.log.debug(`analysis of ${uri} dropped: ${(err as Error).message}`);
    }
    const now = this.docs.get(uri);
    // Closed, or changed since: a newer publish is scheduled.
    if (!now || now !== entry || analysis.version !== now.doc.version || this.timers.has(uri)) return;
    const diagnostics = this.diagnosticsFor(uri, now.doc.getText(), analysis.result);
    await this.connection.sendDiagnostics({ uri, version: analysis.version, diagnostics });
    this.log.debug(`${uri} v${analysis.version}: ${diagnostics.length} diagnostics (reparse + scan ${analysis.ms.toFixed(1)} ms, total ${elapsed(t0)})`);
  }

  private diagnosticsFor(uri: string, text: string, scan: ScanResult): Diagnostic[] {
    // Only the documents being edited keep their last diagnostics (most recent last).
    const memo = this.diagnosticMemos.get(uri) ?? new DiagnosticMemo();
    this.diagnosticMemos.delete(uri);
    this.diagnosticMemos.set(uri, memo);
    for (const oldest of this.diagnosticMemos.keys()) {
      if (this.diagnosticMemos.size <= MAX_TREES) break;
      this.diagnosticMemos.delete(oldest);
    }
    const diagnostics = toDiagnostics(text, applyProjectConfig(scan.hyperparameters, this.project), scan.errors, this.settings, memo);
    const best = this.best.get(uri, text);
    return best ? [...diagnostics, ...bestDiagnostics(text, best)] : diagnostics;
  }

  private refreshAll(): void {
    this.notebooks.refreshAll();
    for (const e of this.docs.all()) this.schedule(e.uri, 0);
    if (this.flags?.inlayHintRefresh) void this.connection.languages.inlayHint.refresh().catch(() => undefined);
    if (this.flags?.codeLensRefresh) void this.connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    if (this.flags?.diagnosticRefresh) void this.connection.languages.diagnostics.refresh().catch(() => undefined);
  }

  // ---- requests over the current analysis ----

  /** Runs a handler over the current scan of an open document; an unknown document gets `empty`. */
  private async request<T>(
    name: string,
    token: CancellationToken,
    uri: string,
    empty: T,
    fn: (hps: Hyperparameter[], text: string, version: number, scan: ScanResult) => T,
  ): Promise<T> {
    const entry = this.docs.get(uri);
    if (!entry) {
      // A notebook cell: the notebook's analysis seen from this cell.
      const cell = this.notebooks.cell(uri);
      return cell ? fn(applyProjectConfig(cell.scan.hyperparameters, this.project), cell.text, cell.version, cell.scan) : empty;
    }
    try {
      const analysis = await this.analyzer.analyze(uri);
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      const now = this.docs.get(uri);
      if (!now || analysis.version !== now.doc.version) {
        // The text moved on while we waited: the positions in this result would be wrong.
        throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed during ${name}`);
      }
      return fn(applyProjectConfig(analysis.result.hyperparameters, this.project), now.doc.getText(), now.doc.version, analysis.result);
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      this.log.error(`${name} failed on ${uri}: ${(err as Error).stack ?? err}`);
      return empty;
    }
  }

  private safeTarget(uri: string) {
    try {
      const notebook = this.notebooks.notebookOf(uri);
      if (notebook) return harnessTarget(notebook);
      return uri.startsWith('file:') ? harnessTarget(uri) : undefined;
    } catch {
      return undefined;
    }
  }


  private tunedIds(hps: Hyperparameter[]): string[] {
    return hps.filter((h) => h.tunable).map((h) => h.id);
  }

  private harnessEdit(uri: string, text: string, hps: Hyperparameter[]) {
    const target = this.safeTarget(uri);
    if (!target) return undefined;
    try {
      const options = harnessOptions(this.settings, this.project, this.tunedIds(hps));
      const harness = this.notebooks.isCell(uri) ? this.notebooks.harness(uri, { ...options, ids: undefined }) : buildHarness(uri, text, this.analyzer.catalogue, options);
      return harnessWorkspaceEdit(target.uri, harness.text);
    } catch (err) {
      this.log.warn(`no harness for ${uri}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async resolveCodeAction(action: CodeAction): Promise<CodeAction> {
    const data = action.data as HarnessActionData | undefined;
    if (!data?.harness) return action;
    if (this.notebooks.isCell(data.harness.uri)) {
      const target = this.safeTarget(data.harness.uri);
      try {
        if (target) action.edit = harnessWorkspaceEdit(target.uri, this.notebooks.harness(data.harness.uri, harnessOptions(this.settings, this.project)).text);
      } catch (err) {
        throw new ResponseError(ErrorCodes.InvalidRequest, (err as Error).message);
      }
      return action;
    }
    const entry = this.docs.get(data.harness.uri);
    if (!entry) return action;
    const analysis = await this.analyzer.analyze(entry.uri);
    const hps = applyProjectConfig(analysis.result.hyperparameters, this.project);
    const target = this.safeTarget(entry.uri);
    try {
      const harness = buildHarness(entry.uri, entry.doc.getText(), this.analyzer.catalogue, harnessOptions(this.settings, this.project, this.tunedIds(hps)));
      if (target) action.edit = harnessWorkspaceEdit(target.uri, harness.text);
    } catch (err) {
      throw new ResponseError(ErrorCodes.InvalidRequest, (err as Error).message);
    }
    return action;
  }

  /** optpar.applyBestValues {uri}: the best values of the search beside the model, as one workspace/applyEdit. */
  private async applyBestValues(args: unknown[] | undefined): Promise<unknown> {
    const uri = commandUri(args);
    const entry = uri ? this.docs.get(uri) : undefined;
    if (!uri || !entry) throw new ResponseError(ErrorCodes.InvalidParams, `${COMMANDS.applyBestValues} needs {uri} of an open document`);
    const text = entry.doc.getText();
    const best = this.best.get(uri, text);
    if (!best || best.plan.edits.length === 0) {
      const msg = best ? 'optpar: the model already has the best values' : `optpar: no search results for this model (${BestValues.resultsPathOf(uri) ?? uri})`;
      void this.connection.window.showInformationMessage(msg);
      return { applied: 0 };
    }
    const r = await this.connection.workspace.applyEdit({ label: 'Apply best values', edit: applyEdit(uri, entry.doc.version, text, best, this.flags) });
    for (const s of best.plan.skipped) this.log.info(`apply: skipped ${s.id}: ${s.reason}`);
    return { applied: r.applied ? best.plan.edits.length : 0, skipped: best.plan.skipped };
  }

  private async executeCommand(command: string, args: unknown[] | undefined): Promise<unknown> {
    if (command === COMMANDS.applyBestValues) return this.applyBestValues(args);
    if (command !== COMMANDS.generateHarness) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${command}`);
    const uri = commandUri(args);
    if (uri && (this.notebooks.isCell(uri) || this.notebooks.documents.getNotebookDocument(uri))) return this.notebookHarness(uri);
    if (!uri || !uri.startsWith('file:')) throw new ResponseError(ErrorCodes.InvalidParams, `${command} needs {uri} of a file`);
    const entry = this.docs.get(uri);
    let text: string;
    let hps: Hyperparameter[] | undefined;
    if (entry) {
      text = entry.doc.getText();
      hps = applyProjectConfig((await this.analyzer.analyze(uri)).result.hyperparameters, this.project);
    } else {
      try {
        text = readFileSync(fileURLToPath(uri), 'utf8');
      } catch (err) {
        throw new ResponseError(ErrorCodes.InvalidParams, `cannot read ${uri}: ${(err as Error).message}`);
      }
    }
    const target = harnessTarget(uri);
    let harness;
    try {
      harness = buildHarness(uri, text, this.analyzer.catalogue, harnessOptions(this.settings, this.project, hps && this.tunedIds(hps)));
      writeHarness(target, harness);
    } catch (err) {
      const msg = `optpar: no tuning harness for ${uri.split('/').pop()}: ${(err as Error).message}`;
      void this.connection.window.showErrorMessage(msg);
      throw new ResponseError(ErrorCodes.InvalidRequest, msg);
    }
    if (this.flags.showDocument) void this.connection.window.showDocument({ uri: target.uri, takeFocus: true }).catch(() => undefined);
    else void this.connection.window.showInformationMessage(`optpar: wrote ${target.path}`);
    for (const note of harness.notes) this.log.info(`harness ${target.path}: ${note}`);
    return { uri: target.uri, ids: harness.ids, notes: harness.notes };
  }

  /** optpar.generateHarness from any cell of an open notebook (or the notebook): tune_<notebook>.py beside it. */
  private notebookHarness(uri: string): unknown {
    const target = harnessTarget(this.notebooks.notebookOf(uri) ?? uri);
    let harness;
    try {
      harness = this.notebooks.harness(uri, harnessOptions(this.settings, this.project));
      writeHarness(target, harness);
    } catch (err) {
      const msg = `optpar: no tuning harness for ${target.path.split(/[\\/]/).pop()}: ${(err as Error).message}`;
      void this.connection.window.showErrorMessage(msg);
      throw new ResponseError(ErrorCodes.InvalidRequest, msg);
    }
    if (this.flags.showDocument) void this.connection.window.showDocument({ uri: target.uri, takeFocus: true }).catch(() => undefined);
    for (const note of harness.notes) this.log.info(`harness ${target.path}: ${note}`);
    return { uri: target.uri, ids: harness.ids, notes: harness.notes };
  }

  // ---- settings, catalogue, optpar.yaml ----

  private async loadSettings(pushed: unknown): Promise<void> {
    let raw: unknown = undefined;
    if (this.flags.configuration) {
      try {
        [raw] = await this.connection.workspace.getConfiguration([{ section: NAME }]);
      } catch (err) {
        this.log.warn(`workspace/configuration failed: ${(err as Error).message}`);
      }
    } else if (pushed && typeof pushed === 'object') raw = (pushed as Record<string, unknown>)[NAME];
    const base = parseSettings(this.initOptions).settings;
    // Layers: defaults <- initializationOptions <- workspace settings; a bad value keeps the last good one.
    const { settings, errors } = parseSettings(raw ?? {}, raw === undefined || raw === null ? base : mergeBase(base, this.settings));
    this.reportSettingErrors(errors);
    const before = this.settings;
    this.settings = settings;
    this.log.level = settings.logLevel;
    if (!this.configured || JSON.stringify(before.cataloguePaths) !== JSON.stringify(settings.cataloguePaths) || before.splitTuples !== settings.splitTuples || before.tuneBudget !== settings.tuneBudget) {
      await this.configureAnalyzer();
    }
    this.refreshAll();
  }

  private configured = false;

  private cataloguePaths(): string[] {
    return this.settings.cataloguePaths.map((p) => (isAbsolute(p) || !this.root ? p : join(this.root, p)));
  }

  private async configureAnalyzer(): Promise<void> {
    this.configured = true;
    const errors = this.analyzer.configure(this.cataloguePaths(), { splitTuples: this.settings.splitTuples, tuneBudget: this.settings.tuneBudget });
    this.publishCatalogueErrors(errors);
    this.refreshAll();
  }

  private publishCatalogueErrors(errors: CatalogueError[]): void {
    const byUri = new Map<string, Diagnostic[]>();
    for (const e of errors) {
      const uri = pathToFileURL(e.file).href;
      let range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      try {
        const text = readFileSync(e.file, 'utf8');
        const needle = e.entry?.split('.').pop() ?? e.field;
        const at = needle ? text.indexOf(needle) : -1;
        if (at >= 0) {
          const lines = new LineIndex(text);
          range = { start: lines.position(at), end: lines.position(at + needle!.length) };
        }
      } catch {
        // unreadable: the message says so
      }
      byUri.set(uri, [...(byUri.get(uri) ?? []), fileDiagnostic(range, 'catalogue-error', formatCatalogueError(e))]);
    }
    for (const uri of this.catalogueErrorUris) if (!byUri.has(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const [uri, diagnostics] of byUri) void this.connection.sendDiagnostics({ uri, diagnostics });
    this.catalogueErrorUris = new Set(byUri.keys());
    if (errors.length) this.showOnce(MessageType.Warning, `optpar: ${errors.length} catalogue error(s); first: ${formatCatalogueError(errors[0])}`);
  }

  private reportSettingErrors(errors: string[]): void {
    for (const e of errors) this.log.warn(e);
    if (errors.length) this.showOnce(MessageType.Warning, `optpar: ${errors.join('; ')}`);
  }

  private showOnce(type: MessageType, message: string): void {
    if (this.shownMessages.has(message)) return;
    this.shownMessages.add(message);
    void this.connection.sendNotification('window/showMessage', { type, message });
  }

  /** Reads optpar.yaml at the root; errors become diagnostics there and the last good config stays. */
  private loadProject(): void {
    if (!this.root) return;
    const path = join(this.root, PROJECT_FILE);
    const uri = pathToFileURL(path).href;
    if (!existsSync(path)) {
      this.project = EMPTY_PROJECT_CONFIG;
      if (this.projectDiagnosticUri) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
      this.projectDiagnosticUri = undefined;
      return;
    }
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      return this.log.warn(`cannot read ${path}: ${(err as Error).message}`);
    }
    const { config, errors } = parseProjectConfig(text);
    const lines = new LineIndex(text);
    const diagnostics = errors.map((e) => fileDiagnostic({ start: lines.position(e.start), end: lines.position(e.end) }, 'config-error', e.message));
    void this.connection.sendDiagnostics({ uri, diagnostics });
    this.projectDiagnosticUri = uri;
    if (errors.length) {
      this.showOnce(MessageType.Warning, `optpar: ${PROJECT_FILE} has ${errors.length} error(s); keeping the last good project settings`);
      return;
    }
    this.project = config;
    this.log.info(`${PROJECT_FILE}: ${config.ranges.size} range(s), ${config.exclude.size} exclusion(s)`);
  }

  private async onWatchedFiles(uris: string[]): Promise<void> {
    const paths = uris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    const results = paths.filter((p) => this.best.isResultsFile(p));
    if (results.length) {
      for (const p of results) this.best.invalidate(p);
      this.refreshAll();
    }
    if (this.root && paths.includes(join(this.root, PROJECT_FILE))) {
      this.loadProject();
      this.refreshAll();
    }
    const cats = new Set(this.cataloguePaths());
    if (paths.some((p) => cats.has(p))) await this.configureAnalyzer();
  }

  // ---- safety ----

  private async guard<T>(name: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      this.log.error(`${name}: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  private guardSync(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error(`${name}: ${(err as Error).stack ?? err}`);
    }
  }
}

/** The last good settings, but with the init options' values where the workspace says nothing. */
function mergeBase(init: Settings, current: Settings): Settings {
  return current ?? init;
}
