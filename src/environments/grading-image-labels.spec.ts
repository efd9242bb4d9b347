import { describe, expect, it } from 'vitest';
import { readGradingImageLabels } from './grading-image-labels';

const read = (labels: Record<string, string>) =>
  readGradingImageLabels({ 'org.inginious.grading.name': 'env', 'org.inginious.grading.agent_version': '4', ...labels });

describe('readGradingImageLabels', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['22', [22]],
    ['22,8080', [22, 8080]],
    [' 22 , 8080 ', [22, 8080]],
    ['22,22', [22]],
    ['1,65535', [1, 65535]],
  ])('reads ports %j as %j', (label, ports) => {
    expect(read(label === undefined ? {} : { 'org.inginious.grading.ports': label })).toMatchObject({ ok: true, ports });
  });

  it.each(['http', '22,', '0', '65536', '-1', '22;80', '2.5'])('refuses ports "%s"', (label) => {
    expect(read({ 'org.inginious.grading.ports': label })).toEqual({ ok: false, name: 'env', reason: expect.stringContaining('ports') });
  });

  it('reads need_root and need_gpu from their presence alone', () => {
    expect(read({})).toMatchObject({ needRoot: false, needGpu: false });
    expect(read({ 'org.inginious.grading.need_root': '', 'org.inginious.grading.need_gpu': 'false' })).toMatchObject({ needRoot: true, needGpu: true });
  });

  it('advertises without the label or with exactly "true", as the Python agent', () => {
    expect(read({})).toMatchObject({ advertised: true });
    expect(read({ 'org.inginious.grading.advertise': 'true' })).toMatchObject({ advertised: true });
    expect(read({ 'org.inginious.grading.advertise': 'false' })).toMatchObject({ advertised: false });
    expect(read({ 'org.inginious.grading.advertise': 'False' })).toMatchObject({ advertised: false });
    expect(read({ 'org.inginious.grading.advertise': '0' })).toMatchObject({ advertised: false });
  });

  it('trims the name and generation', () => {
    expect(read({ 'org.inginious.grading.name': ' default ', 'org.inginious.grading.agent_version': ' 3 ' })).toMatchObject({
      name: 'default',
      generation: 3,
    });
  });
});
