/**
 * Output files of the CLI, written safely:
 * - checked before any work starts: two outputs on one path, or an output on an input (the same file, or a
 *   file inside an input folder), are refused by their resolved real paths (symlinks followed), and an
 *   existing file is only replaced with `--force`;
 * - written atomically: into a temp file beside the target (`.<name>.<pid>-<random>.tmp`), renamed over it
 *   only once complete, so an interrupted or failed run leaves the previous file or none, never a truncated
 *   one. Devices and pipes (`/dev/stdout`, `/dev/null`, a FIFO) are written in place: there is nothing to
 *   keep there and a rename would replace the device node.
 * - write failures name the file and the reason in words ("no space left on the device writing out.jsonl").
 */
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { OutputError, UsageError, systemReason } from './errors.js';

/** An output named on the command line. */
export interface OutputRequest {
  /** The flag or argument that named it (`--jsonl`), for messages. */
  readonly flag: string;
  /** The path as resolved against the working directory. */
  readonly path: string;
}

/** An input named on the command line: a file or a folder the run reads. */
export interface InputPath {
  readonly flag: string;
  readonly path: string;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * The real path `path` has or would have: symlinks of the file itself (a dangling one too: the file it names)
 * and of its nearest existing ancestor resolved, the rest appended.
 */
export function realTarget(path: string, hops = 0): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    // A dangling symlink: the file it names is where a write would land (rename onto the link itself would
    // replace it, so the writer uses this path too). 40 hops, as Linux's own limit.
    if (hops < 40) {
      try {
        if (lstatSync(full).isSymbolicLink())
          return realTarget(resolve(dirname(full), readlinkSync(full)), hops + 1);
      } catch {
        // Not there at all: resolve the parent below.
      }
    }
    const parent = dirname(full);
    if (parent === full) return full;
    return join(realTarget(parent, hops), basename(full));
  }
}

function isInside(child: string, folder: string): boolean {
  const rel = relative(folder, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** What {@link checkOutputs} found about one output. */
export interface CheckedOutput extends OutputRequest {
  /** Resolved real path. */
  readonly real: string;
  /** A device, pipe or socket: written in place, never replaced. */
  readonly special: boolean;
}

/**
 * Refuses (with a `UsageError`, exit 2) before any work: two outputs on one real path, an output on an
 * input or inside an input folder, an output that is a folder, and an existing file without `force`.
 */
export function checkOutputs(
  outputs: readonly OutputRequest[],
  inputs: readonly InputPath[],
  force: boolean,
): CheckedOutput[] {
  const checked: CheckedOutput[] = [];
  const inputReals = inputs.map((i) => ({
    ...i,
    real: realTarget(i.path),
    isDir: statOrNull(i.path)?.isDirectory() ?? false,
  }));
  for (const out of outputs) {
    const real = realTarget(out.path);
    const info = statOrNull(real);
    const special = info !== null && !info.isFile() && !info.isDirectory();
    const twin = checked.find((c) => c.real === real);
    if (twin && !special) {
      throw new UsageError(
        `${out.flag} and ${twin.flag} both write ${out.path}: give each output its own file`,
      );
    }
    if (!special) {
      for (const input of inputReals) {
        if (input.real === real || (input.isDir && isInside(real, input.real))) {
          throw new UsageError(
            `${out.flag} ${out.path}: ${input.real === real ? 'is' : 'lies inside'} the input ${input.flag} ${input.path}; refusing to overwrite an input`,
          );
        }
      }
    }
    if (info?.isDirectory()) throw new UsageError(`${out.flag} ${out.path}: is a folder, expected a file`);
    if (info?.isFile() && !force) {
      throw new UsageError(`${out.flag} ${out.path}: exists; pass --force to replace it`);
    }
    checked.push({ ...out, real, special });
  }
  return checked;
}

/** Temp files of every output being written in this process, for cleanup on a signal. */
const liveTemps = new Set<AtomicOutput>();

/** Aborts every output still being written (removing its temp file); returns their target paths. */
export function abortAllOutputs(): string[] {
  const paths: string[] = [];
  for (const o of [...liveTemps]) {
    paths.push(o.path);
    o.abort();
  }
  return paths;
}

function describeSystemError(e: unknown, doing: string, path: string): Error {
  const code = (e as { code?: unknown } | null)?.code;
  const reason = systemReason(typeof code === 'string' ? code : undefined);
  if (reason) return new OutputError(`${reason} ${doing} ${path}`, { cause: e });
  return new OutputError(`${doing} ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/**
 * One output file written atomically: {@link write} appends to a temp file beside the target,
 * {@link commit} syncs it and renames it over the target, {@link abort} removes it.
 */
export class AtomicOutput {
  readonly path: string;
  readonly flag: string;
  private readonly real: string;
  private readonly special: boolean;
  private readonly temp: string | null;
  private fd: number | null;
  private done = false;

  constructor(output: CheckedOutput) {
    this.path = output.path;
    this.flag = output.flag;
    this.real = output.real;
    this.special = output.special;
    if (output.special) {
      this.temp = null;
      try {
        this.fd = openSync(output.real, 'w');
      } catch (e) {
        throw describeSystemError(e, 'opening', output.path);
      }
      return;
    }
    const dir = dirname(output.real);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw describeSystemError(e, 'creating the folder of', output.path);
    }
    this.temp = join(dir, `.${basename(output.real)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    try {
      this.fd = openSync(this.temp, 'wx');
    } catch (e) {
      throw describeSystemError(e, 'creating a file beside', output.path);
    }
    liveTemps.add(this);
  }

  /** Appends `text` (UTF-8) or bytes, synchronously: a failure surfaces here, naming the file. */
  write(text: string | Uint8Array): void {
    if (this.fd === null) throw new OutputError(`${this.path}: written after it was closed`);
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    let offset = 0;
    try {
      while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      throw describeSystemError(e, 'writing', this.path);
    }
  }

  /** Makes the file appear at its path, complete. */
  commit(): void {
    if (this.done || this.fd === null) return;
    const fd = this.fd;
    try {
      if (!this.special) fsyncSync(fd);
    } catch (e) {
      this.abort();
      throw describeSystemError(e, 'writing', this.path);
    }
    closeSync(fd);
    this.fd = null;
    if (this.temp !== null) {
      try {
        renameSync(this.temp, this.real);
      } catch (e) {
        this.abort();
        throw describeSystemError(e, 'replacing', this.path);
      }
    }
    this.done = true;
    liveTemps.delete(this);
  }

  /** Drops what was written: the previous file (or none) stays. Safe to call twice. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    liveTemps.delete(this);
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed: nothing to do.
      }
      this.fd = null;
    }
    if (this.temp !== null) {
      try {
        unlinkSync(this.temp);
      } catch {
        // Gone already.
      }
    }
  }
}

/** Writes `text` to a checked output in one go, atomically. */
export function writeOutputFile(output: CheckedOutput, text: string): void {
  const file = new AtomicOutput(output);
  try {
    file.write(text);
    file.commit();
  } catch (e) {
    file.abort();
    throw e;
  }
}
