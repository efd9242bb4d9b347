import { Module } from '@nestjs/common';
import { JobFolders } from './job-folders';

/** A job's files on the host: the job folder's layout, its creation, filling and removal. */
@Module({
  providers: [JobFolders],
  exports: [JobFolders],
})
export class JobFilesModule {}
