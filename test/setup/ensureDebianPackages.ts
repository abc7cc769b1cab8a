/**
 * Vitest globalSetup: installs the Debian packages some tests drive for real, so that the README's
 * test command works on a fresh Debian machine by itself:
 * - python3-grpcio, python3-protobuf, protobuf-compiler, protobuf-compiler-grpc: the independent
 *   Python client (test/python-client-interop.test.ts, with /usr/bin/python3);
 * - chromium, fonts-dejavu-core: the report's browser test (test/report-in-browser.test.ts);
 * - coinor-cbc: native CBC, against which test/cbc-cross-check.test.ts checks every optimum.
 * When all are installed it only asks dpkg (tens of milliseconds). When some are missing it runs
 * `apt-get update` and `apt-get install` as root; when not root it fails with the one command to run.
 * (PostgreSQL is test/setup/ensurePostgres.ts's job.)
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const testDebianPackages = ['python3-grpcio', 'python3-protobuf', 'protobuf-compiler', 'protobuf-compiler-grpc', 'chromium', 'fonts-dejavu-core', 'coinor-cbc'] as const;

export default function ensureDebianPackages(): void {
  const missing = testDebianPackages.filter((name) => !installed(name));
  if (missing.length === 0) return;
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
  if (process.getuid?.() !== 0) {
    throw new Error(`the tests need Debian packages that are missing: ${missing.join(' ')}. Run: sudo apt-get update && sudo ${install.join(' ')}`);
  }
  console.warn(`[ensureDebianPackages] installing ${missing.join(' ')} (apt-get; once per machine)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['apt-get', 'update'], install]) {
    const result = spawnSync(args[0], args.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (result.status !== 0) throw new Error(`\`${args.join(' ')}\` failed (exit ${result.status ?? result.signal}); install the packages by hand: ${install.join(' ')}`);
  }
}

function installed(name: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${db:Status-Status}', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'installed';
  } catch {
    return false;
  }
}
