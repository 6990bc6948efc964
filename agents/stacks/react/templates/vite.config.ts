import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  // In development the API runs beside Vite; /api requests go to it.
  server: { proxy: { "/api": "http://localhost:3000" } },
  test: { environment: "jsdom", setupFiles: ["./src/test/setup.ts"] },
});
