/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `npm run dev` talks to a running `fitbridge serve`; set FITBRIDGE_SERVE to its address.
const serve = process.env.FITBRIDGE_SERVE ?? 'http://127.0.0.1:8765';

export default defineConfig({
  plugins: [svelte()],
  // Relative asset paths work both inside the Wails window and under `fitbridge serve`.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': { target: serve, changeOrigin: false } },
  },
  // Component tests must load Svelte's browser build, not the server one.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  test: {
    environment: 'happy-dom',
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/setup.ts'],
    // Generous: the year grid is a few hundred cells and CI machines can be busy.
    testTimeout: 30_000,
  },
});
