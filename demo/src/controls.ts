/**
 * The pickers: algorithm (every registered online algorithm, with its options as fields built from the
 * registry's option specs), trace (the server's, plus an uploaded file parsed here with abrkit's readers),
 * faults and buffer target. Reading them gives plain settings; main.ts restarts the session on changes.
 */
import { DEFAULT_ALGORITHM, estimatorNames, listAlgorithms, parseTrace } from 'abrkit';
import type { AbrAlgorithmInfo, AbrOptionSpec, AbrOptions, NetworkTrace, Rendition } from 'abrkit';
import type { DemoConfig, FixtureInfo } from './api.js';
import type { SharedSettings } from './share.js';
import { renditionLabel } from './steering.js';

/** The fields an error can be shown next to (each has a `[data-error-for]` line under it). */
export type FieldName =
  | 'algorithm-options'
  | 'trace'
  | 'trace-file'
  | 'faults'
  | 'buffer-target'
  | 'latency-target'
  | 'live-faults'
  | 'start-estimate'
  | 'hls-url'
  | 'load-session';

/** A setting that cannot be used, with the field it belongs to. */
export class FieldError extends Error {
  constructor(
    readonly field: FieldName,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

/** Buffer targets the page accepts, s (the input's min and max). */
export const BUFFER_TARGET_RANGE_S = [2, 120] as const;
export const DEFAULT_BUFFER_TARGET_S = 10;
export const DEFAULT_START_ESTIMATE_KBPS = 500;
export const DEFAULT_ESTIMATOR = 'ewma';
/** Live latency targets the page accepts, s (the input's min and max). */
export const LATENCY_TARGET_RANGE_S = [1, 30] as const;
/** Three target durations of the fixture's 2 s segments, as hls.js's `liveSyncDurationCount: 3`. */
export const DEFAULT_LATENCY_TARGET_S = 6;
/** The algorithm picked when live is switched on: made for a buffer bounded by a latency target. */
export const LIVE_ALGORITHM = 'l2a-ll';

/** Every registered algorithm the player can run (the offline optimum needs the whole trace: simulator only). */
export function onlineAlgorithms(): AbrAlgorithmInfo[] {
  return listAlgorithms().filter((info) => !info.offline);
}

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`demo page: missing element #${id}`);
  return found as T;
}

/** A trace choice: one the server knows by id, or one uploaded / loaded from a recording. */
export type TraceChoice =
  | { readonly kind: 'server'; readonly id: string; readonly name: string }
  | { readonly kind: 'inline'; readonly trace: NetworkTrace };

const UPLOADED_PREFIX = 'uploaded:';

export class Controls {
  readonly form = el<HTMLFormElement>('controls');
  readonly fixture = el<HTMLSelectElement>('fixture');
  readonly algorithm = el<HTMLSelectElement>('algorithm');
  readonly algorithmDescription = el<HTMLParagraphElement>('algorithm-description');
  readonly optionsBox = el<HTMLFieldSetElement>('algorithm-options');
  readonly trace = el<HTMLSelectElement>('trace');
  readonly traceDescription = el<HTMLParagraphElement>('trace-description');
  readonly traceFile = el<HTMLInputElement>('trace-file');
  readonly faults = el<HTMLInputElement>('faults');
  readonly faultExamples = el<HTMLDataListElement>('fault-examples');
  readonly bufferTarget = el<HTMLInputElement>('buffer-target');
  readonly hlsUrl = el<HTMLInputElement>('hls-url');
  readonly playUrl = el<HTMLButtonElement>('play-url');
  readonly exportButton = el<HTMLButtonElement>('export');
  readonly loadSession = el<HTMLInputElement>('load-session');
  readonly compareButton = el<HTMLButtonElement>('compare');
  readonly sample = el<HTMLSelectElement>('sample');
  readonly estimator = el<HTMLSelectElement>('estimator');
  readonly startEstimate = el<HTMLInputElement>('start-estimate');
  readonly rendition = el<HTMLSelectElement>('rendition');
  readonly cap = el<HTMLSelectElement>('cap');
  readonly shareLink = el<HTMLInputElement>('share-link');
  readonly copyLink = el<HTMLButtonElement>('copy-link');
  readonly algorithmWarning = el<HTMLDivElement>('algorithm-warning');
  readonly algorithmWarningText = el<HTMLParagraphElement>('algorithm-warning-text');
  readonly algorithmFix = el<HTMLButtonElement>('algorithm-fix');
  readonly live = el<HTMLInputElement>('live');
  readonly latencyTarget = el<HTMLInputElement>('latency-target');
  readonly shapeUrl = el<HTMLInputElement>('shape-url');
  readonly liveFaults = el<HTMLInputElement>('live-faults');

