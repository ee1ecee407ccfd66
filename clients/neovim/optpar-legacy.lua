-- optpar language server for Neovim 0.7 to 0.10 (Neovim 0.11+: use lsp/optpar.lua).
--
-- Copy this file to ~/.config/nvim/lua/optpar.lua and add to init.lua:
--
--   require('optpar')
--
-- or source it from init.vim / init.lua with `:luafile /path/to/optpar-legacy.lua`.
-- Optional globals, read when a Python buffer opens (set them before that):
--   vim.g.optpar_cmd      = { 'node', '/path/to/optpar/bin/optpar-lsp.js', '--stdio' }
--                           (default: { 'optpar-lsp', '--stdio' } from PATH)
--   vim.g.optpar_settings = { inlayHints = false }   -- sent as settings.optpar
--
-- Neovim 0.8+ uses vim.lsp.start (one client per root, reused across buffers); 0.7 uses
-- vim.lsp.start_client with a FileType autocommand. Either way optpar runs beside any other
-- Python server you have (pyright, pylsp...).

local root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', '.git', 'optpar.yaml' }

local function find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.loop.cwd()
  while dir and dir ~= '' do
    for _, marker in ipairs(root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  -- No marker: the file's own folder.
  return name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.loop.cwd()
end

local function config(bufnr)
  return {
    name = 'optpar',
    cmd = vim.g.optpar_cmd or { 'optpar-lsp', '--stdio' },
    root_dir = find_root(bufnr),
    settings = { optpar = vim.g.optpar_settings or vim.empty_dict() },
  }
end

-- Neovim 0.7: one client per root folder, attached to each Python buffer under it.
local clients_by_root = {}

local function attach(bufnr)
  if vim.bo[bufnr].buftype ~= '' then
    return
  end
  if vim.lsp.start then
    vim.lsp.start(config(bufnr), { bufnr = bufnr })
    return
  end
  local cfg = config(bufnr)
  local id = clients_by_root[cfg.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(cfg)
    clients_by_root[cfg.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local group = vim.api.nvim_create_augroup('optpar_lsp', { clear = true })
vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'python',
  callback = function(args)
    attach(args.buf)
  end,
})

-- Python buffers already open when this file is sourced.
for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
  if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == 'python' then
    attach(bufnr)
  end
end
