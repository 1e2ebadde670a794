// The fence around the pure core (see docs/architecture.md). Shared by eslint.config.js and by
// test/purity.test.ts, which proves that the fence rejects a leak.
export const PURE_DIRS = ['core', 'estimators', 'abr', 'session', 'qoe', 'traces', 'videos', 'manifest'];

const SHELL_DIRS = ['media', 'sim', 'cli', 'shaping', 'net', 'mse', 'player', 'hlsjs'];

export const purityRules = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: [
            'node:*',
            'fs',
            'fs/*',
            'path',
            'os',
            'worker_threads',
            'child_process',
            'http',
            'net',
            'url',
          ],
          message: 'The pure core must not import Node modules.',
        },
        {
          group: ['rxjs', 'rxjs/*'],
          message: 'The pure core must not import rxjs: expose plain callbacks and let the player wrap them.',
        },
        {
          group: ['hls.js', 'hls.js/*', 'mp4box', 'playwright-core'],
          message: 'The pure core must not import runtime-specific libraries.',
        },
        {
          group: SHELL_DIRS.flatMap((d) => [`../${d}`, `../${d}/*`, `../../${d}/*`]),
          message: 'The pure core must not import browser or Node shells.',
        },
      ],
    },
  ],
  'no-restricted-globals': [
    'error',
    ...[
      'window',
      'document',
      'self',
      'globalThis',
      'navigator',
      'performance',
      'MediaSource',
      'SourceBuffer',
      'fetch',
      'setTimeout',
      'setInterval',
      'process',
      'Buffer',
      'require',
      'console',
    ].map((name) => ({
      name,
      message:
        'The pure core takes time and I/O through its interfaces (Clock, SegmentSource, MediaSink), never from globals.',
    })),
  ],
};

export const pureFiles = PURE_DIRS.map((d) => `src/${d}/**/*.ts`);
