#!/usr/bin/env node
import { runCli } from '../dist/cli/index.js';

let stopping = null;
const code = await runCli(process.argv.slice(2), undefined, (stop) => {
  const shutdown = () => {
    if (stopping) process.exit(130); // a second signal: now
    stopping = stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
});
if (code !== 0) process.exitCode = code;
