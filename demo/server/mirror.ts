/**
 * Shaping your own stream (Node): `mirrorHls(url, dir)` downloads a VOD HLS stream (a master playlist with
 * its variant and audio playlists, or one media playlist) with its init and media segments into `dir`, its
 * playlists rewritten to relative local names, so that the shaping server can serve it under a trace exactly
 * as it serves a bundled fixture. Proxying the origin instead would put the origin's own speed and latency
 * under the trace; a local copy makes the trace the network the player sees.
 *
 * Layout: `master.m3u8`; `v<k>/index.m3u8` per variant, `a<k>/index.m3u8` per rendition of EXT-X-MEDIA;
 * segments as `s<n>.<ext>` next to their playlist (one file per distinct URL, so byte ranges of one file
 * stay byte ranges). A lone media playlist gets a master naming it (BANDWIDTH from its bytes and duration).
 * Refused, with `MirrorError` naming the URL: live playlists (no EXT-X-ENDLIST), encryption (EXT-X-KEY other
 * than NONE), more than `maxFiles` files or `maxBytes` bytes, a file slower than `fileTimeoutMs`, non-2xx.
 * I-frame playlists are dropped.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MirrorOptions {
  /** Files downloaded at most (playlists included; default 2000). */
  readonly maxFiles?: number;
  /** Bytes downloaded at most (default 500 MiB). */
  readonly maxBytes?: number;
  /** Time allowed per file, ms (default 30 s). */
  readonly fileTimeoutMs?: number;
  /** Downloads at once (default 4). */
  readonly concurrency?: number;
  /** The fetch to use (tests inject one; default global fetch). */
  readonly fetch?: typeof fetch;
}

export interface MirrorResult {
  /** The URL mirrored. */
  readonly url: string;
  readonly files: number;
  readonly bytes: number;
  /** Media playlists written (variants and audio). */
  readonly playlists: number;
}

/** A stream that cannot be mirrored: `code` says why, the message names the URL. */
export class MirrorError extends Error {
  constructor(
    readonly code:
      | 'MIRROR_URL_INVALID'
      | 'MIRROR_LIVE'
      | 'MIRROR_ENCRYPTED'
      | 'MIRROR_TOO_LARGE'
      | 'MIRROR_FETCH_FAILED'
      | 'MIRROR_NOT_HLS',
    message: string,
  ) {
    super(message);
    this.name = 'MirrorError';
  }
}

export const MIRROR_DEFAULTS = {
  maxFiles: 2000,
  maxBytes: 500 * 1024 * 1024,
  fileTimeoutMs: 30_000,
  concurrency: 4,
} as const;

const URI_ATTRIBUTE = /URI="([^"]*)"/;

