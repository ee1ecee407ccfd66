/**
 * vscode-languageserver/node, typed through modules.d.ts (the project's moduleResolution does
 * not read package "exports"). Import protocol values and types from here.
 */
export * from 'vscode-languageserver/node';
