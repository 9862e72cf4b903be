// Builds the dashboard before `npm start` / `npm run demo` when it has not been built yet (npm ci builds it too).
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync(new URL("../dist/dashboard/index.html", import.meta.url))) {
  console.log("Building the dashboard (first run)…");
  execSync("npm run build:dashboard", { stdio: "inherit", cwd: new URL("..", import.meta.url) });
}
