import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';
import { AgentConfig } from '../config/agent-config';

export type DebugHostChoice =
  | { host: string; source: 'configured' }
  | { host: string; source: 'interface'; interfaceName: string }
  | { host: string; source: 'loopback' };

/**
 * The host SSH clients are told to connect to: the configured one, else the first non-internal IPv4 address of this
 * machine. Never asked of anything on the internet (the Python agent asks a public web service).
 */
export function chooseDebugHost(
  configured: string | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): DebugHostChoice {
  if (configured) return { host: configured, source: 'configured' };
  for (const [interfaceName, addresses] of Object.entries(interfaces)) {
    const address = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (address) return { host: address.address, source: 'interface', interfaceName };
  }
  return { host: '127.0.0.1', source: 'loopback' };
}

@Injectable()
export class DebugHost implements OnModuleInit {
  private choice?: DebugHostChoice;

  constructor(
    private readonly config: AgentConfig,
    @InjectPinoLogger(DebugHost.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    this.choice = chooseDebugHost(this.config.debugHost, networkInterfaces());
    if (this.choice.source === 'loopback') {
      this.logger.warn(this.choice, 'no AGENT_DEBUG_HOST and no non-internal IPv4 address: SSH clients are told 127.0.0.1');
    } else {
      this.logger.info(this.choice, 'host given to SSH debug clients');
    }
  }

  get host(): string {
    this.choice ??= chooseDebugHost(this.config.debugHost, networkInterfaces());
    return this.choice.host;
  }
}
