/** `url` with any password replaced by `***` (`redis://user:***@host:6379`), for messages and logs. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}
