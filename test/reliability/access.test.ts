/**
 * Access: every /api route and /metrics refuse a request without the right bearer token, the dashboard carries
 * strict security headers, and no browser on another origin may read the API unless that origin is configured.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenChecker } from "../../src/api/auth.js";
import { DEFAULT_DASHBOARD_DIR } from "../../src/dashboard/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/** Every route the server registered, from fastify's own tree, with a sample value for each parameter. */
function registeredRoutes(tree: string): { path: string; methods: string[] }[] {
  const routes: { path: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of tree.split("\n")) {
    const match = /^([│ ]*)(?:[└├]── )?(\S+) \(([^)]+)\)$/.exec(line.replace(/\s+$/, ""));
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const parent = stack[depth - 1] ?? "";
    const path = depth === 0 ? match[2]! : `${parent}${parent.endsWith("/") || match[2]!.startsWith("/") ? "" : "/"}${match[2]!}`;
    stack[depth] = path;
    routes.push({ path: path.replace(/:[A-Za-z]+/g, "sample").replace(/\*$/, "sample"), methods: match[3]!.split(", ") });
  }
  return routes;
}

/** Ways of not having the token: none, wrong, nearly right, in the wrong place. */
function wrongCredentials(token: string): [string, Record<string, string>, string][] {
  const flipped = `${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`;
  return [
    ["no Authorization", {}, ""],
    ["a wrong token", { authorization: "Bearer not-the-token-0123456789" }, ""],
    ["the token with its last character changed", { authorization: `Bearer ${flipped}` }, ""],
    ["the token without its last character", { authorization: `Bearer ${token.slice(0, -1)}` }, ""],
    ["the token with a character more", { authorization: `Bearer ${token}0` }, ""],
    ["the token without a scheme", { authorization: token }, ""],
    ["the token under Basic", { authorization: `Basic ${Buffer.from(`:${token}`).toString("base64")}` }, ""],
    ["an empty Bearer", { authorization: "Bearer " }, ""],
    ["two tokens", { authorization: `Bearer ${token} ${token}` }, ""],
    ["the token in the query string", {}, `token=${token}`],
    ["the token as access_token", {}, `access_token=${token}`],
    ["the token in a cookie", { cookie: `token=${token}` }, ""],
  ];
}

describe("access", () => {
  let server: TestServer;
  let apiRoutes: { path: string; methods: string[] }[];

  beforeAll(async () => {
    server = await startTestServer();
    apiRoutes = registeredRoutes(server.service.app.printRoutes({ commonPrefix: false })).filter((r) =>
      /^\/(api|metrics)(\/|$)/.test(r.path),
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it("finds the routes of SPEC §4 among those registered", () => {
    const paths = apiRoutes.map((r) => r.path);
    for (const path of ["/api/sessions", "/api/sessions/sample", "/api/sessions/sample/attendance.csv", "/api/people/sample", "/api/rooms", "/api/usage", "/api/events", "/api/events/stream", "/metrics"]) {
      expect(paths).toContain(path);
    }
  });

  it("refuses every /api route and /metrics without the right token, whatever is sent instead", async () => {
    let checked = 0;
    for (const route of apiRoutes) {
      for (const method of route.methods) {
        for (const [name, headers, query] of wrongCredentials(server.token)) {
          const res = await fetch(`${server.url}${route.path}${query ? `?${query}` : ""}`, { method, headers });
          expect(res.status, `${method} ${route.path} with ${name}`).toBe(401);
          expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
          if (method === "GET") expect((await res.json()).error).toBe("unauthorized");
          else await res.arrayBuffer();
          checked += 1;
        }
      }
    }
    console.log(`access: ${checked} requests without the right token to ${apiRoutes.length} routes, all 401`);
  });

  it("lets the right token through on every route (a query the route does not know is a 400, never a 401)", async () => {
    for (const route of apiRoutes.filter((r) => r.path !== "/api/events/stream")) {
      const res = await fetch(`${server.url}${route.path}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(res.status, route.path).not.toBe(401);
      expect(res.status, route.path).toBeLessThan(500);
      await res.arrayBuffer();
    }
  });

  it("compares tokens whole: same length or not, every wrong one is refused and only the token passes", () => {
    const token = "a-token-of-some-length-0123";
    const check = tokenChecker(token);
    expect(check(token)).toBe(true);
    for (const given of [undefined, "", token.slice(0, -1), `${token}x`, token.toUpperCase(), `x${token.slice(1)}`, `${token.slice(0, -1)}4`, "\u0000".repeat(token.length), token.replace("a", "\u00e4")]) {
      expect(check(given), String(given)).toBe(false);
    }
  });

  describe("dashboard security headers", () => {
    const built = existsSync(join(DEFAULT_DASHBOARD_DIR, "index.html"));
    const asset = built ? readdirSync(join(DEFAULT_DASHBOARD_DIR, "assets")).find((f) => f.endsWith(".js")) : undefined;
    const paths = ["/", "/index.html", ...(asset ? [`/assets/${asset}`] : [])];

    it.each(paths)("GET %s carries a strict Content-Security-Policy and the other security headers", async (path) => {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      const policy = Object.fromEntries(
        (res.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]),
      );
      expect(policy["default-src"]).toEqual(["'self'"]);
      expect(policy["script-src"]).toEqual(["'self'"]);
      expect(policy["object-src"]).toEqual(["'none'"]);
      expect(policy["frame-ancestors"]).toEqual(["'none'"]);
      expect(policy["base-uri"]).toEqual(["'none'"]);
      expect(JSON.stringify(policy)).not.toMatch(/unsafe-|\*|data:|http:/);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    });

    it.skipIf(!built)("serves a page that runs under that policy: no inline script, style or handler", () => {
      const html = readFileSync(join(DEFAULT_DASHBOARD_DIR, "index.html"), "utf8");
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/<style[\s>]/i);
      expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    });
  });

  describe("cross-origin requests", () => {
    const origin = "https://evil.example";

    it.each(["/api/sessions", "/api/events", "/metrics", "/healthz", "/webhooks/whereby"])(
      "gives no Access-Control-Allow-Origin on %s, simple or preflighted",
      async (path) => {
        const simple = await fetch(`${server.url}${path}`, { headers: { origin, authorization: `Bearer ${server.token}` } });
        await simple.arrayBuffer();
        expect(simple.headers.get("access-control-allow-origin")).toBeNull();
        expect(simple.headers.get("access-control-allow-credentials")).toBeNull();

        const preflight = await fetch(`${server.url}${path}`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
        });
        await preflight.arrayBuffer();
        expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
        expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
        expect(preflight.status).toBeGreaterThanOrEqual(400);
      },
    );

    it("lets a configured origin read the API, and no other", async () => {
      const allowed = "https://dashboard.example";
      const configured = await startTestServer({ config: { corsOrigins: [allowed] } });
      try {
        const read = (from: string) =>
          fetch(`${configured.url}/api/sessions`, { headers: { origin: from, authorization: `Bearer ${configured.token}` } });
        const yes = await read(allowed);
        expect(yes.status).toBe(200);
        expect(yes.headers.get("access-control-allow-origin")).toBe(allowed);
        expect(yes.headers.get("vary") ?? "").toMatch(/origin/i);
        const no = await read(origin);
        expect(no.headers.get("access-control-allow-origin")).toBeNull();
      } finally {
        await configured.close();
      }
    });
  });
});
