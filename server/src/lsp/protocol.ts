/** vscode-languageserver/node in one place: import protocol values and types from here. */
export * from 'vscode-languageserver/node';
