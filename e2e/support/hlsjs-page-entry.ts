/**
 * The page script of the hls.js adapter e2e test (bundled with hls.js by vite): `window.startHls(src, algorithm)`
 * plays `src` in `<video id="v">` with hls.js and an abrkit algorithm as its `abrController`, and records
 * decisions, samples, emergency switches, fragments, errors and `hls.bandwidthEstimate` in `window.run`.
 */
import Hls from 'hls.js';
import { createHlsAbrController, type HlsAbrAbandon, type HlsAbrDecision } from '../../src/hlsjs/index.js';

export interface HlsRun {
  decisions: HlsAbrDecision[];
  abandons: HlsAbrAbandon[];
  /** Main fragments loaded: `sn@level`, with the time and bytes. */
  fragments: { sn: number; level: number; atMs: number; bytes: number; bandwidthBps: number }[];
  /** Throughput of each sample (kbps) and the estimate after it (kbps). */
  samples: { segmentIndex: number; sampleKbps: number; estimateKbps: number; atMs: number }[];
  fatalErrors: string[];
  ended: boolean;
  algorithm: string;
}

declare global {
  interface Window {
    startHls(src: string, algorithm: string, bufferS: number): void;
    run: HlsRun;
    hls: Hls;
  }
}

/** Starts a session (the page assigns it to `window.startHls`). */
export function startHls(src: string, algorithm: string, bufferS: number): void {
  const video = document.getElementById('v') as HTMLVideoElement;
  const t0 = performance.now();
  const run: HlsRun = {
    decisions: [],
    abandons: [],
    fragments: [],
    samples: [],
    fatalErrors: [],
    ended: false,
    algorithm,
  };
  window.run = run;
  const Abr = createHlsAbrController(algorithm);
  Abr.events.on('decision', (d) => run.decisions.push(d));
  Abr.events.on('abandon', (a) => run.abandons.push(a));
  Abr.events.on('sample', (s) => {
    const transferMs = s.sample.endMs - s.sample.firstByteMs;
    run.samples.push({
      segmentIndex: s.segmentIndex,
      sampleKbps: transferMs > 0 ? (s.sample.sizeBytes * 8) / transferMs : Infinity,
      estimateKbps: s.throughputKbps,
      atMs: performance.now() - t0,
    });
  });
  const hls = new Hls({ abrController: Abr, maxBufferLength: bufferS, maxMaxBufferLength: bufferS });
  window.hls = hls;
  hls.on(Hls.Events.FRAG_LOADED, (_e, { frag }) => {
    if (String(frag.type) !== 'main' || frag.sn === 'initSegment') return;
    run.fragments.push({
      sn: frag.sn,
      level: frag.level,
      atMs: performance.now() - t0,
      bytes: frag.stats.loaded,
      bandwidthBps: hls.bandwidthEstimate,
    });
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) run.fatalErrors.push(`${data.type}: ${data.details}`);
  });
  video.addEventListener('ended', () => {
    run.ended = true;
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  void video.play().catch(() => {});
}
