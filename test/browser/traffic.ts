/**
 * Simulated Whereby traffic for the dashboard tests: a classroom with a late student let in from the waiting room,
 * a student on two tabs, a crashed tab, a recorder bot, a withdrawn knock and a display name that is markup; clinic
 * visits on other days; a few short sessions for paging and usage; and one session still going.
 * Delivered signed over the real webhook endpoint, with a few duplicates as Whereby's retries make them.
 */
import { signWherebyPayload } from "../../src/whereby/signature.js";

/** The display name that must show as text and run nothing. */
export const MARKUP_NAME = "<img src=x onerror=alert(1)>";

export interface PlannedEvent {
  id: string;
  createdAt: string;
  type: string;
  data: Record<string, unknown>;
}

interface Who {
  participantId: string;
  displayName: string;
  roleName: string;
  externalId?: string | null;
  metadata?: string | null;
}

/** Builds one session's events, keeping the room's running counts as Whereby reports them. */
class SessionScript {
  readonly events: PlannedEvent[] = [];
  private readonly inRoom = new Map<string, string>();
  private serial = 0;

  constructor(
    private readonly roomName: string,
    private readonly roomSessionId: string,
    private readonly meetingId: string,
  ) {}

  private add(type: string, at: string, data: Record<string, unknown> = {}): this {
    this.serial += 1;
    this.events.push({
      id: `dash-${this.roomSessionId}-${this.serial}`,
      createdAt: new Date(at).toISOString(),
      type,
      data: {
        roomName: this.roomName,
        meetingId: this.meetingId,
        roomSessionId: this.roomSessionId,
        subdomain: "example-school",
        ...data,
      },
    });
    return this;
  }

  private counts(): { numClients: number; numClientsByRoleName: Record<string, number> } {
    const byRole: Record<string, number> = {};
    for (const role of this.inRoom.values()) byRole[role] = (byRole[role] ?? 0) + 1;
    return { numClients: this.inRoom.size, numClientsByRoleName: byRole };
  }

  private client(who: Who) {
    return {
      participantId: who.participantId,
      displayName: who.displayName,
      roleName: who.roleName,
      externalId: who.externalId ?? null,
      metadata: who.metadata ?? null,
      isDialIn: false,
    };
  }

  join(at: string, who: Who): this {
    this.inRoom.set(who.participantId, who.roleName);
    return this.add("room.client.joined", at, { ...this.client(who), ...this.counts() });
  }

  leave(at: string, who: Who): this {
    this.inRoom.delete(who.participantId);
    return this.add("room.client.left", at, { ...this.client(who), ...this.counts() });
  }

  /** A tab that closes without Whereby sending a leave: the count drops, no event says so. */
  crash(who: Who): this {
    this.inRoom.delete(who.participantId);
    return this;
  }

  knock(at: string, who: Who): this {
    return this.add("room.client.knocked", at, {
      participantId: who.participantId,
      displayName: who.displayName,
      externalId: who.externalId ?? null,
      metadata: who.metadata ?? null,
    });
  }

  cancelKnock(at: string, who: Who): this {
    return this.add("room.client.knockCancelled", at, {
      participantId: who.participantId,
      displayName: who.displayName,
      externalId: who.externalId ?? null,
      metadata: who.metadata ?? null,
    });
  }

  started(at: string): this {
    return this.add("room.session.started", at);
  }

  ended(at: string): this {
    return this.add("room.session.ended", at);
  }

  recording(at: string): this {
    const recordingId = `rec-${this.roomSessionId}`;
    return this.add("recording.finished", at, { recordingId, filename: "class.mp4", status: "completed" });
  }
}

function who(participantId: string, displayName: string, roleName: string, ids: Partial<Who> = {}): Who {
  return { participantId, displayName, roleName, ...ids };
}

const teacher = who("p-rivera", "Ms. Rivera", "host", { externalId: "teacher-7" });
const ada = who("p-ada-1", "Ada", "visitor", { metadata: "student-1" });
const adaSecondTab: Who = { ...ada, participantId: "p-ada-2" };
const late = who("p-late", "Late Student", "visitor", { externalId: "student-9" });
const markup = who("p-markup", MARKUP_NAME, "visitor", { externalId: "student-13" });
const recorder = who("p-recorder", "Recorder", "recorder");
const shy = who("p-shy", "Shy Visitor", "visitor");

