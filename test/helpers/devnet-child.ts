// Run as a child process by test/devnet/durability.test.ts: a devnet persisted in the folder given as argument.
import { startDevnet } from '../../src/devnet/index.js';

const devnet = await startDevnet({ port: 0, data: process.argv[2]! });
process.stdout.write(`ready ${devnet.url} ${devnet.httpUrl} ${devnet.bestNumber()}\n`);
