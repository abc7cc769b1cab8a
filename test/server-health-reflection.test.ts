import { Client, credentials, Metadata, status, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import { create, createFileRegistry, fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanRequest } from '../src/generated/cosched/v1/plan_request.js';
import { oneSiteFourHours } from './factories/planRequests.js';
import { competingBlocksMilp } from './factories/slowMilpRequests.js';
import { callPlan } from './helpers/grpcCalls.js';
import { checkHealth, healthClient, reflect, reflectionClient, type HealthClient, type ReflectionClient } from './helpers/standardClients.js';
import { latenciesUnderLoadMs } from './helpers/measureLatency.js';
import { startTestServer, type TestServer } from './helpers/startTestServer.js';

const service = 'cosched.v1.CoSchedulerService';

let test: TestServer;
let health: HealthClient;
let reflection: ReflectionClient;
beforeAll(async () => {
  test = await startTestServer({ workers: 1 });
  health = healthClient(test.address);
  reflection = reflectionClient(test.address);
});
afterAll(async () => {
  health?.close();
  reflection?.close();
  await test?.close();
});

describe('health (grpc.health.v1)', () => {
  it('reports SERVING for the server and for cosched.v1.CoSchedulerService, NOT_FOUND for an unknown service', async () => {
    expect(await checkHealth(health, '')).toBe('SERVING');
    expect(await checkHealth(health, service)).toBe('SERVING');
    const unknown = (await checkHealth(health, 'no.such.Service').catch((e: unknown) => e)) as ServiceError;
    expect(unknown.code).toBe(status.NOT_FOUND);
  });
});

describe('reflection (grpc.reflection.v1)', () => {
  it('lists cosched.v1.CoSchedulerService with the health and reflection services', async () => {
    const answer = await reflect(reflection, { list_services: '*' });

    const names = answer.list_services_response?.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([service, 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']));
  });

  it('serves the schema so that a generic client can call Plan knowing nothing but the server address (as grpcurl does)', async () => {
    // 1. Fetch the file declaring the service, with its dependencies, and build a registry of it.
    const answer = await reflect(reflection, { file_containing_symbol: service });
    const files = answer.file_descriptor_response!.file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['cosched/v1/co_scheduler_service.proto', 'cosched/v1/plan_request.proto']));
    // Every file after the files it imports (as grpcurl resolves them), whatever order the
    // server sends them in; @bufbuild/protobuf's resolver form depends on the import order.
    const byName = new Map(files.map((f) => [f.name, f]));
    const ordered: FileDescriptorProto[] = [];
    const placed = new Set<string>();
    const place = (name: string) => {
      const file = byName.get(name);
      if (!file || placed.has(name)) return;
      placed.add(name);
      file.dependency.forEach(place);
      ordered.push(file);
    };
    place('cosched/v1/co_scheduler_service.proto');
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
    const plan = registry.getService(service)!.methods.find((m) => m.name === 'Plan')!;

    // 2. Call Plan with a request written as proto3 JSON, in bytes only.
    const requestJson = PlanRequest.toJSON(oneSiteFourHours()) as JsonValue;
    const requestBytes = toBinary(plan.input, fromJson(plan.input, requestJson));
    const generic = new Client(test.address, credentials.createInsecure());
    try {
      const responseBytes = await new Promise<Buffer>((resolve, reject) =>
        generic.makeUnaryRequest(`/${service}/Plan`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(requestBytes), new Metadata(), {}, (error, value) =>
          error ? reject(error) : resolve(value!),
        ),
      );
      const responseJson = toJson(plan.output as DescMessage, fromBinary(plan.output, responseBytes), { alwaysEmitImplicit: true }) as Record<string, unknown>;

      // 3. The same answer as a client compiled from our .proto files.
      const typed = await callPlan(test.client, oneSiteFourHours());
      expect(responseJson.termination).toBe('TERMINATION_OPTIMAL');
      expect((responseJson.summary as Record<string, unknown>).emissionsKg).toBe(typed.summary?.emissionsKg);
      expect((responseJson.summary as Record<string, unknown>).carbonSavedKg).toBe(typed.summary?.carbonSavedKg);
    } finally {
      generic.close();
    }
  });
});

describe('while every worker is busy', () => {
  it('health answers within 100 ms and reflection stays responsive', async () => {
    let call: ClientUnaryCall | undefined;
    const slow = new Promise<ServiceError | null>((resolve) => {
      call = test.client.plan(competingBlocksMilp({ timeLimitSeconds: 30 }), (error) => resolve(error));
    });
    await expect.poll(() => test.server.pool.stats().busy, { timeout: 10_000, interval: 10 }).toBe(1);
    // Connections exist already (earlier tests): the latency measured is the server's.
    const check = async () => {
      expect(await checkHealth(health, service)).toBe('SERVING');
      expect(test.server.pool.stats().busy).toBe(1);
    };
    const list = async () => {
      expect((await reflect(reflection, { list_services: '*' })).list_services_response?.service.length).toBeGreaterThan(0);
      expect(test.server.pool.stats().busy).toBe(1);
    };

    const healthMs = await latenciesUnderLoadMs(check, 8, 100, 'health while the worker plans');
    const reflectionMs = await latenciesUnderLoadMs(list, 8, 500, 'reflection while the worker plans');

    expect(Math.max(...healthMs)).toBeLessThan(100);
    expect(Math.max(...reflectionMs)).toBeLessThan(500);
    call!.cancel();
    expect((await slow)?.code).toBe(status.CANCELLED);
  });
});
