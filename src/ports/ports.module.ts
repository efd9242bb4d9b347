import { Module } from '@nestjs/common';
import { PortPool } from './port-pool';

@Module({ providers: [PortPool], exports: [PortPool] })
export class PortsModule {}
