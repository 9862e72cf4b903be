/**
 * Recordings and transcriptions: the events Whereby sends about them, mostly minutes after the session ended, when
 * the files are ready.
 */
import type { PlannedExtra } from "./plan.js";
import { MINUTE, SECOND } from "./presence.js";
import type { Random } from "./random.js";

/**
 * A cloud recording of `[from, to]`: `recording.finished` after the end, sometimes followed by its transcription,
 * which usually succeeds.
 *
 * @example
 * extras.push(...recording(random, { from, to, filePrefix: "math-101" }));
 */
export function recording(random: Random, span: { from: number; to: number; filePrefix: string }): PlannedExtra[] {
  const recordingId = `rec-${random.hex(8)}`;
  const readyAfter = random.int(2 * MINUTE, 8 * MINUTE);
  const day = new Date(span.from).toISOString().slice(0, 10);
  const extras: PlannedExtra[] = [
    {
      type: "recording.finished",
      at: { afterEnd: readyAfter },
      fields: { recordingId, filename: `${span.filePrefix}-${day}.mp4`, status: "completed" },
    },
  ];
  if (!random.chance(0.5)) return extras;
  const transcriptionId = `tr-${random.hex(8)}`;
  const type = "RECORDING_TRANSCRIPTION";
  const startedAfter = readyAfter + random.int(5 * SECOND, 30 * SECOND);
  const doneAfter = startedAfter + random.int(1 * MINUTE, 5 * MINUTE);
  extras.push({ type: "transcription.started", at: { afterEnd: startedAfter }, fields: { transcriptionId, type, status: "in_progress" } });
  extras.push(
    random.chance(0.85)
      ? {
          type: "transcription.finished",
          at: { afterEnd: doneAfter },
          fields: {
            transcriptionId,
            type,
            status: "ready",
            filename: `transcription-${transcriptionId}.txt`,
            storageType: "WHEREBY_HOSTED",
            durationInSeconds: Math.round((span.to - span.from) / 1000),
            recordingId,
          },
        }
      : {
          type: "transcription.failed",
          at: { afterEnd: doneAfter },
          fields: { transcriptionId, type, status: "failed", error: "audio track missing" },
        },
  );
  return extras;
}

/**
 * A live transcription started during the session; Whereby reports it finished shortly after the session ends.
 *
 * @example
 * extras.push(...liveTranscription(random, { from: start + 5 * MINUTE, until: end }));
 */
export function liveTranscription(random: Random, span: { from: number; until: number }): PlannedExtra[] {
  const transcriptionId = `tr-${random.hex(8)}`;
  const type = "LIVE_TRANSCRIPTION";
  return [
    { type: "transcription.started", at: span.from, fields: { transcriptionId, type, status: "in_progress" } },
    {
      type: "transcription.finished",
      at: { afterEnd: random.int(5 * SECOND, 90 * SECOND) },
      fields: {
        transcriptionId,
        type,
        status: "ready",
        filename: `transcription-${transcriptionId}.txt`,
        storageType: "WHEREBY_HOSTED",
        durationInSeconds: Math.round((span.until - span.from) / 1000),
        recordingId: null,
      },
    },
  ];
}
