import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ResultsDoc, TrialRow, Value } from './results';

/**
 * The HTML report of a search: one self-contained page. Charts are drawn by Chart.js, whose
 * UMD build (one file, no dependency of its own) is read from node_modules and inlined, and a
 * Content-Security-Policy with default-src 'none' keeps the page from reaching the network.
 */
let chartJs: string | undefined;
export function chartLibrary(): string {
  if (chartJs === undefined) {
    // The package's exports map hides dist/; its main entry sits beside the UMD build.
    const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
    // The source map comment would make developer tools ask for a file the page does not have.
    chartJs = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  }
  return chartJs;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A value as Python would print it in the source: strings quoted, True/False, tuples kept. */
export function showValue(v: Value | undefined): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(showValue).join(', ')})`;
  return String(v);
}

const fmtLoss = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : Number(x.toPrecision(6)).toString());

/** The JSON the page's script draws from; `<` escaped so no text can close the script element. */
function pageData(doc: ResultsDoc) {
  const trials = doc.trials.map((t: TrialRow) => ({ n: t.number, status: t.status, loss: t.loss, params: t.params }));
  const ids = Object.keys(doc.defaults);
  const scale = (id: string) => {
    const s = doc.space?.[id];
    if (!s) return 'auto';
    if (s.kind === 'choice') return 'category';
    return s.kind === 'loguniform' || s.kind === 'qloguniform' ? 'log' : 'linear';
  };
  return {
    trials,
    ids: ids.map((id) => ({ id, scale: scale(id), options: doc.space?.[id]?.options ?? [], original: doc.defaults[id], best: doc.best?.params[id] })),
    best: doc.best?.trial ?? null,
    original: doc.original.trial,
  };
}

export function renderReport(doc: ResultsDoc): string {
  const name = doc.model?.path ? basename(doc.model.path) : doc.source;
  const ok = doc.trials.filter((t) => t.status === 'ok');
  const bad = doc.trials.filter((t) => t.status !== 'ok');
  const imp = doc.improvement;
  const summary = [
    `<p><b>${doc.trials.length}</b> trial(s): ${ok.length} ok, ${doc.trials.filter((t) => t.status === 'failed').length} failed, ${doc.trials.filter((t) => t.status === 'pruned').length} pruned${doc.build_failures ? ` (${doc.build_failures} could not build the model and were not counted)` : ''}; ${esc(doc.algo ?? '')} search, seed ${doc.seed ?? ''}${doc.interrupted ? ', <b>interrupted</b>' : ''}.</p>`,
    `<p class="loss">loss: original <b id="loss-original">${fmtLoss(doc.original.loss)}</b> → best <b id="loss-best">${fmtLoss(doc.best?.loss)}</b>${doc.best ? ` (trial ${doc.best.trial})` : ''}${imp ? `; improvement <b id="improvement">${fmtLoss(imp.loss)}</b>${imp.relative !== null ? ` (${(100 * imp.relative).toFixed(1)}%)` : ''}` : ''}</p>`,
  ].join('\n');
  const rows = Object.keys(doc.defaults)
    .map((id) => {
      const orig = doc.defaults[id];
      const best = doc.best?.params[id];
      const changed = doc.best !== null && JSON.stringify(orig) !== JSON.stringify(best);
      return `<tr${changed ? ' class="changed"' : ''}><td><code>${esc(id)}</code></td><td>${esc(showValue(orig))}</td><td>${esc(showValue(best))}</td></tr>`;
    })
    .join('\n');
  const figures = Object.keys(doc.defaults)
    .map((id, i) => `<figure><figcaption><code>${esc(id)}</code></figcaption><div class="plot"><canvas id="hp-${i}" data-chart="hyperparameter" data-id="${esc(id)}" role="img" aria-label="${esc(id)} against loss"></canvas></div></figure>`)
    .join('\n');
  const failures = bad.length
    ? `<table id="failures"><thead><tr><th>trial</th><th>status</th><th>phase</th><th>error</th><th>values</th></tr></thead><tbody>\n${bad
        .map(
          (t) =>
            `<tr class="${t.status}"><td>${t.number}</td><td>${t.status}</td><td>${esc(t.phase ?? '')}</td><td><pre>${esc(t.error ?? '')}</pre></td><td><code>${esc(
              Object.entries(t.params)
                .map(([k, v]) => `${k}=${showValue(v)}`)
                .join(', '),
            )}</code></td></tr>`,
        )
        .join('\n')}\n</tbody></table>`
    : '<p id="no-failures">No trial failed or was pruned.</p>';
  const data = JSON.stringify(pageData(doc)).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>optpar report: ${esc(name)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1b1f24; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
tr.changed td { background: #e6f4ea; } tr.failed td:nth-child(2) { color: #b42318; } tr.pruned td:nth-child(2) { color: #9a6700; }
pre { margin: 0; white-space: pre-wrap; max-width: 60ch; } .plot { position: relative; height: 260px; }
#loss-plot { position: relative; height: 320px; } .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 1em; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3em; } .muted { color: #57606a; }
</style>
</head>
<body>
<h1>optpar report: <code>${esc(name)}</code></h1>
<p class="muted">${esc(doc.model?.path ?? doc.source)}${doc.model?.sha256 ? ` · text SHA-256 ${doc.model.sha256.slice(0, 12)}… at search time` : ''}</p>
<section id="summary">
${summary}
</section>
<h2>Best values beside the original ones</h2>
<table id="values"><thead><tr><th>hyperparameter</th><th>original</th><th>best</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Loss per trial</h2>
<div id="loss-plot"><canvas id="chart-loss" data-chart="loss" role="img" aria-label="loss per trial with the running best"></canvas></div>
<h2>Each hyperparameter against the loss</h2>
<div class="grid" id="hyperparameters">
${figures}
</div>
<h2>Failed and pruned trials</h2>
${failures}
<script type="application/json" id="optpar-data">${data}</script>
<script>
${chartLibrary()}
</script>
<script>
${DRAW}
</script>
</body>
</html>
`;
}

