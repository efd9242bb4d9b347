import { parseArgs } from 'node:util';
import { z } from 'zod';

export const CHAOS_KINDS = ['backend', 'agent', 'containers', 'dockerd'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];
export const MAX_AGENTS = 16;

export interface SoakOptions {
  jobs: number;
  /** jobs the client keeps submitted at once */
  concurrency: number;
  agents: number;
  /** dockerd only when named: restarting it stops every container on the engine */
  chaos: ChaosKind[];
  seed: number;
  /** a job with no end after this long is counted lost */
  jobTimeoutS: number;
}

const count = (what: string) => z.coerce.number().int(`${what} must be a whole number`).positive(`${what} must be at least 1`);

const schema = z.object({
  jobs: count('--jobs').default(100),
  concurrency: count('--concurrency').default(4),
  agents: count('--agents').max(MAX_AGENTS, `--agents must be at most ${MAX_AGENTS}`).default(1),
  chaos: z
    .string()
    .default('')
    .transform((list) => list.split(',').map((kind) => kind.trim()).filter(Boolean))
    .pipe(z.array(z.enum(CHAOS_KINDS, { error: `--chaos takes ${CHAOS_KINDS.join(', ')}` })))
    .transform((kinds) => [...new Set(kinds)]),
  seed: z.coerce.number().int().default(() => Date.now() % 1_000_000),
  'job-timeout': count('--job-timeout').default(180),
});

/** `npm run soak -- --jobs N --concurrency C --agents A --chaos backend,agent,containers[,dockerd] [--seed S]` */
export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(schema.shape).map((name) => [name, { type: 'string' as const }])),
    strict: true,
  });
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  const { 'job-timeout': jobTimeoutS, ...rest } = parsed.data;
  return { ...rest, jobTimeoutS };
}
