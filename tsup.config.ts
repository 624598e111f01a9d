import { defineConfig } from 'tsup';
import { readdirSync, statSync } from 'node:fs';

// Every folder under src/ with an index.ts is a public subpath export (`subnetkit/<folder>`).
// src/internal holds shared implementation details and is never exported.
const modules = readdirSync('src').filter((d) => d !== 'internal' && statSync(`src/${d}`).isDirectory());
const entry: Record<string, string> = { index: 'src/index.ts' };
for (const m of modules) entry[`${m}/index`] = `src/${m}/index.ts`;

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  shims: true,
  target: 'node20',
});
