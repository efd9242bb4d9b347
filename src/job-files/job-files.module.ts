import { Module } from '@nestjs/common';
import { JobFolders } from './job-folders';
import { SocketClaims } from './socket-claims';
import { TreeRemover } from './tree-remover';

/**
 * A job's files on the host: the job folder's layout, its preparation and removal, and every later touch of it on
 * behalf of a container (sandbox integrity, docs/security.md). Imports nothing of the features that use it.
 */
@Module({
  providers: [JobFolders, SocketClaims, TreeRemover],
  exports: [JobFolders, SocketClaims],
})
export class JobFilesModule {}
