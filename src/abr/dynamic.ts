/**
 * DYNAMIC: BOLA with a throughput rule at low buffer, from Spiteri, Sitaraman, Sparacio, "From Theory to
 * Practice: Improving Bitrate Adaptation in the DASH Reference Player", ACM MMSys 2018, as Sabre codes it
 * (UMass-LIDS/sabre, src/sabre.py, classes Dynamic and DynamicDash). Two registered algorithms:
 *
 * `dynamic` (Sabre `-a dynamic`): BOLA (./bola.ts) and the throughput rule (./throughput.ts) are BOTH asked at
 * every decision (so both update their state: BOLA's previous pick, the throughput rule's insufficient-buffer
 * safety). Starting on throughput, it switches to BOLA when `level > switchBufferMs && bola >= throughput`,
 * and back when `level < switchBufferMs && bola < throughput` (10 s in Sabre); the active rule's decision
 * (rendition and delay) is returned. Abandonment is always the throughput rule's (Sabre disables BOLA's
 * there with `if False`); downloads and idle time go to both.
 *
 * `dynamic-dash` (Sabre `-a dynamicdash`): BOLA-E (./bola-e.ts) and the throughput rule with hysteresis on the
 * buffer level alone: to BOLA-E when `level > highBufferMs`, back to throughput when `level < lowBufferMs`;
 * only the active rule is asked (so BOLA-E starts up the first time it becomes active), abandonment is the
 * active rule's, downloads and idle time go to both. Presets: `sabre` (default, as coded in sabre.py:
 * low 5 s, high 10 s; the paper-derived formula there is overwritten by these constants) and `dashjs`
 * (dash.js's `hybridSwitchBufferTime`: BOLA from 12 s, back below 6 s). Explicit `lowBufferMs` /
 * `highBufferMs` override the preset.
 *
 * What the session must provide to reproduce Sabre: as for ./bola.ts and ./bola-e.ts (segment 0 at index 0
 * with no choose state change, `onIdle` for waits for buffer room only, `onDownloaded` with the level after
 * the download, `choose` again after an abandonment, `ctx.bufferLevelMs` after the wait for buffer room).
 */
import type { DownloadProgress, DownloadSample } from '../core/types.js';
import type {
  AbrAlgorithm,
  AbrAlgorithmCore,
  AbrAlgorithmDocs,
  AbrContext,
  AbrDecision,
  AbrOptionCore,
  AbrOptions,
} from './types.js';
import { bool, num, resolveOptions, str } from './options.js';
import { beforeFirstSample } from './sabre-common.js';
import { Bola, GAMMA_P_DOC, GAMMA_P_OPTION } from './bola.js';
import { BolaE } from './bola-e.js';
import { THROUGHPUT_DEFAULTS, ThroughputRule } from './throughput.js';

/** Buffer thresholds of `dynamic-dash` by preset. */
export const DYNAMIC_DASH_PRESETS = {
  /** As coded in sabre.py's DynamicDash. */
  sabre: { lowBufferMs: 5000, highBufferMs: 10000 },
  /** dash.js `hybridSwitchBufferTime`: BOLA at >= 12 s, throughput again below 6 s. */
  dashjs: { lowBufferMs: 6000, highBufferMs: 12000 },
} as const;

const IBR_OPTION: AbrOptionCore = {
  name: 'insufficientBufferRule',
  type: 'boolean',
  default: true,
};

const DYNAMIC_OPTIONS: readonly AbrOptionCore[] = [
  {
    name: 'switchBufferMs',
    type: 'number',
    default: 10000,
    min: 0,
  },
  GAMMA_P_OPTION,
  {
    name: 'basic',
    type: 'boolean',
    default: false,
  },
  IBR_OPTION,
];

const DYNAMIC_DASH_OPTIONS: readonly AbrOptionCore[] = [
  {
    name: 'preset',
    type: 'string',
    default: 'sabre',
    choices: Object.keys(DYNAMIC_DASH_PRESETS),
  },
  {
    name: 'lowBufferMs',
    type: 'number',
    default: DYNAMIC_DASH_PRESETS.sabre.lowBufferMs,
    min: 0,
  },
  {
    name: 'highBufferMs',
    type: 'number',
    default: DYNAMIC_DASH_PRESETS.sabre.highBufferMs,
    min: 0,
  },
  IBR_OPTION,
];

