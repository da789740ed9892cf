import {
  decodeFromPayloadsAtIndex,
  ExternalStorageRunner,
  isReferencePayload,
} from '@temporalio/common/lib/internal-non-workflow';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { participantOf, type TokenSource } from '../api/tokens';

/** One model call's time, as the server recorded it in the run's history. */
export interface CallTime {
  /** The call's activity id, e.g. `r2.answer.Agent-1`. */
  callId: string;
  /** As the call id names it: a session participant, a council expert's id, the synthesizer's name. */
  participant: string;
  round: number;
  /** What the call was for in its round, e.g. `answer`, `critique`, `synthesis`. */
  phase: string;
  /** From the call's scheduling to its end, retries and queueing included. */
  ms: number;
}

/** Whom a session participant was shown in a round: the names of the answers its prompt held. */
export interface ShownNames {
  round: number;
  participant: string;
  shown: string[];
}

/** What the page reads from a run's history. */
export interface RunHistory {
  times: CallTime[];
  /** A session's rounds, from its `sendMessage` results (a council's carry no such list). */
  shown: ShownNames[];
}

/** A session round's result as the history holds it: only the fields read here. */
const roundResultSchema = z.object({
  responses: z
    .array(z.object({ participantName: z.string(), round: z.number(), shown: z.array(z.string()) }))
    .max(1_000),
});

/** History pages read at most (1,000 events each): a long session continues as new far below it. */
const MAX_PAGES = 50;
const PAGE_SIZE = 1_000;

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A model call's activity id: `r<round>.<phase>.<caller>`, e.g. `r2.answer.Agent-1`. */
const MODEL_CALL_ID = /^r(\d+)\.([^.]+)\./;

/** The scheduled event id of an activity's closing event, if the event closes one. */
function closedCall(event: HistoryEvent): number | undefined {
  const closing =
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return closing?.scheduledEventId ? Number(closing.scheduledEventId) : undefined;
}

/**
 * Every finished model call of the run's current execution with its duration, read from the
 * workflow's history (the server's own event times), and a session's "who was shown whom" from its
 * rounds' results: nothing extra is recorded for either. A call still in flight is left out; so is
 * what came before a continue-as-new (it is in the earlier run).
 */
export async function readRunHistory(client: TokenSource, workflowId: string): Promise<RunHistory> {
  const scheduled = new Map<number, { callId: string; at: number }>();
  const times: CallTime[] = [];
  const shown: ShownNames[] = [];
  const context = { type: 'workflow' as const, namespace: client.options.namespace, workflowId };
  let nextPageToken: Uint8Array | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const history = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: PAGE_SIZE,
      nextPageToken,
    });
    for (const event of history.history?.events ?? []) {
      const outcome = event.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads;
      if (outcome?.length) {
        const converter = client.options.loadedDataConverter;
        // A round's result over the blob threshold is a reference: read through the store, as the SDK
        // reads an update's result it is handed.
        const stored = converter.externalStorage && outcome.some((payload) => isReferencePayload(payload));
        const payloads = stored
          ? await new ExternalStorageRunner(converter.externalStorage!).retrieve(outcome)
          : outcome;
        const result = await decodeFromPayloadsAtIndex(converter, 0, payloads, context);
        const round = roundResultSchema.safeParse(result);
        if (round.success) {
          for (const r of round.data.responses)
            shown.push({ round: r.round, participant: r.participantName, shown: r.shown });
        }
      }
      const callId = event.activityTaskScheduledEventAttributes?.activityId;
      // Model calls only: their ids name round, phase and caller (a policy check's is a number).
      if (callId && MODEL_CALL_ID.test(callId))
        scheduled.set(Number(event.eventId), { callId, at: tsToMs(event.eventTime) });
      const scheduledId = closedCall(event);
      const start = scheduledId === undefined ? undefined : scheduled.get(scheduledId);
      if (!start || scheduledId === undefined) continue;
      scheduled.delete(scheduledId);
      const [, round = '0', phase = ''] = MODEL_CALL_ID.exec(start.callId) ?? [];
      times.push({
        callId: start.callId,
        participant: participantOf(start.callId),
        round: Number(round),
        phase,
        ms: tsToMs(event.eventTime) - start.at,
      });
    }
    if (!history.nextPageToken?.length) break;
    nextPageToken = history.nextPageToken;
  }
  return { times, shown };
}