/** Checks `text` is an http(s) URL and returns it parsed. */
export function checkMirrorUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MirrorError('MIRROR_URL_INVALID', `${JSON.stringify(text)} is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MirrorError('MIRROR_URL_INVALID', `${text}: only http and https URLs can be mirrored`);
  return url;
}

/** A local file name's extension for `url` (`.m4s`, `.ts`...), `.bin` when it has none usable. */
function extensionOf(url: URL): string {
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(url.pathname)?.[1];
  return ext ? `.${ext.toLowerCase()}` : '.bin';
}

/** Seconds of media in a media playlist (its EXTINF durations). */
function durationS(playlist: string): number {
  let total = 0;
  for (const m of playlist.matchAll(/^#EXTINF:([0-9.]+)/gm)) total += Number(m[1]);
  return total;
}

export async function mirrorHls(
  urlText: string,
  dir: string,
  options: MirrorOptions = {},
): Promise<MirrorResult> {
  const maxFiles = options.maxFiles ?? MIRROR_DEFAULTS.maxFiles;
  const maxBytes = options.maxBytes ?? MIRROR_DEFAULTS.maxBytes;
  const fileTimeoutMs = options.fileTimeoutMs ?? MIRROR_DEFAULTS.fileTimeoutMs;
  const concurrency = options.concurrency ?? MIRROR_DEFAULTS.concurrency;
  const doFetch = options.fetch ?? fetch;
  const top = checkMirrorUrl(urlText);
  let files = 0;
  let bytes = 0;

  async function download(url: URL): Promise<Uint8Array> {
    if (++files > maxFiles)
      throw new MirrorError(
        'MIRROR_TOO_LARGE',
        `${top.href}: more than ${maxFiles} files to download (the mirror's limit)`,
      );
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(fileTimeoutMs), redirect: 'follow' });
    } catch (e) {
      throw new MirrorError('MIRROR_FETCH_FAILED', `${url.href}: ${(e as Error).message}`);
    }
    if (!response.ok) throw new MirrorError('MIRROR_FETCH_FAILED', `${url.href}: HTTP ${response.status}`);
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      throw new MirrorError('MIRROR_FETCH_FAILED', `${url.href}: ${(e as Error).message}`);
    }
    bytes += body.byteLength;
    if (bytes > maxBytes)
      throw new MirrorError(
        'MIRROR_TOO_LARGE',
        `${top.href}: more than ${Math.round(maxBytes / 1024 / 1024)} MiB to download (the mirror's limit)`,
      );
    return body;
  }

  async function downloadText(url: URL): Promise<string> {
    const text = new TextDecoder().decode(await download(url));
    if (!text.startsWith('#EXTM3U'))
      throw new MirrorError('MIRROR_NOT_HLS', `${url.href}: not an HLS playlist (no #EXTM3U)`);
    return text;
  }

  /** Runs `tasks` `concurrency` at a time; the first failure fails all. */
  async function runAll(tasks: (() => Promise<void>)[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) await tasks[next++]!();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  }

  /** Mirrors one media playlist into `folder` (relative to dir); returns its text as written. */
  async function mirrorMedia(url: URL, folder: string, fetched?: string): Promise<string> {
    const text = fetched ?? (await downloadText(url));
    if (/^#EXT-X-STREAM-INF/m.test(text))
      throw new MirrorError(
        'MIRROR_NOT_HLS',
        `${url.href}: a master playlist where a media playlist was expected`,
      );
    if (!/^#EXT-X-ENDLIST/m.test(text))
      throw new MirrorError(
        'MIRROR_LIVE',
        `${url.href}: a live playlist (no #EXT-X-ENDLIST); only VOD streams can be mirrored (use the Live box to shape a live stream of the bundled video)`,
      );
    const names = new Map<string, string>(); // absolute URL → local name
    const local = (uri: string): string => {
      const abs = new URL(uri, url);
      abs.hash = '';
      let name = names.get(abs.href);
      if (name === undefined) {
        name = `s${names.size}${extensionOf(abs)}`;
        names.set(abs.href, name);
      }
      return name;
    };
    const lines = text.split(/\r?\n/).map((line) => {
      if (line.startsWith('#EXT-X-KEY') && !/METHOD=NONE/.test(line))
        throw new MirrorError(
          'MIRROR_ENCRYPTED',
          `${url.href}: encrypted segments (EXT-X-KEY) cannot be mirrored`,
        );
      if (line.startsWith('#EXT-X-MAP')) {
        const uri = URI_ATTRIBUTE.exec(line)?.[1];
        return uri === undefined ? line : line.replace(URI_ATTRIBUTE, `URI="${local(uri)}"`);
      }
      if (line === '' || line.startsWith('#')) return line;
      return local(line.trim());
    });
    await mkdir(join(dir, folder), { recursive: true });
    await runAll(
      [...names].map(([abs, name]) => async () => {
        await writeFile(join(dir, folder, name), await download(new URL(abs)));
      }),
    );
    const out = lines.join('\n');
    await writeFile(join(dir, folder, 'index.m3u8'), out);
    return out;
  }

  await mkdir(dir, { recursive: true });
  const topText = await downloadText(top);
  if (!/^#EXT-X-STREAM-INF/m.test(topText)) {
    // one media playlist: a master names it, its BANDWIDTH from what was downloaded
    const before = bytes;
    const media = await mirrorMedia(top, 'v0', topText);
    const seconds = durationS(media);
    const bandwidth = seconds > 0 ? Math.ceil(((bytes - before) * 8) / seconds) : 1_000_000;
    await writeFile(
      join(dir, 'master.m3u8'),
      `#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth}\nv0/index.m3u8\n`,
    );
    return { url: top.href, files, bytes, playlists: 1 };
  }

  // a master: each variant and EXT-X-MEDIA playlist mirrored, the master rewritten to their local names
  const jobs: (() => Promise<void>)[] = [];
  const variants = new Map<string, string>(); // absolute playlist URL → local folder
  const folderFor = (uri: string, prefix: 'v' | 'a'): string => {
    const abs = new URL(uri, top).href;
    let folder = variants.get(abs);
    if (folder === undefined) {
      folder = `${prefix}${variants.size}`;
      variants.set(abs, folder);
      const f = folder;
      jobs.push(async () => {
        await mirrorMedia(new URL(abs), f);
      });
    }
    return `${folder}/index.m3u8`;
  };
  const out: string[] = [];
  let expectVariant = false;
  for (const line of topText.split(/\r?\n/)) {
    if (line.startsWith('#EXT-X-SESSION-KEY'))
      throw new MirrorError(
        'MIRROR_ENCRYPTED',
        `${top.href}: encrypted (EXT-X-SESSION-KEY) streams cannot be mirrored`,
      );
    if (line.startsWith('#EXT-X-I-FRAME-STREAM-INF')) continue;
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const uri = URI_ATTRIBUTE.exec(line)?.[1];
      out.push(uri === undefined ? line : line.replace(URI_ATTRIBUTE, `URI="${folderFor(uri, 'a')}"`));
      continue;
    }
    if (line.startsWith('#EXT-X-STREAM-INF')) expectVariant = true;
    if (line !== '' && !line.startsWith('#') && expectVariant) {
      out.push(folderFor(line.trim(), 'v'));
      expectVariant = false;
      continue;
    }
    out.push(line);
  }
  // playlists one after the other (each downloads its segments `concurrency` at a time)
  for (const job of jobs) await job();
  await writeFile(join(dir, 'master.m3u8'), out.join('\n'));
  return { url: top.href, files, bytes, playlists: jobs.length };
}

