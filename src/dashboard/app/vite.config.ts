/**
 * Builds the dashboard into `dist/dashboard/` (served by `src/dashboard/index.ts`).
 *
 * @example
 * npx vite build --config src/dashboard/app/vite.config.ts
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const outDir = fileURLToPath(new URL("../../../dist/dashboard/", import.meta.url));

/**
 * The compiled server code shares dist/dashboard/, so the folder is never emptied whole; only the app's own output
 * is cleared, which keeps stale hashed assets from piling up.
 */
function clearPreviousBuild(): Plugin {
  return {
    name: "meetmeter-clear-previous-dashboard-build",
    apply: "build",
    buildStart() {
      rmSync(path.join(outDir, "assets"), { recursive: true, force: true });
      rmSync(path.join(outDir, "index.html"), { force: true });
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  plugins: [clearPreviousBuild()],
  build: {
    outDir,
    emptyOutDir: false,
    assetsDir: "assets",
    target: "es2022",
    // Inlined assets would be data: URLs, which the content security policy refuses.
    assetsInlineLimit: 0,
  },
});
