/**
 * The demo's HTML report: a line chart of incentive per miner over the epochs, drawn in the browser from data
 * embedded in the page (one self-contained file, no network), with the final numbers in a table.
 */

/** Incentive of each miner at one epoch. */
export interface EpochRow {
  epoch: number;
  block: number;
  incentive: Record<string, number>;
}

const COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02'];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Renders the report page. */
export function renderReport(data: {
  netuid: number;
  tempo: number;
  qualities: string[];
  history: EpochRow[];
}): string {
  // over 80 lines by design: one HTML page as one template literal, read top to bottom like the page.
  const json = JSON.stringify({ ...data, colors: COLORS }).replace(/</g, '\\u003c');
  const last = data.history.at(-1);
  const rows = data.qualities
    .map(
      (q, i) =>
        `<tr><td><span class="dot" style="background:${COLORS[i % COLORS.length]}"></span>${escapeHtml(q)}</td><td>${(last?.incentive[q] ?? 0).toFixed(4)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>subnetkit demo: incentive per miner, subnet ${data.netuid}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 880px; color: #222; }
  h1 { font-size: 1.4rem; }
  svg text { font: 12px system-ui, sans-serif; fill: #444; }
  .axis { stroke: #999; }
  .grid { stroke: #eee; }
  .series { fill: none; stroke-width: 2.5; }
  table { border-collapse: collapse; margin-top: 1rem; }
  td, th { padding: .25rem .9rem; border-bottom: 1px solid #eee; text-align: left; }
  .dot { display: inline-block; width: .75rem; height: .75rem; border-radius: 50%; margin-right: .5rem; }
</style>
</head>
<body>
<h1>Incentive per miner over epochs — subnet ${data.netuid}</h1>
<p>Four miners answer the validators' <code>Sum</code> requests: <b>honest</b> (right and fast), <b>slow</b> (right, half
the timeout late), <b>sloppy</b> (right half the time) and <b>lazy</b> (always 42). The validators score correctness ×
speed, set weights every tempo (${data.tempo} blocks), and Yuma Consensus turns the weights into incentive.</p>
<svg id="plot" width="860" height="420" role="img" aria-label="incentive per miner over epochs"></svg>
<table id="final"><thead><tr><th>miner</th><th>incentive at the last epoch</th></tr></thead><tbody>${rows}</tbody></table>
<script id="data" type="application/json">${json}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('data').textContent);
  var svg = document.getElementById('plot');
  var NS = 'http://www.w3.org/2000/svg';
  var W = 860, H = 420, L = 56, R = 120, T = 16, B = 40;
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  var n = d.history.length;
  var max = 0;
  d.history.forEach(function (h) { d.qualities.forEach(function (q) { max = Math.max(max, h.incentive[q] || 0); }); });
  max = max > 0 ? max * 1.1 : 1;
  function x(i) { return L + (n > 1 ? (i / (n - 1)) * (W - L - R) : (W - L - R) / 2); }
  function y(v) { return T + (1 - v / max) * (H - T - B); }
  for (var g = 0; g <= 4; g++) {
    var v = (max * g) / 4;
    el('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) });
    el('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end' }, v.toFixed(2));
  }
  el('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B });
  el('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B });
  d.history.forEach(function (h, i) { el('text', { x: x(i), y: H - B + 18, 'text-anchor': 'middle' }, String(h.epoch)); });
  el('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }, 'epoch');
  d.qualities.forEach(function (q, k) {
    var color = d.colors[k % d.colors.length];
    var path = d.history.map(function (h, i) { return (i ? 'L' : 'M') + x(i).toFixed(1) + ',' + y(h.incentive[q] || 0).toFixed(1); }).join(' ');
    el('path', { class: 'series', d: path, stroke: color, 'data-miner': q });
    var lastV = n ? d.history[n - 1].incentive[q] || 0 : 0;
    el('text', { x: W - R + 8, y: y(lastV) + 4, fill: color, 'data-label': q }, q);
  });
  svg.setAttribute('data-rendered', String(d.qualities.length));
})();
</script>
</body>
</html>
`;
}
