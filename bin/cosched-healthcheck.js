#!/usr/bin/env node
// Asks a running cosched server's standard health service (grpc.health.v1.Health/Check) whether
// it is SERVING. Exit 0 when it is; 1 when it is not, does not answer within 3 s, or cannot be
// reached. One line on stdout says which. The Docker image's HEALTHCHECK runs it.
//
//   node bin/cosched-healthcheck.js [HOST:PORT] [--service NAME] [--tls-ca CA.pem]
//
// Without HOST:PORT it asks where `cosched serve` listens: COSCHED_HOST and COSCHED_PORT
// (default 127.0.0.1:50051); a wildcard host (0.0.0.0, ::) is asked on loopback. Without
// --service it asks about the server as a whole (""); cosched.v1.CoSchedulerService also works.
// With --tls-ca, or when COSCHED_TLS_CERT is set (the server speaks TLS), it connects with TLS,
// trusting that CA certificate (a self-signed server certificate is its own CA). The host name is
// not checked: the check runs beside the server. When COSCHED_TOKEN is set it is sent as
// `authorization: Bearer TOKEN` (for a server whose health is closed: --health-reflection closed).
//
// Plain JavaScript on purpose: it needs neither a build nor dev dependencies, only
// @grpc/grpc-js and grpc-health-check (the server's own dependencies).
import { readFileSync } from 'node:fs';
import grpc from '@grpc/grpc-js';
import healthCheck from 'grpc-health-check';

const deadlineMs = 3_000;

function usage(message) {
  process.stdout.write(`cosched-healthcheck: ${message}\nusage: cosched-healthcheck [HOST:PORT] [--service NAME] [--tls-ca CA.pem]\n`);
  process.exit(1);
}

function parseArguments(args) {
  let address;
  let service = '';
  let tlsCa = process.env.COSCHED_TLS_CERT || undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--service' || args[i] === '--tls-ca') {
      if (i + 1 >= args.length) usage(`${args[i]} needs a value`);
      if (args[i] === '--service') service = args[++i];
      else tlsCa = args[++i];
    } else if (args[i] === '--help' || args[i] === '-h') {
      usage('checks the health of a cosched server');
    } else if (!args[i].startsWith('-') && address === undefined) {
      address = args[i];
    } else {
      usage(`unexpected argument ${args[i]}`);
    }
  }
  return { address: address ?? addressFromEnvironment(), service, tlsCa };
}

/** Where `cosched serve` listens according to the environment, with a wildcard host made loopback. */
function addressFromEnvironment() {
  const host = process.env.COSCHED_HOST || '127.0.0.1';
  const port = process.env.COSCHED_PORT || '50051';
  const wildcard = { '0.0.0.0': '127.0.0.1', '::': '::1', '[::]': '::1' };
  const target = wildcard[host] ?? host;
  return target.includes(':') && !target.startsWith('[') ? `[${target}]:${port}` : `${target}:${port}`;
}

const { address, service, tlsCa } = parseArguments(process.argv.slice(2));
let credentials = grpc.credentials.createInsecure();
// With TLS the name sent (SNI) is "localhost", not an IP address (which TLS does not allow).
const options = tlsCa ? { 'grpc.ssl_target_name_override': 'localhost' } : {};
if (tlsCa) {
  try {
    credentials = grpc.credentials.createSsl(readFileSync(tlsCa), null, null, { checkServerIdentity: () => undefined });
  } catch (error) {
    process.stdout.write(`UNHEALTHY: cannot read the TLS CA certificate: ${error.message}\n`);
    process.exit(1);
  }
}
const HealthClient = grpc.makeClientConstructor(healthCheck.service, 'grpc.health.v1.Health');
const client = new HealthClient(address, credentials, options);
const metadata = new grpc.Metadata();
if (process.env.COSCHED_TOKEN) metadata.set('authorization', `Bearer ${process.env.COSCHED_TOKEN.trim()}`);
client.check({ service }, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
  client.close();
  const what = service === '' ? address : `${service} at ${address}`;
  if (error) {
    process.stdout.write(`UNHEALTHY ${what}: ${grpc.status[error.code] ?? error.code} ${error.details}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${response.status} ${what}\n`);
    process.exitCode = response.status === 'SERVING' ? 0 : 1;
  }
});
