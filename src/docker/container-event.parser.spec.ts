import { describe, expect, it } from 'vitest';
import { parseContainerEvent } from './container-event.parser';

// captured from dockerd 20.10 (GET /events), labels trimmed
const realDie =
  '{"status":"die","id":"334495c9f750873b8110491f224cf2b92cf49775d3993543057af8d72d80fdeb","from":"inginious-agent-test/busybox:latest","Type":"container","Action":"die","Actor":{"ID":"334495c9f750873b8110491f224cf2b92cf49775d3993543057af8d72d80fdeb","Attributes":{"exitCode":"3","image":"inginious-agent-test/busybox:latest","name":"trusting_gagarin"}},"scope":"local","time":1795831219,"timeNano":1795831219676964142}';

describe('parseContainerEvent', () => {
  it('reads a real die event with its exit code and exact nanosecond time', () => {
    expect(parseContainerEvent(realDie)).toEqual({
      kind: 'die',
      containerId: '334495c9f750873b8110491f224cf2b92cf49775d3993543057af8d72d80fdeb',
      exitCode: 3,
      timeNano: 1795831219676964142n,
    });
  });

  it('keeps nanoseconds a double would round away', () => {
    expect(BigInt(JSON.parse(realDie).timeNano)).not.toBe(1795831219676964142n);
    expect(parseContainerEvent(realDie)?.timeNano.toString()).toBe('1795831219676964142');
  });

  it('reads an oom event, which has no exit code', () => {
    const oom = '{"status":"oom","id":"abc","Type":"container","Action":"oom","Actor":{"ID":"abc","Attributes":{}},"time":1,"timeNano":1000000007}';
    expect(parseContainerEvent(oom)).toEqual({ kind: 'oom', containerId: 'abc', timeNano: 1000000007n });
  });

  it('is not fooled by a label named timeNano', () => {
    const event = realDie.replace('"name":"trusting_gagarin"', '"timeNano":"5","x":"\\"timeNano\\":6"');
    expect(parseContainerEvent(event)?.timeNano).toBe(1795831219676964142n);
  });

  it('falls back to whole seconds when timeNano is absent', () => {
    const event = '{"Type":"container","Action":"die","id":"a","Actor":{"Attributes":{"exitCode":"0"}},"time":12}';
    expect(parseContainerEvent(event)).toEqual({ kind: 'die', containerId: 'a', exitCode: 0, timeNano: 12_000_000_000n });
  });

  it('leaves exitCode out when it is not a number', () => {
    const event = realDie.replace('"exitCode":"3"', '"exitCode":"x"');
    expect(parseContainerEvent(event)).not.toHaveProperty('exitCode');
  });

  it.each([
    ['not JSON', '{"Type":'],
    ['an image event', realDie.replace('"Type":"container"', '"Type":"image"')],
    ['another action', realDie.replace('"Action":"die"', '"Action":"start"').replace('"status":"die"', '"status":"start"')],
    ['no container id', '{"Type":"container","Action":"die","time":1}'],
    ['no time', '{"Type":"container","Action":"die","id":"a"}'],
    ['not an object', '"die"'],
  ])('ignores %s', (_what, json) => {
    expect(parseContainerEvent(json)).toBeUndefined();
  });
});
