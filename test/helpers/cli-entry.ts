/**
 * The `subnetkit` command from source, for tests that spawn it as a process (`node --import tsx test/helpers/cli-entry.ts`):
 * the same as bin/subnetkit.mjs, which runs the built package.
 */
import { runCli } from '../../src/cli/index.js';

let stopping: Promise<void> | null = null;
const code = await runCli(process.argv.slice(2), undefined, (stop) => {
  const shutdown = () => {
    if (stopping) process.exit(130);
    stopping = stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
});
if (code !== 0) process.exitCode = code;
