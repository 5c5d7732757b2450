// The web UI's build (`npm run build` → dist/, compiled into the attune binary) and its
// component tests (`npm test`). `npm run dev` serves it with hot reload and sends API and
// stream requests to a server on ATTUNE_URL (default http://127.0.0.1:8080).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const server = process.env.ATTUNE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the binary; 500 kB is the budget of the whole app.
    sourcemap: false,
    chunkSizeWarningLimit: 500,
  },
  server: {
    proxy: {
      '/api': { target: server, ws: true, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
