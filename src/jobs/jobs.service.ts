import { Injectable } from '@nestjs/common';
import type { BackendKillJob, BackendNewJob } from '../backend/backend.messages';

// PLACEHOLDER signatures — being implemented (Jobs module).
@Injectable()
export class JobsService {
  /** Takes a job from the backend. Never throws: every job gets exactly one AgentJobDone. */
  start(_message: BackendNewJob): void {
    throw new Error('not implemented yet');
  }

  kill(_message: BackendKillJob): void {
    throw new Error('not implemented yet');
  }
}
