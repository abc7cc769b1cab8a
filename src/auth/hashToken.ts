import { createHash, randomBytes } from 'node:crypto';

/** What every minted token starts with (so that a leaked one is easy to recognise and grep for). */
export const tokenPrefix = 'cosched_';

/** A legal token: printable ASCII without spaces (it travels in an HTTP/2 header), 16 to 512 characters. */
export const tokenPattern = /^[\x21-\x7e]{16,512}$/;

/**
 * The tokens file's form of a token: `sha256:` and the lowercase hex SHA-256 of its UTF-8 bytes.
 * Tokens are long random strings (newToken: 256 bits), so a plain hash cannot be reversed or
 * guessed; no salt or slow hash is needed.
 */
export function hashToken(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** A new random token: `cosched_` and 32 random bytes in base64url (43 characters). */
export function newToken(): string {
  return `${tokenPrefix}${randomBytes(32).toString('base64url')}`;
}
