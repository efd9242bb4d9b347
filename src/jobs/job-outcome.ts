import type { AgentJobDone } from '../backend/backend.messages';
import { Float64 } from '../msgpack/msgpack.codec';
import type { GraderResult } from './result-map';

/** How a job ended, before it is turned into AgentJobDone. */
export type JobOutcome =
  | { kind: 'graded'; result: GraderResult }
  | { kind: 'killed' | 'timeout' }
  | { kind: 'overflow'; text?: string }
  | { kind: 'crash'; text: string };

/**
 * Builds AgentJobDone as the Python agent does (wire.md §3 "How the outcome is assembled"). `reachedContainer` decides
 * stdout/stderr for outcomes without a grader result: "" once a container existed, nil before.
 */
export function buildJobDone(
  jobId: string,
  outcome: JobOutcome,
  inputState: string,
  reachedContainer: boolean,
): AgentJobDone {
  if (outcome.kind === 'graded') {
    const r = outcome.result;
    return {
      job_id: jobId,
      result: [r.result, r.text],
      grade: new Float64(roundGrade(r.grade ?? (r.result === 'success' ? 100 : 0))),
      problems: r.problems,
      tests: r.tests,
      custom: r.custom,
      state: r.state,
      archive: r.archive,
      stdout: r.stdout,
      stderr: r.stderr,
      '@type': 'AgentJobDone',
    };
  }
  const empty = reachedContainer ? '' : null;
  return {
    job_id: jobId,
    // the Python agent's overflow (memory) has no text; the agent's own overflows (disk) say which limit
    result: [outcome.kind, 'text' in outcome ? (outcome.text ?? '') : ''],
    grade: new Float64(0),
    problems: {},
    tests: {},
    custom: {},
    state: inputState,
    archive: null,
    stdout: empty,
    stderr: empty,
    '@type': 'AgentJobDone',
  };
}

function roundGrade(grade: number): number {
  return Math.round(grade * 100) / 100;
}
