import { describe, expect, it, vi } from 'vitest';
import type { BackendSender } from './backend-sender';
import { PingController } from './ping.controller';

describe('PingController', () => {
  it('answers a Ping with a Pong', () => {
    const send = vi.fn(async () => undefined);
    new PingController({ send } as unknown as BackendSender).ping({ '@type': 'Ping' });
    expect(send).toHaveBeenCalledWith({ '@type': 'Pong' });
  });
});
