/**
 * Benchmark runner: `npm run bench` runs every bench/*.bench.ts; `npm run bench -- <name>` runs one.
 * Each prints a table and writes bench/results/<name>.json with its figures and the machine it ran on.
 */
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchReport {
  /** Rows printed as a table. */
  table: Array<Record<string, string | number>>;
  /** Named figures written to bench/results/<name>.json. */
  figures: Record<string, number | string>;
  /** Free-form notes on method and limits. */
  notes?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace('.bench.ts', ''));
const names = wanted.length ? wanted : all;
for (const n of names) if (!all.includes(n)) throw new Error(`no benchmark named ${n}; have: ${all.join(', ')}`);

for (const name of names) {
  const mod = (await import(join(here, `${name}.bench.ts`))) as { run: () => Promise<BenchReport> };
  process.stdout.write(`\n== ${name} ==\n`);
  const started = Date.now();
  const report = await mod.run();
  console.table(report.table);
  for (const note of report.notes ?? []) process.stdout.write(`note: ${note}\n`);
  const result = {
    name,
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
    },
    durationSec: Math.round((Date.now() - started) / 100) / 10,
    figures: report.figures,
    table: report.table,
    notes: report.notes ?? [],
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`figures: ${JSON.stringify(report.figures)}\nwrote bench/results/${name}.json\n`);
}
