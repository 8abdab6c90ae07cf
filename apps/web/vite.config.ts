import { defaultClientConditions, defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The API host that `pnpm dev` proxies to; the browser only ever talks to its own origin, so the
// refresh cookie (Path=/trpc, SameSite=Strict) works in development exactly as in production.
const apiTarget = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [solid()],
  resolve: {
    // Workspace packages (the SDK) resolve to their TypeScript sources.
    conditions: ['@llm-council/source', ...defaultClientConditions],
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/trpc': { target: apiTarget },
      '/healthz': { target: apiTarget },
    },
  },
  build: {
    target: 'es2022',
    // scripts/report-size.mjs reads the manifest to find what the first page load fetches.
    manifest: true,
    sourcemap: true,
  },
});
