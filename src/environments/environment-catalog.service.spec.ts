import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { DockerGateway } from '../docker/docker.gateway';
import type { ImageSummary } from '../docker/docker.types';
import type { RuntimeRegistry } from '../runtimes/runtime-registry.service';
import type { Runtime } from '../runtimes/runtime.types';
import { EnvironmentCatalog } from './environment-catalog.service';

const runc: Runtime = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const good: ImageSummary = {
  id: 'sha256:aa',
  created: 10,
  labels: { 'org.inginious.grading.name': 'default', 'org.inginious.grading.agent_version': '4' },
};
const future: ImageSummary = {
  id: 'sha256:ff',
  created: 11,
  labels: { 'org.inginious.grading.name': 'future', 'org.inginious.grading.agent_version': '5' },
};

function catalogWith(images: () => Promise<ImageSummary[]>) {
  const gateway = { listGradingImages: vi.fn(images) };
  const registry = { resolve: vi.fn(async () => [runc]) };
  const logger = { info: vi.fn(), warn: vi.fn(), debug: vi.fn(), error: vi.fn() };
  const catalog = new EnvironmentCatalog(
    gateway as unknown as DockerGateway,
    registry as unknown as RuntimeRegistry,
    logger as unknown as PinoLogger,
  );
  return { catalog, gateway, logger };
}

describe('EnvironmentCatalog', () => {
  it('is empty before the first refresh', () => {
    const { catalog } = catalogWith(async () => [good]);
    expect(catalog.announce()).toEqual({});
    expect(catalog.find('docker', 'default')).toBeUndefined();
  });

  it('announces and finds what the refresh selected', async () => {
    const { catalog } = catalogWith(async () => [good, future]);
    await catalog.refresh();
    expect(catalog.announce()).toEqual({
      docker: { default: { id: 'sha256:aa', title: 'default', created: 10, ports: [], runtime: 'runc', advertised: true } },
    });
    expect(catalog.find('docker', 'default')).toMatchObject({ imageId: 'sha256:aa', generation: 4, runtime: runc });
    expect(catalog.find('docker', 'future')).toBeUndefined();
    expect(catalog.find('kata', 'default')).toBeUndefined();
    expect(catalog.runtimes()).toEqual([runc]);
  });

  it('warns once about a skipped image across refreshes, and again if it comes back after leaving', async () => {
    let images = [good, future];
    const { catalog, logger } = catalogWith(async () => images);
    await catalog.refresh();
    await catalog.refresh();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ imageId: 'sha256:ff', name: 'future' }), 'grading image skipped');
    images = [good];
    await catalog.refresh();
    images = [good, future];
    await catalog.refresh();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('keeps the previous catalog and logs when Docker fails, without throwing', async () => {
    let fail = false;
    const { catalog, logger } = catalogWith(async () => {
      if (fail) throw new Error('connect ENOENT /var/run/docker.sock');
      return [good];
    });
    await catalog.refresh();
    fail = true;
    await expect(catalog.refresh()).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(catalog.find('docker', 'default')?.imageId).toBe('sha256:aa');
  });

  it('as the hello\'s source: reads Docker again each time, and announces what was known when Docker fails', async () => {
    let images = [good];
    const { catalog, gateway } = catalogWith(async () => {
      if (images.length === 0) throw new Error('docker down');
      return images;
    });
    expect(Object.keys((await catalog.current()).docker)).toEqual(['default']);
    images = [];
    expect(Object.keys((await catalog.current()).docker)).toEqual(['default']);
    expect(gateway.listGradingImages).toHaveBeenCalledTimes(2);
  });

  it('runs refreshes one after the other, each reading Docker', async () => {
    const { catalog, gateway } = catalogWith(async () => [good]);
    await Promise.all([catalog.refresh(), catalog.refresh(), catalog.refresh()]);
    expect(gateway.listGradingImages).toHaveBeenCalledTimes(3);
  });
});
