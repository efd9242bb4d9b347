import { Inject, Injectable, Optional } from '@nestjs/common';
import { BaseRpcContext, type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { Telemetry } from '../telemetry/telemetry';
import { AgentHelloComposer } from './agent-hello-composer';
import { parseBackendFrame } from './backend-frame.parser';
import { BackendSender } from './backend-sender';
import { type BackendConnection, BackendSocket } from './backend-socket';
import { HeartbeatWatchdog } from './heartbeat-watchdog';

const SHUTDOWN_SEND_GRACE_MS = 1000;

/**
 * The backend link as a NestJS transport: one DEALER connected to the backend's ROUTER. Every frame is decoded,
 * validated and handed to the `@EventPattern(<@type>)` handler; bad frames are logged and dropped. After each connect
 * the agent says hello first; when the backend goes silent the link is rebuilt on a fresh socket. Pings are answered
 * by the link itself (see LinkThread); those it hands over, when the event loop was stalled, go to the PingController.
 */
@Injectable()
export class BackendTransport extends Server implements CustomTransportStrategy {
  @Optional() @Inject(Telemetry) private readonly telemetry = new Telemetry();
  private connection?: BackendConnection;

  constructor(
    private readonly config: AgentConfig,
    private readonly socket: BackendSocket,
    private readonly sender: BackendSender,
    private readonly hello: AgentHelloComposer,
    private readonly watchdog: HeartbeatWatchdog,
    @InjectPinoLogger(BackendTransport.name) private readonly log: PinoLogger,
  ) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    try {
      this.connect();
    } catch (error) {
      callback(error);
      return;
    }
    callback();
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.watchdog.stop();
    await this.sender.close(SHUTDOWN_SEND_GRACE_MS);
    await connection?.close();
  }

  on(): never {
    throw new Error('BackendTransport emits no events');
  }

  unwrap<T>(): T {
    return this.connection as T;
  }

  private connect(): void {
    const connection = this.socket.connect(this.config.backendAddress, this.config.backendLinkNice);
    this.connection = connection;
    this.log.info({ address: this.config.backendAddress }, 'connecting to the backend');
    void this.receive(connection);
    this.sayHello(connection).catch((error: unknown) => this.log.error({ err: error }, 'could not say hello to the backend'));
  }

  private async sayHello(connection: BackendConnection): Promise<void> {
    const hello = await this.hello.compose();
    if (connection !== this.connection) return;
    this.sender.attach(connection, hello);
    this.watchdog.start(() => this.reconnect());
    this.log.info({ environments: Object.keys(hello.available_environments) }, 'said hello to the backend');
  }

  private reconnect(): void {
    if (!this.connection) return;
    this.log.warn({ silenceMs: this.watchdog.silenceMs }, 'no message from the backend for too long: reconnecting');
    this.sender.detach();
    void this.connection.close();
    try {
      this.connect();
    } catch (error) {
      this.connection = undefined;
      this.log.error({ err: error }, 'could not reopen the backend socket');
    }
  }

  private async receive(connection: BackendConnection): Promise<void> {
    try {
      for await (const event of connection.events()) {
        if ('nice' in event) {
          this.notePriority(event.nice, event.refused);
          continue;
        }
        this.watchdog.feed();
        if ('frames' in event) this.dispatch(event.frames);
        else this.telemetry.record('backend.pong', { seconds: event.pongSeconds });
      }
    } catch (error) {
      if (connection === this.connection) {
        this.log.error({ err: error }, 'receiving from the backend failed: waiting for the watchdog to reconnect');
      }
    }
  }

  private notePriority(nice: number, refused?: string): void {
    const wanted = this.config.backendLinkNice;
    if (refused === undefined) this.log.info({ nice }, 'backend link thread priority set');
    else this.log.warn({ wanted, nice, reason: refused }, 'could not raise the backend link thread priority (needs CAP_SYS_NICE): under load its Pongs may wait for the CPU');
  }

  private dispatch(frames: Buffer[]): void {
    const parsed = parseBackendFrame(frames);
    if (!parsed.ok) {
      this.log.warn({ problem: parsed.problem, bytes: frames.reduce((n, f) => n + f.length, 0) }, 'dropped a malformed message from the backend');
      return;
    }
    const type = parsed.message['@type'];
    if (!this.getHandlerByPattern(type)) {
      this.log.warn({ type }, 'dropped a backend message that no handler takes');
      return;
    }
    this.handleEvent(type, { pattern: type, data: parsed.message }, new BaseRpcContext([])).catch((error: unknown) =>
      this.log.error({ err: error, type }, 'backend message handler failed'),
    );
  }
}
