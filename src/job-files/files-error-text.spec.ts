import { describe, expect, it } from 'vitest';
import { filesErrorText, hideHostPaths } from './files-error-text';

const places = [
  { host: '/srv/tasks/c1/t1', name: '' },
  { host: '/srv/tasks/c1/$common', name: '$common' },
  { host: '/var/agent/3f2a/task', name: '' },
];

describe('filesErrorText', () => {
  it('names the file as the task\'s authors see it, never the host path', () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/srv/tasks/c1/$common/lib/x.py'"), {
      code: 'EACCES',
      path: '/srv/tasks/c1/$common/lib/x.py',
    });
    const text = filesErrorText(error, places);
    expect(text.message).toBe(
      'The task\'s files could not be prepared for grading: "$common/lib/x.py" could not be read (permission denied). Please tell the course administrator.',
    );
    expect(text.taskFault).toBe(true);
  });

  it('a full disk is the agent\'s fault, told without any path', () => {
    const error = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC', path: '/var/agent/3f2a/task/big.bin' });
    const text = filesErrorText(error, places);
    expect(text.taskFault).toBe(false);
    expect(text.message).toContain('"big.bin" could not be copied: the grading agent\'s disk is full');
    expect(text.message).not.toContain('/var/agent');
  });

  it('a path outside every place, an unknown code, or no error object at all: "a file", the code only', () => {
    const error = Object.assign(new Error('x'), { code: 'EIO', path: '/elsewhere/f' });
    expect(filesErrorText(error, places).message).toContain('a file could not be copied (EIO)');
    expect(filesErrorText(undefined, places).message).toContain('a file could not be copied (unknown error)');
    expect(filesErrorText(error, places).message).not.toContain('/elsewhere');
  });
});

describe('hideHostPaths', () => {
  it('replaces every occurrence of each folder by its name', () => {
    expect(hideHostPaths('/a/b/x and /a/b/y', [{ host: '/a/b', name: '<work>' }])).toBe('<work>/x and <work>/y');
  });
});
