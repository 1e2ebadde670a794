/**
 * Memory and time of loading a large trace file: `npx tsx bench/large-trace.ts [--mb 200] [--format pensieve]
 * [--sim]` (issue 18: a 200 MB Pensieve trace used to take 3.3 GB and 58 s).
 *
 * Writes a synthetic trace of about `--mb` MB in a temp folder (Pensieve cooked lines like
 * `12345.678\t3.141593`, times 0.5-1.5 s apart, throughputs with 6 decimals; or Sabre JSON periods), then loads
 * it with `loadTraceFile` in a fresh child process and prints the child's peak RSS (`resourceUsage().maxRSS`),
 * the load time and the periods read. With `--sim`, the child then runs one short session on the trace under
 * each network model and prints the peak RSS again. Last, it times the refusals of `/dev/zero` and of a sparse
 * 10 GB file (both before any memory grows). Printed, never asserted.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadTraceFile } from '../src/sim/load-trace.js';
import { periodCount } from '../src/traces/columns.js';
import { simulateSession } from '../src/sim/simulate.js';
import { NETWORK_MODEL_NAMES } from '../src/sim/network/index.js';
import type { TraceFormat } from '../src/traces/model.js';
import type { VideoDescription } from '../src/videos/model.js';

const { values } = parseArgs({
  options: {
    mb: { type: 'string', default: '200' },
    format: { type: 'string', default: 'pensieve' },
    sim: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

if (values.child !== undefined) {
  // The measured process: load, report, optionally simulate.
  const started = performance.now();
  const trace = await loadTraceFile(values.child);
  const loadMs = performance.now() - started;
  const peakLoad = process.resourceUsage().maxRSS * 1024;
  const memory = process.memoryUsage();
  console.log(
    `  loaded ${periodCount(trace).toLocaleString('en')} periods in ${(loadMs / 1000).toFixed(1)} s, ` +
      `peak RSS ${mb(peakLoad)} (now: heap used ${mb(memory.heapUsed)}, array buffers ${mb(memory.arrayBuffers)})`,
  );
  if (values.sim) {
    const video: VideoDescription = {
      name: 'small',
      segmentDurationMs: 4000,
      renditions: [300, 1200, 4300].map((bitrateKbps, index) => ({ index, bitrateKbps })),
      segmentSizesBytes: Array.from({ length: 30 }, () => [150_000, 600_000, 2_150_000]),
    };
    for (const network of NETWORK_MODEL_NAMES) {
      const t = performance.now();
      const { summary } = simulateSession({ video, trace, algorithm: 'bba', network });
      console.log(
        `  ${network}: a 2-minute session in ${((performance.now() - t) / 1000).toFixed(2)} s ` +
          `(rebuffer ${(summary.rebufferMs / 1000).toFixed(1)} s), peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
      );
    }
  }
  process.exit(0);
}

const format = values.format as TraceFormat;
const targetBytes = Number(values.mb) * 1024 * 1024;
const dir = await mkdtemp(join(tmpdir(), 'abrkit-large-trace-'));
try {
  const path = join(dir, format === 'sabre' ? 'big.json' : 'big.txt');
  const out = createWriteStream(path);
  let written = 0;
  let timeMs = 0;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  if (format === 'sabre') written += out.write('[\n') ? 2 : 2;
  let first = true;
  while (written < targetBytes) {
    const rows: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const stepMs = 500 + Math.floor(random() * 1000);
      const mbps = (0.2 + random() * 8).toFixed(6);
      if (format === 'sabre') {
        rows.push(
          `${first ? '' : ',\n'}  {"duration_ms": ${stepMs}, "bandwidth_kbps": ${(Number(mbps) * 1000).toFixed(3)}, "latency_ms": 20}`,
        );
        first = false;
      } else {
        rows.push(`${(timeMs / 1000).toFixed(3)}\t${mbps}\n`);
      }
      timeMs += stepMs;
    }
    const chunk = rows.join('');
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  if (format === 'sabre') out.write('\n]\n');
  out.end();
  await once(out, 'finish');
  const size = (await stat(path)).size;
  console.log(`${format} trace of ${mb(size)} (${path})`);
  console.log(
    `  measured in a fresh child process (${process.execPath} ${process.version}, from the TypeScript sources ` +
      `through tsx): peak RSS = process.resourceUsage().maxRSS after loadTraceFile(); an empty run of the ` +
      `same child is about 80 MB`,
  );
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, self, '--child', path, ...(values.sim ? ['--sim'] : [])],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) console.log(`  child exited with ${String(child.status)}`);

  // Refusals: /dev/zero (a device that never ends) and a sparse 10 GB file.
  for (const [what, make] of [
    ['/dev/zero', () => Promise.resolve('/dev/zero')],
    [
      'a sparse 10 GB file',
      async () => {
        const sparse = join(dir, 'sparse.txt');
        const handle = await open(sparse, 'w');
        await handle.truncate(10 * 1024 ** 3);
        await handle.close();
        return sparse;
      },
    ],
  ] as const) {
    const target = await make();
    const t = performance.now();
    const message = await loadTraceFile(target).then(
      () => 'accepted (!)',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    console.log(`${what}: refused in ${(performance.now() - t).toFixed(0)} ms: ${message}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
