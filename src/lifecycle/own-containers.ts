import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { DockerGateway } from '../docker/docker.gateway';

/** Removes every container labelled as this agent's (same agent id), and never anyone else's. */
@Injectable()
export class OwnContainers {
  constructor(
    @InjectPinoLogger(OwnContainers.name) private readonly logger: PinoLogger,
    private readonly docker: DockerGateway,
  ) {}

  /** Never throws: Docker trouble is logged (the health check removes what is left once Docker answers). */
  async removeAll(why: string): Promise<void> {
    let ids: string[];
    try {
      ids = (await this.docker.listOwnContainers()).map((c) => c.id);
    } catch (error) {
      this.logger.error({ err: error }, `could not list this agent's containers (${why})`);
      return;
    }
    await Promise.all(
      ids.map((id) =>
        this.docker.remove(id).catch((error: unknown) => this.logger.error({ err: error, containerId: id }, `could not remove a container (${why})`)),
      ),
    );
    if (ids.length > 0) this.logger.info({ count: ids.length }, `removed this agent's containers (${why})`);
  }
}