  private readonly algorithms = onlineAlgorithms();
  private readonly uploaded = new Map<string, NetworkTrace>();
  private config: DemoConfig | null = null;

  constructor() {
    for (const info of this.algorithms) {
      this.algorithm.add(new Option(info.name, info.name, false, info.name === DEFAULT_ALGORITHM));
    }
    this.algorithm.addEventListener('change', () => this.renderOptions());
    this.trace.addEventListener('change', () => this.describeTrace());
    for (const name of estimatorNames()) {
      this.estimator.add(new Option(name, name, false, name === DEFAULT_ESTIMATOR));
    }
    this.renderOptions();
  }

  /** Shows `message` under `field` (null clears it), marking the field invalid. */
  setFieldError(field: FieldName, message: string | null): void {
    const line = this.form.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
    if (line) {
      line.textContent = message ?? '';
      line.hidden = message === null;
    }
    const input = document.getElementById(field);
    if (input) {
      if (message === null) input.removeAttribute('aria-invalid');
      else input.setAttribute('aria-invalid', 'true');
    }
  }

  clearFieldErrors(): void {
    for (const line of this.form.querySelectorAll<HTMLElement>('[data-error-for]')) {
      this.setFieldError(line.dataset.errorFor as FieldName, null);
    }
    for (const input of this.optionsBox.querySelectorAll('[aria-invalid]'))
      input.removeAttribute('aria-invalid');
  }

  /** The visible field errors, by field (for the test hook). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of this.form.querySelectorAll<HTMLElement>('[data-error-for]')) {
      if (!line.hidden) out[line.dataset.errorFor ?? ''] = line.textContent ?? '';
    }
    return out;
  }

  /** Marks the option field an algorithm error names (`bba: reservoirMs must be ...`), if any. */
  markOptionError(message: string): void {
    for (const spec of this.algorithmInfo.options) {
      if (!message.includes(spec.name)) continue;
      this.optionsBox.querySelector(`[data-option="${spec.name}"]`)?.setAttribute('aria-invalid', 'true');
    }
    this.setFieldError('algorithm-options', message);
  }

  /** Fills the rendition and cap pickers from the loaded ladder, keeping their choice when it still exists. */
  setRenditions(renditions: readonly Rendition[]): void {
    for (const [select, none] of [
      [this.rendition, 'Auto'],
      [this.cap, 'No cap'],
    ] as const) {
      const keep = select.value;
      select.replaceChildren(
        new Option(none, ''),
        ...renditions.map((r) => new Option(renditionLabel(r), String(r.index))),
      );
      select.value = [...select.options].some((o) => o.value === keep) ? keep : '';
    }
  }

  /** The manual rendition index, or null for Auto. */
  manualRendition(): number | null {
    return this.rendition.value === '' ? null : Number(this.rendition.value);
  }

  /** The cap's rendition index, or null for none. */
  capRendition(): number | null {
    return this.cap.value === '' ? null : Number(this.cap.value);
  }

  estimatorName(): string {
    return this.estimator.value || DEFAULT_ESTIMATOR;
  }

  /** The start estimate, kbps; a bad value throws a {@link FieldError}. */
  startEstimateKbps(): number {
    const kbps = Number(this.startEstimate.value);
    if (this.startEstimate.value.trim() === '' || !Number.isFinite(kbps) || kbps <= 0)
      throw new FieldError(
        'start-estimate',
        `The start estimate must be a number of kbps above 0 (got '${this.startEstimate.value}').`,
      );
    return kbps;
  }

