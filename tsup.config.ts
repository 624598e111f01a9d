import { defineConfig } from 'tsup';
import { readdirSync, readFileSync, statSync } from 'node:fs';

// Every folder under src/ with an index.ts is a public subpath export (`subnetkit/<folder>`).
// src/internal holds shared implementation details and is never exported.
const modules = readdirSync('src').filter((d) => d !== 'internal' && statSync(`src/${d}`).isDirectory());
const entry: Record<string, string> = { index: 'src/index.ts' };
for (const m of modules) entry[`${m}/index`] = `src/${m}/index.ts`;
// The ONNX worker thread runs as a file of its own (src/inference/onnx/worker-thread.ts finds it beside the code).
entry['inference/onnx-worker'] = 'src/inference/onnx/worker.ts';

// Nothing a user installs is bundled: every dependency and peer stays an import, so the application and subnetkit
// share one copy of @polkadot/* (whose codec classes must be the same instances) and of everything else.
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].map(
  (name) => new RegExp(`^${name.replace(/[/.]/g, '\\$&')}(/.*)?$`),
);

export default defineConfig({
  entry,
  format: ['esm', 'cjs'],
  dts: true,
  // No source maps: they would point into a src/ the package does not ship.
  sourcemap: false,
  clean: true,
  splitting: true,
  treeshake: true,
  shims: true,
  target: 'node20',
  external: [...external, /^@polkadot\//],
});
