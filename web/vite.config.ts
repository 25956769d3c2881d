import { defineConfig } from 'vite';

// Node's `process` without pulling in @types/node just for this one line.
declare const process: { env: Record<string, string | undefined> };

// The dashboard is served by Dwcp.Server from its wwwroot folder (git-ignored build output).
// `npm run dev` proxies /graphql to DWCP_API (default: the dev mock, see dev/mock-server.mjs).
const apiTarget = process.env.DWCP_API ?? 'http://127.0.0.1:5178';

export default defineConfig({
  // Relative asset URLs: works at "/" and under a path base alike (the app uses hash routing).
  base: './',
  build: {
    outDir: '../src/Dwcp.Server/wwwroot',
    emptyOutDir: true,
    sourcemap: false,
    // ECharts (tree-shaken) is the bulk of the bundle; keep the warning meaningful.
    chunkSizeWarningLimit: 800,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: false,
    proxy: {
      '/graphql': { target: apiTarget, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
  },
});
