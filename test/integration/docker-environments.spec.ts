import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../src/config/agent-config';
import { ConfigModule } from '../../src/config/config.module';
import { EnvironmentCatalog } from '../../src/environments/environment-catalog.service';
import { EnvironmentsModule } from '../../src/environments/environments.module';
import { buildGradingTestImage, ensureTestBaseImage, removeTestImages, waitForNextSecond } from '../support/grading-test-images';
import { LoggingModule } from '../../src/logging/logging.module';

const RUN = `${process.pid}-${Date.now()}`;
const NAME = `it-env-${RUN}`;
const REPO = `inginious-agent-test/grading-${RUN}`;

describe('EnvironmentCatalog against Docker', () => {
  let moduleRef: TestingModule;
  let catalog: EnvironmentCatalog;
  const built: string[] = [];
  let older: string;
  let newer: string;
  let unsupported: string;
  let otherName: string;

  beforeAll(async () => {
    ensureTestBaseImage();
    const labels = (generation: string, extra: Record<string, string> = {}) => ({
      'org.inginious.grading.name': NAME,
      'org.inginious.grading.agent_version': generation,
      ...extra,
    });
    older = buildGradingTestImage(`${REPO}:older`, labels('4'));
    built.push(older);
    await waitForNextSecond();
    newer = buildGradingTestImage(`${REPO}:newer`, labels('3', { 'org.inginious.grading.ports': '22,8080' }));
    built.push(newer);
    await waitForNextSecond();
    // newest of all, but of a generation this agent does not speak: must not hide `newer`
    unsupported = buildGradingTestImage(`${REPO}:unsupported`, labels('5'));
    built.push(unsupported);
    otherName = buildGradingTestImage(`${REPO}:hidden`, {
      'org.inginious.grading.name': `${NAME}-hidden`,
      'org.inginious.grading.agent_version': '4',
      'org.inginious.grading.advertise': 'false',
    });
    built.push(otherName);

    const config = parseAgentConfig({ AGENT_BACKEND_ADDR: 'tcp://127.0.0.1:2001', AGENT_ID: `env-it-${RUN}`, AGENT_LOG_LEVEL: 'warn' });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(), EnvironmentsModule] }).compile();
    await moduleRef.init();
    catalog = moduleRef.get(EnvironmentCatalog);
  });

  afterAll(async () => {
    await moduleRef?.close();
    removeTestImages(built);
  });

  it('built images whose created times tell the newer apart', async () => {
    const { execFileSync } = await import('node:child_process');
    const created = (id: string) => Date.parse(execFileSync('docker', ['image', 'inspect', '-f', '{{.Created}}', id], { encoding: 'utf8' }).trim());
    expect(Math.floor(created(newer) / 1000)).toBeGreaterThan(Math.floor(created(older) / 1000));
  });

  it('announces the newest supported image of the name, under runc, with its full id and ports', async () => {
    await catalog.refresh();
    const announced = catalog.announce();
    expect(Object.keys(announced)).toEqual(['docker']);
    const entry = announced.docker[NAME];
    expect(entry).toEqual({ id: newer, title: NAME, created: expect.any(Number), ports: [22, 8080], runtime: 'runc', advertised: true });
    expect(entry.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(entry)).toEqual(['id', 'title', 'created', 'ports', 'runtime', 'advertised']);
    expect(Math.abs(entry.created - Date.now() / 1000)).toBeLessThan(600);
  });

  it('skips the image of an unsupported generation', async () => {
    const ids = Object.values(catalog.announce().docker).map((e) => e.id);
    expect(ids).not.toContain(unsupported);
    expect(ids).not.toContain(older);
  });

  it('announces a non-advertised image with advertised false', () => {
    expect(catalog.announce().docker[`${NAME}-hidden`]).toMatchObject({ id: otherName, advertised: false });
  });

  it('finds the environment with what a job needs to run it', () => {
    expect(catalog.find('docker', NAME)).toEqual({
      envtype: 'docker',
      name: NAME,
      imageId: newer,
      created: expect.any(Number),
      generation: 3,
      ports: [22, 8080],
      advertised: true,
      runtime: { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false },
    });
    expect(catalog.find('kata', NAME)).toBeUndefined();
    expect(catalog.find('docker', `${NAME}-absent`)).toBeUndefined();
  });

  it('drops an environment whose images were removed, on the next refresh', async () => {
    removeTestImages([otherName]);
    await catalog.refresh();
    expect(catalog.find('docker', `${NAME}-hidden`)).toBeUndefined();
    expect(catalog.find('docker', NAME)?.imageId).toBe(newer);
  });
});
