// Creates the project's Python test environment (.venv) from test/requirements.txt on first
// run, and again whenever that file changes, so `npm test` on a fresh clone needs no hand
// install. The logic is the one `optpar tune` uses (dist/cli/pythonEnv.js; npm test builds first).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  const { ensurePythonEnv } = require('../dist/cli/pythonEnv.js');
  ensurePythonEnv((s) => console.log(s));
} catch (err) {
  console.error(`optpar: could not set up the Python test environment: ${err.message}`);
  process.exit(1);
}
