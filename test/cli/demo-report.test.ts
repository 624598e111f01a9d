/**
 * The demo's HTML report, opened in a real headless browser (Chromium from Debian's packages): the plot is drawn by
 * the page's own script, so the DOM after load proves it renders. Skipped, with the reason in its name, where no
 * Chromium is installed; .ci/run installs one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/cli/demo/report.js';

function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

const chromium = findChromium();
const history = [4, 5, 6, 7].map((epoch, i) => ({
  epoch,
  block: epoch * 11,
  incentive: { honest: 0.4 + i * 0.02, slow: 0.33, sloppy: 0.2 - i * 0.01, lazy: 0 },
}));
const html = renderReport({ netuid: 2, tempo: 10, qualities: ['honest', 'slow', 'sloppy', 'lazy'], history });

describe('the demo report', () => {
  it('embeds its data and the final incentives, and escapes what it prints', () => {
    expect(html).toMatch(/<title>subnetkit demo: incentive per miner, subnet 2<\/title>/);
    expect(html).toMatch(/<td><span class="dot"[^>]*><\/span>honest<\/td><td>0\.4600<\/td>/);
    const evil = renderReport({
      netuid: 1,
      tempo: 1,
      qualities: ['</script><b>x'],
      history: [{ epoch: 1, block: 1, incentive: { '</script><b>x': 1 } }],
    });
    expect(evil).not.toMatch(/<\/script><b>x/);
  });

  it.skipIf(!chromium)(
    `draws one line per miner in a real headless browser${chromium ? '' : ' (skipped: no Chromium installed; apt-get install chromium)'}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'subnetkit-report-'));
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      const dom = execFileSync(
        chromium!,
        ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', `file://${file}`],
        { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      const series = [...dom.matchAll(/<path class="series" d="([^"]+)" stroke="[^"]+" data-miner="([a-z]+)"/g)];
      expect(series.map((m) => m[2])).toEqual(['honest', 'slow', 'sloppy', 'lazy']);
      for (const [, d] of series) expect(d!.split(' ')).toHaveLength(history.length); // a point per epoch
      expect(dom).toMatch(/<svg id="plot"[^>]*data-rendered="4"/);
      // The best miner's line sits highest (smallest y) at the last epoch.
      const lastY = (d: string) => Number(d.split(' ').at(-1)!.split(',')[1]);
      const y = Object.fromEntries(series.map((m) => [m[2]!, lastY(m[1]!)]));
      expect(y.honest).toBeLessThan(y.slow!);
      expect(y.slow).toBeLessThan(y.sloppy!);
      expect(y.sloppy).toBeLessThan(y.lazy!);
    },
    40_000,
  );
});
