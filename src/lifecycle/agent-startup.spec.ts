import { describe, expect, it, vi } from 'vitest';
import type { JobFolders } from '../job-files/job-folders';
import { AgentStartup } from './agent-startup';
import type { OwnContainers } from './own-containers';

describe('AgentStartup', () => {
  it('removes the leftover containers, then empties the work folder', async () => {
    const order: string[] = [];
    const containers = { removeAll: vi.fn(async () => void order.push('containers')) };
    const folders = { reset: vi.fn(async () => void order.push('folder')) };
    await new AgentStartup(containers as unknown as OwnContainers, folders as unknown as JobFolders).onApplicationBootstrap();
    expect(order).toEqual(['containers', 'folder']);
  });
});
