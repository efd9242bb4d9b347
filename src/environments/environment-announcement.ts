import type { AvailableEnvironments, EnvironmentAnnouncement } from '../backend/backend.messages';
import type { Runtime } from '../runtimes/runtime.types';
import type { GradingEnvironment } from './grading-environment';

/**
 * `available_environments` of AgentHello: every runtime's envtype (empty when it has no image, as the Python agent
 * sends it), each environment with the keys in the Python agent's order. Built with `Object.fromEntries` so that any
 * name, `__proto__` included, is an own key.
 */
export function announceEnvironments(environments: readonly GradingEnvironment[], runtimes: readonly Runtime[]): AvailableEnvironments {
  return Object.fromEntries(
    runtimes.map((runtime) => [
      runtime.envtype,
      Object.fromEntries(
        environments.filter((env) => env.envtype === runtime.envtype).map((env) => [env.name, announcement(env)]),
      ),
    ]),
  );
}

function announcement(env: GradingEnvironment): EnvironmentAnnouncement {
  return {
    id: env.imageId,
    title: env.name,
    created: env.created,
    ports: [...env.ports],
    runtime: env.runtime.dockerRuntime,
    advertised: env.advertised,
  };
}
