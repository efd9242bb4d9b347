import { Module } from '@nestjs/common';
import { DockerEvents } from './docker-events.service';
import { DockerGateway } from './docker.gateway';

/** Docker access for the whole agent: the API gateway and the one event subscription. Needs AgentConfig and the logger. */
@Module({
  providers: [DockerGateway, DockerEvents],
  exports: [DockerGateway, DockerEvents],
})
export class DockerModule {}
