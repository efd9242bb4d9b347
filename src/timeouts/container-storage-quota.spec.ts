import { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { DockerGateway } from '../docker/docker.gateway';
import { ContainerStorageQuota } from './container-storage-quota';

function quotaOver(storageDriver: string, backingFilesystem: string, probe: () => Promise<void>) {
  const gateway = {
    engineInfo: async () => ({ storageDriver, backingFilesystem }),
    listGradingImages: async () => [{ id: 'sha256:image', created: 0, labels: {} }],
    probeStorageSize: vi.fn(probe),
  };
  const quota = new ContainerStorageQuota(gateway as unknown as DockerGateway, new PinoLogger({ pinoHttp: { level: 'silent' } }));
  return { quota, gateway };
}

describe('ContainerStorageQuota', () => {
  it('overlay2 over extfs (this project\'s engine): measured, and no probe container is made', async () => {
    const { quota, gateway } = quotaOver('overlay2', 'extfs', async () => undefined);
    expect(await quota.isAvailable()).toBe(false);
    expect(await quota.storageOption(1024)).toBeUndefined();
    expect(gateway.probeStorageSize).not.toHaveBeenCalled();
  });

  it('overlay2 over xfs taking the size: every container gets StorageOpt with the job\'s disk limit; probed once', async () => {
    const { quota, gateway } = quotaOver('overlay2', 'xfs', async () => undefined);
    expect(await quota.storageOption(50)).toEqual({ size: '50m' });
    expect(await quota.storageOption(1024)).toEqual({ size: '1024m' });
    expect(gateway.probeStorageSize).toHaveBeenCalledOnce();
    expect(gateway.probeStorageSize).toHaveBeenCalledWith('sha256:image');
  });

  it('overlay2 over xfs without pquota: Docker refuses the probe, measured', async () => {
    const { quota } = quotaOver('overlay2', 'xfs', async () => {
      throw new Error("--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
    });
    expect(await quota.isAvailable()).toBe(false);
  });
});
