/** The client's capabilities read once into booleans, and ours as a pure function of them. */
import { COMMAND_IDS, NAME, REFACTOR_HARNESS, SOURCE_APPLY_BEST, SOURCE_PARAMETRIZE_ALL } from './constants';
import { CodeActionKind, TextDocumentSyncKind, type ClientCapabilities, type ServerCapabilities } from './protocol';

export interface ClientFlags {
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  documentChanges: boolean;
  resourceCreate: boolean;
  showDocument: boolean;
  markdownHover: boolean;
  configuration: boolean;
  configurationDynamic: boolean;
  watchedFilesDynamic: boolean;
  codeActionLiteral: boolean;
  codeActionResolveEdit: boolean;
  inlayHintRefresh: boolean;
  codeLensRefresh: boolean;
  workspaceFolders: boolean;
}

export function readClientFlags(c: ClientCapabilities): ClientFlags {
  const td = c.textDocument ?? {};
  const ws = c.workspace ?? {};
  return {
    pullDiagnostics: !!td.diagnostic,
    diagnosticRefresh: !!ws.diagnostics?.refreshSupport,
    documentChanges: !!ws.workspaceEdit?.documentChanges,
    resourceCreate: !!ws.workspaceEdit?.resourceOperations?.includes('create'),
    showDocument: !!c.window?.showDocument?.support,
    markdownHover: !!td.hover?.contentFormat?.includes('markdown'),
    configuration: !!ws.configuration,
    configurationDynamic: !!ws.didChangeConfiguration?.dynamicRegistration,
    watchedFilesDynamic: !!ws.didChangeWatchedFiles?.dynamicRegistration,
    codeActionLiteral: !!td.codeAction?.codeActionLiteralSupport,
    codeActionResolveEdit: !!td.codeAction?.resolveSupport?.properties?.includes('edit'),
    inlayHintRefresh: !!ws.inlayHint?.refreshSupport,
    codeLensRefresh: !!ws.codeLens?.refreshSupport,
    workspaceFolders: !!ws.workspaceFolders,
  };
}

export function serverCapabilities(flags: ClientFlags): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
    // Jupyter notebooks: Python cells, analysed together (notebooks.ts).
    notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }], save: false },
    hoverProvider: true,
    inlayHintProvider: true,
    codeLensProvider: { resolveProvider: false },
    codeActionProvider: flags.codeActionLiteral
      ? { codeActionKinds: [CodeActionKind.QuickFix, SOURCE_PARAMETRIZE_ALL, REFACTOR_HARNESS, SOURCE_APPLY_BEST], resolveProvider: flags.codeActionResolveEdit }
      : true,
    executeCommandProvider: { commands: COMMAND_IDS },
    ...(flags.pullDiagnostics ? { diagnosticProvider: { identifier: NAME, interFileDependencies: false, workspaceDiagnostics: false } } : {}),
  };
}
