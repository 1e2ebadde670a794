/**
 * The fixture ladder in Debian's chromium through plain Media Source Extensions, no player: the browser must
 * support the master's CODECS, accept the init + every segment of one video rendition, and play it.
 * Also checks that the broken `wrong-codec` init segment is rejected as fixtures/README.md says.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_SEGMENT_INDEX } from '../scripts/media-fixtures/broken.js';
import { scanHlsLadder } from '../src/media/ladder.js';
import type { ScannedLadder } from '../src/media/ladder.js';
import { REPO_ROOT } from '../test/support/shared-data.js';
import { launchBrowser, serveStatic } from './support/browser.js';
import type { LaunchedBrowser, StaticServer } from './support/browser.js';

interface AppendResult {
  readonly errors: string[];
  readonly appended: number;
  readonly bufferedEndS: number;
  readonly durationS: number;
}

/** In the page: a muted <video> with a MediaSource, one SourceBuffer of `mime`, and the URLs appended in order. */
async function appendAll(page: Page, mime: string, urls: readonly string[]): Promise<AppendResult> {
  return page.evaluate(
    async ({ mime, urls }) => {
      const errors: string[] = [];
      const video = document.createElement('video');
      video.id = 'v';
      video.muted = true;
      video.addEventListener('error', () =>
        errors.push(`video error ${video.error?.code}: ${video.error?.message}`),
      );
      document.body.append(video);
      const mediaSource = new MediaSource();
      video.src = URL.createObjectURL(mediaSource);
      await new Promise((resolve) => mediaSource.addEventListener('sourceopen', resolve, { once: true }));
      const sourceBuffer = mediaSource.addSourceBuffer(mime);
      let appended = 0;
      for (const url of urls) {
        const response = await fetch(url);
        if (!response.ok) {
          errors.push(`HTTP ${response.status} for ${url}`);
          break;
        }
        const bytes = await response.arrayBuffer();
        const ok = await new Promise<boolean>((resolve) => {
          sourceBuffer.addEventListener('updateend', () => resolve(true), { once: true });
          sourceBuffer.addEventListener('error', () => resolve(false), { once: true });
          try {
            sourceBuffer.appendBuffer(bytes);
          } catch (e) {
            errors.push(`appendBuffer threw: ${String(e)}`);
            resolve(false);
          }
        });
        if (!ok) {
          errors.push(`append failed for ${url}`);
          break;
        }
        appended++;
      }
      if (errors.length === 0) mediaSource.endOfStream();
      // After a failed append the MediaSource ends with a decode error, drops the SourceBuffer and, a task or
      // more later, the element fires 'error': wait for it (up to 5 s).
      if (errors.length > 0 && !video.error) {
        await new Promise((resolve) => {
          video.addEventListener('error', resolve, { once: true });
          setTimeout(resolve, 5000);
        });
      }
      if (video.error) errors.push(`video error ${video.error.code}: ${video.error.message}`);
      let bufferedEndS = 0;
      try {
        const buffered = sourceBuffer.buffered;
        bufferedEndS = buffered.length > 0 ? buffered.end(buffered.length - 1) : 0;
      } catch (e) {
        errors.push(`buffered unreadable: ${String(e)}`);
      }
      return { errors: [...new Set(errors)], appended, bufferedEndS, durationS: mediaSource.duration };
    },
    { mime, urls: [...urls] },
  );
}

