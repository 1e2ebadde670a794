import { describe, expect, it } from 'vitest';
import { DEFAULT_ALGORITHM, listAlgorithms } from '../../src/abr/registry.js';
import { runCli } from '../../src/cli/main.js';
import { captureIo } from './helpers.js';

describe('abrkit algos', () => {
  it('--json lists every registered algorithm with its options, exactly one default', async () => {
    const cap = captureIo(process.cwd());
    expect(await runCli(['algos', '--json'], cap.io)).toBe(0);
    const list = JSON.parse(cap.out()) as {
      name: string;
      description: string;
      options: { name: string; default: unknown }[];
      default: boolean;
    }[];
    expect(list.map((a) => a.name)).toEqual(listAlgorithms().map((a) => a.name));
    const defaults = list.filter((a) => a.default);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]?.name).toBe(DEFAULT_ALGORITHM);
    for (const a of list) {
      expect(Object.keys(a)).toEqual(['name', 'description', 'options', 'default']);
      expect(a.description.length).toBeGreaterThan(0);
      for (const o of a.options) expect(o).toHaveProperty('default');
    }
  });

  it('prints a readable list with options and marks the default', async () => {
    const cap = captureIo(process.cwd());
    expect(await runCli(['algos'], cap.io)).toBe(0);
    expect(cap.out()).toMatch(new RegExp(`^${DEFAULT_ALGORITHM} \\(default\\)`, 'm'));
    for (const a of listAlgorithms()) expect(cap.out()).toContain(`  ${a.name}: `);
  });

  it('documents no option for optimal that --opt refuses (issue 18)', async () => {
    const cap = captureIo(process.cwd());
    expect(await runCli(['algos'], cap.io)).toBe(0);
    const line = cap
      .out()
      .split('\n')
      .find((l) => l.startsWith('optimal'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/Option: plan/);
    expect(cap.out()).toMatch(/^ {2}optimal: \(none on the command line/m);
    const opt = captureIo(process.cwd());
    const code = await runCli(
      [
        'sim',
        '--video',
        'synthetic:segments=2',
        '--traces',
        'constant:2000',
        '--algo',
        'optimal',
        '--opt',
        'optimal.plan=1',
      ],
      opt.io,
    );
    expect(code).toBe(2);
    expect(opt.err()).toContain("'optimal' takes no options on the command line");
  });

  it('no subcommand: help on stderr, usage exit code', async () => {
    const cap = captureIo(process.cwd());
    expect(await runCli([], cap.io)).toBe(2);
    expect(cap.err()).toMatch(/Usage: abrkit/);
  });
});
