/**
 * "Compare in the simulator": runs each requested algorithm with `simulateSession` (abrkit/sim/core, the
 * same pure core the player runs) on the live session's trace and the fixture's segment sizes, network
 * model `sabre`, the player's buffer target; live (`request.live`) as a live stream with the player's latency
 * target, QoE still QoE_lin so the rows compare with the player's. One message in, one message out.
 */
import { simulateSession } from 'abrkit/sim/core';
import type { CompareRequest, CompareResponse, CompareRow } from './compare-protocol.js';

function run(request: CompareRequest): CompareResponse {
  const rows: CompareRow[] = [];
  for (const { algorithm, options } of request.runs) {
    try {
      const { records, summary } = simulateSession({
        video: request.video,
        trace: request.trace,
        algorithm,
        algorithmOptions: options,
        network: 'sabre',
        qoe: 'lin',
        bufferTargetMs: request.bufferTargetMs,
        ...(request.live ? { live: { targetLatencyMs: request.live.targetLatencyMs } } : {}),
      });
      const latencies = records.map((r) => r.latencyMs).filter((l): l is number => l !== undefined);
      rows.push({
        algorithm,
        qoe: summary.totalQoe,
        meanBitrateKbps: summary.meanBitrateKbps,
        stallCount: summary.rebufferCount,
        stallMs: summary.rebufferMs,
        switches: summary.switches,
        startupMs: summary.startupMs,
        segments: summary.segments,
        ...(latencies.length > 0
          ? { meanLatencyMs: latencies.reduce((sum, l) => sum + l, 0) / latencies.length }
          : {}),
      });
    } catch (error) {
      rows.push({
        algorithm,
        qoe: Number.NaN,
        meanBitrateKbps: Number.NaN,
        stallCount: 0,
        stallMs: 0,
        switches: 0,
        startupMs: 0,
        segments: 0,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { requestId: request.requestId, rows };
}

self.onmessage = (event: MessageEvent<CompareRequest>) => {
  const request = event.data;
  let response: CompareResponse;
  try {
    response = run(request);
  } catch (error) {
    response = {
      requestId: request.requestId,
      rows: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
  self.postMessage(response);
};
