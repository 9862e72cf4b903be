// `npm start`, `npm run demo` and `npm run meetmeter` run the built JavaScript, as the package ships. This builds it
// first when `dist/` is missing or older than the source it comes from (npm ci builds it too).
import { execSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const app = join(root, "src/dashboard/app");

/** The newest modification time of the files below `dir` that `keep` accepts. */
function newest(dir, keep = () => true) {
  let latest = 0;
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && keep(path)) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

/** When `file` was built, or 0 when it was not. */
function builtAt(file) {
  try {
    return statSync(join(root, file)).mtimeMs;
  } catch {
    return 0;
  }
}

const outputs = [
  { what: "the service", script: "build:server", built: "dist/cli/main.js", source: newest("src", (p) => !p.startsWith(app)) },
  { what: "the dashboard", script: "build:dashboard", built: "dist/dashboard/index.html", source: newest("src/dashboard/app") },
];
for (const { what, script, built, source } of outputs) {
  if (builtAt(built) >= source) continue;
  console.log(`Building ${what}: dist/ is missing or older than its source…`);
  execSync(`npm run --silent ${script}`, { stdio: "inherit", cwd: root });
}
