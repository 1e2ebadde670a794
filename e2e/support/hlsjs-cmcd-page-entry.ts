/**
 * The page script of the CMCD e2e test's hls.js case: `window.startHlsCmcd(src, cmcd)` plays `src` with hls.js,
 * abrkit's BOLA as its `abrController` and `hlsCmcdConfig(cmcd)` as its CMCD config, and records after each main
 * fragment `hls.bandwidthEstimate` (abrkit's estimator) in `window.hlsCmcdRun`.
 */
import Hls from 'hls.js';
import type { CmcdOptions } from '../../src/core/cmcd-options.js';
import { createHlsAbrController, hlsCmcdConfig } from '../../src/hlsjs/index.js';

export interface HlsCmcdRun {
  /** Per main media fragment loaded: its sequence number and `hls.bandwidthEstimate` just after, bps. */
  estimates: { sn: number; bandwidthBps: number }[];
  fatalErrors: string[];
}

declare global {
  interface Window {
    startHlsCmcd(src: string, cmcd: CmcdOptions): void;
    hlsCmcdRun: HlsCmcdRun;
  }
}

export function startHlsCmcd(src: string, cmcd: CmcdOptions): void {
  const video = document.getElementById('v') as HTMLVideoElement;
  const run: HlsCmcdRun = { estimates: [], fatalErrors: [] };
  window.hlsCmcdRun = run;
  const hls = new Hls({
    abrController: createHlsAbrController('bola'),
    cmcd: hlsCmcdConfig(cmcd),
    maxBufferLength: 6,
    maxMaxBufferLength: 6,
  });
  hls.on(Hls.Events.FRAG_LOADED, (_e, { frag }) => {
    if (String(frag.type) !== 'main' || frag.sn === 'initSegment') return;
    run.estimates.push({ sn: frag.sn, bandwidthBps: hls.bandwidthEstimate });
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) run.fatalErrors.push(`${data.type}: ${data.details}`);
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  void video.play().catch(() => {});
}
