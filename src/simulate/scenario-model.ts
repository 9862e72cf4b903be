/** The shape every scenario model has: it opens rooms and plans sessions in them. */
import type { ModelContext } from "./identities.js";
import type { Room, SessionPlan } from "./plan.js";

/**
 * A kind of meeting: classroom, telehealth or webinar.
 *
 * @example
 * const room = classroom.openRoom(context, start);
 * const plan = classroom.planSession(room, start, context);
 */
export interface ScenarioModel<R extends Room> {
  /** A new room of this kind, with the people who meet there regularly; `at` is when it is first used. */
  openRoom(context: ModelContext, at: number): R;
  /** One session in the room; `startAt` is when its host arrives. Nobody of it is in the room before `startAt` − 5 min. */
  planSession(room: R, startAt: number, context: ModelContext): SessionPlan;
}
