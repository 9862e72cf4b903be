/**
 * /metrics as SPEC §4 lists it: events received by type and outcome, duplicates, signature failures by code,
 * request latency and store commit latency, counted exactly for a known set of deliveries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, deliver, fixtureEvents, joinedEvent, uniqueId } from "../helpers/deliver.js";
import { checkMetrics, itWithPromtool } from "../helpers/promtool.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/** The samples of a Prometheus text exposition, keyed by name and sorted labels, e.g. `x_total{code="a"}`. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    found.set(labels.length > 0 ? `${match[1]}{${labels.join(",")}}` : match[1]!, Number(match[3]));
  }
  return found;
}

describe("/metrics", () => {
  let server: TestServer;
  let metrics: Map<string, number>;
  let exposition: string;
  const MAX_BODY = 2048;

  beforeAll(async () => {
    server = await startTestServer({ config: { maxBodyBytes: MAX_BODY } });
    const secret = server.secret;
    const joined = joinedEvent();
    const left = { ...fixtureEvents()["room.client.left"]!, id: uniqueId() };
    const now = Math.floor(Date.now() / 1000);
    const answers = await Promise.all([
      deliver(server.url, joined, { secret }),
      deliver(server.url, left, { secret }),
      deliver(server.url, { ...joined, id: uniqueId() }, { secret, path: "/webhooks/whereby/joins" }),
      deliver(server.url, { ...joined, id: uniqueId(), type: "room.client.teleported" }, { secret }),
      deliver(server.url, { ...joined, id: uniqueId(), type: `x.${uniqueId()}` }, { secret }),
    ]);
    answers.push(
      await deliver(server.url, joined, { secret }),
      await deliver(server.url, joinedEvent(), { secret: "whsec_wrong" }),
      await deliver(server.url, joinedEvent(), { secret: "whsec_wrong" }),
      await deliver(server.url, joinedEvent(), { secret, header: null }),
      await deliver(server.url, joinedEvent(), { secret, header: `t=${now}` }),
      await deliver(server.url, joinedEvent(), { secret, timestamp: now - 3600 }),
      await deliver(server.url, "not json", { secret }),
      await deliver(server.url, { type: "room.client.joined" }, { secret }),
      await deliver(server.url, joinedEvent({}, { displayName: "x".repeat(MAX_BODY) }), { secret }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 401, 401, 401, 401, 401, 400, 400, 413]);
    await (await api(server.url, server.token)("/api/sessions")).arrayBuffer();
    const res = await api(server.url, server.token)("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    exposition = await res.text();
    metrics = samples(exposition);
  });
  afterAll(async () => {
    await server.close();
  });

  it("counts events received by type and outcome", () => {
    const received = (type: string, outcome: string) => metrics.get(`meetmeter_events_received_total{outcome="${outcome}",type="${type}"}`);
    expect(received("room.client.joined", "stored")).toBe(2);
    expect(received("room.client.left", "stored")).toBe(1);
    expect(received("room.client.joined", "duplicate")).toBe(1);
    // Types Whereby does not document are stored, but share one label: a sender cannot grow the series without end.
    expect(received("other", "stored")).toBe(2);
    expect([...metrics.keys()].filter((key) => key.includes("teleported") || key.includes('type="x.'))).toEqual([]);
    expect(received("unknown", "invalid_signature")).toBe(2);
    expect(received("unknown", "missing_signature")).toBe(1);
    expect(received("unknown", "malformed_signature")).toBe(1);
    expect(received("unknown", "timestamp_out_of_tolerance")).toBe(1);
    expect(received("unknown", "invalid_json")).toBe(1);
    expect(received("unknown", "invalid_event")).toBe(1);
    expect(received("unknown", "payload_too_large")).toBe(1);
  });

  it("counts duplicates, and signature failures by code", () => {
    expect(metrics.get("meetmeter_duplicates_total")).toBe(1);
    expect(metrics.get('meetmeter_signature_failures_total{code="invalid_signature"}')).toBe(2);
    expect(metrics.get('meetmeter_signature_failures_total{code="missing_signature"}')).toBe(1);
    expect(metrics.get('meetmeter_signature_failures_total{code="malformed_signature"}')).toBe(1);
    expect(metrics.get('meetmeter_signature_failures_total{code="timestamp_out_of_tolerance"}')).toBe(1);
  });

  it("has a request latency histogram by route and status", () => {
    const count = (route: string, status: string) =>
      metrics.get(`meetmeter_http_request_duration_seconds_count{method="POST",route="${route}",status="${status}"}`);
    expect(count("/webhooks/whereby", "200")).toBe(5);
    expect(count("/webhooks/whereby/:channel", "200")).toBe(1);
    expect(count("/webhooks/whereby", "401")).toBe(5);
    expect(count("/webhooks/whereby", "413")).toBe(1);
    expect(metrics.get('meetmeter_http_request_duration_seconds_count{method="GET",route="/api/sessions",status="200"}')).toBe(1);
    expect(metrics.get('meetmeter_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/webhooks/whereby",status="200"}')).toBe(5);
  });

  it("has the store's commit latency, one observation per committed batch", () => {
    const commits = metrics.get("meetmeter_store_commit_duration_seconds_count") ?? 0;
    // Six events were stored or found again; group commit may have put some in one batch.
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThanOrEqual(6);
    expect(metrics.get("meetmeter_store_commit_duration_seconds_sum")).toBeGreaterThan(0);
  });

  itWithPromtool("passes promtool check metrics without a finding, after real traffic", () => {
    expect(checkMetrics(exposition)).toEqual({ status: 0, findings: [] });
  });

  it("has the process and Node.js metrics under the standard names stock dashboards query", () => {
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "process_open_fds",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      'nodejs_version_info{major="',
    ]) {
      expect([...metrics.keys()].some((key) => key === name || key.startsWith(name)), name).toBe(true);
    }
    expect([...metrics.keys()].filter((key) => key.startsWith("meetmeter_process_"))).toEqual([]);
  });
});
