/**
 * The web dashboard: serves the built single-page app (`dist/dashboard/`) at `/` with strict security headers.
 *
 * The app is plain static files; everything it shows comes from the read API with the bearer token, so these routes
 * need no token themselves.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import { SECURITY_HEADERS } from "./security-headers.js";

/** Where `vite build` puts the app; the same path from `src/dashboard/` (tsx) and from `dist/dashboard/` (compiled). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../dist/dashboard/", import.meta.url));

export interface DashboardOptions {
  /** The folder holding the built `index.html` and `assets/`; defaults to {@link DEFAULT_DASHBOARD_DIR}. */
  root?: string;
}

const NOT_BUILT =
  "The dashboard has not been built yet. Run `npm run build` (npm ci does it too), then reload this page.\n";

/**
 * Registers `GET /` (the app) and `GET /assets/*` (its scripts and styles).
 *
 * @example
 * const app = Fastify();
 * await app.register(dashboardPlugin);
 */
export async function dashboardPlugin(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_DASHBOARD_DIR;

  // Hooks added here stay inside this plugin's scope, so the API's own responses are left as they are.
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(SECURITY_HEADERS);
    return payload;
  });

  // Only assets/ is served, never the whole folder: the compiled server code lives in dist/dashboard/ too.
  await app.register(fastifyStatic, {
    root: path.join(root, "assets"),
    prefix: "/assets/",
    decorateReply: false,
    index: false,
    // Built asset names carry a content hash, so a browser may keep them for good.
    immutable: true,
    maxAge: "365d",
    // The folder appears only after the build; a missing one is the 503 below, not a start-up warning.
    suppressWarning: true,
  });

  const sendIndex = async (_request: unknown, reply: FastifyReply) => {
    let html: string;
    try {
      // Read on every request so that a build made while the server runs is picked up.
      html = await readFile(path.join(root, "index.html"), "utf8");
    } catch {
      return reply.code(503).type("text/plain; charset=utf-8").send(NOT_BUILT);
    }
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html);
  };
  app.get("/", sendIndex);
  app.get("/index.html", sendIndex);
}
