import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { BackendController } from './backend.controller';
import { BackendModule } from './backend.module';

/** The backend's message handlers. Apart from BackendModule so that JobsModule can import BackendModule without a cycle. */
@Module({
  imports: [BackendModule, JobsModule],
  controllers: [BackendController],
})
export class BackendHandlersModule {}
