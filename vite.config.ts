import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { abrkitDemoServer } from './demo/server/plugin.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// The demo page (demo/): `vite` serves it with the demo API (demo/server), `vite build` writes a static
// copy to demo/dist (with the bundled fixture), `vite preview` serves that copy with the same API.
// Both servers bind 127.0.0.1 unless told otherwise (`--host`).
export default defineConfig({
  root: 'demo',
  resolve: {
    // abrkit's public entry points, straight from the sources (exact names only)
    alias: [
      { find: /^abrkit$/, replacement: here('./src/index.ts') },
      { find: /^abrkit\/player$/, replacement: here('./src/player/index.ts') },
      { find: /^abrkit\/sim\/core$/, replacement: here('./src/sim/core.ts') },
      { find: /^abrkit\/hlsjs$/, replacement: here('./src/hlsjs/index.ts') },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    host: '127.0.0.1',
    // Vite serves files outside the root only from these folders (plus its default deny list)
    fs: { strict: true, allow: [here('./demo'), here('./src'), here('./node_modules')] },
  },
  preview: { host: '127.0.0.1' },
  plugins: [abrkitDemoServer()],
});