function throughputRule(insufficientBufferRule: boolean): ThroughputRule {
  return new ThroughputRule({ ...THROUGHPUT_DEFAULTS, insufficientBufferRule, abandonment: true });
}

/** Sabre's Dynamic: BOLA above / throughput below a buffer switch point. */
export class Dynamic implements AbrAlgorithm {
  readonly name = 'dynamic';
  private isBola = false;

  constructor(
    private readonly bola: Bola,
    private readonly tput: ThroughputRule,
    private readonly switchBufferMs: number,
  ) {}

  /** True while BOLA is the active rule. */
  get usingBola(): boolean {
    return this.isBola;
  }

  choose(ctx: AbrContext): AbrDecision {
    if (beforeFirstSample(ctx)) {
      // Sabre's get_first_quality: lets BOLA note the seek point without deciding anything
      this.bola.pick(ctx);
      return { renditionIndex: 0, reason: 'first segment: lowest rendition' };
    }
    const level = ctx.bufferLevelMs;
    // both rules decide (their state moves), only the active one's reason is built
    const b = this.bola.pick(ctx);
    const t = this.tput.pick(ctx);
    if (this.isBola) {
      if (level < this.switchBufferMs && b < t) this.isBola = false;
    } else if (level > this.switchBufferMs && b >= t) {
      this.isBola = true;
    }
    if (!this.isBola) return { renditionIndex: t, reason: `throughput: ${this.tput.pickReason()}` };
    const delayMs = this.bola.pickDelayMs;
    const reason = `BOLA: ${this.bola.pickReason()}`;
    return delayMs > 0 ? { renditionIndex: b, delayMs, reason } : { renditionIndex: b, reason };
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    return this.tput.shouldAbandon(progress, ctx);
  }

  abandonQuietUntilMs(progress: DownloadProgress, ctx: AbrContext): number {
    return this.tput.abandonQuietUntilMs(progress, ctx);
  }

  abandonQuietOnPaceMs(progress: DownloadProgress, ctx: AbrContext): number {
    return this.tput.abandonQuietOnPaceMs(progress, ctx);
  }

  reset(): void {
    this.isBola = false;
    this.bola.reset();
    this.tput.reset();
  }
}

/** Sabre's DynamicDash: BOLA-E and throughput with buffer hysteresis. */
export class DynamicDash implements AbrAlgorithm {
  readonly name = 'dynamic-dash';
  private isBola = false;

  constructor(
    private readonly bola: BolaE,
    private readonly tput: ThroughputRule,
    readonly lowBufferMs: number,
    readonly highBufferMs: number,
  ) {}

  /** True while BOLA-E is the active rule. */
  get usingBola(): boolean {
    return this.isBola;
  }

  choose(ctx: AbrContext): AbrDecision {
    if (beforeFirstSample(ctx)) return { renditionIndex: 0, reason: 'first segment: lowest rendition' };
    const level = ctx.bufferLevelMs;
    if (this.isBola && level < this.lowBufferMs) this.isBola = false;
    else if (!this.isBola && level > this.highBufferMs) this.isBola = true;
    const d = this.isBola ? this.bola.choose(ctx) : this.tput.choose(ctx);
    // BOLA-E learns the rendition in flight from its own choose(); tell it when the throughput rule chose
    if (!this.isBola) this.bola.noteChosen(d.renditionIndex);
    return { ...d, reason: `${this.isBola ? 'BOLA-E' : 'throughput'}: ${d.reason}` };
  }

  shouldAbandon(progress: DownloadProgress, ctx: AbrContext): number | null {
    if (this.isBola) return this.bola.shouldAbandon(progress, ctx);
    const to = this.tput.shouldAbandon(progress, ctx);
    if (to !== null) this.bola.noteAbandoned(progress.renditionIndex, to);
    return to;
  }

  /** The active rule's bound. */
  abandonQuietUntilMs(progress: DownloadProgress, ctx: AbrContext): number {
    return this.isBola
      ? this.bola.abandonQuietUntilMs(progress, ctx)
      : this.tput.abandonQuietUntilMs(progress, ctx);
  }

  /** The throughput rule's pace, while it is active. */
  abandonQuietOnPaceMs(progress: DownloadProgress, ctx: AbrContext): number {
    return this.isBola ? Number.NaN : this.tput.abandonQuietOnPaceMs(progress, ctx);
  }

