import { randomUUID } from 'node:crypto';

export const SAMPLE_INPUT = {
  q1: 'Grüße, 世界! ✓',
  '@username': 'test-user',
  '@lang': 'en',
  '@state': 'state-before',
};

/** A BackendNewJob as the real backend sends it (all ten keys, `@type` last). */
export function newJob(
  course: string | null,
  task: string | null,
  overrides: {
    inputdata?: Record<string, unknown>;
    limits?: Record<string, unknown>;
    environment?: string;
    environmentType?: string;
    debug?: boolean | 'ssh';
    parameters?: Record<string, unknown>;
  } = {},
): Record<string, unknown> & { job_id: string } {
  return {
    job_id: randomUUID(),
    course_id: course,
    task_id: task,
    task_problems: {},
    inputdata: overrides.inputdata ?? SAMPLE_INPUT,
    environment_type: overrides.environmentType ?? 'docker',
    environment: overrides.environment ?? 'default',
    environment_parameters: { limits: { time: 10, memory: 100, ...overrides.limits }, ...overrides.parameters },
    debug: overrides.debug ?? false,
    '@type': 'BackendNewJob',
  };
}
