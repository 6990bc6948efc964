import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // In development the API runs beside Vite; /api requests go to it.
  server: { proxy: { "/api": "http://localhost:3000" } },
  // Each test file gets its own jsdom in a VM context of one worker: isolated as with a process
  // per file, without starting one.
  test: { environment: "jsdom", setupFiles: ["./src/test/setup.ts"], pool: "vmThreads" },
});
