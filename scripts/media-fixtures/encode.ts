/**
 * ffmpeg invocations for the fixture ladder: one run per rendition into its own folder, each an HLS VOD media
 * playlist of fMP4 (CMAF) segments. Everything that could vary between runs is pinned (bitexact muxing, no
 * metadata, single-threaded x264, seeded noise), so the same ffmpeg build writes the same bytes every run.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

export const FRAME_RATE = 30;
export const SEGMENT_DURATION_S = 2;
/** Content repeats every 40 s: calm (static grey) and busy (noise) passages make segment sizes vary (VBR). */
const PATTERN_PERIOD_S = 40;

export interface VideoRenditionSpec {
  /** Folder name, also the NAME in logs: `144p`. */
  readonly name: string;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly profile: 'baseline' | 'main' | 'high';
  /** x264 constant rate factor, capped by `maxrateKbps` over a `2 * maxrateKbps` VBV buffer. */
  readonly crf: number;
  readonly maxrateKbps: number;
}

export interface SourceSpec {
  readonly durationS: number;
  /** Size the synthetic source is drawn at (the top rendition's size); lower renditions scale it down. */
  readonly widthPx: number;
  readonly heightPx: number;
}

/** The synthetic lavfi source: testsrc2 with a calm passage (mostly static grey, cheap) every period. */
export function sourceFilter(source: SourceSpec): string {
  return [
    `testsrc2=size=${source.widthPx}x${source.heightPx}:rate=${FRAME_RATE}:duration=${source.durationS}`,
    // Inside '...' the filtergraph parser keeps the expression's commas literal.
    `drawbox=x=0:y=0:w=iw:h=ih*3/4:color=gray:t=fill:enable='between(mod(t,${PATTERN_PERIOD_S}),20,24)'`,
  ].join(',');
}

/**
 * Per rendition: scale, then busy passages of seeded temporal noise (expensive) added at the rendition's own
 * size, so that every rendition, not only the top one, has segments well above its average.
 */
export function renditionFilter(spec: VideoRenditionSpec): string {
  const t = `mod(t,${PATTERN_PERIOD_S})`;
  return [
    `scale=${spec.widthPx}:${spec.heightPx}:flags=bicubic`,
    `noise=alls=30:allf=t+u:all_seed=42:enable='between(${t},10,16)+between(${t},28,32)'`,
  ].join(',');
}

// prettier-ignore
const HLS_OUTPUT = [
  '-fflags', '+bitexact',
  '-map_metadata', '-1',
  '-f', 'hls',
  '-hls_time', String(SEGMENT_DURATION_S),
  '-hls_segment_type', 'fmp4',
  '-hls_playlist_type', 'vod',
  '-hls_fmp4_init_filename', 'init.mp4',
  '-hls_segment_filename', 'seg_%05d.m4s',
  'index.m3u8',
];

/** Encodes one H.264 rendition into `dir` (init.mp4, seg_NNNNN.m4s, index.m3u8). */
export async function encodeVideoRendition(
  dir: string,
  source: SourceSpec,
  spec: VideoRenditionSpec,
): Promise<void> {
  const gop = String(FRAME_RATE * SEGMENT_DURATION_S);
  // prettier-ignore
  await runFfmpeg(dir, [
    '-f', 'lavfi', '-i', sourceFilter(source),
    '-filter_threads', '1',
    '-vf', renditionFilter(spec),
    '-an',
    '-c:v', 'libx264', '-threads', '1', '-preset', 'veryfast', '-profile:v', spec.profile, '-pix_fmt', 'yuv420p',
    '-crf', String(spec.crf), '-maxrate', `${spec.maxrateKbps}k`, '-bufsize', `${2 * spec.maxrateKbps}k`,
    // Fixed, aligned GOPs: a keyframe exactly every segment, no scene-cut keyframes, no B-frames.
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-bf', '0',
    '-flags:v', '+bitexact',
    ...HLS_OUTPUT,
  ]);
}

/** Encodes the AAC-LC stereo audio rendition (a beeping 440 Hz sine) into `dir`. */
export async function encodeAudioRendition(
  dir: string,
  durationS: number,
  bitrateKbps: number,
): Promise<void> {
  // prettier-ignore
  await runFfmpeg(dir, [
    '-f', 'lavfi', '-i', `sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${durationS}`,
    '-vn',
    '-c:a', 'aac', '-b:a', `${bitrateKbps}k`, '-ac', '2',
    '-flags:a', '+bitexact',
    ...HLS_OUTPUT,
  ]);
}

/** Runs ffmpeg with `cwd` = `dir` (created first), so the playlist's URIs are plain relative file names. */
export async function runFfmpeg(dir: string, args: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg';
  const full = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args];
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(ffmpeg, full, { cwd: dir, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (e) =>
      reject(new Error(`cannot run ${ffmpeg}: ${e.message} (install ffmpeg or set FFMPEG_PATH)`)),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${ffmpeg} exited with ${code} in ${dir}:\n${stderr}\nargs: ${full.join(' ')}`));
    });
  });
}
