/**
 * HTTP helpers for the demo API (Node): JSON answers, `{ error: { code, message } }` refusals, and a JSON
 * request body read with a size cap (413) and a time limit (408).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Headers on every API answer. */
export const API_HEADERS: OutgoingHttpHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** A refusal the API answers with `status` and `{ error: { code, message } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  extra: OutgoingHttpHeaders = {},
): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    ...API_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

export function methodNotAllowed(
  method: string | undefined,
  path: string,
  allowed: readonly string[],
): ApiError {
  return new ApiError(
    405,
    'METHOD_NOT_ALLOWED',
    `${method ?? '?'} ${path}: method not allowed (allowed: ${allowed.join(', ')})`,
    { Allow: allowed.join(', ') },
  );
}

export interface BodyLimits {
  /** Largest body accepted, bytes (413 beyond). */
  readonly maxBodyBytes: number;
  /** Time allowed to receive the whole body, ms (408 beyond). */
  readonly bodyTimeoutMs: number;
}

/**
 * Reads and parses a JSON request body. Refuses a non-JSON content type (415: it also makes a cross-site
 * form post impossible without a CORS preflight), a declared or actual size over the limit (413), a body
 * slower than the time limit (408) and text that is not JSON (400). On 413 and 408 the connection is closed
 * after the answer, so the rest of the body is not read.
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `the body must be JSON sent with Content-Type: application/json (got ${type === '' ? 'none' : JSON.stringify(type)})`,
    );
  }
  const tooLarge = (): ApiError =>
    new ApiError(413, 'BODY_TOO_LARGE', `the body exceeds ${limits.maxBodyBytes} bytes`, {
      Connection: 'close',
    });
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBodyBytes) throw tooLarge();
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error: ApiError | null, value = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error === null) resolve(value);
      else {
        req.pause();
        reject(error);
      }
    };
    const timer = setTimeout(
      () =>
        settle(
          new ApiError(408, 'BODY_TIMEOUT', `the body did not arrive within ${limits.bodyTimeoutMs} ms`, {
            Connection: 'close',
          }),
        ),
      limits.bodyTimeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBodyBytes) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(null, Buffer.concat(chunks).toString('utf8'));
    const onError = (): void =>
      settle(new ApiError(400, 'BODY_UNREADABLE', 'the request body could not be read'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, 'BODY_NOT_JSON', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/** `decodeURIComponent`, or null for malformed percent-encoding. */
export function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
