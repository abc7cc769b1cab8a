import { readFileSync } from 'node:fs';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';

/** The TLS side of a connection to the cosched server (a ServerConnection has these fields). */
export interface ChannelTls {
  /** A PEM CA certificate to trust: with it the connection uses TLS. */
  tlsCaPath?: string;
  /** A PEM client certificate and its key, for a server that requires them (mTLS); both or neither. */
  tlsCertPath?: string;
  tlsKeyPath?: string;
}

/**
 * The credentials of a channel to the cosched server: TLS when `tlsCaPath` or a client
 * certificate is given (trusting that CA, else the system's CAs; presenting the client
 * certificate if given), plaintext otherwise.
 *
 * @throws Error naming the path when a file cannot be read, or when only one of the client
 *   certificate and key is given.
 */
export function channelCredentials(tls: ChannelTls): ChannelCredentials {
  const { tlsCaPath, tlsCertPath, tlsKeyPath } = tls;
  if (tlsCaPath === undefined && tlsCertPath === undefined && tlsKeyPath === undefined) return credentials.createInsecure();
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) throw new Error('a TLS client certificate needs its key, and a key its certificate: give both --tls-cert and --tls-key');
  const read = (path: string | undefined, what: string): Buffer | null => {
    if (path === undefined) return null;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(error as Error).message}`);
    }
  };
  return credentials.createSsl(read(tlsCaPath, 'CA certificate'), read(tlsKeyPath, 'client key'), read(tlsCertPath, 'client certificate'));
}