function classroom(): PlannedEvent[] {
  return new SessionScript("/math-101", "sess-math-1", "87385993")
    .join("2026-03-02T09:00:00Z", teacher)
    .join("2026-03-02T09:00:30Z", ada)
    .started("2026-03-02T09:00:30.500Z")
    .knock("2026-03-02T09:02:00Z", late)
    .join("2026-03-02T09:03:00Z", late)
    .join("2026-03-02T09:05:00Z", markup)
    .leave("2026-03-02T09:10:00Z", markup)
    .join("2026-03-02T09:12:00Z", adaSecondTab)
    .leave("2026-03-02T09:15:00Z", adaSecondTab)
    .join("2026-03-02T09:20:00Z", recorder)
    .leave("2026-03-02T09:40:00Z", recorder)
    .knock("2026-03-02T09:44:00Z", shy)
    .cancelKnock("2026-03-02T09:44:30Z", shy)
    .leave("2026-03-02T09:45:00.250Z", late)
    .crash(teacher)
    .leave("2026-03-02T09:50:00Z", ada)
    .ended("2026-03-02T09:51:05Z")
    .recording("2026-03-02T09:52:00Z").events;
}

function clinicVisit(day: string, index: number): PlannedEvent[] {
  const doctor = who(`p-doc-${index}`, "Dr. Okafor", "host", { externalId: "doctor-1" });
  const patient = who(`p-patient-${index}`, `Patient ${index}`, "visitor", { metadata: `patient-${index}` });
  return new SessionScript("/clinic-3", `sess-clinic-${index}`, "55500011")
    .join(`${day}T14:00:00Z`, doctor)
    .knock(`${day}T14:01:10Z`, patient)
    .join(`${day}T14:03:40Z`, patient)
    .started(`${day}T14:03:40.200Z`)
    .leave(`${day}T14:21:15.375Z`, patient)
    .leave(`${day}T14:22:00Z`, doctor)
    .ended(`${day}T14:22:50Z`).events;
}

function shortClass(day: string, index: number): PlannedEvent[] {
  const student = who(`p-short-${index}`, `Student ${index}`, "visitor", { externalId: `student-${20 + index}` });
  const host: Who = { ...teacher, participantId: `p-rivera-${index}` };
  return new SessionScript("/math-101", `sess-math-short-${index}`, "87385993")
    .join(`${day}T08:59:00Z`, host)
    .join(`${day}T09:00:00Z`, student)
    .started(`${day}T09:00:00.300Z`)
    .leave(`${day}T09:25:30Z`, student)
    .leave(`${day}T09:26:00Z`, host)
    .ended(`${day}T09:27:10Z`).events;
}

/** A session that started a few minutes ago and has not ended: the list marks it live. */
function ongoing(now: number): PlannedEvent[] {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const lead = who("p-lead", "Team Lead", "host", { externalId: "lead-1" });
  const dev = who("p-dev", "Developer", "visitor", { externalId: "dev-1" });
  return new SessionScript("/standup", "sess-standup-now", "99900077")
    .join(at(12), lead)
    .join(at(11), dev)
    .started(at(11)).events;
}

/**
 * Every planned event, in the order they happened.
 *
 * @example
 * const events = plannedTraffic(Date.now());
 */
export function plannedTraffic(now: number): PlannedEvent[] {
  return [
    ...classroom(),
    ...clinicVisit("2026-03-03", 1),
    ...clinicVisit("2026-03-05", 2),
    ...shortClass("2026-03-09", 1),
    ...shortClass("2026-03-16", 2),
    ...shortClass("2026-04-06", 3),
    ...ongoing(now),
  ];
}

/**
 * POSTs one event as Whereby would, signed with the secret; throws unless it was stored.
 *
 * @example
 * await deliverEvent(server.url, server.secret, event);
 */
export async function deliverEvent(url: string, secret: string, event: PlannedEvent): Promise<void> {
  const body = JSON.stringify({ apiVersion: "1.0", ...event });
  const response = await fetch(`${url}/webhooks/whereby`, {
    method: "POST",
    headers: { "content-type": "application/json", "whereby-signature": signWherebyPayload({ body, secret }) },
    body,
  });
  if (response.status !== 200) {
    throw new Error(`delivery of ${event.id} answered ${response.status}: ${await response.text()}`);
  }
}

/**
 * Delivers all the planned traffic, a few events twice as Whereby's retries do.
 *
 * @example
 * await deliverTraffic(server.url, server.secret, Date.now());
 */
export async function deliverTraffic(url: string, secret: string, now: number): Promise<PlannedEvent[]> {
  const events = plannedTraffic(now);
  for (const event of events) await deliverEvent(url, secret, event);
  for (const event of events.filter((_, index) => index % 9 === 4)) await deliverEvent(url, secret, event);
  return events;
}
