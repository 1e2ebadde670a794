/**
 * Makes the test media: a multi-rendition HLS VOD ladder of fMP4/CMAF segments from a synthetic, seeded
 * lavfi source (H.264 video renditions with aligned 2 s GOPs and 2 s segments, one AAC audio rendition in its
 * own group), a master playlist with BANDWIDTH/AVERAGE-BANDWIDTH measured from the files, and broken copies
 * for error tests. Needs ffmpeg (with libx264) on PATH, or FFMPEG_PATH.
 *
 *   npx tsx scripts/make-fixtures.ts            # fixtures/ladder (committed, ~40 s, 144p-480p) + fixtures/broken
 *   npx tsx scripts/make-fixtures.ts --large    # fixtures/large (gitignored, 200 s, 144p-1080p) for benchmarks
 *   npx tsx scripts/make-fixtures.ts --mpd-only # only (re)write manifest.mpd over the segments already there
 *   options: --out <dir> (instead of the default folder), --duration <s>
 *
 * Deterministic: the same ffmpeg build writes the same bytes every run (see scripts/media-fixtures/encode.ts).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBrokenFixtures } from './media-fixtures/broken.js';
import { writeDashManifest } from './media-fixtures/dash.js';
import { encodeAudioRendition, encodeVideoRendition, FRAME_RATE } from './media-fixtures/encode.js';
import type { VideoRenditionSpec } from './media-fixtures/encode.js';
import { writeMasterPlaylist } from './media-fixtures/master.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');

const SMALL_LADDER: readonly VideoRenditionSpec[] = [
  { name: '144p', widthPx: 256, heightPx: 144, profile: 'main', crf: 28, maxrateKbps: 120 },
  { name: '240p', widthPx: 426, heightPx: 240, profile: 'main', crf: 28, maxrateKbps: 240 },
  { name: '360p', widthPx: 640, heightPx: 360, profile: 'main', crf: 28, maxrateKbps: 450 },
  { name: '480p', widthPx: 854, heightPx: 480, profile: 'high', crf: 28, maxrateKbps: 750 },
];

const LARGE_LADDER: readonly VideoRenditionSpec[] = [
  ...SMALL_LADDER,
  { name: '720p', widthPx: 1280, heightPx: 720, profile: 'high', crf: 26, maxrateKbps: 2500 },
  { name: '1080p', widthPx: 1920, heightPx: 1080, profile: 'high', crf: 26, maxrateKbps: 4500 },
];

const AUDIO_BITRATE_KBPS = 64;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      large: { type: 'boolean', default: false },
      out: { type: 'string' },
      duration: { type: 'string' },
      'mpd-only': { type: 'boolean', default: false },
    },
  });
  const large = values.large ?? false;
  const ladder = large ? LARGE_LADDER : SMALL_LADDER;
  const durationS = values.duration === undefined ? (large ? 200 : 40) : Number(values.duration);
  if (!(durationS > 0))
    throw new Error(`--duration must be a positive number of seconds, got ${values.duration}`);
  const out = resolve(values.out ?? join(REPO_ROOT, 'fixtures', large ? 'large' : 'ladder'));
  const top = ladder[ladder.length - 1] as VideoRenditionSpec;
  const source = { durationS, widthPx: top.widthPx, heightPx: top.heightPx };
  const names = ladder.map((s) => s.name);
  if (values['mpd-only'] ?? false) {
    await writeAndLogDash(out, names);
    return;
  }

  await rm(out, { recursive: true, force: true });
  const startedMs = Date.now();
  for (const spec of ladder) {
    console.log(`encoding ${spec.name} (${spec.widthPx}x${spec.heightPx}, ${durationS} s)...`);
    await encodeVideoRendition(join(out, spec.name), source, spec);
  }
  console.log('encoding audio...');
  await encodeAudioRendition(join(out, 'audio'), durationS, AUDIO_BITRATE_KBPS);
  const variants = await writeMasterPlaylist(
    out,
    ladder.map((s) => s.name),
    FRAME_RATE,
  );
  for (const v of variants) {
    console.log(
      `  ${v.uri}: BANDWIDTH=${v.bandwidthBps} AVERAGE-BANDWIDTH=${v.averageBandwidthBps} CODECS=${v.codecs}`,
    );
  }
  await writeAndLogDash(out, names);
  if (!large && values.out === undefined) {
    const lowest = variants[0];
    if (!lowest) throw new Error('no variants written');
    await writeBrokenFixtures(out, join(REPO_ROOT, 'fixtures', 'broken'), lowest);
    console.log('wrote fixtures/broken/');
  }
  const totalBytes = await folderBytes(out);
  console.log(
    `wrote ${out}: ${(totalBytes / 1e6).toFixed(2)} MB in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
  );
}

/** The DASH MPD over the same segments (scripts/media-fixtures/dash.ts). */
async function writeAndLogDash(out: string, names: readonly string[]): Promise<void> {
  for (const r of await writeDashManifest(out, names, FRAME_RATE)) {
    console.log(`  manifest.mpd ${r.id}: bandwidth=${r.bandwidthBps} codecs=${r.codecs}`);
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await folderBytes(path) : (await stat(path)).size;
  }
  return total;
}

await main();
