import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The SPA builds to services/dashboard/dist/web, which the dashboard server serves. `npm run dev:web` proxies /api to
// a dashboard server on DASHBOARD_PORT (default 3000).
export default defineConfig({
  root: here('.'),
  base: './',
  plugins: [react()],
  resolve: {
    // The contracts package from source: the browser bundle gets zod schemas and types, never a server package.
    alias: { '@ollama-gateway/contracts': here('../../../packages/contracts/src/index.ts') },
  },
  build: { outDir: here('../dist/web'), emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { '/api': `http://127.0.0.1:${process.env.DASHBOARD_PORT ?? '3000'}` },
  },
});
