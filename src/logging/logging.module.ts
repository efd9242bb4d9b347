import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { outsideValueSerializers } from './outside-value-serializers';

/**
 * pino through nestjs-pino: one JSON line per event (fast, and what log shippers expect), or pino-pretty in a terminal.
 * Services log with `this.logger.info({ jobId }, 'what happened')` so every job line carries its id.
 */
@Module({})
export class LoggingModule {
  /**
   * Built when called, not when this file loads: nestjs-pino makes a logger provider for every `@InjectPinoLogger`
   * seen so far, so this must run after all services are loaded, whatever the order of imports.
   */
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AgentConfig],
          useFactory: (config: AgentConfig) => ({
            pinoHttp: {
              level: config.logLevel,
              // scrapes and probes every few seconds are not events
              autoLogging: false,
              base: { agent: config.friendlyName },
              serializers: outsideValueSerializers,
              transport:
                config.logFormat === 'pretty'
                  ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,agent' } }
                  : undefined,
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
