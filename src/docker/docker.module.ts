import { Module } from '@nestjs/common';
import { DockerEvents } from './docker-events.service';
import { DockerGateway } from './docker.gateway';
import { EngineFacts } from './engine-facts';

/** Docker access for the whole agent: the API gateway, the one event subscription, the engine's facts. Needs AgentConfig and the logger. */
@Module({
  providers: [DockerGateway, DockerEvents, EngineFacts],
  exports: [DockerGateway, DockerEvents, EngineFacts],
})
export class DockerModule {}
