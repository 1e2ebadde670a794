/**
 * The pickers: algorithm (every registered online algorithm, with its options as fields built from the
 * registry's option specs), trace (the server's, plus an uploaded file parsed here with abrkit's readers),
 * faults and buffer target. Reading them gives plain settings; main.ts restarts the session on changes.
 */
import { DEFAULT_ALGORITHM, listAlgorithms, parseTrace } from 'abrkit';
import type { AbrAlgorithmInfo, AbrOptionSpec, AbrOptions, NetworkTrace } from 'abrkit';
import type { DemoConfig, FixtureInfo } from './api.js';

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

  private readonly algorithms = onlineAlgorithms();
  private readonly uploaded = new Map<string, NetworkTrace>();
  private config: DemoConfig | null = null;

  constructor() {
    for (const info of this.algorithms) {
      this.algorithm.add(new Option(info.name, info.name, false, info.name === DEFAULT_ALGORITHM));
    }
    this.algorithm.addEventListener('change', () => this.renderOptions());
    this.trace.addEventListener('change', () => this.describeTrace());
    this.renderOptions();
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

  bufferTargetMs(): number {
    const seconds = Number(this.bufferTarget.value);
    return Number.isFinite(seconds) && seconds >= 2 ? seconds * 1000 : 10_000;
  }

  private describeTrace(): void {
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
