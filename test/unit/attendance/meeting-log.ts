/**
 * Builds the webhook bodies Whereby would send for one room, keeping `numClients` and `numClientsByRoleName` as
 * Whereby counts them (everyone who joined and has not left, bots included).
 *
 * @example
 * const log = new MeetingLog({ roomName: "/math-101", roomSessionId: "s-1", day: "2026-03-02" })
 *   .join("09:00:00", "p-teacher", { roleName: "host" })
 *   .join("09:01:00", "p-sam")
 *   .started("09:01:00.500");
 * deriveSessions(log.events(), options);
 */
import { createHash } from "node:crypto";
import { parseEvent, type WherebyEvent } from "../../../src/whereby/events.js";

export interface Who {
  displayName?: string | null;
  roleName?: string;
  externalId?: string | null;
  metadata?: string | null;
  /** Overrides the counted `numClients`, for logs that lost events. */
  numClients?: number;
}

export interface MeetingLogOptions {
  roomName: string;
  /** null or absent: Whereby sent no session id. */
  roomSessionId?: string | null;
  meetingId?: string;
  /** The UTC day that `HH:MM:SS(.mmm)` times fall on, e.g. "2026-03-02". */
  day: string;
}

export type RawEvent = { apiVersion: string; id: string; createdAt: string; type: string; data: Record<string, unknown> };

export class MeetingLog {
  private readonly bodies: RawEvent[] = [];
  private readonly present = new Map<string, string>();
  private readonly known = new Map<string, Who>();

  constructor(private readonly options: MeetingLogOptions) {}

  /** `HH:MM:SS` or `HH:MM:SS.mmm` on the log's day, or a full ISO 8601 instant. */
  instant(time: string): string {
    if (time.includes("T")) return new Date(time).toISOString();
    return new Date(`${this.options.day}T${time}Z`).toISOString();
  }

  join(time: string, participantId: string, who: Who = {}): this {
    const merged = { ...this.known.get(participantId), ...who };
    this.known.set(participantId, merged);
    this.present.set(participantId, merged.roleName ?? "visitor");
    return this.client("room.client.joined", time, participantId, merged, who.numClients);
  }

  leave(time: string, participantId: string, who: Who = {}): this {
    const merged = { ...this.known.get(participantId), ...who };
    this.known.set(participantId, merged);
    this.present.delete(participantId);
    return this.client("room.client.left", time, participantId, merged, who.numClients);
  }

  knock(time: string, participantId: string, who: Who = {}): this {
    this.known.set(participantId, { ...this.known.get(participantId), ...who });
    return this.push("room.client.knocked", time, this.participantData(participantId));
  }

  cancel(time: string, participantId: string): this {
    return this.push("room.client.knockCancelled", time, this.participantData(participantId));
  }

  started(time: string): this {
    return this.push("room.session.started", time, this.roomData());
  }

  ended(time: string): this {
    return this.push("room.session.ended", time, this.roomData());
  }

  /** A recording, transcription or assistant request; `withSession: false` leaves out the session id as Whereby sometimes does. */
  artifact(type: string, time: string, data: Record<string, unknown> = {}, withSession = true): this {
    const room = this.roomData();
    if (!withSession) delete room.roomSessionId;
    return this.push(type, time, { ...room, ...data });
  }

  /** Any body at all, e.g. an event type this version does not know. */
  other(type: string, time: string, data: Record<string, unknown>): this {
    return this.push(type, time, data);
  }

  raw(): RawEvent[] {
    return this.bodies.map((body) => structuredClone(body));
  }

  events(): WherebyEvent[] {
    return this.raw().map((body) => {
      const parsed = parseEvent(body);
      if (!parsed.ok) throw new Error(`test log built an invalid event: ${parsed.message}`);
      return parsed.event;
    });
  }

  private roomData(): Record<string, unknown> {
    return {
      meetingId: this.options.meetingId ?? "87385993",
      roomName: this.options.roomName,
      roomSessionId: this.options.roomSessionId ?? null,
      subdomain: "example-school",
    };
  }

  private participantData(participantId: string): Record<string, unknown> {
    const who = this.known.get(participantId) ?? {};
    return {
      ...this.roomData(),
      participantId,
      displayName: who.displayName ?? participantId,
      metadata: who.metadata ?? null,
      externalId: who.externalId ?? null,
    };
  }

  private client(type: string, time: string, participantId: string, who: Who, numClients: number | undefined): this {
    const byRole: Record<string, number> = {};
    for (const role of this.present.values()) byRole[role] = (byRole[role] ?? 0) + 1;
    return this.push(type, time, {
      ...this.participantData(participantId),
      roleName: who.roleName ?? "visitor",
      numClients: numClients ?? this.present.size,
      numClientsByRoleName: byRole,
      isDialIn: false,
    });
  }

  private push(type: string, time: string, data: Record<string, unknown>): this {
    const createdAt = this.instant(time);
    const seed = `${this.options.roomName}|${String(data.roomSessionId)}|${type}|${createdAt}|${String(data.participantId)}|${this.bodies.length}`;
    const id = createHash("sha256").update(seed).digest("hex");
    this.bodies.push({ apiVersion: "1.0", id, createdAt, type, data });
    return this;
  }
}
