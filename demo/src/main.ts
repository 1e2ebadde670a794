/**
 * The demo page: wires the pickers, the player, the charts, the QoE panel, the event log and the simulator
 * comparison. One session at a time: every change of algorithm, trace, options or video stops the player
 * (and its shaping session) and starts new ones on the same <video> element, without reloading the page.
 */
import { createAlgorithm, listAlgorithms } from 'abrkit';
import type { AbrOptions, NetworkTrace, VideoDescription } from 'abrkit';
import { createPlayer } from 'abrkit/player';
import type { Player, PlayerQoe, PlayerState } from 'abrkit/player';
import {
  createSession,
  DemoApiError,
  deleteSession,
  fetchVideo,
  loadConfig,
  probeStaticFixtures,
  type DemoConfig,
  type FixtureInfo,
} from './api.js';
import { LiveCharts } from './charts.js';
import { SimulatorComparison, rowOfPlayerQoe } from './compare.js';
import { Controls } from './controls.js';
import { installHook } from './hook.js';
import {
  buildRecording,
  downloadRecording,
  parseRecording,
  renderRecords,
  type RecordingSettings,
} from './recording.js';
import { LiveSession, type LogEntry, type LogKind } from './state.js';

/** How often the charts advance while nothing else happens (the trace line follows the clock), ms. */
const TICK_MS = 500;
/** Log lines kept on the page. */
const LOG_LINES = 300;

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`demo page: missing element #${id}`);
  return found as T;
}

const video = el<HTMLVideoElement>('video');
const statusLine = el<HTMLParagraphElement>('status');
const banner = el<HTMLParagraphElement>('banner');
const qoePanel = el<HTMLDListElement>('qoe');
const logList = el<HTMLOListElement>('log');
const reasonLine = el<HTMLParagraphElement>('reason');
const recordedBox = el<HTMLDetailsElement>('recorded');
const recordedTable = el<HTMLTableElement>('recorded-table');
const REASON_HINT = reasonLine.textContent ?? '';

interface Current {
  readonly player: Player;
  readonly live: LiveSession;
  readonly settings: RecordingSettings;
  readonly shapedId: string | null;
  readonly url: string;
  readonly unsubscribe: (() => void)[];
}

const controls = new Controls();
const charts = new LiveCharts(
  {
    buffer: el('chart-buffer'),
    throughput: el('chart-throughput'),
    bitrate: el('chart-bitrate'),
  },
  (text) => (reasonLine.textContent = text ?? REASON_HINT),
);
const comparison = new SimulatorComparison(el<HTMLTableElement>('compare-table'), (message) =>
  reportError(message),
);

let config: DemoConfig | null = null;
let fixtures: FixtureInfo[] = [];
let current: Current | null = null;
let generation = 0;
let sessionCount = 0;
let pageState = 'loading';
let drawPending = false;
let ticker: ReturnType<typeof setInterval> | null = null;
const pageErrors: string[] = [];
const videos = new Map<string, Promise<VideoDescription>>();

function setStatus(text: string): void {
  statusLine.textContent = text;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Logs to the page's log, plus the console for real errors. */
function log(kind: LogKind, text: string): void {
  const entry: LogEntry = current
    ? current.live.addLog(performance.now(), kind, text)
    : { tS: 0, kind, text };
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = `${entry.tS.toFixed(1).padStart(6)} s  ${text}`;
  logList.prepend(li);
  while (logList.childElementCount > LOG_LINES) logList.lastElementChild?.remove();
}

function reportError(text: string): void {
  pageErrors.push(text);
  log('error', text);
  console.error(`abrkit demo: ${text}`);
}

function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    const live = current?.live ?? null;
    charts.update(live, live ? live.secondsAt(performance.now()) : 0);
  });
}

