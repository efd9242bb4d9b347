import { Injectable } from '@nestjs/common';
import { Dealer } from 'zeromq';

/** One DEALER connected to the backend. At most one send() in flight at a time (zeromq v6 rule); the caller serialises. */
export interface BackendConnection {
  send(frame: Buffer): Promise<void>;
  /** Each item is one ZeroMQ message (its frames). Ends when the connection is closed. */
  messages(): AsyncIterable<Buffer[]>;
  close(): void;
}

// Bounded so that a close on shutdown flushes what is queued without hanging when the backend is gone.
const LINGER_MS = 1000;

class ZmqBackendConnection implements BackendConnection {
  constructor(private readonly dealer: Dealer) {}

  send(frame: Buffer): Promise<void> {
    return this.dealer.send(frame);
  }

  messages(): AsyncIterable<Buffer[]> {
    return this.dealer;
  }

  close(): void {
    if (!this.dealer.closed) this.dealer.close();
  }
}

/** The only place that touches zeromq for the backend link: opens a fresh DEALER per connection. */
@Injectable()
export class BackendSocket {
  /** Throws when the address is malformed; the connection itself completes (and reconnects) in the background. */
  connect(address: string): BackendConnection {
    const dealer = new Dealer({ ipv6: true, linger: LINGER_MS });
    try {
      dealer.connect(address);
    } catch (error) {
      dealer.close();
      throw error;
    }
    return new ZmqBackendConnection(dealer);
  }
}
