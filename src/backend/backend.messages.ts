import { z } from 'zod';
import type { Float64 } from '../msgpack/msgpack.codec';

/** Messages from the backend (wire.md §1). Exactly these keys: a missing or extra key makes the message malformed. */
const inputValue = z.unknown();

export const backendNewJobSchema = z.strictObject({
  '@type': z.literal('BackendNewJob'),
  job_id: z.string(),
  course_id: z.string().nullable(),
  task_id: z.string().nullable(),
  task_problems: z.record(z.string(), z.unknown()),
  inputdata: z.record(z.string(), inputValue),
  environment_type: z.string(),
  environment: z.string(),
  environment_parameters: z.record(z.string(), z.unknown()),
  debug: z.union([z.boolean(), z.literal('ssh')]),
});

export const backendKillJobSchema = z.strictObject({
  '@type': z.literal('BackendKillJob'),
  job_id: z.string(),
  state: z.string(),
});

export const pingSchema = z.strictObject({ '@type': z.literal('Ping') });

export const backendMessageSchemas = {
  BackendNewJob: backendNewJobSchema,
  BackendKillJob: backendKillJobSchema,
  Ping: pingSchema,
} as const;

export type BackendMessageType = keyof typeof backendMessageSchemas;
export type BackendNewJob = z.output<typeof backendNewJobSchema>;
export type BackendKillJob = z.output<typeof backendKillJobSchema>;
export type Ping = z.output<typeof pingSchema>;
export type BackendMessage = BackendNewJob | BackendKillJob | Ping;

/** Messages to the backend. Key order follows the Python dataclasses, `@type` last, as on the real wire. */
export type ResultName = 'success' | 'failed' | 'error' | 'crash' | 'timeout' | 'overflow' | 'killed';

export interface EnvironmentAnnouncement {
  id: string;
  title: string;
  created: number;
  ports: number[];
  runtime: string;
  advertised: boolean;
}

export type AvailableEnvironments = Record<string, Record<string, EnvironmentAnnouncement>>;

export interface AgentHello {
  friendly_name: string;
  available_job_slots: number;
  available_environments: AvailableEnvironments;
  '@type': 'AgentHello';
}

export interface AgentJobStarted {
  job_id: string;
  '@type': 'AgentJobStarted';
}

export interface AgentJobDone {
  job_id: string;
  result: [ResultName, string];
  grade: Float64;
  problems: Record<string, unknown>;
  tests: Record<string, unknown>;
  custom: Record<string, unknown>;
  state: string;
  archive: Buffer | null;
  stdout: string | null;
  stderr: string | null;
  '@type': 'AgentJobDone';
}

export interface AgentJobSSHDebug {
  job_id: string;
  host: string;
  port: number;
  user: string;
  password: string;
  '@type': 'AgentJobSSHDebug';
}

export interface Pong {
  '@type': 'Pong';
}

export type AgentMessage = AgentHello | AgentJobStarted | AgentJobDone | AgentJobSSHDebug | Pong;
