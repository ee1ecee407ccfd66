// optpar for VS Code: starts the optpar language server over stdio for Python files.
import * as fs from 'fs';
import * as path from 'path';
import { ExtensionContext, window, workspace } from 'vscode';
import { Executable, LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** The server: the optpar.server.path setting, else the optpar package bundled with the extension. */
function serverExecutable(context: ExtensionContext): Executable {
  const configured = workspace.getConfiguration('optpar').get<string>('server.path', '').trim();
  if (configured) {
    // A .js file runs under Node; anything else (e.g. an installed optpar-lsp) runs as is.
    return configured.endsWith('.js')
      ? { command: 'node', args: [configured, '--stdio'] }
      : { command: configured, args: ['--stdio'] };
  }
  const candidates = [
    path.join(context.extensionPath, 'node_modules', 'optpar', 'bin', 'optpar-lsp.js'), // packed into the .vsix
    path.join(context.extensionPath, '..', '..', 'bin', 'optpar-lsp.js'), // clients/vscode inside the optpar checkout
  ];
  const bundled = candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
  // The system's Node, not VS Code's Electron: the server loads native tree-sitter modules.
  return { command: 'node', args: [bundled, '--stdio'] };
}

export async function activate(context: ExtensionContext): Promise<void> {
  const executable = serverExecutable(context);
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Python cells of Jupyter notebooks: the server declares notebookDocumentSync for them.
      { notebook: 'jupyter-notebook', language: 'python' },
    ],
    synchronize: { configurationSection: 'optpar' },
    // The server's settings; optpar.server.* belongs to this extension.
    initializationOptions: Object.fromEntries(Object.entries(workspace.getConfiguration().get<Record<string, unknown>>('optpar') ?? {}).filter(([k]) => k !== 'server')),
  };
  client = new LanguageClient('optpar', 'optpar', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    void window.showErrorMessage(`optpar: could not start the language server (${executable.command} ${(executable.args ?? []).join(' ')}): ${err}`);
  }
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
