import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { parseDocument } from 'yaml';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { hashToken, newToken } from './hashToken.js';
import { parseTokensFile } from './parseTokensFile.js';
import type { Role } from './Role.js';

const newFileHeader = '# cosched tokens file (README "Security"): tokens are stored as their SHA-256 only.\n';

/**
 * Mints a token (newToken) for `name` with `role`, appends `{name, role, hash}` to the tokens file
 * at `path` (creating it when missing or empty), and returns the token: the only place it ever
 * appears. The file keeps its comments and other entries; it is replaced atomically (written to a
 * new file beside it, created exclusively (O_EXCL), synced, then renamed over it), so a server
 * watching it never reads half of it. The new version keeps the existing file's mode and, when
 * this process may give it (root, e.g. under sudo), its owner and group, so a server reading the
 * file as another user still can; where the owner cannot be given (EPERM) the file is ours. A file
 * created here has mode 0600.
 *
 * @throws CoschedError INVALID_ARGUMENT when the existing file is broken (parseTokensFile) or
 *   already has an entry named `name`; Error when the file cannot be written (nothing is changed).
 */
export function addTokenToFile(path: string, name: string, role: Role): string {
  const current = readExisting(path);
  const existing = current?.text ?? '';
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
  replaceFile(path, document.toString(), current?.stats);
  // The result must still be a valid tokens file (a guard against a surprise in the YAML edit).
  parseTokensFile(readFileSync(path, 'utf8'), path);
  return token;
}

/** The tokens file's text and stats, or undefined when there is none. */
function readExisting(path: string): { text: string; stats: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return { stats: fstatSync(fd), text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Atomically replaces `path` with `text`: a new file beside it (O_EXCL, 0600), given the mode and
 * owner of `previous` when there is one, synced and renamed over `path`. The new file is removed
 * when any step fails.
 */
function replaceFile(path: string, text: string, previous: Stats | undefined): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    try {
      writeFileSync(fd, text);
      if (previous !== undefined) {
        if (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.()) {
          try {
            fchownSync(fd, previous.uid, previous.gid);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
          }
        }
        fchmodSync(fd, previous.mode & 0o7777);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
