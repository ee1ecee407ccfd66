// Measures the bundled handler (npm run bundle:lambda's package, run by plain node) against
// moto's S3 server: cold first record, warm records, and a model at the 1 MiB limit; peak RSS.
//   node test/serverless/measure.mjs [PACKAGE_DIR]   (default: dist/lambda/function, bundled with --native local)
// The figures in README's Serverless section come from this script.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'package.json'));
const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3');

let pkg = process.argv[2];
if (!pkg) {
  pkg = join(root, 'dist', 'lambda', 'function');
  execFileSync(process.execPath, [join(root, 'server/src/serverless/bundle.mjs'), '--arch', process.arch, '--native', 'local', '--out', pkg, '--no-zip'], { stdio: 'inherit' });
}
const port = await new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const endpoint = `http://127.0.0.1:${port}`;
const moto = spawn(join(root, '.venv/bin/python'), [join(root, '.venv/bin/moto_server'), '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try { await fetch(`${endpoint}/moto-api/`); break; } catch { if (i > 100) throw new Error('moto did not start'); await new Promise((r) => setTimeout(r, 200)); }
  }
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 't', AWS_SECRET_ACCESS_KEY: 't', OPTPAR_S3_FORCE_PATH_STYLE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  await s3.send(new CreateBucketCommand({ Bucket: 'optpar-measure' }));
  const digits = readFileSync(join(root, 'examples/digits_cnn.py'));
  // A model near the 1 MiB limit: the example followed by many more Dense layers.
  const lines = [digits.toString().replace(/^model\.compile[\s\S]*$/m, '')];
  let i = 0;
  while (lines.join('\n').length < 1000 * 1024) lines.push(...Array.from({ length: 200 }, () => `model.add(layers.Dense(${32 + (i++ % 64)}, activation="relu"))`));
  const big = Buffer.from(lines.join('\n') + '\n' + digits.toString().slice(digits.toString().indexOf('model.compile')));
  const record = async (key, body) => {
    const put = await s3.send(new PutObjectCommand({ Bucket: 'optpar-measure', Key: key, Body: body }));
    return { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'optpar-measure' }, object: { key: key.replace(/ /g, '+'), size: body.length, eTag: put.ETag.replace(/"/g, '') } } };
  };
  const events = [await record('models/cold.py', digits)];
  for (let n = 0; n < 20; n++) events.push(await record(`models/warm${n}.py`, digits));
  events.push(await record('models/big.py', big));
  const script = `
    const t0 = performance.now();
    const { handler } = require('./dist/serverless/handler.js');
    const load = performance.now() - t0;
    const events = JSON.parse(process.argv[1]);
    (async () => {
      const ms = [];
      let typicalRss = 0;
      for (const [n, r] of events.entries()) {
        if (n === events.length - 1) typicalRss = process.resourceUsage().maxRSS / 1024;
        const t = performance.now(); const res = await handler({ Records: [r] }); ms.push(performance.now() - t);
        if (res.records[0].status !== 'ok') throw new Error(JSON.stringify(res));
      }
      console.error(JSON.stringify({ load, ms, typicalRss, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
    })();`;
  const run = spawnSync('node', ['-e', script, JSON.stringify(events)], { cwd: pkg, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(run.stderr);
  report(JSON.parse(run.stderr.trim().split('\n').pop()));
  console.log(`1 MiB model: ${big.length} bytes`);
} finally {
  moto.kill();
}
function report(m) {
  const warm = m.ms.slice(1, -1).sort((a, b) => a - b);
  console.log(`module load ${m.load.toFixed(0)} ms; first record (cold) ${m.ms[0].toFixed(0)} ms; warm median ${warm[warm.length >> 1].toFixed(0)} ms (n=${warm.length}, max ${warm.at(-1).toFixed(0)}); 1 MiB model ${m.ms.at(-1).toFixed(0)} ms; peak RSS ${m.typicalRss.toFixed(0)} MiB before it, ${m.maxRssMiB.toFixed(0)} MiB after`);
}
