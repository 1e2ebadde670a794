/**
 * The demo page: wires the pickers, the player, the charts, the QoE panel, the event log and the simulator
 * comparison. One session at a time: every change of algorithm, trace, options or video stops the player
 * (and its shaping session) and starts new ones on the same <video> element, without reloading the page.
 */
import { createAlgorithm, createEstimator, listAlgorithms, loopVideo } from 'abrkit';
import type { AbrOptions, NetworkTrace, Rendition, VideoDescription } from 'abrkit';
import { createPlayer } from 'abrkit/player';
import type { Player, PlayerQoe, PlayerState } from 'abrkit/player';
import {
  createSession,
  DemoApiError,
  mirrorUrl,
  deleteSession,
  fetchVideo,
  loadConfig,
  probeStaticFixtures,
  type DemoConfig,
  type FixtureInfo,
  type ShapedLiveInfo,
} from './api.js';
import { LiveCharts } from './charts.js';
import { SimulatorComparison, rowOfPlayerQoe } from './compare.js';
import { Controls, FieldError, LIVE_ALGORITHM, type FieldName } from './controls.js';
import { installHook } from './hook.js';
import { renderOverlay } from './overlay.js';
import {
  buildRecording,
  downloadRecording,
  parseRecording,
  renderRecords,
  type RecordingSettings,
} from './recording.js';
import { SAMPLES } from './samples.js';
import { readSharedSettings, sharedQuery } from './share.js';
import { LiveSession, type LogEntry, type LogKind } from './state.js';
import { renditionLabel, steer, type Steering } from './steering.js';

/** How often the charts advance while nothing else happens (the trace line follows the clock), ms. */
const TICK_MS = 500;
/** Longest looped stream the live comparison simulates, segments (10 minutes of the fixture's 2 s). */
const LIVE_SIM_MAX_SEGMENTS = 300;
/** Time between stopping a session's player and closing its shaping session, ms. */
const CLOSE_DELAY_MS = 2000;
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
const statsOverlay = el<HTMLDivElement>('stats');
const measuredNote = el<HTMLParagraphElement>('measured-note');
const latencyPanel = el<HTMLElement>('latency-panel');
const liveDetails = el<HTMLElement>('live-details');
const REASON_HINT = reasonLine.textContent ?? '';

interface Current {
  readonly player: Player;
  readonly live: LiveSession;
  readonly settings: RecordingSettings;
  readonly shapedId: string | null;
  readonly url: string;
  readonly unsubscribe: (() => void)[];
  /** Segments in the whole video when known (the fixture's), for the live row's label. */
  segmentCount: number | null;
  /** The shaped live stream's timeline (null: VOD, or not shaped). */
  readonly liveInfo: ShapedLiveInfo | null;
  /** The media sequence number of the first video segment downloaded (live), once known. */
  firstMsn: number | null;
  /** The latest `latency` event (live streams). */
  lastLatency: { latencyMs: number; playbackRate: number } | null;
  /** The latest decision's rendition and estimate, for the overlay. */
  lastRendition: Rendition | null;
  lastEstimateKbps: number | null;
  lastBufferMs: number | null;
}

const controls = new Controls();
const charts = new LiveCharts(
  {
    buffer: el('chart-buffer'),
    throughput: el('chart-throughput'),
    bitrate: el('chart-bitrate'),
    latency: el('chart-latency'),
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
/** The viewer's manual pick and cap, read by the steered algorithm at each decision (steering.ts). */
const steering: Steering = { manual: null, cap: null };
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
    measuredNote.hidden = !live || live.measuredAboveTrace() === 0;
    renderStats();
  });
}

function renderStats(): void {
  const c = current;
  renderOverlay(
    statsOverlay,
    {
      rendition: c?.lastRendition ?? null,
      mode: steering.manual !== null ? 'manual' : steering.cap !== null ? 'auto, capped' : 'auto',
      bufferLevelMs: c?.lastBufferMs ?? null,
      estimateKbps: c?.lastEstimateKbps ?? null,
      ...(c && (c.liveInfo !== null || c.lastLatency !== null) ? { latency: c.lastLatency } : {}),
    },
    video,
  );
}

