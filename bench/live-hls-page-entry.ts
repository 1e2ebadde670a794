/**
 * The page script of `npm run bench:live` for hls.js's own live ABR (bundled with hls.js by vite):
 * `window.startHlsLive(src)` plays `src` in `<video id="v">` with hls.js 1.7's defaults (its ABR, its live
 * sync of three target durations, its catch-up off as by default) and records, in `window.hlsLive`, each
 * main fragment loaded (media sequence number, level, its bitrate), the latency twice a second as wall clock
 * minus `hls.playingDate` (EXT-X-PROGRAM-DATE-TIME at the playhead, the date abrkit's latency event uses),
 * and stalls (`waiting` after the first `playing`, until the next `playing`).
 */
import Hls from 'hls.js';

export interface HlsLiveRun {
  fragments: { sn: number; level: number; bitrateKbps: number; atMs: number }[];
  latency: { atMs: number; latencyMs: number; playbackRate: number }[];
  stalls: { startMs: number; endMs: number | null }[];
  firstPlayingMs: number | null;
  fatalErrors: string[];
}

declare global {
  interface Window {
    startHlsLive(src: string): void;
    hlsLive: HlsLiveRun;
  }
}

/** Starts hls.js with its defaults on `src`. */
export function startHlsLive(src: string): void {
  const video = document.getElementById('v') as HTMLVideoElement;
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const run: HlsLiveRun = { fragments: [], latency: [], stalls: [], firstPlayingMs: null, fatalErrors: [] };
  window.hlsLive = run;
  const hls = new Hls();
  hls.on(Hls.Events.FRAG_LOADED, (_e, { frag }) => {
    if (String(frag.type) !== 'main' || frag.sn === 'initSegment') return;
    const level = hls.levels[frag.level];
    run.fragments.push({
      sn: frag.sn,
      level: frag.level,
      bitrateKbps: level ? level.bitrate / 1000 : 0,
      atMs: now(),
    });
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) run.fatalErrors.push(`${data.type}: ${data.details}`);
  });
  video.addEventListener('playing', () => {
    run.firstPlayingMs ??= now();
    const open = run.stalls.at(-1);
    if (open && open.endMs === null) open.endMs = now();
  });
  video.addEventListener('waiting', () => {
    if (run.firstPlayingMs !== null) run.stalls.push({ startMs: now(), endMs: null });
  });
  setInterval(() => {
    const date = hls.playingDate;
    if (date === null || video.paused || video.readyState < 2) return;
    run.latency.push({
      atMs: now(),
      latencyMs: Date.now() - date.getTime(),
      playbackRate: video.playbackRate,
    });
  }, 500);
  hls.loadSource(src);
  hls.attachMedia(video);
  void video.play().catch(() => {});
}
