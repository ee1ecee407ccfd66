// Runs the benchmarks one after another, each in its own Node process, streaming output.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benches = ['scan.mjs', 'detection.mjs', 'lsp.mjs', 'harness.mjs', 'optuna.mjs', 'value.mjs'];

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, file)], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(signal ? 1 : code ?? 1));
    child.on('error', (err) => {
      console.error(`bench ${file}: ${err.message}`);
      resolve(1);
    });
  });
}

let failed = 0;
for (const file of benches) {
  if (!existsSync(join(here, file))) {
    if (file !== 'scan.mjs') continue;
  }
  console.log(`\n== bench/${file}`);
  const code = await run(file);
  if (code !== 0) {
    console.error(`bench/${file} exited with code ${code}`);
    failed++;
  }
}
process.exitCode = failed ? 1 : 0;
