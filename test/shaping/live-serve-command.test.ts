/**
 * `abrkit serve --live` (src/cli/commands/serve.ts): the live flags reach the server, and misuse is a usage
 * error naming the flag.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServeCommand } from '../../src/cli/commands/serve.js';
import { createContext } from '../../src/cli/context.js';
import type { CliIo } from '../../src/cli/errors.js';
import { UsageError } from '../../src/cli/errors.js';
import { parseMediaPlaylist } from '../../src/manifest/index.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { timedRequest } from './helpers.js';

function memoryIo(): CliIo & { err: () => string } {
  let err = '';
  return {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    isTTY: false,
    cwd: REPO_ROOT,
    err: () => err,
  };
}

describe('abrkit serve --live', () => {
  it('serves the ladder live with the window and start asked for, and says so', async () => {
    const io = memoryIo();
    const server = await startServeCommand(
      resolve(REPO_ROOT, 'fixtures/ladder'),
      {
        trace: 'constant:100000,latencyMs=1',
        live: true,
        windowS: '12',
        startS: '60',
        liveFaults: 'stale=600000-700000',
      },
      createContext(io),
    );
    try {
      expect(io.err()).toContain('live: 5 media playlists looped, window 12 s, started 60 s ago');
      const r = await timedRequest(`${server.url}/480p/index.m3u8`);
      expect(r.status).toBe(200);
      const p = parseMediaPlaylist(r.body.toString(), `${server.url}/480p/index.m3u8`);
      expect(p.type).toBe('live');
      expect(p.segments.length).toBe(6); // 12 s of 2 s segments
      // 60 s in: msn 29 ended at 60 s (30 once the wall clock passed 62 s)
      expect([29, 30]).toContain(p.segments.at(-1)!.sequenceNumber);
    } finally {
      await server.close();
    }
  });

  it('refuses live flags without --live, and bad numbers, as usage errors', async () => {
    const start = (flags: Record<string, unknown>): Promise<unknown> =>
      startServeCommand(
        resolve(REPO_ROOT, 'fixtures/ladder'),
        { trace: 'constant:1000', ...flags },
        createContext(memoryIo()),
      ).then(
        async (s) => {
          await s.close();
          throw new Error('expected a refusal');
        },
        (e: unknown) => e,
      );
    const e1 = await start({ windowS: '20' });
    expect(e1).toBeInstanceOf(UsageError);
    expect((e1 as Error).message).toContain('--window-s needs --live');
    const e2 = await start({ live: true, startS: 'soon' });
    expect(e2).toBeInstanceOf(UsageError);
    expect((e2 as Error).message).toContain('--start-s');
    const e3 = await start({ live: true, liveFaults: 'edge404=3' });
    expect((e3 as { data?: { source?: string } }).data?.source).toBe('--live-faults');
  });
});
