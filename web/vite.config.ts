import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const WEB_ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app's build. It imports the contract in schema/ (stream events, error codes),
 * so the repository root is allowed for the dev server too.
 *
 * @example
 * ```sh
 * npx vite build --config web/vite.config.ts
 * ```
 */
export default defineConfig({
  root: WEB_ROOT,
  base: '/',
  plugins: [react()],
  build: {
    outDir: process.env.SLUICE_WEB_OUT_DIR ?? 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // aws-amplify is most of the bundle; one chunk keeps the twin's static server simple.
    chunkSizeWarningLimit: 1500,
  },
  server: { fs: { allow: ['..'] } },
});
