import { ServerInterceptingCall, type Metadata, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { CoschedError } from '../../solver/errors/CoschedError.js';
import { hashToken, tokenPattern } from '../auth/hashToken.js';
import { leastRoleFor } from '../auth/methodRoles.js';
import type { CredentialTable, Identity } from '../auth/parseTokensFile.js';
import { roleAllows } from '../auth/Role.js';
import { clientIdentityKey } from './clientIdentityKey.js';
import { toGrpcStatus } from './toGrpcStatus.js';

export { clientIdentityKey };

/** How the server authenticates and authorizes calls. */
export interface AuthInterceptorOptions {
  /**
   * The credentials in force (e.g. a TokensFileWatcher's `current`), read on every call; unset:
   * no authentication, every call is let through (as without a tokens file).
   */
  credentials?: () => CredentialTable;
  /** True: health and reflection need a valid token or certificate too (any role). */
  closeHealthAndReflection: boolean;
  logger: Logger;
}

/** The TLS facts of a call's connection (grpc-js does not export the type by name). */
type AuthContext = ReturnType<ServerInterceptingCallInterface['getAuthContext']>;

type Outcome = { identity: Identity } | { problem: 'missing' | 'rejected' };

/**
 * A grpc-js server interceptor that authenticates and authorizes every call in one place, before
 * any handler runs:
 * - It always removes client-sent `cosched-client` and `authorization` metadata before passing
 *   the metadata on (no handler sees a token), and sets `cosched-client` (clientIdentityKey) to
 *   `token:<name>` or `cert:<cn>` when the caller is authenticated.
 * - A caller is authenticated by `authorization: Bearer TOKEN` whose hash is in the tokens file,
 *   or, without that header, by a verified TLS client certificate whose subject CN is in it.
 * - The method's least role comes from leastRoleFor (an unknown method needs admin; health and
 *   reflection are open unless closed). No or unusable credentials on a method that is not open:
 *   UNAUTHENTICATED; a role too small: PERMISSION_DENIED. Both leave through toGrpcStatus; their
 *   text never says whether a token exists and never contains it. Each refusal is logged at debug
 *   level only (`call refused`: method, code, reason, peer, and the caller's name when known),
 *   never with a token, so that a flood of bad tokens does not flood the log; the call tracker
 *   (outside this interceptor) still counts it in the metrics. A refused call never reaches the
 *   interceptors after this one (the per-client limits): it spends no rate budget.
 * - Without `credentials` every call passes (only the metadata is cleaned).
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): ServerInterceptor {
  const { logger } = options;
  return (method, call) => {
    const path = method.path;
    let refused = false;
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, passOn) {
            const authorization = metadata.get('authorization');
            metadata.remove('authorization');
            metadata.remove(clientIdentityKey);
            const table = options.credentials?.();
            if (table === undefined) return passOn(metadata);
            const outcome = authenticate(authorization, call.getAuthContext(), table);
            if ('identity' in outcome) metadata.set(clientIdentityKey, outcome.identity.client);
            const needed = leastRoleFor(path, options.closeHealthAndReflection);
            if (needed === 'open') return passOn(metadata);
            let error: CoschedError | undefined;
            if (!('identity' in outcome)) {
              error =
                outcome.problem === 'missing'
                  ? new CoschedError('UNAUTHENTICATED', 'authentication required: send the metadata `authorization: Bearer TOKEN` or a client certificate the server accepts', { reason: 'CREDENTIALS_MISSING' })
                  : new CoschedError('UNAUTHENTICATED', 'the credentials were not accepted (bearer token or client certificate)', { reason: 'CREDENTIALS_REJECTED' });
            } else if (!roleAllows(outcome.identity.role, needed)) {
              error = new CoschedError('PERMISSION_DENIED', `role ${outcome.identity.role} may not call ${path.slice(1)}: it needs role ${needed}`, { reason: 'ROLE_INSUFFICIENT' });
            }
            if (error === undefined) return passOn(metadata);
            refused = true;
            logger.debug(
              { method: path.slice(1), code: error.code, reason: error.reason, peer: call.getPeer(), client: 'identity' in outcome ? outcome.identity.client : undefined },
              'call refused',
            );
            call.sendStatus(toGrpcStatus(error, logger));
          },
          onReceiveMessage(message, passOn) {
            if (!refused) passOn(message);
          },
          onReceiveHalfClose(passOn) {
            if (!refused) passOn();
          },
        });
      },
    });
  };
}

/** The caller of `authorization` values (the metadata's) or, without any, of its TLS certificate. */
function authenticate(authorization: ReturnType<Metadata['get']>, auth: AuthContext, table: CredentialTable): Outcome {
  if (authorization.length > 0) {
    if (authorization.length > 1 || typeof authorization[0] !== 'string') return { problem: 'rejected' };
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization[0]);
    if (!match || !tokenPattern.test(match[1])) return { problem: 'rejected' };
    const identity = table.tokens.get(hashToken(match[1]));
    return identity ? { identity } : { problem: 'rejected' };
  }
  const cn = auth.sslPeerCertificate?.subject?.CN as unknown;
  if (cn === undefined) return { problem: 'missing' };
  const identity = typeof cn === 'string' ? table.certificates.get(cn) : undefined;
  return identity ? { identity } : { problem: 'rejected' };
}
