import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';

/** How many connections a server accepts, and how long a connection may stay silent. */
export interface ConnectionLimits {
  /** Open connections at once, from everyone; further ones are closed as they arrive. */
  maxConnections: number;
  /** Open connections at once from one IP address; further ones are closed as they arrive. */
  maxConnectionsPerIp: number;
  /**
   * A connection that has not started a gRPC call this long after it was accepted (a TLS or HTTP/2
   * handshake never finished, or a client that connects and sends nothing) is closed.
   */
  firstRequestTimeoutMs: number;
}

/** A listening socket feeding a grpc-js server through its connection injector. */
export interface ConnectionListener {
  /** The port actually bound (with port 0, the one the system picked). */
  readonly port: number;
  /** Connections open now. */
  openConnections(): number;
  /** Tells the listener a call arrived on the connection from `remoteAddress:remotePort` (it is no longer silent). */
  noteRequest(remoteAddress: string | undefined, remotePort: number | undefined): void;
  /** Stops accepting connections (open ones stay, for the server's graceful shutdown). */
  stopAccepting(): void;
  /** Closes every connection still open (after the server's shutdown, e.g. silent ones). */
  destroyAll(): void;
}

interface Tracked {
  socket: Socket;
  ip: string;
  silenceTimer: NodeJS.Timeout | undefined;
}

/**
 * Listens on `host:port` with a node net.Server of its own and hands each accepted connection to
 * `server` through `server.createConnectionInjector(credentials)` (TLS and HTTP/2 are grpc-js's,
 * as with bindAsync), enforcing `limits`:
 * - a connection beyond `maxConnections`, or beyond `maxConnectionsPerIp` from its IP, is closed at
 *   once (logged at debug level; the client sees UNAVAILABLE);
 * - a connection on which no call has arrived (noteRequest) within `firstRequestTimeoutMs` is
 *   destroyed. Idle connections that did make calls are closed by grpc-js
 *   (`grpc.max_connection_idle_ms`).
 * The grpc-js server's tryShutdown and forceShutdown close the sessions of injected connections as
 * they do for bound ports; call stopAccepting() when shutdown starts and destroyAll() at its end.
 *
 * @throws (rejects) `cannot listen on HOST:PORT: ...` when the address cannot be bound.
 */
export function listenWithConnectionLimits(
  server: Server,
  host: string,
  port: number,
  credentials: ServerCredentials,
  limits: ConnectionLimits,
  logger: Logger,
): Promise<ConnectionListener> {
  const injector = server.createConnectionInjector(credentials);
  const open = new Map<string, Tracked>();
  const perIp = new Map<string, number>();
  const keyOf = (address: string | undefined, remotePort: number | undefined) => `${address}|${remotePort}`;

  const onConnection = (socket: Socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const fromIp = perIp.get(ip) ?? 0;
    if (open.size >= limits.maxConnections || fromIp >= limits.maxConnectionsPerIp) {
      const limit = open.size >= limits.maxConnections ? 'max_connections' : 'max_connections_per_ip';
      logger.debug({ peer: ip, limit, open: open.size, fromIp }, 'connection refused');
      socket.destroy();
      return;
    }
    const key = keyOf(socket.remoteAddress, socket.remotePort);
    const tracked: Tracked = { socket, ip, silenceTimer: undefined };
    tracked.silenceTimer = setTimeout(() => {
      tracked.silenceTimer = undefined;
      logger.debug({ peer: ip, afterMs: limits.firstRequestTimeoutMs }, 'silent connection closed');
      socket.destroy();
    }, limits.firstRequestTimeoutMs);
    tracked.silenceTimer.unref();
    open.set(key, tracked);
    perIp.set(ip, fromIp + 1);
    socket.once('close', () => {
      if (tracked.silenceTimer) clearTimeout(tracked.silenceTimer);
      if (open.get(key) === tracked) open.delete(key);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
    // Errors on a socket (resets, handshake failures) end it; grpc-js handles those of its sessions.
    socket.on('error', () => undefined);
    injector.injectConnection(socket);
  };

  const netServer: NetServer = createServer({ noDelay: true }, onConnection);
  const listenHost = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const shown = listenHost.includes(':') ? `[${listenHost}]:${port}` : `${listenHost}:${port}`;
  return new Promise<ConnectionListener>((resolve, reject) => {
    const failed = (error: Error) => {
      injector.destroy();
      reject(new Error(`cannot listen on ${shown}: ${error.message}`));
    };
    netServer.once('error', failed);
    netServer.listen({ host: listenHost, port }, () => {
      netServer.off('error', failed);
      netServer.on('error', (error) => logger.error({ err: error }, 'listening socket failed'));
      const address = netServer.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      resolve({
        port: boundPort,
        openConnections: () => open.size,
        noteRequest: (remoteAddress, remotePort) => {
          const tracked = open.get(keyOf(remoteAddress, remotePort));
          if (tracked?.silenceTimer) {
            clearTimeout(tracked.silenceTimer);
            tracked.silenceTimer = undefined;
          }
        },
        stopAccepting: () => {
          if (netServer.listening) netServer.close();
        },
        destroyAll: () => {
          for (const { socket } of open.values()) socket.destroy();
          open.clear();
          perIp.clear();
        },
      });
    });
  });
}
