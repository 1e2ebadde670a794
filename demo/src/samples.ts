/**
 * Sample streams for the "Sample" picker: the bundled fixture's variants (the whole ladder shaped under a
 * few networks, one rendition's media playlist on its own) with settings that show something worth seeing.
 * Picking one sets the pickers and starts a session; every field stays editable afterwards.
 */

export interface Sample {
  readonly id: string;
  readonly label: string;
  /** A same-origin HLS URL played instead of the shaped fixture. */
  readonly url?: string;
  readonly algorithm?: string;
  /** A trace id of the server's catalog (demo/server/catalog.ts). */
  readonly trace?: string;
  readonly faults?: string;
  readonly bufferS?: number;
  /** Serve the fixture as a live stream. */
  readonly live?: boolean;
}

export const SAMPLES: readonly Sample[] = [
  {
    id: 'drop',
    label: 'Ladder 144p–480p, a drop to 400 kbps (throughput rule)',
    algorithm: 'throughput',
    trace: 'step-down',
    bufferS: 10,
  },
  {
    id: 'oscillation',
    label: 'Ladder 144p–480p, 3000/500 kbps every 8 s (bola, 20 s buffer)',
    algorithm: 'bola',
    trace: 'oscillation',
    bufferS: 20,
  },
  {
    id: 'cellular',
    label: 'Ladder 144p–480p, cellular with outages (scenario-mpc, 20 s buffer)',
    algorithm: 'scenario-mpc',
    trace: 'cellular-outages',
    bufferS: 20,
  },
  {
    id: 'faults',
    label: 'Ladder 144p–480p, 1500 kbps with 5% server errors and resets (bba, 20 s buffer)',
    algorithm: 'bba',
    trace: 'constant-1500',
    faults: '5xx=0.05,reset=0.03,pattern=/seg_/',
    bufferS: 20,
  },
  {
    id: 'live',
    label: 'Live: the ladder as a live stream, a drop to 400 kbps (l2a-ll, 6 s latency target)',
    algorithm: 'l2a-ll',
    trace: 'step-down',
    live: true,
  },
  {
    id: 'single-360p',
    label: 'The 360p rendition alone (a media playlist, unshaped)',
    url: '/fixtures/ladder/360p/index.m3u8',
  },
];
