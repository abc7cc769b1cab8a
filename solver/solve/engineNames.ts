import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

/** "highs 1.15.3": the highs npm package's version (its major.minor is the embedded HiGHS's). */
export function highsEngineName(): string {
  return engineName('highs');
}

/** "javascript-lp-solver 1.0.3". */
export function jsLpEngineName(): string {
  return engineName('javascript-lp-solver');
}

/**
 * `<package> <version>` from the installed package.json. highs does not export its package.json,
 * so this walks up from the resolved entry point; any failure gives "<package> (version unknown)"
 * rather than an exception, since the name is only reported.
 */
function engineName(packageName: string): string {
  let name = cache.get(packageName);
  if (name === undefined) {
    name = `${packageName} ${installedVersion(packageName) ?? '(version unknown)'}`;
    cache.set(packageName, name);
  }
  return name;
}

function installedVersion(packageName: string): string | undefined {
  try {
    let dir = dirname(require.resolve(packageName));
    for (let depth = 0; depth < 5; depth++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === packageName && typeof manifest.version === 'string') return manifest.version;
      } catch {
        // No package.json at this level (or an unreadable one): keep walking up.
      }
      dir = dirname(dir);
    }
  } catch {
    // Not resolvable from here; reported as unknown.
  }
  return undefined;
}
