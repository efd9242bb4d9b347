import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SOAK_MIX } from '../../src/soak/soak-mix';
import { REPO } from '../support/agent-process';

/** Runs the built soak program (`node dist/soak/soak.js`, what `npm run soak` runs) and returns its output and exit code. */
function runSoak(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${REPO}/dist/soak/soak.js`, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('a short soak: 2 agents, one chaos event of each kind but dockerd', () => {
  it('every job ends as expected or as a chaos-caused crash; nothing lost, duplicated or leaked; exit code 0', async () => {
    const { code, output } = await runSoak(['--jobs', '60', '--concurrency', '4', '--agents', '2', '--chaos', 'backend,agent,containers', '--seed', '12']);
    if (code !== 0) process.stdout.write(output);
    expect(output).toMatch(/RESULT: PASS — lost 0, duplicated 0, mismatched 0, leaked 0, chaos-excused \d+/);
    expect(code).toBe(0);
    expect(output).toContain('jobs: 60 submitted, 60 ended');
    // each chaos kind happened once, and the backend restart was recovered from
    expect(output).toMatch(/chaos events: .*backend \(recovered/);
    expect(output).toMatch(/chaos events: .*agent@soak-agent-\d \(recovered/);
    expect(output).toMatch(/chaos events: .*containers@soak-agent-\d \(\d container\(s\) removed/);
    expect(output).not.toContain('dockerd');
    // every case of the mix ran and was checked
    for (const soakCase of SOAK_MIX) expect(output).toContain(soakCase.name);
    // two agents (and the restarted one) were measured
    expect(output.match(/^ {2}soak-agent-\d pid \d+/gm)?.length).toBeGreaterThanOrEqual(3);
    expect(output).toMatch(/leftovers when idle: none/);
    expect(output).toMatch(/leftovers after the agents stopped: none/);
  }, 240_000);
});
