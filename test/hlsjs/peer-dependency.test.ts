import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared-data.js';

/** Every .ts file under `dir`. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `import ... from 'hls.js'` (or a subpath) statements of a file, type-only ones included. */
function hlsImports(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+['"]hls\.js(?:\/[^'"]*)?['"]/gms)].map(
    (m) => m[0].trim(),
  );
}

describe('hls.js stays a peer dependency of abrkit/hlsjs only', () => {
  const src = join(REPO_ROOT, 'src');

  it('src/hlsjs imports hls.js for types only, so the app bundles its own copy once', () => {
    const imports = tsFiles(join(src, 'hlsjs')).flatMap((file) => hlsImports(readFileSync(file, 'utf8')));
    expect(imports.length).toBeGreaterThan(0); // the AbrController type
    for (const statement of imports) expect(statement).toMatch(/^(?:import|export) type\b/);
  });

  it('nothing else under src imports hls.js', () => {
    const offenders = tsFiles(src)
      .filter((file) => !relative(src, file).startsWith('hlsjs'))
      .filter((file) => hlsImports(readFileSync(file, 'utf8')).length > 0)
      .map((file) => relative(REPO_ROOT, file));
    expect(offenders).toEqual([]);
  });
});
