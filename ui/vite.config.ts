import { defineConfig } from "vite";

// Everything is bundled at build time: the window fetches nothing at run time.
export default defineConfig({
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    sourcemap: false,
  },
});
