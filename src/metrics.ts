/** The Prometheus metrics of SPEC §4, each server with its own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * prom-client's gauges that end in `_total`, a suffix Prometheus keeps for counters (`promtool check metrics` refuses
 * them). Each is the sum of a series exposed anyway, by `type`: `sum(nodejs_active_handles)` gives the same figure.
 */
const TOTAL_GAUGES = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

/** Gauges read when /metrics is scraped. */
export interface GaugeSources {
  spoolDepth: () => number;
  pendingCommits: () => number;
  /** Deliveries in the outbox not yet delivered nor failed; read from the store, so shared by every process on it. */
  outboxDepth?: () => Promise<number>;
}

export function createMetrics(sources: GaugeSources = { spoolDepth: () => 0, pendingCommits: () => 0 }) {
  const registry = new Registry();
  // The process and runtime metrics keep their standard names (process_*, nodejs_*): those are what stock
  // dashboards and alerts query.
  collectDefaultMetrics({ register: registry });
  for (const name of TOTAL_GAUGES) registry.removeSingleMetric(name);
  return {
    registry,
    eventsReceived: new Counter({
      name: "meetmeter_events_received_total",
      help: "Webhook deliveries by event type (other: a type Whereby does not document) and outcome (stored, duplicate, rejected code).",
      labelNames: ["type", "outcome"] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "meetmeter_duplicates_total",
      help: "Deliveries of an event id that was already stored.",
      registers: [registry],
    }),
    signatureFailures: new Counter({
      name: "meetmeter_signature_failures_total",
      help: "Deliveries refused by the signature check, by error code.",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    quarantined: new Counter({
      name: "meetmeter_quarantined_total",
      help: "Validly signed bodies that were not usable events, kept in the quarantine.",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: "meetmeter_http_request_duration_seconds",
      help: "HTTP request latency by route and status.",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    commitDuration: new Histogram({
      name: "meetmeter_store_commit_duration_seconds",
      help: "Time to commit one batch of events to the store.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commitBatchSize: new Histogram({
      name: "meetmeter_store_commit_batch_size",
      help: "Events per committed batch (group commit).",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    }),
    streamSubscribers: new Gauge({
      name: "meetmeter_live_stream_subscribers",
      help: "Open subscriptions to the live stream (GET /api/events/stream) in this process.",
      registers: [registry],
    }),
    streamSubscribersCut: new Counter({
      name: "meetmeter_live_stream_subscribers_cut_total",
      help: "Live stream subscribers cut off because they stopped reading and fell too far behind.",
      registers: [registry],
    }),
    // Stored events the figures cannot use, and those they take otherwise than sent (see derivationNote).
    eventsNotCounted: new Counter({
      name: "meetmeter_events_not_counted_total",
      help: "Stored events that play no part in the figures, by reason (unknown_type, unexpected_shape, no_participant, no_room, unreadable_time).",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    eventsAdjusted: new Counter({
      name: "meetmeter_events_adjusted_total",
      help: "Stored events the figures count otherwise than sent, by reason (clock_ahead: placed at receipt; participant_inferred: no participantId).",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    spoolDepth: new Gauge({
      name: "meetmeter_spool_depth",
      help: "Events kept in the local spool while the store is unreachable.",
      registers: [registry],
      collect() {
        this.set(sources.spoolDepth());
      },
    }),
    pendingCommits: new Gauge({
      name: "meetmeter_store_pending_events",
      help: "Deliveries waiting for a commit.",
      registers: [registry],
      collect() {
        this.set(sources.pendingCommits());
      },
    }),
    deliveries: new Counter({
      name: "meetmeter_outbound_deliveries_total",
      help: "Tries of outbound deliveries sent from this process, by outcome: delivered, retrying (to be tried again) or failed (the last try).",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: "meetmeter_outbox_depth",
      help: "Outbound deliveries pending in the store's outbox (every process's).",
      registers: [registry],
      async collect() {
        // A store that cannot be reached leaves the last figure: /metrics still answers.
        const depth = await sources.outboxDepth?.().catch(() => null);
        if (depth !== null && depth !== undefined) this.set(depth);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
