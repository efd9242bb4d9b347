import Docker from 'dockerode';

/**
 * Builds dockerode clients. dockerode reads DOCKER_HOST (unix socket, tcp://, ssh://) itself; the agent keeps two
 * clients, as Nomad's driver does: one for short API calls and one for long-lived streams (events, attach), so a slow
 * stream never queues behind, or starves, the request pool.
 */
export function createDockerClient(): Docker {
  return new Docker();
}
