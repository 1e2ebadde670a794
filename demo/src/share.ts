/**
 * The page's settings in its URL, so a link reproduces a session: `?algorithm=bba&opt.reservoirMs=3000
 * &trace=step-down&buffer=20&estimator=ewma&start=500&cap=2&pick=1&faults=…&fixture=ladder&live=1&latency=6` (or `url=` for a
 * typed HLS URL, with `shape=1` when it is shaped). Only what differs from the page's defaults is written; reading ignores what it does not
 * know, and the page checks the values as if typed (errors show next to the field).
 */

export interface SharedSettings {
  readonly fixture?: string;
  /** A typed HLS URL played instead of a fixture. */
  readonly url?: string;
  readonly algorithm?: string;
  /** Algorithm options as typed (strings: the option fields parse them). */
  readonly options: Readonly<Record<string, string>>;
  readonly trace?: string;
  readonly faults?: string;
  /** Buffer target, s (as typed). */
  readonly bufferS?: string;
  readonly estimator?: string;
  /** Start estimate, kbps (as typed). */
  readonly startKbps?: string;
  /** Cap (highest rendition index), as typed. */
  readonly cap?: string;
  /** Manual rendition index, as typed. */
  readonly pick?: string;
  /** `1`: the typed URL is shaped (copied to the dev server first). */
  readonly shape?: string;
  /** `1`: the fixture served as a live stream. */
  readonly live?: string;
  /** Live latency target, s (as typed). */
  readonly latencyS?: string;
  /** Live faults, as typed. */
  readonly liveFaults?: string;
}

const OPTION_PREFIX = 'opt.';
const KEYS = {
  fixture: 'fixture',
  url: 'url',
  algorithm: 'algorithm',
  trace: 'trace',
  faults: 'faults',
  bufferS: 'buffer',
  estimator: 'estimator',
  startKbps: 'start',
  cap: 'cap',
  pick: 'pick',
  shape: 'shape',
  live: 'live',
  latencyS: 'latency',
  liveFaults: 'liveFaults',
} as const satisfies Record<Exclude<keyof SharedSettings, 'options'>, string>;

/** Reads the settings from a query string (`location.search`). */
export function readSharedSettings(search: string): SharedSettings {
  const params = new URLSearchParams(search);
  const options: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key.startsWith(OPTION_PREFIX) && key.length > OPTION_PREFIX.length)
      options[key.slice(OPTION_PREFIX.length)] = value;
  }
  const out: Record<string, unknown> = { options };
  for (const [field, key] of Object.entries(KEYS)) {
    const value = params.get(key);
    if (value !== null && value !== '') out[field] = value;
  }
  return out as unknown as SharedSettings;
}

/** The query string (with `?`, or '' when empty) for these settings. */
export function sharedQuery(settings: SharedSettings): string {
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS)) {
    const value = settings[field as keyof typeof KEYS];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  for (const [name, value] of Object.entries(settings.options)) params.set(`${OPTION_PREFIX}${name}`, value);
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}
