/**
 * A client: finds the miners with the most incentive and streams a completion from the best one that answers.
 *   npx tsx examples/text-prompting/client.ts --subtensor.network ws://127.0.0.1:9944 --netuid 2 "Once upon a time"
 */
import { parseArgs } from 'node:util';
import { createDendrite } from 'subnetkit/dendrite';
import { cryptoReady, keypairFromUri } from 'subnetkit/keys';
import { syncMetagraph } from 'subnetkit/metagraph';
import { createSubtensor } from 'subnetkit/subtensor';
import { TextStream } from './protocol.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    netuid: { type: 'string', default: '1' },
    'subtensor.network': { type: 'string', default: 'local' },
    'max-tokens': { type: 'string', default: '32' },
  },
});
await cryptoReady();
const st = await createSubtensor({ network: values['subtensor.network']! });
const mg = await syncMetagraph(st, { netuid: Number(values.netuid) });
const best = Array.from(mg.uids)
  .filter((uid) => mg.axons[uid]!.isServing)
  .sort((a, b) => mg.I[b]! - mg.I[a]!);
const dendrite = createDendrite({ keypair: keypairFromUri('//TextClient') }); // clients need no registration
const prompt = positionals.join(' ') || 'Once upon a time';
let ok = false;
let last: TextStream | null = null;
for (const uid of best.slice(0, 3)) {
  process.stdout.write(`uid ${uid} (incentive ${mg.I[uid]!.toFixed(3)}): ${prompt}`);
  for await (const item of dendrite.stream(
    mg.axons[uid]!,
    new TextStream({ prompt, max_tokens: Number(values['max-tokens']) }),
    { timeout: 30 },
  )) {
    if (typeof item === 'string') process.stdout.write(item);
    else {
      last = item as TextStream;
      ok = last.isSuccess;
    }
  }
  process.stdout.write(ok ? '\n' : `  [failed: ${last?.dendrite.status_code} ${last?.dendrite.status_message}]\n`);
  if (ok) break;
}
await dendrite.close();
await st.close();
process.exitCode = ok ? 0 : 1;
