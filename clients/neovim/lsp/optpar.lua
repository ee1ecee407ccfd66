-- optpar language server for Neovim 0.11+: hyperparameters in Python Keras code.
--
-- Copy this file to ~/.config/nvim/lsp/optpar.lua (any `lsp/` folder on 'runtimepath'
-- works), then enable it in init.lua:
--
--   vim.lsp.enable('optpar')
--
-- It runs beside your other Python server (pyright, basedpyright, pylsp, ruff...): Neovim
-- attaches every enabled server whose filetypes match. Override any field without editing
-- this file:
--
--   vim.lsp.config('optpar', { settings = { optpar = { inlayHints = false } } })
--
-- The keys under `settings.optpar` are the server's settings (clients/README.md lists them);
-- a key left out keeps the server's default.
return {
  cmd = { 'optpar-lsp', '--stdio' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', '.git', 'optpar.yaml' },
  settings = {
    optpar = {},
  },
}
