// Same setup as renderer/vite.config.ts (React plugin, relative base); the bench sets outDir.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: { emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
