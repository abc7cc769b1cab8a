import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A quick-start HiGHS load (loadHighs({ quickStart: true })) turns V8's WebAssembly tier-up off for
 * the whole process; restoreWasmTiering turns it back on, as solveSmallModelsHere does before it
 * hands a model to a HiGHS worker thread. Checked in a child process with V8's natives syntax
 * (%IsLiftoffFunction) on a small hot WebAssembly function compiled after the load.
 */

const run = promisify(execFile);
const loadHighsUrl = pathToFileURL(fileURLToPath(new URL('../solver/solve/loadHighs.ts', import.meta.url))).href;
const dir = mkdtempSync(join(tmpdir(), 'cosched-tiering-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A module exporting f(n) = n + (n-1) + ... + 1 (a loop, so that calls to it get hot).
const script = `
const { loadHighs, restoreWasmTiering } = await import(${JSON.stringify(loadHighsUrl)});
if (process.argv[2] !== 'none') await loadHighs({ quickStart: process.argv[2] !== 'plain' });
if (process.argv[2] === 'restore') restoreWasmTiering();
const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,6,1,96,1,127,1,127,3,2,1,0,7,5,1,1,102,0,0,10,
  27,1,25,1,1,127,3,64,32,1,32,0,106,33,1,32,0,65,1,107,34,0,13,0,11,32,1,11]);
const { instance } = await WebAssembly.instantiate(bytes);
const f = instance.exports.f;
if (f(4) !== 10) throw new Error('f(4) = ' + f(4));
let liftoff = true;
for (let round = 0; round < 400 && liftoff; round++) {
  for (let i = 0; i < 200; i++) f(1000);
  await new Promise((resolve) => setTimeout(resolve, 5));
  liftoff = %IsLiftoffFunction(f);
}
console.log(liftoff ? 'liftoff' : 'optimised');
`;

async function tiering(mode: 'plain' | 'quick' | 'restore'): Promise<string> {
  const file = join(dir, 'tiering.mjs');
  writeFileSync(file, script);
  const { stdout } = await run(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', file, mode], { timeout: 30_000 });
  return stdout.trim();
}

describe('WebAssembly tier-up after a quick-start HiGHS load', () => {
  it('a normal load leaves tier-up on; a quick-start load turns it off for code compiled later; restoreWasmTiering turns it back on', async () => {
    expect(await tiering('plain')).toBe('optimised');
    expect(await tiering('quick')).toBe('liftoff');
    expect(await tiering('restore')).toBe('optimised');
  }, 60_000);
});
