import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { serveEnvironmentVariables } from '../src/cli/resolveServeConfig.js';
import { resolveWorkerConfig, workerEnvironmentVariables } from '../src/cli/resolveWorkerConfig.js';
import { resolveServeConfig } from '../src/cli/resolveServeConfig.js';
import { repoRoot } from './helpers/runCli.js';

/** Each container of the examples: its command and its environment (values as given). */
interface Container {
  where: string;
  command: string[];
  env: Record<string, string>;
}

function composeContainers(): Container[] {
  const compose = parse(readFileSync(join(repoRoot, 'deploy/docker-compose.yml'), 'utf8')) as { services: Record<string, { image: string; command?: string[]; environment?: Record<string, string> }> };
  return Object.entries(compose.services)
    .filter(([, service]) => service.image === 'cosched')
    .map(([name, service]) => ({ where: `compose ${name}`, command: service.command ?? [], env: service.environment ?? {} }));
}

function kubernetesContainers(): Container[] {
  const containers: Container[] = [];
  for (const doc of parseAllDocuments(readFileSync(join(repoRoot, 'deploy/kubernetes.yaml'), 'utf8'))) {
    const object = doc.toJS() as { kind: string; metadata: { name: string }; spec?: { template?: { spec: { containers: Array<{ image: string; command?: string[]; env?: Array<{ name: string; value?: string }> }> } } } };
    for (const c of object.spec?.template?.spec.containers ?? []) {
      if (!c.image.startsWith('cosched')) continue;
      // Secret-backed values stand in as a well-formed URL.
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? 'postgres://user@db:5432/cosched']));
      containers.push({ where: `kubernetes ${object.metadata.name}`, command: c.command ?? [], env });
    }
  }
  return containers;
}

describe('the deployment examples (deploy/)', () => {
  const containers = [...composeContainers(), ...kubernetesContainers()];

  it('start cosched directly with node (signals reach it) as a server or a worker', () => {
    expect(containers.length).toBe(4);
    for (const c of containers) expect([['node', 'bin/cosched.js', 'serve'], ['node', 'bin/cosched.js', 'worker']]).toContainEqual(c.command);
  });

  it('set only variables cosched reads, with values it accepts', () => {
    for (const c of containers) {
      const known = c.command[2] === 'serve' ? serveEnvironmentVariables : workerEnvironmentVariables;
      for (const name of Object.keys(c.env)) expect(known, `${c.where}: ${name}`).toContain(name);
      if (c.command[2] === 'serve') expect(resolveServeConfig({}, c.env).server).toMatchObject({ queue: c.env.COSCHED_QUEUE, metricsPort: Number(c.env.COSCHED_METRICS_PORT) });
      else expect(resolveWorkerConfig([], c.env).worker.url).toBe(c.env.COSCHED_QUEUE);
    }
  });
});
