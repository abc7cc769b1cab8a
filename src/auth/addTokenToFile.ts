import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { hashToken, newToken } from './hashToken.js';
import { parseTokensFile } from './parseTokensFile.js';
import type { Role } from './Role.js';

const newFileHeader = '# cosched tokens file (README "Security"): tokens are stored as their SHA-256 only.\n';

/**
 * Mints a token (newToken) for `name` with `role`, appends `{name, role, hash}` to the tokens file
 * at `path` (creating it when missing or empty), and returns the token: the only place it ever
 * appears. The file keeps its comments and other entries; it is replaced atomically (written
 * beside it with mode 0600, then renamed), so a server watching it never reads half of it.
 *
 * @throws CoschedError INVALID_ARGUMENT when the existing file is broken (parseTokensFile) or
 *   already has an entry named `name`; Error when the file cannot be written.
 */
export function addTokenToFile(path: string, name: string, role: Role): string {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const fresh = existing.trim() === '';
  if (!fresh) {
    const table = parseTokensFile(existing, path);
    if ([...table.tokens.values()].some((identity) => identity.client === `token:${name}`)) {
      throw new CoschedError('INVALID_ARGUMENT', `tokens file ${path} already has a token named '${name}': choose another name, or delete that entry first to replace it`, {
        violations: [{ field: '--name', description: `'${name}' exists already` }],
      });
    }
  }
  const token = newToken();
  const entry = { name, role, hash: hashToken(token) };
  const document = parseDocument(fresh ? newFileHeader : existing);
  const tokens = document.get('tokens');
  if (tokens === undefined || tokens === null) document.set('tokens', document.createNode([entry]));
  else document.addIn(['tokens'], document.createNode(entry));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, document.toString(), { mode: 0o600 });
  renameSync(temporary, path);
  // The result must still be a valid tokens file (a guard against a surprise in the YAML edit).
  parseTokensFile(readFileSync(path, 'utf8'), path);
  return token;
}
