import { Global, Module } from '@nestjs/common';
import { Telemetry } from './telemetry';

/** The one Telemetry every module reports to (see telemetry.ts). */
@Global()
@Module({ providers: [Telemetry], exports: [Telemetry] })
export class TelemetryModule {}
