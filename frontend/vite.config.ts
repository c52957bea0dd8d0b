import { defineConfig } from "vite";

// Relative asset URLs: the built app works from any folder of any static server.
export default defineConfig({
  base: "./",
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { target: "es2022" },
});