/** The page's own script: the loss chart and one scatter per hyperparameter. */
const DRAW = String.raw`(function () {
  var data = JSON.parse(document.getElementById('optpar-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  var ok = data.trials.filter(function (t) { return t.status === 'ok' && t.loss !== null; });
  var running = [], best = Infinity;
  data.trials.forEach(function (t) {
    if (t.status === 'ok' && t.loss !== null && t.loss < best) best = t.loss;
    if (best < Infinity) running.push({ x: t.n, y: best });
  });
  var show = function (v) {
    if (v === null || v === undefined) return 'None';
    if (v === true) return 'True';
    if (v === false) return 'False';
    if (Array.isArray(v)) return '(' + v.map(show).join(', ') + ')';
    return typeof v === 'string' ? "'" + v + "'" : String(v);
  };
  var charts = [];
  charts.push(new Chart(document.getElementById('chart-loss'), {
    type: 'scatter',
    data: { datasets: [
      { label: 'loss', data: ok.map(function (t) { return { x: t.n, y: t.loss }; }), backgroundColor: '#1f6feb', pointRadius: 4 },
      { label: 'running best', data: running, showLine: true, stepped: true, borderColor: '#2da44e', backgroundColor: '#2da44e', pointRadius: 0, borderWidth: 2 }
    ] },
    options: { scales: { x: { title: { display: true, text: 'trial' }, ticks: { precision: 0 } }, y: { title: { display: true, text: 'loss' } } } }
  }));
  data.ids.forEach(function (h, i) {
    var canvas = document.getElementById('hp-' + i);
    var numeric = h.scale !== 'category' && ok.every(function (t) { return typeof t.params[h.id] === 'number'; });
    var point = function (t) { return { x: numeric ? t.params[h.id] : show(t.params[h.id]), y: t.loss, n: t.n }; };
    var labels = [];
    if (!numeric) h.options.concat(ok.concat(data.trials).map(function (t) { return t.params[h.id]; })).forEach(function (v) { var l = show(v); if (labels.indexOf(l) < 0) labels.push(l); });
    var others = ok.filter(function (t) { return t.n !== data.best && t.n !== data.original; });
    var pick = function (n) { return ok.filter(function (t) { return t.n === n; }).map(point); };
    charts.push(new Chart(canvas, {
      type: 'scatter',
      data: { labels: numeric ? undefined : labels, datasets: [
        { label: 'trial', data: others.map(point), backgroundColor: '#1f6feb', pointRadius: 4 },
        { label: 'original', data: pick(data.original), backgroundColor: '#8250df', pointStyle: 'rectRot', pointRadius: 7 },
        { label: 'best', data: pick(data.best), backgroundColor: '#2da44e', pointStyle: 'star', borderColor: '#2da44e', pointRadius: 9, borderWidth: 2 }
      ] },
      options: {
        plugins: { tooltip: { callbacks: { label: function (c) { return 'trial ' + c.raw.n + ': ' + show(c.raw.x) + ' → loss ' + c.raw.y; } } } },
        scales: {
          x: numeric ? { type: h.scale === 'log' ? 'logarithmic' : 'linear', title: { display: true, text: h.id } } : { type: 'category', labels: labels, offset: true, title: { display: true, text: h.id } },
          y: { title: { display: true, text: 'loss' } }
        }
      }
    }));
  });
  document.body.setAttribute('data-charts-drawn', String(charts.length));
})();`;

export function writeReport(doc: ResultsDoc, path: string): void {
  writeFileSync(path, renderReport(doc));
}
