#!/usr/bin/env node
import { runCli } from '../dist/cli/index.js';

const code = await runCli(process.argv.slice(2), undefined, (stop) => {
  const shutdown = () => stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
});
if (code !== 0) process.exit(code);
