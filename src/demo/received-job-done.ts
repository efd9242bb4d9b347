import type { AgentJobDone } from '../backend/backend.messages';

/** AgentJobDone as a backend decodes it: the grade is a plain number there. */
export type ReceivedJobDone = Omit<AgentJobDone, 'grade'> & { grade: number };
