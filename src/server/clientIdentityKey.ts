/**
 * The metadata key that names the authenticated caller to the interceptors and handlers after
 * the authentication interceptor: `token:<name>` or `cert:<cn>`. That interceptor always removes a
 * value the client sent and sets it only for a caller it authenticated; the per-client limits key
 * on it, and call log lines show it.
 */
export const clientIdentityKey = 'cosched-client';
