#!/usr/bin/env node
/**
 * Tests the package as users receive it: `npm pack`, check what the tarball holds, install it into an empty project,
 * report the install size, then run smoke tests of every subpath export from ESM and from CommonJS against a devnet,
 * and type-check a consumer with `moduleResolution: NodeNext` and `skipLibCheck: false`.
 *
 *   npm run build && node scripts/test-package.mjs
 *
 * Prints `N passed, N failed` and exits non-zero on any failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? 'subnetkit' : `subnetkit/${k.slice(2)}`));
let passed = 0;
let failed = 0;
const check = (name, fn) => {
  try {
    fn();
    passed++;
    process.stdout.write(`  ✓ ${name}\n`);
  } catch (e) {
    failed++;
    process.stdout.write(
      `  ✗ ${name}\n    ${String(e.message ?? e)
        .split('\n')
        .join('\n    ')}\n`,
    );
  }
};
const run = (cmd, args, cwd, extra = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_loglevel: 'error' },
    maxBuffer: 64 << 20,
    ...extra,
  });
const duBytes = (dir) => {
  let total = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  walk(dir);
  return total;
};
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

const work = mkdtempSync(join(tmpdir(), 'subnetkit-package-'));
process.stdout.write(`package test in ${work}\n`);

// 1. The tarball.
const packOut = run('npm', ['pack', '--json', '--pack-destination', work], root);
const [packed] = JSON.parse(packOut.slice(packOut.search(/^\[/m))); // prepack's build may print before the JSON
const files = packed.files.map((f) => f.path);
process.stdout.write(
  `tarball ${packed.filename}: ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked, ${files.length} files\n`,
);
check('the tarball holds dist/ with ESM, CJS and types for every subpath', () => {
  for (const k of Object.keys(pkg.exports)) {
    if (k === './package.json') continue;
    const base = k === '.' ? 'dist/index' : `dist/${k.slice(2)}/index`;
    for (const ext of ['.js', '.cjs', '.d.ts', '.d.cts'])
      if (!files.includes(base + ext)) throw new Error(`missing ${base}${ext}`);
  }
  if (!files.includes('bin/subnetkit.mjs')) throw new Error('missing bin/subnetkit.mjs');
});
check('the tarball holds no tests, benchmarks, sources, source maps or local files', () => {
  const bad = files.filter(
    (f) => /^(test|bench|src|scripts|examples|\.ci|models)\//.test(f) || f.endsWith('.map') || f.startsWith('.'),
  );
  if (bad.length) throw new Error(`should not ship: ${bad.slice(0, 10).join(', ')}`);
});

// 2. An empty project installs it.
const app = join(work, 'app');
run('mkdir', ['-p', app], work);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }, null, 2));
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename)], app);
const installBytes = duBytes(join(app, 'node_modules'));
process.stdout.write(`install size of a plain \`npm i subnetkit\`: ${mb(installBytes)} in node_modules\n`);
writeFileSync(
  join(work, 'install-size.json'),
  JSON.stringify({ bytes: installBytes, packed: packed.size, unpacked: packed.unpackedSize }),
);
check('one copy of @polkadot/types and @polkadot/types-codec is installed (shared with the application)', () => {
  const copies = run('npm', ['ls', '@polkadot/types', '@polkadot/types-codec', '--all', '--parseable'], app)
    .trim()
    .split('\n')
    .filter((l) => l.includes('node_modules'));
  const unique = new Set(copies.map((p) => p.replace(/.*node_modules\//, '')));
  if ([...unique].some((p) => copies.filter((c) => c.endsWith(p)).length > 1))
    throw new Error(`several copies:\n${copies.join('\n')}`);
});

// 3. ESM smoke test of every subpath against the devnet.
const esm = `
import assert from 'node:assert/strict';
${subpaths.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
const mods = [${subpaths.map((_, i) => `m${i}`).join(', ')}];
for (const m of mods) assert.ok(Object.keys(m).length > 0);
const { startDevnet, TAO } = m${subpaths.indexOf('subnetkit/devnet')};
const { createSubtensor } = m${subpaths.indexOf('subnetkit/subtensor')};
const { keypairFromUri, cryptoReady } = m${subpaths.indexOf('subnetkit/keys')};
const { defineSynapse, t } = m${subpaths.indexOf('subnetkit/synapse')};
const { createAxon } = m${subpaths.indexOf('subnetkit/axon')};
const { createDendrite } = m${subpaths.indexOf('subnetkit/dendrite')};
const { syncMetagraph } = m${subpaths.indexOf('subnetkit/metagraph')};
await cryptoReady();
const devnet = await startDevnet({ port: 0, tempo: 10, weightsRateLimit: 0 });
const st = await createSubtensor({ network: devnet.url });
const alice = keypairFromUri('//Alice');
// Typed reads have the declared runtime types.
assert.equal(typeof (await st.query.subtensorModule.tempo(1)), 'number');
const account = await st.query.system.account(alice.ss58Address);
assert.equal(typeof account.data.free, 'bigint');
assert.equal(typeof account.nonce, 'number');
assert.equal(typeof (await st.query.subtensorModule.totalIssuance()), 'bigint');
assert.ok((await st.query.system.blockHash(0)) instanceof Uint8Array);
assert.equal(typeof (await st.query.subtensorModule.subnetOwner(1)), 'string');
const hp = await st.hyperparameters(1);
assert.equal(typeof hp.tempo, 'number');
assert.equal(typeof hp.weightsVersion, 'bigint');
// setWeights with commit-reveal off, CRv2 and CRv4, each with the default version key.
const v = keypairFromUri('//Alice//pkg-validator');
const m = keypairFromUri('//Bob//pkg-miner');
const { netuid } = await st.registerNetwork(alice, v.ss58Address);
await st.startCall(alice, netuid);
await st.burnedRegister(alice, netuid, m.ss58Address);
const set = await st.setWeights(v, netuid, [0, 1], [0.5, 0.5]);
assert.equal(set.mode, 'set');
assert.equal(typeof set.versionKey, 'bigint');
await st.send(await st.calls.adminUtils.sudoSetCommitRevealWeightsEnabled({ netuid, enabled: true }), alice);
const hash = await st.setWeights(v, netuid, [0, 1], [0.3, 0.7], { commitReveal: 'hash' });
assert.equal(hash.mode, 'hash-commit');
const tl = await st.setWeights(v, netuid, [0, 1], [0.3, 0.7]);
assert.equal(tl.mode, 'timelock-commit');
assert.equal(typeof tl.revealRound, 'bigint');
const mg = await syncMetagraph(st, { netuid });
assert.ok(mg.S instanceof Float64Array && mg.n === 2);
// A synapse round trip and an axon/dendrite call.
const Echo = defineSynapse({ name: 'Echo', fields: { text: t.str(), reply: t.str().optional() }, requiredHashFields: ['text'] });
const back = Echo.fromJSON(new Echo({ text: 'hi' }).toJSON());
assert.equal(back.text, 'hi');
const axon = createAxon({ keypair: m, port: 0, host: '127.0.0.1' });
axon.attach(Echo, (s) => { s.reply = s.text.toUpperCase(); return s; });
await axon.start();
const dendrite = createDendrite({ keypair: v });
const reply = await dendrite.call(axon.info(), new Echo({ text: 'hello' }), { timeout: 5 });
assert.equal(reply.reply, 'HELLO');
const many = await dendrite.forward([axon.info(), { ip: '0.0.0.0', port: 0, hotkey: m.ss58Address }], new Echo({ text: 'x' }), { timeout: 2 });
assert.deepEqual(many.map((r) => r.isSuccess), [true, false]);
await dendrite.close();
await axon.stop();
await st.close();
await devnet.close();
console.log('esm ok');
`;
writeFileSync(join(app, 'smoke.mjs'), esm);
check(
  'ESM: every subpath imports; typed reads are bigint/number/Uint8Array as declared; setWeights off/CRv2/CRv4; synapse; axon ↔ dendrite',
  () => {
    const out = run(process.execPath, ['smoke.mjs'], app, { timeout: 120_000 });
    if (!out.includes('esm ok')) throw new Error(out);
  },
);

// 4. CommonJS.
const cjs = `
const assert = require('node:assert/strict');
const mods = [${subpaths.map((s) => `require('${s}')`).join(', ')}];
for (const m of mods) assert.ok(Object.keys(m).length > 0);
const { Synapse, defineSynapse, t } = require('subnetkit/synapse');
const { yumaEpoch } = require('subnetkit/consensus');
const { keypairFromUri, cryptoReady } = require('subnetkit/keys');
(async () => {
  await cryptoReady();
  const S = defineSynapse({ name: 'S', fields: { a: t.int() }, requiredHashFields: ['a'] });
  assert.equal(S.fromJSON(new S({ a: 3 }).toJSON()).a, 3);
  assert.ok(new S({ a: 1 }) instanceof Synapse);
  assert.equal(keypairFromUri('//Alice').ss58Address, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
  assert.equal(typeof yumaEpoch, 'function');
  const { startDevnet } = require('subnetkit/devnet');
  const { createSubtensor } = require('subnetkit/subtensor');
  const devnet = await startDevnet({ port: 0 });
  const st = await createSubtensor({ network: devnet.url });
  assert.equal(typeof (await st.query.subtensorModule.totalIssuance()), 'bigint');
  await st.close();
  await devnet.close();
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`;
writeFileSync(join(app, 'smoke.cjs'), cjs);
check('CommonJS: every subpath requires; a synapse, keys and a typed read', () => {
  const out = run(process.execPath, ['smoke.cjs'], app, { timeout: 60_000 });
  if (!out.includes('cjs ok')) throw new Error(out);
});
check('the bin runs from the install', () => {
  const out = run(join(app, 'node_modules', '.bin', 'subnetkit'), ['--version'], app);
  if (out.trim() !== pkg.version) throw new Error(out);
});

// 4b. The ONNX adapter from the installed package: its worker thread is a file of its own in dist/, found beside the
// code that starts it, with onnxruntime-node (an optional peer) installed by the application.
const ortVersion = pkg.devDependencies['onnxruntime-node'];
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `onnxruntime-node@${ortVersion}`], app);
const onnx = `
import assert from 'node:assert/strict';
import { createOnnxAdapter, trainNgram, ngramToOnnx } from 'subnetkit/inference';
const ids = Array.from({ length: 400 }, (_, i) => (i * 7) % 50);
const model = ngramToOnnx(trainNgram([ids], { vocabSize: 50, order: 2 }));
const adapter = await createOnnxAdapter({ model, providers: ['cpu'] });
assert.equal(adapter.provider, 'cpu');
const top = await adapter.topk([[3, 10, 17]], { k: 5 });
assert.equal(top.k, 5);
assert.equal(top.ids.length, 5);
await adapter.close();
console.log('onnx ok');
`;
writeFileSync(join(app, 'onnx.mjs'), onnx);
writeFileSync(
  join(app, 'onnx.cjs'),
  `(async () => {\n${onnx.replace("import assert from 'node:assert/strict';", "const assert = require('node:assert/strict');").replace("import { createOnnxAdapter, trainNgram, ngramToOnnx } from 'subnetkit/inference';", "const { createOnnxAdapter, trainNgram, ngramToOnnx } = require('subnetkit/inference');")}\n})().catch((e) => { console.error(e); process.exit(1); });\n`,
);
check('the ONNX adapter runs from the install, ESM and CJS (its worker thread is a built file of its own)', () => {
  if (!files.includes('dist/inference/onnx-worker.js')) throw new Error('missing dist/inference/onnx-worker.js');
  for (const script of ['onnx.mjs', 'onnx.cjs']) {
    const out = run(process.execPath, [script], app, { timeout: 120_000 });
    if (!out.includes('onnx ok')) throw new Error(`${script}: ${out}`);
  }
});

// 5. A strict TypeScript consumer: NodeNext, skipLibCheck false.
const tsVersion = pkg.devDependencies.typescript;
const typesNode = pkg.devDependencies['@types/node'];
run(
  'npm',
  ['install', '--no-audit', '--no-fund', '--prefer-offline', `typescript@${tsVersion}`, `@types/node@${typesNode}`],
  app,
);
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
      },
      include: ['consumer.mts', 'consumer.cts'],
    },
    null,
    2,
  ),
);
const consumer = `
${subpaths.map((s, i) => `import * as t${i} from '${s}';`).join('\n')}
import { createSubtensor, type Subtensor } from 'subnetkit/subtensor';
import { defineSynapse, t } from 'subnetkit/synapse';
import { createEpoch, type Epoch } from 'subnetkit/epoch';
void [${subpaths.map((_, i) => `t${i}`).join(', ')}];
export async function f(st: Subtensor): Promise<[number, bigint, Uint8Array]> {
  const tempo: number = await st.query.subtensorModule.tempo(1);
  const issuance: bigint = await st.query.subtensorModule.totalIssuance();
  const hash: Uint8Array = await st.query.system.blockHash(0);
  return [tempo, issuance, hash];
}
const S = defineSynapse({ name: 'S', fields: { a: t.int(), b: t.str().optional() } });
const s = new S({ a: 1 });
const a: number = s.a;
const b: string | null = s.b;
export const e: ((o: Parameters<typeof createEpoch>[0]) => Epoch) = createEpoch;
export { a, b, createSubtensor };
`;
writeFileSync(join(app, 'consumer.mts'), consumer);
writeFileSync(
  join(app, 'consumer.cts'),
  `import { defineSynapse, t } from 'subnetkit/synapse';\nimport type { Subtensor } from 'subnetkit/subtensor';\nexport const S = defineSynapse({ name: 'S', fields: { a: t.int() } });\nexport type X = Subtensor;\n`,
);
// @polkadot/api-derive's own declarations do not check under skipLibCheck: false (they name members of an augmented
// @polkadot/types/lookup); a consumer importing only @polkadot/api sees the same errors. Those are reported, not
// held against subnetkit; any other error fails the check.
check('a strict TypeScript consumer type-checks (NodeNext, skipLibCheck: false), ESM and CJS', () => {
  let out = '';
  try {
    run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], app);
  } catch (e) {
    out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  const errors = out.split('\n').filter((l) => /error TS\d+/.test(l));
  const upstream = errors.filter((l) => l.startsWith('node_modules/@polkadot/api-derive/'));
  const ours = errors.filter((l) => !upstream.includes(l));
  if (upstream.length)
    process.stdout.write(
      `    (${upstream.length} errors inside @polkadot/api-derive's own declarations, as for any @polkadot/api consumer, left aside)\n`,
    );
  if (ours.length) throw new Error(ours.slice(0, 30).join('\n'));
});

process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
if (!process.env.KEEP) rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
