import { readFileSync } from 'node:fs';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';

/**
 * The credentials of a channel to the cosched server: TLS trusting the PEM CA certificate at
 * `tlsCaPath` when it is given, plaintext otherwise (as planOnServer connects).
 *
 * @throws Error naming the path when the CA file cannot be read.
 */
export function channelCredentials(tlsCaPath: string | undefined): ChannelCredentials {
  if (tlsCaPath === undefined) return credentials.createInsecure();
  try {
    return credentials.createSsl(readFileSync(tlsCaPath));
  } catch (error) {
    throw new Error(`cannot read the TLS CA certificate ${tlsCaPath}: ${(error as Error).message}`);
  }
}
