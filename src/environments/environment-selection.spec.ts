import { describe, expect, it } from 'vitest';
import type { ImageSummary } from '../docker/docker.types';
import type { Runtime } from '../runtimes/runtime.types';
import { selectEnvironments } from './environment-selection';

const runc: Runtime = { dockerRuntime: 'runc', envtype: 'docker', runAsRoot: false, sharedKernel: true, gpu: false };
const kata: Runtime = { dockerRuntime: 'kata-runtime', envtype: 'kata', runAsRoot: true, sharedKernel: false, gpu: false };
const nvidia: Runtime = { dockerRuntime: 'nvidia', envtype: 'nvidia', runAsRoot: false, sharedKernel: true, gpu: true };

let serial = 0;
function image(name: string, labels: Record<string, string> = {}, created = 1_795_827_586): ImageSummary {
  serial++;
  return {
    id: `sha256:${serial.toString(16).padStart(64, '0')}`,
    created,
    labels: { 'org.inginious.grading.name': name, 'org.inginious.grading.agent_version': '4', ...labels },
  };
}

const names = (images: ImageSummary[], runtimes: Runtime[]) =>
  selectEnvironments(images, runtimes).environments.map((e) => `${e.envtype}/${e.name}`);

describe('selectEnvironments', () => {
  it('offers a generation-4 image under the runtime with everything the catalog needs', () => {
    const img = image('default', { 'org.inginious.grading.ports': '22,8080' });
    expect(selectEnvironments([img], [runc])).toEqual({
      environments: [
        { envtype: 'docker', name: 'default', imageId: img.id, created: img.created, generation: 4, ports: [22, 8080], advertised: true, runtime: runc },
      ],
      rejected: [],
    });
  });

  it('accepts generation 3 and says so', () => {
    const [env] = selectEnvironments([image('probe', { 'org.inginious.grading.agent_version': '3' })], [runc]).environments;
    expect(env.generation).toBe(3);
  });

  it('skips an image without a generation label with a reason, as the Python agent does', () => {
    const img = image('old');
    delete img.labels['org.inginious.grading.agent_version'];
    const selection = selectEnvironments([img], [runc]);
    expect(selection.environments).toEqual([]);
    expect(selection.rejected).toEqual([{ imageId: img.id, name: 'old', reason: expect.stringContaining('no org.inginious.grading.agent_version label') }]);
  });

  it.each(['5', '2', 'four', '', ' ', '4.0'])('skips generation "%s" with a reason', (generation) => {
    const img = image('future', { 'org.inginious.grading.agent_version': generation });
    const selection = selectEnvironments([img], [runc]);
    expect(selection.environments).toEqual([]);
    expect(selection.rejected).toEqual([{ imageId: img.id, name: 'future', reason: expect.stringContaining('agent_version') }]);
  });

  it('rejects an unsupported image once, whatever the number of runtimes', () => {
    expect(selectEnvironments([image('x', { 'org.inginious.grading.agent_version': '5' })], [runc, kata, nvidia]).rejected).toHaveLength(1);
  });

  it('lets the newest image of a name win, whatever the listing order', () => {
    const older = image('default', {}, 100);
    const newer = image('default', {}, 200);
    expect(selectEnvironments([older, newer], [runc]).environments.map((e) => e.imageId)).toEqual([newer.id]);
    expect(selectEnvironments([newer, older], [runc]).environments.map((e) => e.imageId)).toEqual([newer.id]);
  });

  it('keeps the first listed image when two of a name were created in the same second', () => {
    const first = image('default', {}, 100);
    const second = image('default', {}, 100);
    expect(selectEnvironments([first, second], [runc]).environments.map((e) => e.imageId)).toEqual([first.id]);
  });

  it('does not let a newer image with an unsupported generation hide the older usable one', () => {
    const usable = image('default', {}, 100);
    const future = image('default', { 'org.inginious.grading.agent_version': '5' }, 200);
    expect(selectEnvironments([future, usable], [runc]).environments.map((e) => e.imageId)).toEqual([usable.id]);
  });

  it('offers a need_root image only under a root runtime', () => {
    const img = image('rooty', { 'org.inginious.grading.need_root': '' });
    expect(names([img], [runc, kata, nvidia])).toEqual(['kata/rooty']);
  });

  it('offers a need_gpu image only under a GPU runtime', () => {
    const img = image('cuda', { 'org.inginious.grading.need_gpu': '1' });
    expect(names([img], [runc, kata, nvidia])).toEqual(['nvidia/cuda']);
  });

  it('offers a need_root and need_gpu image only under a runtime giving both', () => {
    const both: Runtime = { ...nvidia, envtype: 'nvidia-root', runAsRoot: true };
    const img = image('heavy', { 'org.inginious.grading.need_root': '', 'org.inginious.grading.need_gpu': '' });
    expect(names([img], [runc, kata, nvidia, both])).toEqual(['nvidia-root/heavy']);
  });

  it('reports an image no runtime here can run', () => {
    const img = image('rooty', { 'org.inginious.grading.need_root': '' });
    const selection = selectEnvironments([img], [runc]);
    expect(selection.environments).toEqual([]);
    expect(selection.rejected).toEqual([{ imageId: img.id, name: 'rooty', reason: expect.stringContaining('as root') }]);
  });

  it('offers a plain image under every runtime', () => {
    expect(names([image('default')], [runc, kata, nvidia])).toEqual(['docker/default', 'kata/default', 'nvidia/default']);
  });

  it('picks the newest per envtype separately', () => {
    const plainOld = image('env', {}, 100);
    const rootNew = image('env', { 'org.inginious.grading.need_root': '' }, 200);
    const byEnvtype = selectEnvironments([rootNew, plainOld], [runc, kata]).environments.map((e) => [e.envtype, e.imageId]);
    expect(byEnvtype).toEqual([
      ['docker', plainOld.id],
      ['kata', rootNew.id],
    ]);
  });

  it.each([
    ['false', false],
    ['FALSE ', false],
    ['true', true],
    ['no', false],
    ['True', false],
  ])('advertise "%s" gives advertised %s (the Python agent: only "true" advertises)', (value, advertised) => {
    expect(selectEnvironments([image('e', { 'org.inginious.grading.advertise': value })], [runc]).environments[0].advertised).toBe(advertised);
  });

  it('orders environments by runtime, then by the first listing of each name', () => {
    const images = [image('b', {}, 300), image('a', {}, 200), image('b', {}, 100)];
    expect(names(images, [runc, kata])).toEqual(['docker/b', 'docker/a', 'kata/b', 'kata/a']);
  });

  it('offers nothing without runtimes', () => {
    expect(selectEnvironments([image('default')], []).environments).toEqual([]);
  });

  it('skips an image with a blank name or bad ports, keeping the others', () => {
    const blank = image(' ');
    const badPorts = image('p', { 'org.inginious.grading.ports': '22,http' });
    const good = image('good');
    const selection = selectEnvironments([blank, badPorts, good], [runc]);
    expect(selection.environments.map((e) => e.name)).toEqual(['good']);
    expect(selection.rejected.map((r) => r.imageId)).toEqual([blank.id, badPorts.id]);
  });
});
