import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AgentConfig } from '../config/agent-config';
import { DockerGateway } from '../docker/docker.gateway';
import { isLocalEngine } from './local-engine';
import type { DiskPart } from './disk-part';
import { NodeTreeFileSystem } from './node-tree-file-system';
import { measureTree, type TreeBounds, type TreeUsage } from './tree-usage';

type LayerSource = { kind: 'folder'; path: string } | { kind: 'docker' };

/**
 * Measures one part of a job's disk use. A container's writable layer is walked like a folder when the engine is
 * local and uses overlay2 (its upper dir, found once by inspect); otherwise Docker counts it (`SizeRw`, a full walk in
 * dockerd, paced by the sweep like any other walk).
 */
@Injectable()
export class DiskUsageReader {
  private readonly layers = new Map<string, Promise<LayerSource>>();
  private readonly local: boolean;

  constructor(
    config: AgentConfig,
    private readonly docker: DockerGateway,
    private readonly fs: NodeTreeFileSystem,
    @InjectPinoLogger(DiskUsageReader.name) private readonly logger: PinoLogger,
  ) {
    this.local = isLocalEngine(config.dockerHost);
  }

  /**
   * Finds where a part lives (a container's layer: one Docker inspect, which can take a while when the engine is busy
   * creating containers), so that the sweep paces itself on the cost of walking, not on this wait. Never rejects: a
   * failure shows when the part is measured.
   */
  async locate(part: DiskPart): Promise<void> {
    if (part.kind === 'container') await this.layerOf(part.containerId).catch(() => undefined);
  }

  async measure(part: DiskPart, bounds: TreeBounds): Promise<TreeUsage> {
    if (part.kind === 'folder') return measureTree(this.fs, part.path, bounds);
    const source = await this.layerOf(part.containerId);
    if (source.kind === 'folder') {
      try {
        return await measureTree(this.fs, source.path, bounds);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
        this.logger.warn({ containerId: part.containerId, err: error }, 'container layer not readable: Docker counts it');
        this.layers.set(part.containerId, Promise.resolve({ kind: 'docker' }));
      }
    }
    const bytes = await this.docker.writableLayerBytes(part.containerId);
    return { bytes, entries: 0, complete: true };
  }

  forget(containerId: string): void {
    this.layers.delete(containerId);
  }

  private layerOf(containerId: string): Promise<LayerSource> {
    let source = this.layers.get(containerId);
    if (!source) {
      source = this.findLayer(containerId);
      this.layers.set(containerId, source);
      source.catch(() => this.layers.delete(containerId));
    }
    return source;
  }

  private async findLayer(containerId: string): Promise<LayerSource> {
    const path = this.local ? await this.docker.writableLayerFolder(containerId) : undefined;
    this.logger.debug({ containerId, layer: path ?? 'docker SizeRw' }, 'container layer located');
    return path ? { kind: 'folder', path } : { kind: 'docker' };
  }
}
