/**
 * Headless Chromium for the report tests: Debian's chromium, installed with apt-get once when
 * missing (as the editor tests install neovim and emacs), driven over the DevTools protocol on
 * a pipe (--remote-debugging-pipe: no port, no WebSocket library). Records every request the
 * page makes, with the page's own Content-Security-Policy bypassed so that a request the page
 * would try is seen, not silently blocked.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
  '--mute-audio',
  '--remote-debugging-pipe',
];

function chromiumBinary(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    if (spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0) return name;
  }
  return undefined;
}

/** Debian's chromium, installed when missing and we are root; else why not. */
export function ensureChromium(): { binary?: string; reason: string } {
  let binary = chromiumBinary();
  if (binary) return { binary, reason: '' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { reason: 'chromium not found, and not root to apt-get install it' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, encoding: 'utf8', timeout: 900_000 });
  let r = run(['install', '-y', '--no-install-recommends', 'chromium']);
  if (r.status !== 0) {
    run(['update']);
    r = run(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  binary = chromiumBinary();
  return binary ? { binary, reason: '' } : { reason: `apt-get install chromium failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-2).join(' | ')}` };
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export class Browser {
  private child: ChildProcess;
  private profile: string;
  private nextId = 1;
  private pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private listeners: ((m: Message) => void)[] = [];
  private buffer = '';
  stderr = '';

  constructor(binary: string) {
    this.profile = mkdtempSync(join(tmpdir(), 'optpar-chromium-'));
    this.child = spawn(binary, [...CHROMIUM_FLAGS, `--user-data-dir=${this.profile}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so that close() reaches the renderer and helper processes too:
      // they outlive a killed parent and keep writing into the profile directory.
      detached: true,
    });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-20_000)));
    // A write after Chromium exited fails with EPIPE; a pending send() then times out with stderr.
    (this.child.stdio[3] as NodeJS.WritableStream).on('error', () => undefined);
    const out = this.child.stdio[4] as NodeJS.ReadableStream;
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (msg.id !== undefined && this.pending.has(msg.id)) {
          const p = this.pending.get(msg.id)!;
          this.pending.delete(msg.id);
          if (msg.error) p.reject(new Error(msg.error.message));
          else p.resolve(msg);
        } else for (const l of this.listeners) l(msg);
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const input = this.child.stdio[3] as NodeJS.WritableStream;
    input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 30 s\n${this.stderr.slice(-2000)}`)), 30_000);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m.result ?? {});
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  on(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Opens `url` in a new tab of the given size and waits for its load event and then a quiet
   * moment. Every request the tab makes is recorded in `requests`.
   */
  async open(url: string, width = 1200, height = 2400): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    this.on((m) => {
      if (m.sessionId !== sessionId) return;
      if (m.method === 'Network.requestWillBeSent') page.requests.push(String((m.params!.request as { url: string }).url));
      if (m.method === 'Runtime.exceptionThrown') page.errors.push(JSON.stringify(m.params!.exceptionDetails));
      if (m.method === 'Runtime.consoleAPICalled' && m.params!.type === 'error') page.errors.push(JSON.stringify(m.params!.args));
    });
    for (const method of ['Network.enable', 'Page.enable', 'Runtime.enable']) await this.send(method, {}, sessionId);
    await this.send('Page.setBypassCSP', { enabled: true }, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = new Promise<void>((resolve) => this.on((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired' && resolve()));
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    await new Promise((r) => setTimeout(r, 500));
    return page;
  }

  /**
   * Asks Chromium to quit, waits (at most 5 s) for it to exit, kills whatever is left of its
   * process group, then removes the profile. Removing it right after a bare SIGKILL raced with
   * helper processes still writing there (ENOTEMPTY in CI).
   */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    try {
      (this.child.stdio[3] as NodeJS.WritableStream).write(JSON.stringify({ id: this.nextId++, method: 'Browser.close' }) + '\0');
    } catch {
      // the pipe is already gone: the process group kill below is enough
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // ESRCH: the whole group has exited
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

export class Page {
  requests: string[] = [];
  errors: string[] = [];
  constructor(
    private browser: Browser,
    private sessionId: string,
  ) {}

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.browser.send('Runtime.evaluate', { expression, returnByValue: true }, this.sessionId)) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  async screenshot(): Promise<Buffer> {
    const r = (await this.browser.send('Page.captureScreenshot', { format: 'png' }, this.sessionId)) as { data: string };
    return Buffer.from(r.data, 'base64');
  }
}

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium's screenshots are) into RGBA pixels. */
export function decodePng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8) throw new Error(`bit depth ${data[8]}`);
      colorType = data[9];
      if (data[12] !== 0) throw new Error('interlaced PNG');
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
  if (!bpp) throw new Error(`colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      out.set([cur[x * bpp], cur[x * bpp + 1], cur[x * bpp + 2], bpp === 4 ? cur[x * bpp + 3] : 255], (y * width + x) * 4);
    }
    prev = cur;
  }
  return { width, height, pixels: out };
}