/** A mirrored stream the API knows, by fixture name. */
export interface MirroredFixture extends MirrorResult {
  /** Its fixture name (`url-<hash>`), usable wherever a fixture name is. */
  readonly name: string;
}

export interface MirrorStore {
  /** Mirrors `url` (once: the same URL gives the same mirror, also while it downloads). */
  mirror(url: string): Promise<MirroredFixture>;
  /** The folder of a finished mirror, or null. */
  dir(name: string): string | null;
  /** Removes every mirror. */
  close(): Promise<void>;
}

const EXIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Mirrors kept at once; one more removes the oldest. */
export const MAX_MIRRORS = 8;

/** Mirrors in a temporary folder of their own, removed by `close()`. */
export function createMirrorStore(options: MirrorOptions = {}): MirrorStore {
  let root: Promise<string> | null = null;
  const pending = new Map<string, Promise<MirroredFixture>>(); // name → mirror (insertion order = age)
  const done = new Map<string, string>(); // name → folder
  // a dev server stopped with Ctrl+C exits without closing its servers: remove the copies then too (on a
  // signal nobody else handles, the signal is raised again once they are gone, so the process still ends)
  let unhook: (() => void) | null = null;
  const hookExit = (dir: string): void => {
    const clean = (): void => rmSync(dir, { recursive: true, force: true });
    const onSignal = (signal: NodeJS.Signals): void => {
      unhook?.();
      clean();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once('exit', clean);
    for (const signal of EXIT_SIGNALS) process.once(signal, onSignal);
    unhook = () => {
      process.off('exit', clean);
      for (const signal of EXIT_SIGNALS) process.off(signal, onSignal);
      unhook = null;
    };
  };
  const rootDir = (): Promise<string> =>
    (root ??= mkdtemp(join(tmpdir(), 'abrkit-demo-mirrors-')).then((dir) => {
      hookExit(dir);
      return dir;
    }));
  const remove = async (name: string): Promise<void> => {
    pending.delete(name);
    const folder = done.get(name);
    done.delete(name);
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  };
  return {
    mirror(url) {
      const href = checkMirrorUrl(url).href;
      const name = `url-${createHash('sha256').update(href).digest('hex').slice(0, 12)}`;
      let job = pending.get(name);
      if (job === undefined) {
        job = (async () => {
          const folder = join(await rootDir(), name);
          try {
            const result = await mirrorHls(href, folder, options);
            done.set(name, folder);
            return { ...result, name };
          } catch (e) {
            pending.delete(name);
            await rm(folder, { recursive: true, force: true });
            throw e;
          }
        })();
        pending.set(name, job);
        while (pending.size > MAX_MIRRORS) void remove(pending.keys().next().value!);
      }
      return job;
    },
    dir: (name) => done.get(name) ?? null,
    async close() {
      const dir = root === null ? null : await root.catch(() => null);
      pending.clear();
      done.clear();
      unhook?.();
      if (dir !== null) await rm(dir, { recursive: true, force: true });
    },
  };
}
