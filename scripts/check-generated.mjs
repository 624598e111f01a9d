// Fails when a generated file is not what its generator makes from the metadata file in the repository
// (test/fixtures/finney-metadata-spec424.scale): regenerate with the command printed, and commit the result.
//
//   node scripts/check-generated.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const metadata = 'test/fixtures/finney-metadata-spec424.scale';
const generated = [
  { generator: 'scripts/gen-subtensor-bindings.ts', output: 'src/subtensor/bindings.generated.ts' },
  { generator: 'scripts/gen-devnet-metadata.ts', output: 'src/devnet/chain/metadata.generated.ts' },
];
const work = mkdtempSync(join(tmpdir(), 'subnetkit-generated-'));
let stale = 0;
try {
  for (const { generator, output } of generated) {
    const fresh = join(work, output.replaceAll('/', '_'));
    execFileSync(process.execPath, ['--import', 'tsx', generator, metadata, fresh], { cwd: root, stdio: 'inherit' });
    if (readFileSync(fresh).equals(readFileSync(join(root, output)))) {
      console.log(`${output} is current`);
    } else {
      stale++;
      console.error(`${output} is stale: run \`npx tsx ${generator}\` and commit the result`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(stale ? 1 : 0);