function renderQoe(qoe: PlayerQoe | null): void {
  const rows: [string, string][] = [
    ['startup time', qoe?.startupMs == null ? '–' : `${(qoe.startupMs / 1000).toFixed(2)} s`],
    ['mean bitrate', qoe && qoe.segments > 0 ? `${qoe.avgBitrateKbps.toFixed(0)} kbps` : '–'],
    ['stalls', qoe ? `${qoe.stallCount} (${(qoe.stallMs / 1000).toFixed(1)} s)` : '–'],
    ['switches', qoe ? String(qoe.switches) : '–'],
    ['QoE_lin', qoe ? qoe.qoe.toFixed(2) : '–'],
    ['segments played', qoe ? String(qoe.segments) : '–'],
  ];
  qoePanel.replaceChildren(
    ...rows.flatMap(([name, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = name;
      const dd = document.createElement('dd');
      dd.textContent = value;
      return [dt, dd];
    }),
  );
}

function updateLiveRow(): void {
  const c = current;
  const q = c?.live.qoe;
  if (!c || !q) {
    comparison.setLive(null);
    return;
  }
  comparison.setLive(rowOfPlayerQoe(`live: ${c.settings.algorithm}`, q));
}

function videoFor(fixture: string): Promise<VideoDescription> {
  let pending = videos.get(fixture);
  if (!pending) {
    pending = fetchVideo(fixture);
    pending.catch(() => videos.delete(fixture));
    videos.set(fixture, pending);
  }
  return pending;
}

/** Runs the simulator comparison for the live session (when it has a trace and a bundled fixture). */
async function runComparison(): Promise<void> {
  const c = current;
  if (!c) return comparison.unavailable('Start a session first.');
  const { fixture, algorithm, algorithmOptions, bufferTargetMs } = c.settings;
  const trace = c.live.trace;
  if (!config || !trace || !fixture) {
    return comparison.unavailable(
      'The comparison needs the shaping server and the bundled video (its segment sizes and the trace).',
    );
  }
  let videoDescription: VideoDescription;
  try {
    videoDescription = await videoFor(fixture);
  } catch (error) {
    comparison.unavailable(`No segment sizes for '${fixture}': ${message(error)}`);
    return;
  }
  if (current !== c) return;
  const runs = listAlgorithms().map((info) => ({
    algorithm: info.name,
    options: info.name === algorithm ? algorithmOptions : {},
  }));
  comparison.run(videoDescription, trace, bufferTargetMs, runs);
}

function stopCurrent(): void {
  const c = current;
  current = null;
  if (ticker !== null) clearInterval(ticker);
  ticker = null;
  if (!c) return;
  for (const unsubscribe of c.unsubscribe) unsubscribe();
  c.player.destroy();
  if (c.shapedId) {
    deleteSession(c.shapedId).catch((error: unknown) =>
      log('info', `could not close shaping session ${c.shapedId}: ${message(error)}`),
    );
  }
}

type Source = { readonly kind: 'fixture' } | { readonly kind: 'url'; readonly url: string };

/** Stops the live session and starts a new one from the pickers' settings. */
async function start(source: Source): Promise<void> {
  const gen = ++generation;
  stopCurrent();
  const info = controls.algorithmInfo;
  const algorithm = info.name;
  let algorithmOptions: AbrOptions;
  let bufferTargetMs: number;
  try {
    algorithmOptions = controls.algorithmOptions();
    bufferTargetMs = controls.bufferTargetMs();
    createAlgorithm(algorithm, algorithmOptions); // checks the options before any request
  } catch (error) {
    setStatus(`Cannot start: ${message(error)}`);
    log('error', message(error));
    return;
  }
  const faults = controls.faults.value.trim();
  let url: string;
  let trace: NetworkTrace | null = null;
  let shapedId: string | null = null;
  let fixtureName: string | null = null;
  let traceId: string | null = null;
  setStatus('Starting…');
  if (source.kind === 'url') {
    url = source.url;
  } else {
    const fixture = fixtures.find((f) => f.name === controls.fixture.value) ?? fixtures[0];
    if (!fixture) {
      setStatus('No bundled video is served here: type an HLS URL to play one.');
      return;
    }
    fixtureName = fixture.name;
    const choice = controls.traceChoice();
    if (config && choice) {
      try {
        const session = await createSession({
          fixture: fixture.name,
          ...(choice.kind === 'server' ? { traceId: choice.id } : { trace: choice.trace }),
          ...(faults !== '' ? { faults } : {}),
        });
        if (gen !== generation) {
          void deleteSession(session.id).catch(() => {});
          return;
        }
        url = session.masterUrl;
        trace = session.trace;
        shapedId = session.id;
        traceId = choice.kind === 'server' ? choice.id : null;
      } catch (error) {
        if (gen !== generation) return;
        setStatus(`Could not start a shaping session: ${message(error)}`);
        // a 4xx is a bad setting (trace, faults) the status line explains; anything else is a failure
        if (error instanceof DemoApiError && error.status < 500) log('error', message(error));
        else reportError(message(error));
        return;
      }
    } else {
      url = fixture.masterUrl;
    }
  }

  const player = createPlayer({
    abr: (options) => createAlgorithm(algorithm, options),
    abrOptions: algorithmOptions,
    bufferTargetMs,
  });
  const live = new LiveSession(trace, performance.now());
  const settings: RecordingSettings = {
    fixture: fixtureName,
    url: source.kind === 'url' ? source.url : null,
    algorithm,
    algorithmOptions,
    bufferTargetMs,
    faults: faults !== '' && trace ? faults : null,
    traceId,
  };
  const unsubscribe: (() => void)[] = [];
  current = { player, live, settings, shapedId, url, unsubscribe };
  sessionCount++;
  renderQoe(null);
  logList.replaceChildren();
  log(
    'info',
    `session ${sessionCount}: ${algorithm} on ${trace ? `trace '${trace.name}'` : 'the unshaped network'}, buffer target ${bufferTargetMs / 1000} s${settings.faults ? `, faults ${settings.faults}` : ''}`,
  );

  let lastState: PlayerState = 'idle';
  unsubscribe.push(
    player.on('state', (state) => {
      const now = performance.now();
      if (state === 'stalled') {
        live.stallStarted(now);
        log('stall', 'stall: the buffer ran dry');
      } else if (lastState === 'stalled') {
        live.stallEnded(now);
        log('info', `playback resumed (${state})`);
      }
      lastState = state;
      setStatus(
        {
          idle: 'Idle.',
          loading: 'Loading…',
          playing: `Playing with ${algorithm}.`,
          stalled: 'Stalled: waiting for data.',
          ended: 'Ended.',
          error: 'Stopped by an error (see the log).',
        }[state],
      );
      scheduleDraw();
    }),
    player.on('decision', (d) => {
      live.addDecision({
        tS: live.secondsAt(d.nowMs),
        segmentIndex: d.segmentIndex,
        renditionIndex: d.renditionIndex,
        bitrateKbps: d.bitrateKbps,
        reason: d.reason,
        bufferLevelMs: d.bufferLevelMs,
        estimateKbps: d.throughputKbps,
      });
      log(
        'decision',
        `segment ${d.segmentIndex} → ${Math.round(d.bitrateKbps)} kbps (buffer ${(d.bufferLevelMs / 1000).toFixed(1)} s, estimate ${Math.round(d.throughputKbps)} kbps): ${d.reason}`,
      );
      scheduleDraw();
    }),
    player.on('download', (d) => {
      if (d.kind !== 'video' || d.aborted || d.sizeBytes <= 0) return;
      const transferMs = Math.max(1, d.endMs - d.firstByteMs);
      live.addMeasured(d.endMs, (d.sizeBytes * 8) / transferMs);
      scheduleDraw();
    }),
    player.on('buffer', (b) => {
      live.addBuffer(b.nowMs, b.bufferLevelMs);
      scheduleDraw();
    }),
    player.on('retry', (r) =>
      log(
        'retry',
        `retry segment ${r.segmentIndex} (attempt ${r.attempt}, in ${Math.round(r.delayMs)} ms, next rendition ${r.nextRenditionIndex}): ${r.error.message}`,
      ),
    ),
    player.on('error', (e) => {
      live.errorCount++;
      reportError(`player error ${e.code}: ${e.message}`);
    }),
    player.on('qoe', (q) => {
      live.qoe = q;
      renderQoe(q);
      updateLiveRow();
    }),
  );
  ticker = setInterval(scheduleDraw, TICK_MS);
  player.attach(video);
  scheduleDraw();
  void runComparison();
  updateLiveRow();
  try {
    await player.load(url);
  } catch {
    // the player reported it on `error` (logged above)
  }
}

function restart(): void {
  void start({ kind: 'fixture' });
}

function exportCurrent(): void {
  const c = current;
  if (!c) {
    setStatus('Nothing to export: start a session first.');
    return;
  }
  downloadRecording(buildRecording(c.settings, c.live.trace, c.player.exportSession()));
  log('info', 'session exported');
}

async function loadRecording(file: File): Promise<void> {
  const recording = parseRecording(await file.text(), file.name);
  const { settings } = recording;
  controls.selectAlgorithm(settings.algorithm, settings.algorithmOptions);
  controls.bufferTarget.value = String(settings.bufferTargetMs / 1000);
  controls.faults.value = settings.faults ?? '';
  if (settings.fixture && fixtures.some((f) => f.name === settings.fixture)) {
    controls.fixture.value = settings.fixture;
  }
  renderRecords(recordedTable, recording.session.records);
  recordedBox.hidden = false;
  const q = recording.session.qoe;
  comparison.setRecorded(rowOfPlayerQoe(`recorded: ${settings.algorithm}`, q));
  if (recording.trace && config) {
    controls.addInlineTrace(recording.trace, `recorded: ${recording.trace.name}`);
    await start({ kind: 'fixture' });
  } else if (settings.url) {
    controls.hlsUrl.value = settings.url;
    await start({ kind: 'url', url: settings.url });
  } else {
    await start({ kind: 'fixture' });
  }
  log('info', `replaying the recording ${file.name} (${recording.session.records.length} segments recorded)`);
}

function wire(): void {
  controls.form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  for (const input of [
    controls.fixture,
    controls.algorithm,
    controls.trace,
    controls.faults,
    controls.bufferTarget,
  ]) {
    input.addEventListener('change', restart);
  }
  controls.optionsBox.addEventListener('change', restart);
  controls.traceFile.addEventListener('change', () => {
    const file = controls.traceFile.files?.[0];
    if (!file) return;
    controls
      .addUploadedTrace(file)
      .then((trace) => {
        log('info', `uploaded trace '${trace.name}' (${trace.sourceFormat ?? 'detected'} format)`);
        restart();
      })
      .catch((error: unknown) => {
        setStatus(`Could not read ${file.name}: ${message(error)}`);
        log('error', `could not read ${file.name}: ${message(error)}`);
      })
      .finally(() => (controls.traceFile.value = ''));
  });
  controls.playUrl.addEventListener('click', () => {
    const url = controls.hlsUrl.value.trim();
    if (url === '') {
      setStatus('Type the URL of an HLS master or media playlist first.');
      return;
    }
    void start({ kind: 'url', url });
  });
  controls.exportButton.addEventListener('click', exportCurrent);
  controls.loadSession.addEventListener('change', () => {
    const file = controls.loadSession.files?.[0];
    if (!file) return;
    loadRecording(file)
      .catch((error: unknown) => {
        setStatus(`Could not load ${file.name}: ${message(error)}`);
        log('error', `could not load ${file.name}: ${message(error)}`);
      })
      .finally(() => (controls.loadSession.value = ''));
  });
  controls.compareButton.addEventListener('click', () => void runComparison());
}

installHook({
  state: () => (pageState === 'loading' ? 'loading' : (current?.player.state ?? 'idle')),
  shaping: () => config !== null,
  sessions: () => sessionCount,
  current: () =>
    current
      ? { algorithm: current.settings.algorithm, trace: current.live.trace?.name ?? null, url: current.url }
      : null,
  chartPoints: () => charts.pointCounts(),
  bitrates: () => charts.bitrateSeries(),
  decisions: () => (current?.live.decisions ?? []).map((d) => ({ ...d })),
  stalls: () => (current?.live.stalls ?? []).map((s) => ({ ...s })),
  qoe: () => (current?.live.qoe ? { ...current.live.qoe } : null),
  compareRows: () => comparison.results().map((r) => ({ ...r })),
  log: () => (current?.live.log ?? []).map((e) => ({ ...e })),
  errors: () => [...pageErrors],
});

// leaving the page: close the shaping session (the server also caps how many stay open)
window.addEventListener('pagehide', () => {
  const id = current?.shapedId;
  if (id)
    void fetch(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: true }).catch(
      () => {},
    );
});

async function init(): Promise<void> {
  config = await loadConfig();
  fixtures = config ? [...config.fixtures] : await probeStaticFixtures();
  controls.setConfig(config, fixtures);
  if (!config) {
    banner.hidden = false;
    banner.textContent =
      'Shaping unavailable: this page is served without the abrkit dev server (no /api/config), so media plays ' +
      'unshaped and the simulator comparison is off. Run `npm start` for the full demo.' +
      (fixtures.length === 0 ? ' No bundled video is served here either: type an HLS URL below.' : '');
  }
  renderQoe(null);
  wire();
  pageState = 'ready';
  if (fixtures.length > 0) await start({ kind: 'fixture' });
  else setStatus('Type an HLS URL to play.');
}

init().catch((error: unknown) => {
  pageState = 'ready';
  setStatus(`The demo failed to start: ${message(error)}`);
  reportError(message(error));
});
