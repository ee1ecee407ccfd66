/**
 * Type-only shims: tsconfig's moduleResolution "node" ignores package "exports", which is all
 * the vscode-languageserver packages declare. These map the exported subpaths to their typings.
 * Runtime resolution (Node's own) is unaffected. Remove once tsconfig moves to "node16".
 */
declare module 'vscode-languageserver/node' {
  export * from 'vscode-languageserver/lib/node/main';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-jsonrpc' {
  export * from 'vscode-languageserver-protocol/node_modules/vscode-jsonrpc/lib/common/api';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-languageserver-protocol/node_modules/vscode-jsonrpc/lib/node/main';
}
