import type { Runtime } from '../runtimes/runtime.types';

export type ImageGeneration = 3 | 4;

/** One usable grading environment: an image (the newest with its name) under the runtime of its environment type. */
export interface GradingEnvironment {
  envtype: string;
  name: string;
  imageId: string;
  /** unix seconds */
  created: number;
  generation: ImageGeneration;
  ports: number[];
  advertised: boolean;
  runtime: Runtime;
}
