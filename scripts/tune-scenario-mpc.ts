/**
 * The tuning harness of scenario-mpc (src/abr/scenario-mpc.ts): runs option variants on the TRAIN half of the
 * dev traces only (the split of bench/own-algorithm.ts: FNV-1a of the trace name % 10 >= 3) and prints, per
 * set, what the defaults were chosen on: mean, median, mean without the two README outage traces, per-trace
 * wins / losses against robust-mpc, total rebuffer and the fraction of the offline optimum (on every
 * `--opt-every`-th train trace). robust-mpc and the optimum are cached in out/tune-scenario-mpc-cache.json.
 *
 * Run: `npx tsx scripts/tune-scenario-mpc.ts [--fcc-every N] [--opt-every-hsdpa N] [--opt-every-fcc N]
 *   [--set hsdpa|fcc] [--dump] '<variant JSON>' ...` where each variant is a JSON object of scenario-mpc
 * options (`{}` = the defaults), optionally with a "label". `--dump` prints per-trace rows of the first variant.
 * Deterministic: the simulator and scenario-mpc have no randomness. Never reads validation traces.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRobustMpc } from '../src/abr/robust-mpc.js';
import { createScenarioMpc } from '../src/abr/scenario-mpc.js';
import type { AbrAlgorithm, AbrOptions } from '../src/abr/types.js';
import { loadTraces } from '../src/sim/load-trace.js';
import { loadVideo } from '../src/sim/load-video.js';
import { simulateSession } from '../src/sim/simulate.js';
import type { NetworkModelName } from '../src/sim/network/types.js';
import type { NetworkTrace } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const DATA = process.env.ABRKIT_SHARED_DATA ?? resolve(ROOT, '..', 'shared', 'data');
const CACHE = join(ROOT, 'out', 'tune-scenario-mpc-cache.json');
const README_OUTAGE_TRACES = new Set(['report.2011-02-01_0840CET', 'report.2011-02-01_1000CET']);

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
const isTrain = (name: string): boolean => fnv1a(name) % 10 >= 3;

const args = process.argv.slice(2);
function flag(name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
function strFlag(name: string): string | null {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? null) : null;
}
const variants: { label: string; options: AbrOptions }[] = args
  .filter((a) => a.startsWith('{'))
  .map((a) => {
    const o = JSON.parse(a) as Record<string, unknown>;
    const label = typeof o['label'] === 'string' ? o['label'] : a;
    delete o['label'];
    return { label, options: o };
  });
if (variants.length === 0) variants.push({ label: 'defaults', options: {} });

interface Row {
  qoe: number;
  rebufferMs: number;
  bitrate: number;
  switches: number;
}
type Cache = Record<string, Record<string, Row>>;
const cache: Cache = existsSync(CACHE) ? (JSON.parse(readFileSync(CACHE, 'utf8')) as Cache) : {};

function run(
  trace: NetworkTrace,
  video: VideoDescription,
  network: NetworkModelName,
  algo: AbrAlgorithm | string,
  options?: AbrOptions,
): Row {
  const r = simulateSession({ video, trace, algorithm: algo, algorithmOptions: options, network });
  return {
    qoe: r.summary.totalQoe,
    rebufferMs: r.summary.rebufferMs,
    bitrate: r.summary.meanBitrateKbps,
    switches: r.summary.switches,
  };
}

function cached(key: string, name: string, make: () => Row): Row {
  const bucket = (cache[key] ??= {});
  return (bucket[name] ??= make());
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length;
  return m === 0 ? NaN : m % 2 ? s[(m - 1) / 2]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
}
const pct = (a: number, b: number): string => `${((100 * (a - b)) / Math.abs(b)).toFixed(1)}%`;

function evaluate(
  setKey: string,
  traces: readonly NetworkTrace[],
  video: VideoDescription,
  network: NetworkModelName,
  optEvery: number,
  optResolutionMs: number,
): void {
  const base = new Map<string, Row>();
  const opt = new Map<string, Row>();
  traces.forEach((t, i) => {
    base.set(
      t.name,
      cached(`${setKey}/robust-mpc`, t.name, () => run(t, video, network, createRobustMpc())),
    );
    if (i % optEvery === 0)
      opt.set(
        t.name,
        cached(`${setKey}/optimal@${optResolutionMs}`, t.name, () =>
          run(t, video, network, 'optimal', { resolutionMs: optResolutionMs }),
        ),
      );
  });
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  writeFileSync(CACHE, JSON.stringify(cache));
  const names = traces.map((t) => t.name);
  const kept = names.filter((n) => !README_OUTAGE_TRACES.has(n));
  const optNames = [...opt.keys()].filter((n) => !README_OUTAGE_TRACES.has(n));
  const optMean = mean(optNames.map((n) => opt.get(n)!.qoe));
  const b = names.map((n) => base.get(n)!.qoe);
  console.log(
    `\n## ${setKey} train: ${names.length} traces; robust-mpc mean ${mean(b).toFixed(2)} median ${median(b).toFixed(2)} ` +
      `w/o outages ${mean(kept.map((n) => base.get(n)!.qoe)).toFixed(2)} rebuffer ${(names.reduce((a, n) => a + base.get(n)!.rebufferMs, 0) / 1000).toFixed(0)} s; ` +
      `optimum (w/o outages, ${optNames.length}) ${optMean.toFixed(2)}, robust-mpc at ${(mean(optNames.map((n) => base.get(n)!.qoe)) / optMean).toFixed(3)}`,
  );
  console.log(
    '| variant | mean | median | w/o outages | vs robust mean / median | wins/losses | mean Δ clipped ±25 | rebuffer s | frac opt |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  let first = true;
  for (const v of variants) {
    const rows = new Map<string, Row>();
    for (const t of traces) rows.set(t.name, run(t, video, network, createScenarioMpc(v.options)));
    const q = names.map((n) => rows.get(n)!.qoe);
    const diff = names.map((n) => rows.get(n)!.qoe - base.get(n)!.qoe);
    console.log(
      `| ${v.label} | ${mean(q).toFixed(2)} | ${median(q).toFixed(2)} | ${mean(kept.map((n) => rows.get(n)!.qoe)).toFixed(2)} | ` +
        `${pct(mean(q), mean(b))} / ${pct(median(q), median(b))} | ${diff.filter((d) => d > 1e-9).length}/${diff.filter((d) => d < -1e-9).length} | ${mean(diff.map((d) => Math.max(-25, Math.min(25, d)))).toFixed(2)} | ` +
        `${(names.reduce((a, n) => a + rows.get(n)!.rebufferMs, 0) / 1000).toFixed(0)} | ${(mean(optNames.map((n) => rows.get(n)!.qoe)) / optMean).toFixed(3)} |`,
    );
    if (first && args.includes('--dump')) {
      console.log('trace | ours qoe/rebuf/kbps/sw | robust | optimal');
      for (const n of names) {
        const f = (r: Row | undefined): string =>
          r
            ? `${r.qoe.toFixed(1)}/${(r.rebufferMs / 1000).toFixed(1)}/${r.bitrate.toFixed(0)}/${r.switches}`
            : '-';
        console.log(`${n} | ${f(rows.get(n))} | ${f(base.get(n))} | ${f(opt.get(n))}`);
      }
    }
    first = false;
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA, 'README.md'))) {
    console.log(`no shared data at ${DATA}: nothing to tune on`);
    return;
  }
  const set = strFlag('--set');
  if (set !== 'fcc') {
    const hsdpa = (await loadTraces([join(DATA, 'traces', 'hsdpa-norway-3g-cooked')], 'pensieve')).filter(
      (t) => isTrain(t.name),
    );
    const envivio = await loadVideo(join(DATA, 'videos', 'pensieve-envivio'), { playableSegmentCount: 48 });
    evaluate('hsdpa', hsdpa, envivio, 'pensieve', flag('--opt-every-hsdpa', 1), 50);
  }
  if (set !== 'hsdpa') {
    const every = flag('--fcc-every', 10);
    const fcc = (await loadTraces([join(DATA, 'traces', 'fcc-sd')], 'sabre'))
      .filter((_, i) => i % every === 0)
      .filter((t) => isTrain(t.name));
    const bbb = await loadVideo(join(DATA, 'videos', 'bbb.json'));
    evaluate(`fcc/every${every}`, fcc, bbb, 'sabre', flag('--opt-every-fcc', 2), 250);
  }
}

await main();
