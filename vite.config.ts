import { defineConfig } from 'vite';

// The demo page (demo/). Built with `npm run build:demo`; served by `npm start` once the player exists.
export default defineConfig({
  root: 'demo',
  build: { outDir: 'dist', emptyOutDir: true },
});
