/**
 * The dashboard's server side over real HTTP: the app and its assets with security headers, 503 with the fix until
 * it is built, and nothing else from the build folder (the compiled server code lives there too).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { dashboardPlugin } from "../../src/dashboard/index.js";

const folders: string[] = [];
let app: FastifyInstance | null = null;

async function serve(root: string): Promise<string> {
  app = Fastify();
  await app.register(dashboardPlugin, { root });
  app.get("/api/other", async () => ({ ok: true }));
  return app.listen({ port: 0, host: "127.0.0.1" });
}

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "meetmeter-dashboard-"));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

afterEach(async () => {
  await app?.close();
  app = null;
  for (const root of folders.splice(0)) rmSync(root, { recursive: true, force: true });
});

function expectSecurityHeaders(response: Response): void {
  const csp = response.headers.get("content-security-policy") ?? "";
  expect(csp).toMatch(/(^|; )default-src 'self'(;|$)/);
  expect(csp).toMatch(/(^|; )connect-src 'self'(;|$)/);
  expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
  expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  expect(response.headers.get("x-frame-options")).toBe("DENY");
}

describe("dashboardPlugin", () => {
  it("answers 503 with what to run while the app is not built", async () => {
    const url = await serve(folder({}));
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toContain("npm run build");
    expectSecurityHeaders(response);
  });

  it("serves index.html and hashed assets with security headers", async () => {
    const root = folder({
      "index.html": '<!doctype html><script type="module" src="/assets/app-1a2b.js"></script>',
      "assets/app-1a2b.js": "console.log('app')",
    });
    const url = await serve(root);
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(await page.text()).toContain("/assets/app-1a2b.js");
    expectSecurityHeaders(page);

    const script = await fetch(`${url}/assets/app-1a2b.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("cache-control")).toContain("immutable");
    expectSecurityHeaders(script);
  });

  it("picks up a build made while the server runs", async () => {
    const root = folder({});
    const url = await serve(root);
    expect((await fetch(`${url}/`)).status).toBe(503);
    writeFileSync(path.join(root, "index.html"), "<!doctype html><title>built</title>");
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("built");
  });

  it("serves nothing else from the build folder, and leaves other routes' headers alone", async () => {
    const root = folder({
      "index.html": "<!doctype html>",
      "index.js": "export const compiledServerCode = true;",
      "assets/app.js": "",
    });
    const url = await serve(root);
    expect((await fetch(`${url}/index.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets/../index.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets/%2e%2e/index.js`)).status).not.toBe(200);
    const other = await fetch(`${url}/api/other`);
    expect(other.status).toBe(200);
    expect(other.headers.get("content-security-policy")).toBeNull();
  });
});
