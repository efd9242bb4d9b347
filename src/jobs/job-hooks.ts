import { Injectable } from '@nestjs/common';
import type { RunningJob } from './running-job';

export type ContainerMessageHandler = (job: RunningJob, message: Record<string, unknown>) => void | Promise<void>;
export type JobClosingHook = (job: RunningJob) => Promise<void>;

/**
 * Where other modules plug into a job's life without Jobs knowing them: handlers for container message types
 * (`run_student` → StudentContainers, `ssh_debug` → SSH) and hooks run while a job closes (kill its student containers).
 */
@Injectable()
export class JobHooks {
  private readonly handlers = new Map<string, ContainerMessageHandler>();
  private readonly closingHooks: JobClosingHook[] = [];

  handle(type: string, handler: ContainerMessageHandler): void {
    if (this.handlers.has(type)) throw new Error(`container message "${type}" already has a handler`);
    this.handlers.set(type, handler);
  }

  handlerFor(type: string): ContainerMessageHandler | undefined {
    return this.handlers.get(type);
  }

  onClosing(hook: JobClosingHook): void {
    this.closingHooks.push(hook);
  }

  async runClosingHooks(job: RunningJob): Promise<void> {
    await Promise.all(this.closingHooks.map((hook) => hook(job)));
  }
}
