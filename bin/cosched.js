#!/usr/bin/env node
// The `cosched` command. The code is TypeScript compiled into dist/ by `npm run build`
// (which `npm ci` runs through `prepare`); this file only starts it.
import { existsSync } from 'node:fs';

// `cosched runs list | head`: a closed pipe ends the command quietly, as it does for other CLI tools.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('cosched: dist/src/cli/main.js is missing: run `npm ci` (or `npm run build`) in the cosched folder first\n');
  process.exitCode = 1;
} else {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
