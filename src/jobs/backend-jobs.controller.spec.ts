import type { PinoLogger } from 'nestjs-pino';
import { describe, expect, it, vi } from 'vitest';
import type { BackendKillJob, BackendNewJob } from '../backend/backend.messages';
import { BackendJobsController } from './backend-jobs.controller';
import type { JobsService } from './jobs.service';

vi.mock('./jobs.service', () => ({ JobsService: class JobsService {} }));

const job: BackendNewJob = {
  job_id: 'j1', course_id: 'c', task_id: 't', task_problems: {}, inputdata: {}, environment_type: 'docker',
  environment: 'default', environment_parameters: {}, debug: false, '@type': 'BackendNewJob',
};
const kill: BackendKillJob = { job_id: 'j1', state: 's', '@type': 'BackendKillJob' };

function controller(jobs: Partial<JobsService>) {
  const logger = { error: vi.fn() };
  const c = new BackendJobsController(jobs as JobsService, logger as unknown as PinoLogger);
  return { c, logger };
}

describe('BackendJobsController', () => {
  it('hands jobs and kills to JobsService as they came', () => {
    const start = vi.fn();
    const stop = vi.fn();
    const { c } = controller({ start, kill: stop });
    c.newJob(job);
    c.killJob(kill);
    expect(start).toHaveBeenCalledWith(job);
    expect(stop).toHaveBeenCalledWith(kill);
  });

  it('logs, and does not throw, when JobsService throws', () => {
    const { c, logger } = controller({
      start: () => {
        throw new Error('bug');
      },
      kill: () => {
        throw new Error('bug');
      },
    });
    expect(() => c.newJob(job)).not.toThrow();
    expect(() => c.killJob(kill)).not.toThrow();
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls[0][0]).toMatchObject({ jobId: 'j1', type: 'BackendNewJob' });
  });
});
