/**
 * `npm test`'s static checks, run at once: the type-check (`npm run typecheck`), ESLint and Prettier (what
 * `npm run lint` runs one after the other). One after another they took about 90 s on 2 cores (ESLint 47 s,
 * Prettier 24 s, the two tsc runs 22 s); at once, about as long as ESLint alone, which keeps `npm test` within
 * issue 15's 6 minutes. Each check's output is printed whole, in this order, once all have ended; the exit
 * code is 1 when any failed (or could not start).
 *
 *   npx tsx scripts/checks.ts
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const bin = (name: string): string => join(REPO_ROOT, 'node_modules', '.bin', name);

interface Check {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

const CHECKS: readonly Check[] = [
  { name: 'type-check (whole repo)', command: bin('tsc'), args: ['-p', 'tsconfig.json', '--noEmit'] },
  { name: 'type-check (pure core)', command: bin('tsc'), args: ['-p', 'tsconfig.pure.json', '--noEmit'] },
  { name: 'ESLint', command: bin('eslint'), args: ['.'] },
  { name: 'Prettier', command: bin('prettier'), args: ['--check', '.'] },
];

interface Outcome {
  readonly ok: boolean;
  readonly output: string;
  readonly durationMs: number;
}

function run(check: Check): Promise<Outcome> {
  const startMs = Date.now();
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const child = spawn(check.command, check.args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) =>
      done({ ok: false, output: `could not start ${check.command}: ${error.message}\n`, durationMs: 0 }),
    );
    child.on('close', (code, signal) =>
      done({
        ok: code === 0,
        output:
          Buffer.concat(chunks).toString('utf8') +
          (code === 0 ? '' : `exited with ${signal === null ? `code ${code}` : `signal ${signal}`}\n`),
        durationMs: Date.now() - startMs,
      }),
    );
  });
}

const outcomes = await Promise.all(CHECKS.map(run));
let failed = 0;
CHECKS.forEach((check, i) => {
  const outcome = outcomes[i]!;
  if (!outcome.ok) failed++;
  const status = outcome.ok ? 'ok' : 'FAILED';
  process.stdout.write(`== ${check.name}: ${status} (${(outcome.durationMs / 1000).toFixed(1)} s)\n`);
  if (outcome.output.trim() !== '')
    process.stdout.write(outcome.output.endsWith('\n') ? outcome.output : `${outcome.output}\n`);
});
if (failed > 0) {
  process.stderr.write(`checks: ${failed} of ${CHECKS.length} failed\n`);
  process.exitCode = 1;
}
