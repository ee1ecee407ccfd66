/** Upper bound on what is analysed: beyond it a file is reported, not parsed. */
export const MAX_SOURCE_CHARS = 32 * 1024 * 1024;

/**
 * Why a text cannot be analysed as Python source, or undefined when it can. Binary content is
 * told apart by NUL characters, which no Python source contains.
 */
export function unreadableReason(text: string): string | undefined {
  if (text.length > MAX_SOURCE_CHARS) return `file too large to analyse (${text.length} characters; the limit is ${MAX_SOURCE_CHARS})`;
  if (text.includes('\u0000')) return 'binary content (NUL bytes): not Python source';
  return undefined;
}

/** Decodes file bytes as UTF-8, refusing anything else with a clear reason. */
export function decodeSource(bytes: Buffer): { text?: string; error?: string } {
  if (bytes.includes(0)) return { error: 'binary content (NUL bytes): not Python source' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text };
  } catch {
    return { error: 'not valid UTF-8 (Python source must be UTF-8)' };
  }
}
