/**
 * A vitest reporter that says why tests were skipped, one line per reason, after the run (next to the
 * default reporter's summary). The usual reason: the research data in `../shared/data` (or
 * `ABRKIT_SHARED_DATA`) is absent, so every `describe.skipIf(!hasSharedData)` block is skipped. A test file
 * counts as needing it when its source uses `hasSharedData`; other skips are listed by file.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { REPO_ROOT, SHARED_DATA_DIR, hasSharedData } from './shared-data.js';

interface SkippedFile {
  readonly path: string;
  readonly skipped: number;
  readonly needsSharedData: boolean;
}

function usesSharedData(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes('hasSharedData');
  } catch {
    return false;
  }
}

/** The lines to print for these skipped files (empty when nothing was skipped). */
export function skipReasonLines(files: readonly SkippedFile[], sharedDataPresent: boolean): string[] {
  const lines: string[] = [];
  const count = (list: readonly SkippedFile[]): number => list.reduce((sum, f) => sum + f.skipped, 0);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const data = files.filter((f) => f.needsSharedData && !sharedDataPresent);
  const other = files.filter((f) => !(f.needsSharedData && !sharedDataPresent));
  if (data.length > 0) {
    lines.push(
      `skipped ${plural(count(data), 'test')} that need the research data (${plural(data.length, 'file')}), ` +
        `because ${SHARED_DATA_DIR} does not exist (put it there or set ABRKIT_SHARED_DATA): ` +
        data.map((f) => f.path).join(', '),
    );
  }
  if (other.length > 0) {
    lines.push(
      `skipped ${plural(count(other), 'test')}, filtered out (-t) or for a condition their file states: ` +
        other.map((f) => `${f.path} (${f.skipped})`).join(', '),
    );
  }
  return lines;
}

export default class SkipReasonsReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const files: SkippedFile[] = [];
    for (const module of testModules) {
      // a failed file's tests show as skipped after its hook failed: the failure says why
      if (!module.ok()) continue;
      const skipped = [...module.children.allTests('skipped')].length;
      if (skipped === 0) continue;
      files.push({
        path: relative(REPO_ROOT, module.moduleId),
        skipped,
        needsSharedData: usesSharedData(module.moduleId),
      });
    }
    for (const line of skipReasonLines(files, hasSharedData)) process.stdout.write(`\n${line}\n`);
  }
}
