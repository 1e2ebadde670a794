/**
 * The fence around the pure core must actually fail on a leak: a pure file that imports node:fs, uses
 * `window` or imports rxjs is rejected by the type-check (tsconfig.pure.json) and by ESLint (eslint.purity.js).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/shared-data.js';
import { pureFiles, purityRules } from '../eslint.purity.js';

function pureCompilerOptions(): ts.CompilerOptions {
  const configPath = join(REPO_ROOT, 'tsconfig.pure.json');
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, REPO_ROOT);
  return parsed.options;
}

function typeCheckAsPure(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'abrkit-purity-'));
  try {
    const file = join(dir, 'probe.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], { ...pureCompilerOptions(), typeRoots: [] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function lintAsPure(source: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: (await import('typescript-eslint')).parser },
      },
      { files: pureFiles, rules: purityRules },
    ],
  });
  const [result] = await eslint.lintText(source, { filePath: join(REPO_ROOT, 'src/core/probe.ts') });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('purity fence', () => {
  it('type-check accepts plain ES2022 code', () => {
    expect(typeCheckAsPure('export const x: number = Math.max(1, 2);\n')).toEqual([]);
  });

  it('type-check rejects node:fs, window, setTimeout and console in the pure core', () => {
    expect(
      typeCheckAsPure("import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n").join(),
    ).toMatch(/node:fs/);
    expect(typeCheckAsPure('export const w = window.location;\n').join()).toMatch(/window/);
    expect(typeCheckAsPure('setTimeout(() => {}, 1);\n').join()).toMatch(/setTimeout/);
    expect(typeCheckAsPure("console.log('x');\n").join()).toMatch(/console/);
  });

  it('lint rejects Node, rxjs and shell imports and browser globals in the pure core', async () => {
    expect(await lintAsPure('export const x = 1;\n')).toEqual([]);
    expect(
      (await lintAsPure("import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n")).join(),
    ).toMatch(/no-restricted-imports/);
    expect(
      (await lintAsPure("import { Subject } from 'rxjs';\nexport const s = new Subject();\n")).join(),
    ).toMatch(/rxjs/);
    expect(
      (await lintAsPure("import { x } from '../player/index.js';\nexport const y = x;\n")).join(),
    ).toMatch(/shells/);
    expect((await lintAsPure('export const w = window.location;\n')).join()).toMatch(/no-restricted-globals/);
  });
});
