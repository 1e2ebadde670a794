/**
 * Shaping-server accuracy (run: `npx tsx bench/shaping-accuracy.ts [--browser] [--quick]`).
 *
 * For constant traces of 0.3, 1, 2, 4 and 8 Mbps and a step trace 4 → 0.5 → 2 Mbps (10 s each), the
 * 480p fixture segments (fixtures/ladder/480p/seg_*.m4s, 55-275 kB) are fetched one after another through
 * `startShapingServer` (latency 0, the trace starting when the run starts). For each segment:
 * - observed throughput = body bytes × 8 / (last byte − first byte) as the client saw it;
 * - the trace's throughput = the trace integral over that same interval / its length (what the link allowed);
 * - error = |observed − trace| / trace. Printed per segment, then mean, p90 and the mean signed error.
 * Node client: node:http on a keep-alive agent, times from performance.now() at the 'response' event (headers,
 * which leave with the first byte) and at 'end', mapped onto trace time through the server's origin (same
 * process, same clock). Browser client (`--browser`, Debian chromium headless via e2e/support/browser.ts):
 * fetch() from a page of the server's own origin with cache: 'no-store', Resource Timing responseStart/responseEnd (the
 * server sends Timing-Allow-Origin: *), the interval placed on trace time at the server's logged first byte.
 * Results depend on the machine's load (timer jitter); printed only, never asserted. Target: mean ≤ 3%.
 */
import { readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startShapingServer, type ShapingServer } from '../src/shaping/index.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'ladder');
const SEGMENTS = readdirSync(join(ROOT, '480p'))
  .filter((n) => /^seg_\d+\.m4s$/.test(n))
  .sort()
  .map((n) => `/480p/${n}`);
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

interface Case {
  readonly name: string;
  readonly trace: string;
  /** Stop fetching once this much trace time has passed (ms). */
  readonly budgetMs: number;
}

const CASES: Case[] = [
  { name: 'constant 0.3 Mbps', trace: 'constant:300', budgetMs: quick ? 10_000 : 25_000 },
  { name: 'constant 1 Mbps', trace: 'constant:1000', budgetMs: quick ? 6_000 : 15_000 },
  { name: 'constant 2 Mbps', trace: 'constant:2000', budgetMs: quick ? 4_000 : 12_000 },
  { name: 'constant 4 Mbps', trace: 'constant:4000', budgetMs: quick ? 3_000 : 8_000 },
  { name: 'constant 8 Mbps', trace: 'constant:8000', budgetMs: quick ? 2_000 : 5_000 },
  { name: 'step 4 → 0.5 → 2 Mbps', trace: 'step:4000x10s,500x10s,2000x10s', budgetMs: 30_000 },
];

interface Sample {
  readonly url: string;
  readonly bytes: number;
  /** Trace time of the first and last byte. */
  readonly firstByteMs: number;
  readonly endMs: number;
}

function nodeFetch(agent: Agent, url: string, originMs: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const firstByteMs = performance.now() - originMs;
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ url, bytes, firstByteMs, endMs: performance.now() - originMs }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function runNode(c: Case): Promise<{ server: ShapingServer; samples: Sample[] }> {
  const originMs = performance.now();
  const server = await startShapingServer({ root: ROOT, trace: c.trace, originMs });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: Sample[] = [];
  try {
    for (let i = 0; performance.now() - originMs < c.budgetMs; i++) {
      samples.push(await nodeFetch(agent, `${server.url}${SEGMENTS[i % SEGMENTS.length]!}`, originMs));
    }
  } finally {
    agent.destroy();
    await server.close();
  }
  return { server, samples };
}

async function runBrowser(c: Case): Promise<{ server: ShapingServer; samples: Sample[] }> {
  const { launchBrowser } = await import('../e2e/support/browser.js');
  const browser = await launchBrowser();
  const originMs = performance.now();
  const server = await startShapingServer({ root: ROOT, trace: c.trace, originMs });
  const samples: Sample[] = [];
  try {
    const page = await browser.newPage();
    // a same-origin page (the server's 404 for an unknown path): chromium refuses fetches from about:blank
    // to loopback (Private Network Access)
    await page.goto(`${server.url}/__bench__`);
    for (let i = 0; performance.now() - originMs < c.budgetMs; i++) {
      // a query makes each URL unique so its Resource Timing entry is found by name
      const url = `${server.url}${SEGMENTS[i % SEGMENTS.length]!}?n=${i}`;
      const timing = await page.evaluate(async (u: string) => {
        const r = await fetch(u, { cache: 'no-store' });
        const bytes = (await r.arrayBuffer()).byteLength;
        const entries = performance.getEntriesByName(u) as PerformanceResourceTiming[];
        const e = entries[entries.length - 1];
        return { bytes, responseStart: e?.responseStart ?? NaN, responseEnd: e?.responseEnd ?? NaN };
      }, url);
      const logged = server.requests.find((r) => r.url === url.slice(server.url.length));
      const fb = logged?.firstByteMs ?? Number.NaN;
      samples.push({
        url,
        bytes: timing.bytes,
        firstByteMs: fb,
        endMs: fb + (timing.responseEnd - timing.responseStart),
      });
    }
  } finally {
    await server.close();
    await browser.close();
  }
  return { server, samples };
}

function report(label: string, c: Case, server: ShapingServer, samples: Sample[]): void {
  const errors: number[] = [];
  const signed: number[] = [];
  console.log(`\n${label}: ${c.name} (${c.trace}), ${samples.length} segments`);
  console.log('  seg  bytes    first→last ms (trace)   observed kbps   trace kbps   error');
  samples.forEach((s, i) => {
    const spanMs = s.endMs - s.firstByteMs;
    const observed = (s.bytes * 8) / spanMs;
    const expected = server.timeline.bitsBetween(s.firstByteMs, s.endMs) / spanMs;
    const err = (observed - expected) / expected;
    errors.push(Math.abs(err));
    signed.push(err);
    console.log(
      `  ${String(i).padStart(3)}  ${String(s.bytes).padStart(6)}  ${s.firstByteMs.toFixed(0).padStart(7)}→${s.endMs
        .toFixed(0)
        .padEnd(
          7,
        )}        ${observed.toFixed(1).padStart(9)}   ${expected.toFixed(1).padStart(9)}   ${(err * 100).toFixed(2)}%`,
    );
  });
  const sorted = [...errors].sort((a, b) => a - b);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] ?? Number.NaN;
  const bias = signed.reduce((a, b) => a + b, 0) / signed.length;
  const max = sorted[sorted.length - 1] ?? Number.NaN;
  console.log(
    `  => mean |error| ${(mean * 100).toFixed(2)}%, p90 ${(p90 * 100).toFixed(2)}%, max ${(max * 100).toFixed(2)}%, ` +
      `mean signed ${(bias * 100).toFixed(2)}%` +
      ` (target: mean ≤ 3%)`,
  );
}

console.log(
  'shaping accuracy: per-segment throughput seen by the client vs the trace integral over the same interval',
);
console.log(
  `node ${process.version}, ${SEGMENTS.length} fixture segments, scheduler tick 10 ms${quick ? ', --quick' : ''}`,
);
for (const c of CASES) {
  const { server, samples } = await runNode(c);
  report('node', c, server, samples);
}
if (args.has('--browser')) {
  for (const c of CASES) {
    const { server, samples } = await runBrowser(c);
    report('chromium', c, server, samples);
  }
}
