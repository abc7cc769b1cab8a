/**
 * Prints where a V8 CPU profile spent its time: self time per function (with file:line) and
 * total (inclusive) time per function, top N each.
 *
 *   node --import tsx bench/summariseCpuProfile.ts FILE.cpuprofile [N]
 *
 * Profiles come from `npm run bench -- --only week-ahead --runs 1 --cpu-prof` (one folder per run
 * in bench/results/profiles/, one file per thread: the main thread and the HiGHS worker) or from
 * `node --cpu-prof bin/cosched.js plan FILE --json`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(root, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

function summarise(path: string, top: number): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per sample: the delta to the next sample (the last gets the mean).
  const selfUs = new Map<number, number>();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = i + 1 < deltas.length ? deltas[i + 1] : (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const root = process.cwd();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    self.set(label(node, root), (self.get(label(node, root)) ?? 0) + us);
    // Inclusive: every distinct function on the stack once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!, root);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + us);
    }
  }
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / 1000 / wallMs).toFixed(1).padStart(5)}%  ${name}`)
      .join('\n');
  return `${path}: ${wallMs.toFixed(0)} ms profiled\n\nself time:\n${rows(self)}\n\ntotal time (inclusive):\n${rows(total)}\n`;
}

const [file, n] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node --import tsx bench/summariseCpuProfile.ts FILE.cpuprofile [N]\n');
  process.exitCode = 2;
} else {
  process.stdout.write(summarise(file, Number(n ?? 25)));
}