  onDownloaded(sample: DownloadSample, ctx: AbrContext): void {
    this.bola.onDownloaded(sample, ctx);
  }

  onIdle(durationMs: number): void {
    this.bola.onIdle(durationMs);
  }

  reset(): void {
    this.isBola = false;
    this.bola.reset();
    this.tput.reset();
  }
}

/** Creates Sabre's `dynamic`; options as in {@link dynamicInfo}. */
export function createDynamic(options?: AbrOptions): Dynamic {
  const o = resolveOptions('dynamic', DYNAMIC_OPTIONS, options);
  const bola = new Bola({ gammaP: num(o, 'gammaP'), basic: bool(o, 'basic'), oscillationGuard: false });
  return new Dynamic(bola, throughputRule(bool(o, 'insufficientBufferRule')), num(o, 'switchBufferMs'));
}

/** Creates Sabre's `dynamicdash`; options as in {@link dynamicDashInfo}. */
export function createDynamicDash(options?: AbrOptions): DynamicDash {
  const o = resolveOptions('dynamic-dash', DYNAMIC_DASH_OPTIONS, options);
  const preset = DYNAMIC_DASH_PRESETS[str(o, 'preset') as keyof typeof DYNAMIC_DASH_PRESETS];
  const low = options?.lowBufferMs !== undefined ? num(o, 'lowBufferMs') : preset.lowBufferMs;
  const high = options?.highBufferMs !== undefined ? num(o, 'highBufferMs') : preset.highBufferMs;
  const ibr = bool(o, 'insufficientBufferRule');
  const bolaE = new BolaE({
    insufficientBufferRule: ibr,
    gammaP: GAMMA_P_OPTION.default as number,
    oscillationGuard: false,
    minimumBufferMs: 10000,
    minimumBufferPerLevelMs: 2000,
  });
  return new DynamicDash(bolaE, throughputRule(ibr), low, high);
}

const CITATION =
  'Spiteri, Sitaraman, Sparacio, "From Theory to Practice: Improving Bitrate Adaptation in the DASH Reference Player", ACM MMSys 2018 (Sabre Dynamic / DynamicDash)';

/** Runtime part (the player bundles this); the registry joins it with {@link dynamicDocs}. */
export const dynamicInfo: AbrAlgorithmCore = {
  name: 'dynamic',
  options: DYNAMIC_OPTIONS,
  create: createDynamic,
};

/** What `abrkit algos`, the demo and docs show for dynamic: not bundled by the player. */
export const dynamicDocs: AbrAlgorithmDocs = {
  description:
    "Sabre's DYNAMIC: BOLA above a 10 s buffer, the throughput rule below, handing over when they disagree.",
  citation: CITATION,
  options: {
    switchBufferMs: 'Buffer level around which BOLA and the throughput rule hand over (Sabre 10 s).',
    gammaP: GAMMA_P_DOC,
    basic: 'Inner BOLA as BOLA-BASIC (Sabre -ab).',
    insufficientBufferRule: "Sabre's insufficient-buffer rule in both inner rules (off = Sabre -noibr).",
  },
};

/** Runtime part (the player bundles this); the registry joins it with {@link dynamicDashDocs}. */
export const dynamicDashInfo: AbrAlgorithmCore = {
  name: 'dynamic-dash',
  options: DYNAMIC_DASH_OPTIONS,
  create: createDynamicDash,
};

/** What `abrkit algos`, the demo and docs show for dynamic-dash: not bundled by the player. */
export const dynamicDashDocs: AbrAlgorithmDocs = {
  description:
    "Sabre's DYNAMIC for dash.js: BOLA-E above 10 s of buffer, the throughput rule below 5 s (preset 'dashjs': 12 s / 6 s).",
  citation: CITATION,
  options: {
    preset: "Switch thresholds: 'sabre' (5 s / 10 s, as sabre.py) or 'dashjs' (6 s / 12 s).",
    lowBufferMs: 'Back to the throughput rule below this buffer level (overrides the preset).',
    highBufferMs: 'To BOLA-E above this buffer level (overrides the preset).',
    insufficientBufferRule: "Sabre's insufficient-buffer rule in both inner rules (off = Sabre -noibr).",
  },
};
