import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';

/**
 * pino through nestjs-pino: one JSON line per event (fast, and what log shippers expect), or pino-pretty in a terminal.
 * Services log with `this.logger.info({ jobId }, 'what happened')` so every job line carries its id.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AgentConfig],
      useFactory: (config: AgentConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          base: { agent: config.friendlyName },
          transport:
            config.logFormat === 'pretty'
              ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,agent' } }
              : undefined,
        },
      }),
    }),
  ],
})
export class LoggingModule {}
