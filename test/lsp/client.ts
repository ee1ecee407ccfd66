/** Test client: spawns the built server (node bin/optpar-lsp.js --stdio) and speaks JSON-RPC over its stdio. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type ClientCapabilities,
  type InitializeResult,
} from 'vscode-languageserver-protocol/node';

export const repoRoot = join(__dirname, '..', '..');
export const kerasFixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'keras', name);
export const lspFixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'lsp', name);
export const uriOf = (path: string) => pathToFileURL(path).href;

export const FULL_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    inlayHint: { refreshSupport: true },
  },
  textDocument: {
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } }, resolveSupport: { properties: ['edit'] } },
    publishDiagnostics: { versionSupport: true },
    diagnostic: { dynamicRegistration: false },
    inlayHint: {},
  },
  window: { showDocument: { support: true } },
};

export const MINIMAL_CAPABILITIES: ClientCapabilities = {};

export interface Session {
  child: ChildProcessWithoutNullStreams;
  conn: ProtocolConnection;
  init: InitializeResult;
  diagnostics: PublishDiagnosticsParams[];
  logs: { type: number; message: string }[];
  messages: { type: number; message: string }[];
  stderr: string[];
  /** What workspace/configuration answers for section "optpar". */
  config: { value: unknown };
  showDocuments: unknown[];
  waitForDiagnostics(uri: string, pred?: (p: PublishDiagnosticsParams) => boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  open(uri: string, text: string, version?: number): void;
  close(): Promise<number | null>;
}

export async function startServer(opts: { capabilities?: ClientCapabilities; rootPath?: string; initializationOptions?: unknown; config?: unknown } = {}): Promise<Session> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'optpar-lsp.js'), '--stdio'], { cwd: repoRoot });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const diagnostics: PublishDiagnosticsParams[] = [];
  const waiters: (() => void)[] = [];
  const s = {
    child,
    conn,
    diagnostics,
    logs: [] as { type: number; message: string }[],
    messages: [] as { type: number; message: string }[],
    stderr: [] as string[],
    config: { value: opts.config ?? null },
    showDocuments: [] as unknown[],
  } as Session;
  child.stderr.on('data', (d) => s.stderr.push(String(d)));
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.push(p);
    for (const w of waiters.splice(0)) w();
  });
  conn.onNotification('window/logMessage', (p) => s.logs.push(p));
  conn.onNotification('window/showMessage', (p) => s.messages.push(p));
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map(() => s.config.value));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.onRequest('window/showDocument', (p) => {
    s.showDocuments.push(p);
    return { success: true };
  });
  conn.listen();
  const root = opts.rootPath ?? join(repoRoot, 'test', 'fixtures', 'keras');
  s.init = await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(root),
    workspaceFolders: [{ uri: uriOf(root), name: 'ws' }],
    capabilities: opts.capabilities ?? FULL_CAPABILITIES,
    initializationOptions: opts.initializationOptions,
  });
  await conn.sendNotification('initialized', {});
  s.waitForDiagnostics = (uri, pred = () => true, timeoutMs = 15000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} in ${timeoutMs} ms; got ${JSON.stringify(diagnostics.filter((d) => d.uri === uri).map((d) => [d.version, d.diagnostics.length]))}`)), timeoutMs);
      const check = () => {
        const hit = [...diagnostics].reverse().find((p) => p.uri === uri);
        if (hit && pred(hit)) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      check();
    });
  s.open = (uri, text, version = 1) => void conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  s.close = async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    if (child.exitCode !== null) return child.exitCode;
    try {
      await withTimeout(conn.sendRequest('shutdown'), 5000);
      await conn.sendNotification('exit');
    } catch {
      child.kill();
    }
    const code = await withTimeout(exited, 5000).catch(() => {
      child.kill('SIGKILL');
      return null;
    });
    conn.dispose();
    return code;
  };
  return s;
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}

export const read = (path: string) => readFileSync(path, 'utf8');

/** Position of the first occurrence of `needle` (plus `delta` characters) in `text`. */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in text`);
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

/** Applies LSP text edits (ranges in the original text) to a text. */
export function applyTextEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const off = (p: { line: number; character: number }) => (p.line >= starts.length ? text.length : Math.min(starts[p.line] + p.character, text.length));
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
