import type { RedisOptions } from 'ioredis';
import { redactRedisUrl } from './redactRedisUrl.js';

/** Where the plan queue lives: a checked `redis://` or `rediss://` URL. */
export interface RedisAddress {
  /** The URL as given. */
  url: string;
  /** The URL without its password, for messages and logs (e.g. `redis://127.0.0.1:6379`). */
  display: string;
  /** ioredis connection options for it: host, port, database, credentials, TLS for rediss. */
  options: RedisOptions;
}

/**
 * Checks a Redis URL: `redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]`, or `rediss://` for TLS. The
 * port defaults to 6379 and the database to 0; user and password are percent-decoded; an IPv6
 * host goes in brackets.
 *
 * @throws RangeError saying what is wrong (the scheme, a missing host, a port outside 1..65535, a
 *   database that is not a whole number, query parameters), without the password.
 */
export function parseRedisUrl(text: string): RedisAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError(`'${redactRedisUrl(text)}' is not a URL; expected redis://HOST:PORT (or rediss:// for TLS)`);
  }
  const display = redactRedisUrl(text);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RangeError(`'${display}': expected a redis:// or rediss:// URL, got the scheme ${url.protocol}//`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new RangeError(`'${display}': the URL has no host; expected redis://HOST:PORT`);
  const port = url.port === '' ? 6_379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`'${display}': port ${url.port} is outside 1..65535`);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isSafeInteger(db)) throw new RangeError(`'${display}': the path /${dbText} is not a database number; expected redis://HOST:PORT/DB with DB a whole number`);
  if (url.search !== '' || url.hash !== '') throw new RangeError(`'${display}': query parameters and fragments are not supported`);
  const options: RedisOptions = { host, port, db };
  if (url.username !== '') options.username = decodeURIComponent(url.username);
  if (url.password !== '') options.password = decodeURIComponent(url.password);
  if (url.protocol === 'rediss:') options.tls = { servername: host };
  return { url: text, display, options };
}
