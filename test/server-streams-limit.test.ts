import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthClient, type HealthClient } from './helpers/standardClients.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

/** A health Check on `client`: its status, or 'pending' when it has not answered within `waitMs`. */
function checkWithin(client: HealthClient, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('pending'), waitMs);
    client.check({ service: '' }, { deadline: Date.now() + 10_000 }, (error, response) => {
      clearTimeout(timer);
      resolve(error ? `error ${error.code}` : response.status);
    });
  });
}

describe('calls open at once on one connection (--max-streams-per-connection)', () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ maxStreamsPerConnection: 2 });
  });
  afterAll(async () => {
    await test.close();
  });

  it('holds a third call on a connection with two open streams until one ends, and other connections go on', async () => {
    const ownConnection = { 'grpc.use_local_subchannel_pool': 1 };
    const crowded = healthClient(test.address, ownConnection);
    expect(await checkWithin(crowded, 5_000)).toBe('SERVING');
    const watches = [crowded.watch({ service: '' }), crowded.watch({ service: '' })];
    // Cancelling a watch ends it with CANCELLED: expected here.
    for (const watch of watches) watch.on('error', () => {});
    await Promise.all(watches.map((watch) => new Promise((resolve) => watch.once('data', resolve))));
    // The server advertises 2 streams per connection: a third call on this connection waits.
    const third = checkWithin(crowded, 60_000);
    const early = await Promise.race([third, new Promise((resolve) => setTimeout(() => resolve('pending'), 700))]);
    expect(early).toBe('pending');
    // Another connection is not affected.
    const other = healthClient(test.address, ownConnection);
    expect(await checkWithin(other, 5_000)).toBe('SERVING');
    // One watch ends: the waiting call goes through.
    watches[0].cancel();
    expect(await third).toBe('SERVING');
    watches[1].cancel();
    crowded.close();
    other.close();
  });
});
