/**
 * `abrkit serve` on fixtures/ladder serves DASH as it serves HLS: it names both entry points, answers the MPD
 * as application/dash+xml, and paces the segments the MPD names through the trace's link.
 */
import { describe, expect, it } from 'vitest';
import { startServeCommand } from '../../src/cli/commands/serve.js';
import { createContext } from '../../src/cli/context.js';
import { REPO_ROOT } from '../support/shared-data.js';
import { timedRequest } from './helpers.js';

const LINK_KBPS = 2000;

describe('abrkit serve with DASH', () => {
  it('names manifest.mpd, serves it as application/dash+xml and shapes its segments', async () => {
    let err = '';
    const server = await startServeCommand(
      'fixtures/ladder',
      { trace: `constant:${LINK_KBPS}` },
      createContext({
        stdout: { write: () => true },
        stderr: { write: (s: string) => (err += s) },
        isTTY: false,
        cwd: REPO_ROOT,
      }),
    );
    try {
      expect(err).toContain(`${server.url}/manifest.mpd`);
      expect(err).toContain(`${server.url}/master.m3u8`);
      const mpd = await timedRequest(`${server.url}/manifest.mpd`);
      expect(mpd.status).toBe(200);
      expect(mpd.headers['content-type']).toBe('application/dash+xml');
      expect(mpd.body.toString('utf8')).toContain('$RepresentationID$/seg_$Number%05d$.m4s');
      // 480p/seg_00005.m4s, a segment the MPD's template names (number 5)
      const segment = await timedRequest(`${server.url}/480p/seg_00005.m4s`);
      expect(segment.status).toBe(200);
      const kbps = (segment.body.byteLength * 8) / (segment.endMs - segment.headersMs);
      expect(segment.body.byteLength).toBeGreaterThan(50_000);
      expect(kbps).toBeLessThan(LINK_KBPS * 1.1);
    } finally {
      await server.close();
    }
  });
});