  /** The option fields as typed, only those that differ from the defaults (for the link). */
  typedOptions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const spec of this.algorithmInfo.options) {
      const input = this.optionsBox.querySelector<HTMLInputElement | HTMLSelectElement>(
        `[data-option="${spec.name}"]`,
      );
      if (!input) continue;
      const value =
        input instanceof HTMLInputElement && input.type === 'checkbox' ? String(input.checked) : input.value;
      if (value !== String(spec.default)) out[spec.name] = value;
    }
    return out;
  }

  /** The settings as the page's link carries them (see share.ts). */
  sharedSettings(source: { url: string | null; shaped: boolean }): SharedSettings {
    const trace = this.traceChoice();
    const bufferS = this.bufferTarget.value;
    const startKbps = this.startEstimate.value;
    return {
      ...(source.url !== null
        ? { url: source.url, ...(source.shaped ? { shape: '1' } : {}) }
        : { fixture: this.fixture.value }),
      algorithm: this.algorithm.value,
      options: this.typedOptions(),
      ...(trace?.kind === 'server' ? { trace: trace.id } : {}),
      ...(this.faults.value.trim() !== '' ? { faults: this.faults.value.trim() } : {}),
      ...(bufferS !== String(DEFAULT_BUFFER_TARGET_S) ? { bufferS } : {}),
      ...(this.estimatorName() !== DEFAULT_ESTIMATOR ? { estimator: this.estimatorName() } : {}),
      ...(startKbps !== String(DEFAULT_START_ESTIMATE_KBPS) ? { startKbps } : {}),
      ...(this.cap.value !== '' ? { cap: this.cap.value } : {}),
      ...(this.rendition.value !== '' ? { pick: this.rendition.value } : {}),
      ...(this.live.checked && (source.url === null || source.shaped) ? { live: '1' } : {}),
      ...(this.live.checked && this.latencyTarget.value !== String(DEFAULT_LATENCY_TARGET_S)
        ? { latencyS: this.latencyTarget.value }
        : {}),
      ...(this.live.checked && this.liveFaults.value.trim() !== ''
        ? { liveFaults: this.liveFaults.value.trim() }
        : {}),
    };
  }

  /**
   * Sets the fields from a link's settings (call after `setConfig`). Unknown algorithm, trace or estimator
   * names are reported as errors and left at the default; values are checked when the session starts.
   * Returns the problems found.
   */
  applyShared(shared: SharedSettings): string[] {
    const problems: string[] = [];
    const pick = (select: HTMLSelectElement, value: string | undefined, what: string): void => {
      if (value === undefined) return;
      if ([...select.options].some((o) => o.value === value)) select.value = value;
      else problems.push(`the link's ${what} '${value}' is not offered here`);
    };
    pick(this.fixture, shared.fixture, 'video');
    if (shared.algorithm !== undefined) {
      if (this.algorithms.some((a) => a.name === shared.algorithm)) {
        this.algorithm.value = shared.algorithm;
        this.renderOptions();
      } else problems.push(`the link's algorithm '${shared.algorithm}' is not offered here`);
    }
    for (const [name, value] of Object.entries(shared.options)) {
      const input = this.optionsBox.querySelector<HTMLInputElement | HTMLSelectElement>(
        `[data-option="${name}"]`,
      );
      if (!input) {
        problems.push(`${this.algorithm.value} has no option '${name}'`);
        continue;
      }
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === 'true';
      else input.value = value;
    }
    pick(this.trace, shared.trace, 'trace');
    this.describeTrace();
    if (shared.faults !== undefined) this.faults.value = shared.faults;
    if (shared.bufferS !== undefined) this.bufferTarget.value = shared.bufferS;
    pick(this.estimator, shared.estimator, 'estimator');
    if (shared.startKbps !== undefined) this.startEstimate.value = shared.startKbps;
    // the ladder is not known yet: keep the indices as options until setRenditions replaces them
    for (const [select, value] of [
      [this.cap, shared.cap],
      [this.rendition, shared.pick],
    ] as const) {
      if (value === undefined) continue;
      if (!/^\d+$/.test(value)) {
        problems.push(`the link's rendition index '${value}' is not a number`);
        continue;
      }
      select.add(new Option(`#${value}`, value));
      select.value = value;
    }
    if (shared.url !== undefined) {
      this.hlsUrl.value = shared.url;
      this.shapeUrl.checked = shared.shape === '1';
    }
    if (shared.live !== undefined && !this.live.disabled)
      this.live.checked = shared.live === '1' || shared.live === 'true';
    if (shared.latencyS !== undefined) this.latencyTarget.value = shared.latencyS;
    if (shared.liveFaults !== undefined) this.liveFaults.value = shared.liveFaults;
    this.syncLive();
    return problems;
  }

  /** Fills the pickers from the server's config (null: no shaping server). */
  setConfig(config: DemoConfig | null, fixtures: readonly FixtureInfo[]): void {
    this.config = config;
    this.fixture.replaceChildren(...fixtures.map((f) => new Option(f.name, f.name)));
    this.fixture.disabled = fixtures.length <= 1;
    this.trace.replaceChildren();
    if (config) {
      for (const t of config.traces) {
        const label = `${t.name}${t.source === 'shared' ? ' (real, shared data)' : ''}`;
        this.trace.add(new Option(label, t.id, false, t.id === 'step-down'));
      }
      this.faultExamples.replaceChildren(...config.faults.map((spec) => new Option(spec)));
    } else {
      this.trace.add(new Option('unshaped (no shaping server)', ''));
    }
    this.trace.disabled = !config;
    this.traceFile.disabled = !config;
    this.faults.disabled = !config;
    this.shapeUrl.disabled = !config;
    if (!config) this.shapeUrl.checked = false;
    // live is the shaping server's live mode: nothing to serve it without the API
    this.live.disabled = !config;
    if (!config) this.live.checked = false;
    this.describeTrace();
  }

  get algorithmInfo(): AbrAlgorithmInfo {
    return this.algorithms.find((a) => a.name === this.algorithm.value) ?? this.algorithms[0]!;
  }

  /** The option fields' values, only those that differ from the defaults; invalid fields are marked. */
  algorithmOptions(): AbrOptions {
    const options: Record<string, unknown> = {};
    for (const spec of this.algorithmInfo.options) {
      const input = this.optionsBox.querySelector<HTMLInputElement | HTMLSelectElement>(
        `[data-option="${spec.name}"]`,
      );
      if (!input) continue;
      let value: number | boolean | string;
      if (spec.type === 'boolean') value = (input as HTMLInputElement).checked;
      else if (spec.type === 'string') value = input.value;
      else {
        if (input.value.trim() === '') continue;
        value = Number(input.value);
      }
      if (value !== spec.default) options[spec.name] = value;
    }
    return options;
  }

  /** Selects an algorithm and sets its option fields (from a recording). Unknown names throw. */
  selectAlgorithm(name: string, options: AbrOptions): void {
    if (!this.algorithms.some((a) => a.name === name)) {
      throw new Error(
        `the recording's algorithm '${name}' is not one of ${this.algorithms.map((a) => a.name).join(', ')}`,
      );
    }
    this.algorithm.value = name;
    this.renderOptions();
    for (const [key, value] of Object.entries(options)) {
      const input = this.optionsBox.querySelector<HTMLInputElement | HTMLSelectElement>(
        `[data-option="${key}"]`,
      );
      if (!input) continue;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = value === true;
      else input.value = String(value);
    }
  }

  private renderOptions(): void {
    const info = this.algorithmInfo;
    this.algorithmDescription.textContent = `${info.description} (${info.citation})`;
    const legend = document.createElement('legend');
    legend.textContent = info.options.length > 0 ? `${info.name} options` : `${info.name} has no options`;
    this.optionsBox.replaceChildren(legend, ...info.options.map((spec) => optionField(spec)));
  }

  /** Parses an uploaded trace file (format detected from its content) and selects it. */
  async addUploadedTrace(file: File): Promise<NetworkTrace> {
    const text = await file.text();
    const trace = parseTrace(text, file.name);
    this.addInlineTrace(trace, `uploaded: ${trace.name}`);
    return trace;
  }

  /** Adds an inline trace to the picker and selects it. */
  addInlineTrace(trace: NetworkTrace, label: string): void {
    const value = `${UPLOADED_PREFIX}${this.uploaded.size + 1}`;
    this.uploaded.set(value, trace);
    this.trace.add(new Option(label, value, true, true));
    this.trace.value = value;
    this.trace.disabled = false;
    this.describeTrace();
  }

  traceChoice(): TraceChoice | null {
    const value = this.trace.value;
    const uploaded = this.uploaded.get(value);
    if (uploaded) return { kind: 'inline', trace: uploaded };
    const known = this.config?.traces.find((t) => t.id === value);
    return known ? { kind: 'server', id: known.id, name: known.name } : null;
  }

  /**
   * When the algorithm's options cannot work with the buffer target, what to say and a fix: bba (and any
   * algorithm with `reservoirMs` and `cushionMs`) maps the buffer level to a rendition between its reservoir
   * and reservoir + cushion, but a download starts only below the buffer target, so with a target under
   * reservoir + cushion (bba's defaults: 5 + 10 s, the page's: 10 s) the top of the map is never reached and
   * most decisions stay at the lowest rendition. The fix is a buffer target that works; live, where the
   * buffer cannot exceed the latency (the media ahead of the playhead is at most what the edge has), it is
   * the low-latency algorithm instead.
   */
  bufferConflict(): { message: string; bufferS: number | null; algorithm: string | null } | null {
    const info = this.algorithmInfo;
    const valueOf = (name: string): number | null => {
      const spec = info.options.find((o) => o.name === name);
      if (!spec) return null;
      const input = this.optionsBox.querySelector<HTMLInputElement>(`[data-option="${name}"]`);
      const typed = input && input.value.trim() !== '' ? Number(input.value) : Number(spec.default);
      return Number.isFinite(typed) ? typed : Number(spec.default);
    };
    const reservoirMs = valueOf('reservoirMs');
    const cushionMs = valueOf('cushionMs');
    const targetS = Number(this.bufferTarget.value);
    if (reservoirMs === null || cushionMs === null || !Number.isFinite(targetS)) return null;
    const needS = (reservoirMs + cushionMs) / 1000;
    const why = `${info.name} reaches the top rendition only with ${needS} s buffered (reservoirMs ${reservoirMs / 1000} s + cushionMs ${cushionMs / 1000} s)`;
    const latencyS = Number(this.latencyTarget.value);
    if (this.live.checked && Number.isFinite(latencyS) && latencyS <= needS) {
      const live = this.algorithms.some((a) => a.name === LIVE_ALGORITHM) ? LIVE_ALGORITHM : null;
      return {
        message:
          `${why}, but live the buffer cannot exceed the latency, whose target is ${latencyS} s: ` +
          `${info.name} stays at the lowest renditions. ` +
          (live
            ? `Use ${live}, made for a buffer bounded by a latency target, `
            : 'Use another algorithm, ') +
          'or lower reservoirMs and cushionMs.',
        bufferS: null,
        algorithm: live,
      };
    }
    if (targetS > needS) return null;
    const bufferS = Math.ceil(needS) + 5;
    return {
      message:
        `${why}, but the buffer target is ${targetS} s: the buffer never gets there, ` +
        `so ${info.name} stays at the lowest renditions. Raise the buffer target to ${bufferS} s, or lower ` +
        `reservoirMs and cushionMs.`,
      bufferS,
      algorithm: null,
    };
  }

  /** The buffer target, ms; a value outside the input's range throws a {@link FieldError}. */
  bufferTargetMs(): number {
    const seconds = Number(this.bufferTarget.value);
    const [min, max] = BUFFER_TARGET_RANGE_S;
    if (this.bufferTarget.value.trim() === '' || !Number.isFinite(seconds) || seconds < min || seconds > max)
      throw new FieldError(
        'buffer-target',
        `The buffer target must be between ${min} and ${max} s (got '${this.bufferTarget.value}').`,
      );
    return seconds * 1000;
  }

  /** True when the fixture is to be served as a live stream. */
  isLive(): boolean {
    return this.live.checked;
  }

  /** The live latency target, ms; a value outside the input's range throws a {@link FieldError}. */
  latencyTargetMs(): number {
    const seconds = Number(this.latencyTarget.value);
    const [min, max] = LATENCY_TARGET_RANGE_S;
    if (this.latencyTarget.value.trim() === '' || !Number.isFinite(seconds) || seconds < min || seconds > max)
      throw new FieldError(
        'latency-target',
        `The latency target must be between ${min} and ${max} s (got '${this.latencyTarget.value}').`,
      );
    return seconds * 1000;
  }

  /** Enables the latency target with the live box. */
  syncLive(): void {
    this.latencyTarget.disabled = !this.live.checked;
    this.liveFaults.disabled = !this.live.checked;
  }

  /** Describes the selected trace under the picker. */
  describeTrace(): void {
    const uploaded = this.uploaded.get(this.trace.value);
    if (uploaded) {
      const durationS = uploaded.periods.reduce((sum, p) => sum + p.durationMs, 0) / 1000;
      this.traceDescription.textContent = `${uploaded.periods.length} periods, ${durationS.toFixed(0)} s${uploaded.sourceFormat ? `, read as ${uploaded.sourceFormat}` : ''}.`;
      return;
    }
    const info = this.config?.traces.find((t) => t.id === this.trace.value);
    this.traceDescription.textContent = info?.description ?? '';
  }
}

function optionField(spec: AbrOptionSpec): HTMLLabelElement {
  const label = document.createElement('label');
  label.title = spec.description;
  const name = document.createElement('span');
  name.textContent = spec.name;
  let input: HTMLInputElement | HTMLSelectElement;
  if (spec.choices) {
    const select = document.createElement('select');
    for (const choice of spec.choices) select.add(new Option(choice, choice, false, choice === spec.default));
    input = select;
  } else if (spec.type === 'boolean') {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = spec.default === true;
    input = box;
  } else {
    const field = document.createElement('input');
    field.type = spec.type === 'string' ? 'text' : 'number';
    if (spec.type !== 'string') {
      field.step = spec.type === 'integer' ? '1' : 'any';
      if (spec.min !== undefined) field.min = String(spec.min);
      if (spec.max !== undefined) field.max = String(spec.max);
    }
    field.value = String(spec.default);
    input = field;
  }
  input.dataset.option = spec.name;
  input.setAttribute('aria-label', `${spec.name}: ${spec.description}`);
  label.append(name, input);
  return label;
}
