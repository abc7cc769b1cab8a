import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The Dockerfile cannot be built here (no Docker engine). What can be tested is tested: its
 * runtime stage's shape, that the code it copies needs no dev dependency (the build stage prunes
 * them), and that its CMD and HEALTHCHECK work: the CMD is run as it is, with the image's ENV
 * (port 0 instead of 50051), from the repository root (the image's /app holds the same
 * package.json, bin/, dist/ and node_modules), and the HEALTHCHECK is run against it.
 */

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logicalLines: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (!pending && /^\s*(#|$)/.test(line)) continue;
    if (pending && /^\s*#/.test(line)) continue; // comment lines inside a continued instruction
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (!continued) {
      logicalLines.push(pending.trim().replace(/\s+/g, ' '));
      pending = '';
    }
  }
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile: ${keyword} before FROM`);
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** An instruction's exec form (a JSON array), failing on the shell form. */
function execForm(args: string, what: string): string[] {
  expect(args.startsWith('['), `${what} should use the exec form ["node", ...]: ${args}`).toBe(true);
  return JSON.parse(args) as string[];
}

/** `ENV A=1 B="2"` (and the old `ENV A 1`) as an object. */
function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!args.includes('=')) {
      const [key, ...value] = args.split(' ');
      env[key] = value.join(' ');
      continue;
    }
    for (const match of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env[match[1]] = match[3] ?? match[2];
  }
  return env;
}

const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const only = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);
const cmd = execForm(only('CMD').at(-1)?.args ?? '', 'CMD');
const healthcheckArgs = only('HEALTHCHECK').at(-1)?.args ?? '';
const healthcheck = execForm(healthcheckArgs.replace(/^(--\S+\s+)*CMD\s+/, ''), 'HEALTHCHECK CMD');
const imageEnv = envOf(runtime);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the Dockerfile', () => {
  it('is multi-stage on node:20-slim; the runtime stage runs as node, listens on 0.0.0.0:50051 and has a HEALTHCHECK', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toBe('node:20-slim');
    expect(only('USER').at(-1)?.args).toBe('node');
    expect(only('EXPOSE').map((i) => i.args)).toContain('50051');
    expect(imageEnv.COSCHED_HOST).toBe('0.0.0.0');
    expect(cmd).toEqual(['node', 'bin/cosched.js', 'serve']);
    expect(healthcheck).toEqual(['node', 'bin/cosched-healthcheck.js']);
    // The build stage installs with the dev dependencies (prepare needs buf and tsc), then prunes them.
    const build = stages[0].instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' ');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('copies into the runtime stage everything its CMD and HEALTHCHECK load', () => {
    const copied = only('COPY').map((i) => i.args.split(' ').filter((word) => !word.startsWith('--')).at(-2)!.replace(/^\/app\//, ''));
    for (const needed of ['package.json', 'node_modules', 'dist', 'bin']) expect(copied, `COPY ${needed}`).toContain(needed);
    for (const file of [cmd[1], healthcheck[1]]) {
      expect(existsSync(join(repoRoot, file)), file).toBe(true);
      expect(copied.some((path) => file === path || file.startsWith(`${path}/`)), `${file} is not copied`).toBe(true);
    }
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'src/generated', '.git']) expect(ignored, `.dockerignore ${entry}`).toContain(entry);
  });

  it('copies code that imports only production dependencies (the build stage prunes the dev ones)', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const allowed = new Set([...Object.keys(manifest.dependencies), ...builtinModules]);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(m?js)$/.test(entry)) files.push(path);
      }
    };
    expect(existsSync(join(repoRoot, 'dist/src/cli/main.js')), 'dist/ is missing: run `npm run build`').toBe(true);
    for (const dir of ['dist/src', 'dist/solver', 'bin']) walk(join(repoRoot, dir));
    const offenders: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      const specifiers = [
        /^\s*(?:import|export)\s[^;]*?\sfrom\s*(['"])([^'"\n]+)\1/gm, // import x from 'p', export { x } from 'p'
        /^\s*import\s*(['"])([^'"\n]+)\1/gm, // import 'p'
        /\b(?:import|require)\(\s*(['"])([^'"\n]+)\1\s*\)/g, // import('p'), require('p')
      ].flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[2]));
      for (const specifier of specifiers) {
        if (!/^(@[\w.-]+\/)?[\w.-]+(\/.*)?$/.test(specifier) || specifier.startsWith('.')) continue; // relative, node:, file: URLs
        if (specifier.startsWith('node:')) continue;
        const packageName = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        seen.add(packageName);
        if (!allowed.has(packageName)) offenders.push(`${relative(repoRoot, file)}: ${specifier}`);
      }
    }
    // The scan sees the server's imports (so an empty list of offenders means something).
    for (const used of ['@grpc/grpc-js', 'grpc-health-check', 'highs', 'pino']) expect(seen, `no import of ${used} found`).toContain(used);
    expect(offenders, 'imports of packages that are not in "dependencies"').toEqual([]);
  });
});

describe('the Dockerfile CMD and HEALTHCHECK, run here', () => {
  let server: ChildProcess | undefined;
  afterAll(() => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });

  it('serves, reports SERVING to the health check, stops with exit 0 on SIGTERM, and is then reported unhealthy', async () => {
    // The image keeps its store in /var/lib/cosched (a volume); here, a fresh directory.
    const env = { ...imageEnv, COSCHED_PORT: '0', COSCHED_DATA_DIR: mkdtempSync(join(tmpdir(), 'cosched-docker-data-')) };
    const child = spawn(process.execPath, cmd.slice(1), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const started = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "cosched serving" line within 30 s\nstdout:\n${stdout}\nstderr:\n${stderr}`)), 30_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        for (const line of stdout.split('\n').slice(0, -1)) {
          let entry: Record<string, unknown>;
          try {
            entry = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          if (entry.msg === 'cosched serving') {
            clearTimeout(timer);
            resolve(entry);
          }
        }
      });
      void exited.then(({ code, signal }) => reject(new Error(`the server exited (${code ?? signal}) before serving\nstdout:\n${stdout}\nstderr:\n${stderr}`)));
    });
    const serving = await started;
    expect(serving.host).toBe('0.0.0.0');
    const port = String(serving.port);
    expect(Number(port)).toBeGreaterThan(0);

    const healthy = await run(healthcheck, { ...env, COSCHED_PORT: port }, 20_000);
    expect(healthy.code, `${healthcheck.join(' ')}\n${healthy.stdout}${healthy.stderr}`).toBe(0);
    expect(healthy.stdout).toMatch(/^SERVING /);

    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal }, `server stderr:\n${stderr}`).toEqual({ code: 0, signal: null });
    expect(stdout).toContain('"msg":"cosched stopped"');

    const gone = await run(healthcheck, { ...env, COSCHED_PORT: port }, 20_000);
    expect(gone.code, gone.stdout).toBe(1);
    expect(gone.stdout).toMatch(/^UNHEALTHY /);
  });
});