function renderQoe(qoe: PlayerQoe | null): void {
  const meanLatencyMs = current?.live.meanLatencyMs() ?? null;
  const rows: [string, string][] = [
    ['startup time', qoe?.startupMs == null ? '–' : `${(qoe.startupMs / 1000).toFixed(2)} s`],
    ['mean bitrate', qoe && qoe.segments > 0 ? `${qoe.avgBitrateKbps.toFixed(0)} kbps` : '–'],
    ['stalls', qoe ? `${qoe.stallCount} (${(qoe.stallMs / 1000).toFixed(1)} s)` : '–'],
    ['switches', qoe ? String(qoe.switches) : '–'],
    ['QoE_lin', qoe ? qoe.qoe.toFixed(2) : '–'],
    ['segments played', qoe ? String(qoe.segments) : '–'],
    ...(current?.liveInfo || meanLatencyMs !== null
      ? [
          ['mean latency', meanLatencyMs === null ? '–' : `${(meanLatencyMs / 1000).toFixed(1)} s`] as [
            string,
            string,
          ],
        ]
      : []),
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
  const of = c.segmentCount === null || c.liveInfo ? '' : ` of ${c.segmentCount}`;
  const what = c.liveInfo ? 'this session, live stream' : 'this session';
  comparison.setLive(
    rowOfPlayerQoe(
      `${what} (partial, ${q.segments}${of} segments): ${c.settings.algorithm}`,
      q,
      c.liveInfo || c.lastLatency ? c.live.meanLatencyMs() : undefined,
    ),
  );
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
  const liveTarget = c.liveInfo ? c.settings.liveLatencyTargetMs : null;
  const runs = listAlgorithms()
    // the offline optimum plans VOD sessions only (the table says so)
    .filter((info) => liveTarget == null || !info.offline)
    .map((info) => ({
      algorithm: info.name,
      options: info.name === algorithm ? algorithmOptions : {},
    }));
  if (liveTarget == null) {
    comparison.run(videoDescription, trace, bufferTargetMs, runs);
    return;
  }
  if (c.firstMsn === null)
    return comparison.unavailable(
      'The live comparison starts once the player has joined the stream (its first segment tells where).',
    );
  // the live stream loops the video: simulate it from the segment the player joined at, as long as the trace
  const n = videoDescription.playableSegmentCount ?? videoDescription.segmentSizesBytes.length;
  const traceMs = trace.periods.reduce((sum, p) => sum + p.durationMs, 0);
  const count = Math.min(
    LIVE_SIM_MAX_SEGMENTS,
    Math.max(n, Math.ceil(traceMs / videoDescription.segmentDurationMs)),
  );
  const looped = loopVideo(videoDescription, count, c.firstMsn % n);
  comparison.run(looped, trace, bufferTargetMs, runs, { targetLatencyMs: liveTarget });
}

function stopCurrent(): void {
  const c = current;
  current = null;
  if (ticker !== null) clearInterval(ticker);
  ticker = null;
  if (!c) return;
  for (const unsubscribe of c.unsubscribe) unsubscribe();
  c.player.destroy();
  if (c.shapedId) closeShapedLater(c.shapedId);
}

/** The stopped session whose shaping session closes in a moment (one at most; see closeShapedLater). */
let pendingClose: { readonly id: string; readonly timer: ReturnType<typeof setTimeout> } | null = null;

function closeShapedNow(id: string): void {
  deleteSession(id).catch((error: unknown) =>
    log('info', `could not close shaping session ${id}: ${message(error)}`),
  );
}

/**
 * Closes a stopped session's shaping session a moment later: a request its player sent just before
 * destroy() (a deferred variant playlist) may reach the server after the DELETE, and a closed session
 * answers 404. One waits at most: the next stop closes the previous one at once, so a page never holds more
 * than two shaping sessions (the server keeps 4).
 */
function closeShapedLater(id: string): void {
  if (pendingClose) {
    clearTimeout(pendingClose.timer);
    closeShapedNow(pendingClose.id);
  }
  const timer = setTimeout(() => {
    pendingClose = null;
    closeShapedNow(id);
  }, CLOSE_DELAY_MS);
  pendingClose = { id, timer };
}

/** What to play: the picked fixture, or a URL (shaped: mirrored by the dev server first, demo/server/mirror.ts). */
type Source =
  { readonly kind: 'fixture' } | { readonly kind: 'url'; readonly url: string; readonly shaped: boolean };

/** Shows a setting's error next to its field (and in the status line and the log). */
function fieldError(field: FieldName, text: string): void {
  if (field === 'algorithm-options') controls.markOptionError(text);
  else controls.setFieldError(field, text);
  setStatus(`Cannot start: ${text}`);
  log('error', text);
  // no session runs: the previous one's rows would be about other settings
  comparison.setLive(null);
  comparison.unavailable('No session runs: fix the setting marked in red, then it starts again.');
}

/** The field a shaping-server refusal is about, from its error code (demo/server/sessions.ts). */
function fieldOfApiError(error: DemoApiError): FieldName | null {
  if (error.code === 'FAULTS_INVALID') return 'faults';
  if (error.code === 'LIVE_FAULTS_INVALID') return 'live-faults';
  if (error.code === 'TRACE_INVALID' || error.code === 'TRACE_NOT_FOUND') return 'trace';
  return null;
}

/** Writes the settings into the page's URL and the share field. */
function updateLink(source: Source): void {
  const query = sharedQuery(
    controls.sharedSettings(
      source.kind === 'url' ? { url: source.url, shaped: source.shaped } : { url: null, shaped: false },
    ),
  );
  const url = `${location.origin}${location.pathname}${query}`;
  history.replaceState(null, '', url);
  controls.shareLink.value = url;
}

/** Stops the live session and starts a new one from the pickers' settings. */
async function start(source: Source, keepRecorded = false): Promise<void> {
  const gen = ++generation;
  lastSource = source;
  stopCurrent();
  controls.clearFieldErrors();
  if (!keepRecorded) {
    // a loaded recording's rows belong to its replay session only
    comparison.setRecorded(null);
    recordedBox.hidden = true;
    recordedTable.replaceChildren();
  }
  const info = controls.algorithmInfo;
  const algorithm = info.name;
  let algorithmOptions: AbrOptions;
  let bufferTargetMs: number;
  let startEstimateKbps: number;
  let latencyTargetMs: number | null = null;
  const wantLive = controls.isLive();
  try {
    bufferTargetMs = controls.bufferTargetMs();
    if (wantLive) latencyTargetMs = controls.latencyTargetMs();
    startEstimateKbps = controls.startEstimateKbps();
    algorithmOptions = controls.algorithmOptions();
  } catch (error) {
    if (error instanceof FieldError) fieldError(error.field, error.message);
    else fieldError('algorithm-options', message(error));
    return;
  }
  try {
    createAlgorithm(algorithm, algorithmOptions); // checks the options before any request
  } catch (error) {
    fieldError('algorithm-options', message(error));
    return;
  }
  const estimator = controls.estimatorName();
  const faults = controls.faults.value.trim();
  let url: string;
  let trace: NetworkTrace | null = null;
  let shapedId: string | null = null;
  let fixtureName: string | null = null;
  let traceId: string | null = null;
  let liveInfo: ShapedLiveInfo | null = null;
  /** Said in the new session's log once it starts. */
  let mirrorNote: string | null = null;
  setStatus('Starting…');
  updateLink(source);
  if (source.kind === 'url' && !(source.shaped && config)) {
    url = source.url;
    controls.traceDescription.textContent =
      'Not used now: this URL plays unshaped (tick "Shape it" to play it under the trace).';
  } else {
    controls.describeTrace();
    let fixture: FixtureInfo | undefined;
    if (source.kind === 'url') {
      // the dev server downloads the stream once, then shapes its copy like the bundled video
      const absolute = new URL(source.url, location.href).href;
      setStatus(`Downloading ${absolute} to the dev server, to shape it…`);
      try {
        const mirrored = await mirrorUrl(absolute);
        if (gen !== generation) return;
        fixture = { name: mirrored.name, masterUrl: source.url };
        mirrorNote = `${absolute}: copied to the dev server (${mirrored.files} files, ${(mirrored.bytes / 1e6).toFixed(1)} MB) as ${mirrored.name}; the copy plays under the trace`;
      } catch (error) {
        if (gen !== generation) return;
        if (error instanceof DemoApiError && error.status < 500) fieldError('hls-url', message(error));
        else {
          setStatus(`Could not copy ${absolute}: ${message(error)}`);
          reportError(message(error));
        }
        return;
      }
    } else {
      fixture = fixtures.find((f) => f.name === controls.fixture.value) ?? fixtures[0];
    }
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
          ...(wantLive ? { live: true } : {}),
          ...(wantLive && controls.liveFaults.value.trim() !== ''
            ? { liveFaults: controls.liveFaults.value.trim() }
            : {}),
        });
        if (gen !== generation) {
          void deleteSession(session.id).catch(() => {});
          return;
        }
        url = session.masterUrl;
        trace = session.trace;
        shapedId = session.id;
        liveInfo = session.live ?? null;
        traceId = choice.kind === 'server' ? choice.id : null;
      } catch (error) {
        if (gen !== generation) return;
        // a 4xx is a bad setting, shown next to its field; anything else is a failure
        const field = error instanceof DemoApiError ? fieldOfApiError(error) : null;
        if (field) {
          fieldError(field, message(error));
          return;
        }
        setStatus(`Could not start a shaping session: ${message(error)}`);
        if (error instanceof DemoApiError && error.status < 500) log('error', message(error));
        else reportError(message(error));
        return;
      }
    } else {
      url = fixture.masterUrl;
    }
  }

  let player: Player;
  try {
    player = createPlayer({
      abr: (options) => steer(createAlgorithm(algorithm, options), () => steering),
      abrOptions: algorithmOptions,
      bufferTargetMs,
      // the player knows 'ewma' by name; the others come from abrkit's estimator registry
      estimator:
        estimator === 'ewma'
          ? estimator
          : () => createEstimator(estimator, { defaultEstimateKbps: startEstimateKbps }),
      startEstimateKbps,
      // live streams (the shaped fixture with Live, or a typed live URL): join and keep this latency
      ...(latencyTargetMs !== null ? { liveSyncDurationMs: latencyTargetMs } : {}),
    });
  } catch (error) {
    if (shapedId) void deleteSession(shapedId).catch(() => {});
    fieldError('start-estimate', message(error));
    return;
  }
  const live = new LiveSession(trace, performance.now());
  const settings: RecordingSettings = {
    fixture: fixtureName,
    url: source.kind === 'url' ? source.url : null,
    algorithm,
    algorithmOptions,
    bufferTargetMs,
    faults: faults !== '' && trace ? faults : null,
    traceId,
    liveLatencyTargetMs: latencyTargetMs,
  };
  const unsubscribe: (() => void)[] = [];
  const c: Current = {
    player,
    live,
    settings,
    shapedId,
    url,
    unsubscribe,
    segmentCount: null,
    liveInfo,
    firstMsn: null,
    lastLatency: null,
    lastRendition: null,
    lastEstimateKbps: null,
    lastBufferMs: null,
  };
  current = c;
  if (fixtureName) {
    videoFor(fixtureName).then(
      (v) => {
        c.segmentCount = v.playableSegmentCount ?? v.segmentSizesBytes.length;
        updateLiveRow();
      },
      () => {},
    );
  }
  sessionCount++;
  latencyPanel.hidden = liveInfo === null;
  renderQoe(null);
  logList.replaceChildren();
  log(
    'info',
    `session ${sessionCount}: ${algorithm} (estimator ${estimator}, start estimate ${startEstimateKbps} kbps) on ${trace ? `trace '${trace.name}'` : 'the unshaped network'}, buffer target ${bufferTargetMs / 1000} s${settings.faults ? `, faults ${settings.faults}` : ''}${liveInfo && latencyTargetMs !== null ? `, live stream (30 s window), latency target ${latencyTargetMs / 1000} s${controls.liveFaults.value.trim() !== '' ? `, live faults ${controls.liveFaults.value.trim()}` : ''}` : ''}`,
  );

  if (mirrorNote !== null) log('info', mirrorNote);

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
          playing: `Playing ${liveInfo ? 'live ' : ''}with ${algorithm}.`,
          stalled: 'Stalled: waiting for data.',
          paused: 'Paused.',
          ended: 'Ended.',
          error: 'Stopped by an error (see the log).',
        }[state],
      );
      scheduleDraw();
    }),
    player.on('decision', (d) => {
      if (c.lastRendition === null) controls.setRenditions(player.renditions);
      c.lastRendition = player.renditions[d.renditionIndex] ?? null;
      c.lastEstimateKbps = d.throughputKbps;
      live.addDecision({
        tS: live.secondsAt(d.nowMs),
        segmentIndex: d.segmentIndex,
        renditionIndex: d.renditionIndex,
        bitrateKbps: d.bitrateKbps,
        reason: d.reason,
        bufferLevelMs: d.bufferLevelMs,
        estimateKbps: d.throughputKbps,
      });
      const label = c.lastRendition ? renditionLabel(c.lastRendition) : `${Math.round(d.bitrateKbps)} kbps`;
      log(
        'decision',
        `segment ${d.segmentIndex} → ${label} (buffer ${(d.bufferLevelMs / 1000).toFixed(1)} s, estimate ${Math.round(d.throughputKbps)} kbps): ${d.reason}`,
      );
      scheduleDraw();
    }),
    player.on('download', (d) => {
      if (d.kind !== 'video' || d.aborted || d.sizeBytes <= 0) return;
      if (c.liveInfo && c.firstMsn === null) {
        const msn = /[?&]msn=(\d+)/.exec(d.url)?.[1];
        if (msn !== undefined) {
          c.firstMsn = Number(msn);
          void runComparison(); // the live comparison needed where the player joined
        }
      }
      const transferMs = Math.max(1, d.endMs - d.firstByteMs);
      live.addMeasured(d.endMs, (d.sizeBytes * 8) / transferMs);
      scheduleDraw();
    }),
    player.on('buffer', (b) => {
      live.addBuffer(b.nowMs, b.bufferLevelMs);
      c.lastBufferMs = b.bufferLevelMs;
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
    player.on('latency', (l) => {
      live.addLatency(l.nowMs, l.latencyMs, l.targetLatencyMs, l.playbackRate);
      c.lastLatency = { latencyMs: l.latencyMs, playbackRate: l.playbackRate };
      latencyPanel.hidden = false; // a typed live URL too
      scheduleDraw();
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

/** What the latest session played: a change of setting restarts it (a typed URL stays played). */
let lastSource: Source = { kind: 'fixture' };

function restart(): void {
  void start(lastSource);
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
  controls.live.checked = settings.liveLatencyTargetMs != null;
  if (settings.liveLatencyTargetMs != null)
    controls.latencyTarget.value = String(settings.liveLatencyTargetMs / 1000);
  controls.syncLive();
  liveDetails.hidden = !controls.isLive();
  checkAlgorithmFit(); // the recorded algorithm and buffer target, not the ones picked before
  if (settings.fixture && fixtures.some((f) => f.name === settings.fixture)) {
    controls.fixture.value = settings.fixture;
  }
  const showRecorded = (): void => {
    renderRecords(recordedTable, recording.session.records);
    recordedBox.hidden = false;
    comparison.setRecorded(rowOfPlayerQoe(`recorded: ${settings.algorithm}`, recording.session.qoe));
  };
  if (recording.trace && config) {
    controls.addInlineTrace(recording.trace, `recorded: ${recording.trace.name}`);
    showRecorded();
    await start({ kind: 'fixture' }, true);
  } else if (settings.url) {
    controls.hlsUrl.value = settings.url;
    showRecorded();
    await start(
      { kind: 'url', url: settings.url, shaped: settings.fixture?.startsWith('url-') === true },
      true,
    );
  } else {
    showRecorded();
    await start({ kind: 'fixture' }, true);
  }
  log('info', `replaying the recording ${file.name} (${recording.session.records.length} segments recorded)`);
}

/** Flags (or clears) an algorithm setting that cannot work with the buffer target (bba's 15 s vs 10 s). */
function checkAlgorithmFit(): void {
  const conflict = controls.bufferConflict();
  controls.algorithmWarning.hidden = conflict === null;
  controls.algorithmWarningText.textContent = conflict?.message ?? '';
  controls.algorithmFix.hidden =
    conflict !== null && conflict.bufferS === null && conflict.algorithm === null;
  controls.algorithmFix.textContent = !conflict
    ? ''
    : conflict.bufferS !== null
      ? `Set the buffer target to ${conflict.bufferS} s`
      : `Use ${conflict.algorithm ?? ''}`;
}

/** The algorithm in use before live was switched on (and l2a-ll picked), restored when it is switched off. */
let algorithmBeforeLive: string | null = null;

/** The live box changed: pick the low-latency algorithm for live, restore the previous one after. */
function liveChanged(): void {
  controls.syncLive();
  liveDetails.hidden = !controls.isLive();
  if (controls.isLive()) {
    const offered = [...controls.algorithm.options].some((o) => o.value === LIVE_ALGORITHM);
    if (offered && controls.algorithm.value !== LIVE_ALGORITHM) {
      algorithmBeforeLive = controls.algorithm.value;
      controls.selectAlgorithm(LIVE_ALGORITHM, {});
      log('info', `live: ${LIVE_ALGORITHM} picked (low-latency live ABR); any other algorithm can be chosen`);
    }
  } else if (algorithmBeforeLive !== null && controls.algorithm.value === LIVE_ALGORITHM) {
    controls.selectAlgorithm(algorithmBeforeLive, {});
    algorithmBeforeLive = null;
  }
  checkAlgorithmFit();
  // an unshaped URL cannot be served live: the bundled video (or a shaped copy) can
  void start(lastSource.kind === 'url' && !lastSource.shaped ? { kind: 'fixture' } : lastSource);
}

/** Applies a sample stream's settings and starts it. */
function playSample(id: string): void {
  const sample = SAMPLES.find((s) => s.id === id);
  if (!sample) return;
  if (sample.algorithm) controls.selectAlgorithm(sample.algorithm, {});
  if (sample.trace && [...controls.trace.options].some((o) => o.value === sample.trace)) {
    controls.trace.value = sample.trace;
    controls.describeTrace();
  }
  controls.faults.value = sample.faults ?? '';
  if (sample.bufferS !== undefined) controls.bufferTarget.value = String(sample.bufferS);
  controls.live.checked = sample.live === true;
  controls.syncLive();
  liveDetails.hidden = !controls.isLive();
  checkAlgorithmFit();
  if (sample.url) {
    controls.hlsUrl.value = sample.url;
    void start({ kind: 'url', url: sample.url, shaped: false });
  } else {
    controls.hlsUrl.value = '';
    void start({ kind: 'fixture' });
  }
}

/** The manual pick or the cap changed: the next decision follows it, no restart. */
function steeringChanged(): void {
  steering.manual = controls.manualRendition();
  steering.cap = controls.capRendition();
  const what =
    steering.manual === null
      ? `rendition: auto${steering.cap === null ? '' : `, capped at ${controls.cap.selectedOptions[0]?.text ?? steering.cap}`}`
      : `rendition: manual, ${controls.rendition.selectedOptions[0]?.text ?? steering.manual}`;
  log('info', `${what} (from the next segment)`);
  const c = current;
  if (c)
    updateLink(
      c.settings.url !== null
        ? { kind: 'url', url: c.settings.url, shaped: c.shapedId !== null }
        : { kind: 'fixture' },
    );
  renderStats();
}

function wire(): void {
  controls.form.addEventListener('submit', (event) => {
    event.preventDefault();
    restart();
  });
  controls.fixture.addEventListener('change', () => {
    controls.sample.value = '';
    checkAlgorithmFit();
    void start({ kind: 'fixture' }); // the picked video, not a URL played before
  });
  for (const input of [
    controls.algorithm,
    controls.trace,
    controls.faults,
    controls.bufferTarget,
    controls.estimator,
    controls.startEstimate,
    controls.latencyTarget,
    controls.liveFaults,
  ]) {
    input.addEventListener('change', () => {
      controls.sample.value = ''; // the settings are no longer the sample's
      checkAlgorithmFit();
      restart();
    });
  }
  controls.optionsBox.addEventListener('change', () => {
    checkAlgorithmFit();
    restart();
  });
  controls.algorithmFix.addEventListener('click', () => {
    const conflict = controls.bufferConflict();
    if (!conflict) return;
    if (conflict.bufferS !== null) controls.bufferTarget.value = String(conflict.bufferS);
    else if (conflict.algorithm !== null) controls.selectAlgorithm(conflict.algorithm, {});
    checkAlgorithmFit();
    restart();
  });
  controls.live.addEventListener('change', liveChanged);
  controls.sample.addEventListener('change', () => playSample(controls.sample.value));
  controls.rendition.addEventListener('change', steeringChanged);
  controls.cap.addEventListener('change', steeringChanged);
  controls.copyLink.addEventListener('click', () => {
    controls.shareLink.select();
    navigator.clipboard.writeText(controls.shareLink.value).then(
      () => (controls.copyLink.textContent = 'Copied'),
      () => (controls.copyLink.textContent = 'Select and copy'),
    );
    setTimeout(() => (controls.copyLink.textContent = 'Copy'), 2000);
  });
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
        controls.setFieldError('trace-file', `Could not read ${file.name}: ${message(error)}`);
        setStatus(`Could not read ${file.name}: ${message(error)}`);
        log('error', `could not read ${file.name}: ${message(error)}`);
      })
      .finally(() => (controls.traceFile.value = ''));
  });
  controls.playUrl.addEventListener('click', () => {
    const url = controls.hlsUrl.value.trim();
    if (url === '') {
      controls.setFieldError('hls-url', 'Type the URL of an HLS master or media playlist first.');
      return;
    }
    controls.sample.value = '';
    void start({ kind: 'url', url, shaped: controls.shapeUrl.checked && !controls.shapeUrl.disabled });
  });
  controls.exportButton.addEventListener('click', exportCurrent);
  controls.loadSession.addEventListener('change', () => {
    const file = controls.loadSession.files?.[0];
    if (!file) return;
    loadRecording(file)
      .catch((error: unknown) => {
        controls.setFieldError('load-session', `Could not load ${file.name}: ${message(error)}`);
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
      ? {
          algorithm: current.settings.algorithm,
          trace: current.live.trace?.name ?? null,
          url: current.url,
          live: current.liveInfo !== null,
        }
      : null,
  chartPoints: () => charts.pointCounts(),
  bitrates: () => charts.bitrateSeries(),
  decisions: () => (current?.live.decisions ?? []).map((d) => ({ ...d })),
  stalls: () => (current?.live.stalls ?? []).map((s) => ({ ...s })),
  qoe: () => (current?.live.qoe ? { ...current.live.qoe } : null),
  compareRows: () => comparison.results().map((r) => ({ ...r })),
  log: () => (current?.live.log ?? []).map((e) => ({ ...e })),
  errors: () => [...pageErrors],
  fieldErrors: () => controls.fieldErrors(),
  steering: () => ({ ...steering }),
  overlay: () => statsOverlay.textContent ?? '',
  latency: () => {
    const l = current?.live;
    return (l?.latencyTS ?? []).map((tS, i) => ({
      tS,
      latencyMs: l!.latencyS[i]! * 1000,
      targetLatencyMs: l!.latencyTargetS[i]! * 1000,
      playbackRate: l!.playbackRate[i]!,
    }));
  },
});

// leaving the page: close the shaping session (the server also caps how many stay open)
window.addEventListener('pagehide', () => {
  for (const id of [current?.shapedId, pendingClose?.id]) {
    if (id)
      void fetch(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: true }).catch(
        () => {},
      );
  }
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
  for (const sample of SAMPLES) controls.sample.add(new Option(sample.label, sample.id));
  // settings from a shared link (share.ts)
  const shared = readSharedSettings(location.search);
  for (const problem of controls.applyShared(shared)) log('error', problem);
  steering.manual = controls.manualRendition();
  steering.cap = controls.capRendition();
  liveDetails.hidden = !controls.isLive();
  checkAlgorithmFit();
  renderQoe(null);
  renderStats();
  wire();
  pageState = 'ready';
  if (shared.url !== undefined)
    await start({ kind: 'url', url: shared.url, shaped: shared.shape === '1' && config !== null });
  else if (fixtures.length > 0) await start({ kind: 'fixture' });
  else setStatus('Type an HLS URL to play.');
}

init().catch((error: unknown) => {
  pageState = 'ready';
  setStatus(`The demo failed to start: ${message(error)}`);
  reportError(message(error));
});
