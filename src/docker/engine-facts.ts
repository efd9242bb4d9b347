import { Injectable } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { AgentConfig } from '../config/agent-config';
import { DockerGateway } from './docker.gateway';

export interface JobResourceFacts {
  /** total RAM of the engine divided by the job slots: no job may ask for more */
  maxMemoryMiBPerJob: number;
  /** the agent's own open-files limit divided by the job slots */
  openFilesPerJob: number;
  cgroupVersion: 1 | 2;
}

const FALLBACK_OPEN_FILES = 1024;

/** Facts about the engine and this process that size every job; read once, on the first job. */
@Injectable()
export class EngineFacts {
  private facts?: Promise<JobResourceFacts>;

  constructor(
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
  ) {}

  get(): Promise<JobResourceFacts> {
    this.facts ??= this.read().catch((error: unknown) => {
      this.facts = undefined; // Docker may come back: ask again for the next job
      throw error;
    });
    return this.facts;
  }

  private async read(): Promise<JobResourceFacts> {
    const info = await this.docker.engineInfo();
    const openFiles = await readOpenFilesLimit();
    return {
      maxMemoryMiBPerJob: Math.floor(info.memTotalBytes / 1024 / 1024 / this.config.concurrency),
      openFilesPerJob: Math.max(64, Math.floor(openFiles / this.config.concurrency)),
      cgroupVersion: info.cgroupVersion,
    };
  }
}

async function readOpenFilesLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
  return soft ? Number(soft) : FALLBACK_OPEN_FILES;
}
