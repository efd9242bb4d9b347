import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerGateway } from '../docker/docker.gateway';
import { JobHooks } from '../jobs/job-hooks';
import { JobsService } from '../jobs/jobs.service';
import type { RunningJob } from '../jobs/running-job';
import { relayed } from './relay-mode';
import { SshAnnouncer } from '../ssh/ssh-announcer';
import type { StudentContainer } from './student-container';
import { StudentContainersRegistry } from './student-containers.registry';
import { reframe, StudentRelay } from './student-relay';

/**
 * The grading container's messages about one of its student containers: `ssh_student`, and for generation 3 on a
 * runtime that does not share the host kernel, `run_student_init` / `stdin` / `student_signal` forwarded to the
 * student container's stdin while its framed output is relayed back undecoded.
 */
@Injectable()
export class StudentMessagesHandler implements OnModuleInit {
  constructor(
    @InjectPinoLogger(StudentMessagesHandler.name) private readonly logger: PinoLogger,
    private readonly config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly hooks: JobHooks,
    private readonly jobs: JobsService,
    private readonly registry: StudentContainersRegistry,
    private readonly announcer: SshAnnouncer,
  ) {}

  onModuleInit(): void {
    this.hooks.handle('run_student_init', (job, message) => this.forward(job, message, studentInit(message)));
    this.hooks.handle('stdin', (job, message) => this.forward(job, message, message));
    this.hooks.handle('student_signal', (job, message) => this.forward(job, message, message));
    this.hooks.handle('ssh_student', (job, message) => this.sshStudent(job, message));
  }

  private async sshStudent(job: RunningJob, message: Record<string, unknown>): Promise<void> {
    const container = this.registry.ofJob(job, message.container_id);
    if (!container) {
      this.logger.warn({ jobId: job.id, containerId: message.container_id }, 'ssh_student for a container that is not one of the job\'s');
      this.jobs.stop(job, { kind: 'crash', text: 'The grading script asked for SSH access to a container that is not one of its student containers.' });
      return;
    }
    await this.announcer.announce(job, container.id, message);
  }

  private async forward(job: RunningJob, message: Record<string, unknown>, toStudent: Record<string, unknown>): Promise<void> {
    const container = this.registry.ofJob(job, message.student_container_id);
    if (!container || container.closed) {
      this.logger.warn({ jobId: job.id, type: message.type, containerId: message.student_container_id }, 'message for an unknown student container ignored');
      return;
    }
    if (!relayed(job.environment, container.runtime)) {
      this.logger.warn({ jobId: job.id, type: message.type }, 'student message ignored: only generation-3 containers on a runtime without a shared kernel are relayed');
      return;
    }
    // every message waits on the same promise: they reach the student container in the order they came
    container.relay ??= this.openRelay(container);
    const relay = await container.relay;
    if (!container.closed) relay.send(toStudent);
  }

  private async openRelay(container: StudentContainer): Promise<StudentRelay> {
    const { job } = container;
    const stream = await this.docker.attach(container.id);
    this.logger.debug({ jobId: job.id, containerId: container.id }, 'relaying the student container\'s attach stream');
    return new StudentRelay(stream, this.config.maxFrameBytes, {
      onFrame: (raw, message) => {
        if (message?.type === 'ssh_student') void this.announcer.announce(job, container.id, message);
        else job.link?.sendRaw(reframe(raw));
      },
      onStderr: (text) => this.logger.debug({ jobId: job.id, containerId: container.id, stderr: text }, 'student container stderr'),
      onProtocolError: (error) =>
        this.logger.warn({ jobId: job.id, containerId: container.id, err: error }, 'student container output unreadable: no longer relayed'),
    });
  }
}

/** `run_student_init` as the student container reads it: the fields the Python agent passes on, in its order. */
function studentInit(message: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'run_student_init',
    socket_id: message.socket_id,
    command: message.command,
    teardown_script: message.teardown_script,
    student_container_id: message.student_container_id,
    working_dir: message.working_dir,
    ssh: message.ssh,
    user: message.user,
  };
}
