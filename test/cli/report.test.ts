import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchBrowser } from '../../e2e/support/browser.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAlgorithms } from '../../src/cli/commands/demo-sim.js';
import { runCli } from '../../src/cli/main.js';
import { SummaryAccumulator } from '../../src/sim/batch-stats.js';
import { buildReportHtml, cdfPoints } from '../../src/sim/report.js';
import { captureIo } from './helpers.js';

describe('report HTML (string level)', () => {
  const acc = new SummaryAccumulator(['<b>evil</b>', 'plain']);
  for (let t = 0; t < 5; t++) {
    for (let a = 0; a < 2; a++) {
      acc.add({
        job: t * 2 + a,
        traceIndex: t,
        algoIndex: a,
        trace: `t${t}`,
        algo: a === 0 ? '<b>evil</b>' : 'plain',
        segments: 3,
        qoe: t - a,
        bitrateKbpsMean: 1000 + t,
        rebufferS: a,
        switches: 1,
      });
    }
  }
  const html = buildReportHtml({ summary: acc.summary(), series: acc.series, meta: { video: 'v & w' } });

  it('is self-contained: no script, no external resource', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    for (const url of html.match(/https?:\/\/[^"\s]*/g) ?? []) expect(url).toBe('http://www.w3.org/2000/svg');
  });

  it('escapes names and shows no example section content without records', () => {
    expect(html).not.toContain('<b>evil</b>');
    expect(html).toContain('&#60;b&#62;evil&#60;/b&#62;');
    expect(html).toContain('v &#38; w');
    expect(html).toContain('No session to show.');
  });

  it('thins a CDF to at most the requested points, keeping both ends', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_000);
    const pts = cdfPoints(values, 100);
    expect(pts.length).toBeLessThanOrEqual(102);
    expect(pts[0]).toEqual([0, 0]);
    expect(pts[pts.length - 1]).toEqual([9999, 1]);
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]?.[0]).toBeGreaterThanOrEqual(pts[i - 1]?.[0] ?? 0);
      expect(pts[i]?.[1]).toBeGreaterThan(pts[i - 1]?.[1] ?? 0);
    }
  });
});

describe('abrkit demo-sim report in Chromium', () => {
  let dir: string;
  let reportPath: string;
  let summary: { algos: Record<string, { sessions: number }> };
  const algos = demoAlgorithms();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'abrkit-report-'));
    const cap = captureIo(dir);
    const code = await runCli(
      ['demo-sim', '--traces-per-generator', '1', '--workers', '2', '--summary', 'demo.json', '--quiet'],
      cap.io,
    );
    expect(cap.err()).toBe('');
    expect(code).toBe(0);
    reportPath = join(dir, 'out', 'report.html');
    expect(cap.out()).toContain(reportPath);
    summary = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as typeof summary;
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compares every online algorithm on the bundled traces', () => {
    expect(Object.keys(summary.algos)).toEqual(algos);
    // 3 fixed traces + 1 per random generator (3 generators).
    for (const a of Object.values(summary.algos)) expect(a.sessions).toBe(6);
  });

  it('opens without console or page errors, fetches nothing else, and draws every plot', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(reportPath).href;
      await page.goto(url, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);

      const counts = await page.evaluate(() => {
        const q = (sel: string): number => document.querySelectorAll(sel).length;
        const box = (sel: string): number => document.querySelector(sel)?.getBoundingClientRect().width ?? 0;
        const cdfPointCounts = [...document.querySelectorAll('#qoe-cdf polyline.cdf')].map(
          (p) => (p.getAttribute('points') ?? '').trim().split(/\s+/).length,
        );
        return {
          rows: q('#summary-table tbody tr'),
          cdfCurves: q('#qoe-cdf polyline.cdf'),
          cdfPointCounts,
          scatterGroups: q('#bitrate-rebuffer g.points'),
          scatterPoints: q('#bitrate-rebuffer circle'),
          bitrateLine: q('#timeline-bitrate polyline.bitrate'),
          bufferLine: q('#timeline-buffer polyline.buffer'),
          widths: ['#qoe-cdf', '#bitrate-rebuffer', '#timeline-bitrate', '#timeline-buffer'].map(box),
        };
      });
      expect(counts.rows).toBe(algos.length);
      expect(counts.cdfCurves).toBe(algos.length);
      for (const n of counts.cdfPointCounts) expect(n).toBeGreaterThanOrEqual(7); // 6 sessions + the origin
      expect(counts.scatterGroups).toBe(algos.length);
      expect(counts.scatterPoints).toBe(algos.length * 6);
      expect(counts.bitrateLine).toBe(1);
      expect(counts.bufferLine).toBe(1);
      for (const w of counts.widths) expect(w).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