describe('plain MSE playback of fixtures/ladder in chromium', () => {
  let browser: LaunchedBrowser;
  let server: StaticServer;
  let ladder: ScannedLadder;

  beforeAll(async () => {
    server = await serveStatic(join(REPO_ROOT, 'fixtures'));
    browser = await launchBrowser();
    ladder = await scanHlsLadder(`${server.url}/ladder/master.m3u8`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A same-origin blank page, so fetches to the fixture server need no CORS. */
  async function blankPage(): Promise<Page> {
    const page = await browser.newPage();
    const pageUrl = `${server.url}/__e2e__.html`;
    await page.route(pageUrl, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><body></body></html>' }),
    );
    await page.goto(pageUrl);
    return page;
  }

  it('supports every CODECS string of the master playlist', async () => {
    const page = await blankPage();
    const mimes = new Set<string>();
    for (const { variant } of ladder.variants) {
      expect(variant.codecs).toBeDefined();
      const codecs = (variant.codecs ?? '').split(',');
      mimes.add(`video/mp4; codecs="${variant.codecs}"`);
      for (const codec of codecs)
        mimes.add(`${codec.startsWith('mp4a') ? 'audio' : 'video'}/mp4; codecs="${codec}"`);
    }
    const supported = await page.evaluate(
      (list) => list.map((m) => [m, MediaSource.isTypeSupported(m)] as const),
      [...mimes],
    );
    expect(supported.length).toBeGreaterThanOrEqual(ladder.variants.length + 1);
    for (const [mime, ok] of supported) expect(ok, mime).toBe(true);
    // A sanity check that isTypeSupported can say no here.
    expect(await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="zzzz.42"'))).toBe(false);
    await page.close();
  });

  it('appends init + all segments of the top rendition and plays them', async () => {
    const page = await blankPage();
    const top = ladder.variants[ladder.variants.length - 1];
    if (!top) throw new Error('no variants');
    const videoCodec = (top.variant.codecs ?? '').split(',')[0] ?? '';
    const urls = [top.playlist.initLocation ?? '', ...top.playlist.segments.map((s) => s.location)];
    const result = await appendAll(page, `video/mp4; codecs="${videoCodec}"`, urls);
    expect(result.errors).toEqual([]);
    expect(result.appended).toBe(urls.length);
    const playlistDurationS = top.playlist.segments.reduce((sum, s) => sum + s.durationMs, 0) / 1000;
    expect(result.bufferedEndS).toBeCloseTo(playlistDurationS, 1);
    expect(result.durationS).toBeCloseTo(playlistDurationS, 1);

    await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).play());
    await page.waitForFunction(
      () => (document.getElementById('v') as HTMLVideoElement).currentTime > 1.5,
      null,
      {
        timeout: 15_000,
      },
    );
    const state = await page.evaluate(() => {
      const v = document.getElementById('v') as HTMLVideoElement;
      return { paused: v.paused, error: v.error?.message ?? null, currentTimeS: v.currentTime };
    });
    expect(state).toMatchObject({ paused: false, error: null });
    expect(state.currentTimeS).toBeGreaterThan(1.5);
    await page.close();
  });

  it('rejects the broken wrong-codec init segment (fixtures/broken/wrong-codec)', async () => {
    const page = await blankPage();
    const broken = await scanHlsLadder(`${server.url}/broken/wrong-codec/master.m3u8`);
    const only = broken.variants[0];
    if (!only) throw new Error('no variant');
    const urls = [only.playlist.initLocation ?? '', only.playlist.segments[0]?.location ?? ''];
    const result = await appendAll(page, `video/mp4; codecs="${only.variant.codecs}"`, urls);
    expect(result.appended).toBe(0);
    expect(result.errors.join('\n')).toMatch(/append failed/);
    expect(result.errors.join('\n')).toMatch(/video error 4/); // MEDIA_ERR_SRC_NOT_SUPPORTED
    await page.close();
  });

  it('fails on the broken truncated segment followed by the next one (fixtures/broken/truncated-segment)', async () => {
    const page = await blankPage();
    // checkMedia off: the scan itself would refuse the half segment, which this test feeds to MSE
    const broken = await scanHlsLadder(`${server.url}/broken/truncated-segment/master.m3u8`, {
      checkMedia: false,
    });
    const only = broken.variants[0];
    if (!only) throw new Error('no variant');
    const urls = [
      only.playlist.initLocation ?? '',
      ...only.playlist.segments.slice(0, 5).map((s) => s.location),
    ];
    const result = await appendAll(page, `video/mp4; codecs="${only.variant.codecs}"`, urls);
    // The half segment itself appends (MSE waits for the rest of its mdat); the next segment's bytes are then
    // read as that mdat's continuation and the append fails with a decode error.
    expect(result.appended).toBe(1 + BROKEN_SEGMENT_INDEX + 1);
    expect(result.errors[0]).toBe(`append failed for ${urls[BROKEN_SEGMENT_INDEX + 2]}`);
    expect(result.errors.join('\n')).toMatch(/video error 3/); // MEDIA_ERR_DECODE
    await page.close();
  });
});
