import { cut } from './cut-value';

/** Container output quoted at debug level: longer than an id, still bounded. */
const OUTPUT_LIMIT = 4000;

const quote = (value: unknown) => cut(value);
const quoteOutput = (value: unknown) => cut(value, OUTPUT_LIMIT);

/**
 * pino serializers for the log fields that carry values from outside (the backend, a grading container): each is cut
 * wherever it is logged, so no call site has to remember it.
 */
export const outsideValueSerializers: Record<string, (value: unknown) => unknown> = {
  jobId: quote,
  type: quote,
  socketId: quote,
  containerId: quote,
  course: quote,
  task: quote,
  environment: quote,
  reason: quote,
  problem: quote,
  user: quote,
  stderr: quoteOutput,
};
