import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CouncilWorkflowResult, ExpertMessageData } from '../../common/council';
import { councilProgressQuery, type CouncilProgress } from '../../common/councilApi';
import type { councilWorkflow } from '../../workflows';
import { throwUserError } from './councilAttach';
import { findRun, kindMismatch } from './runs';

// Reading a council by id without following it (what `council show` prints): its recorded result,
// a page of its progress log, the messages people sent it. attachCouncil follows one to its end.

/**
 * The council's result as its workflow returned it (experts' outputs, synthesis, messages, context
 * refs). Waits if the council is still running; a council that ended without one (cancelled,
 * terminated, timed out, failed), an unknown id or a session is a CouncilUserError saying so.
 */
export async function readCouncilResult(client: Client, councilId: string): Promise<CouncilWorkflowResult> {
  const handle = await councilHandle(client, councilId);
  return handle.result().catch((error: unknown) => throwUserError(councilId, error));
}

/**
 * The handle of council `councilId`, or a CouncilUserError: no run has that id, or it is a session
 * (whose result or log would be read as a council's, or waited on for as long as it stays open).
 */
async function councilHandle(
  client: Client,
  councilId: string,
): Promise<WorkflowHandle<typeof councilWorkflow>> {
  const found = await findRun(client, councilId);
  const mismatch = kindMismatch(councilId, found.description.type, 'council');
  if (mismatch) throw mismatch;
  return client.workflow.getHandle<typeof councilWorkflow>(councilId);
}

/**
 * One page of a council's progress log from `fromEvent` on: its status and round, its messages so
 * far, each expert's inbox and the events of the page (`nextEvent`, `totalEvents` say what is left).
 * A closed council answers too, when a worker serves it (a query replays the workflow).
 */
export async function readCouncilProgress(
  client: Client,
  councilId: string,
  fromEvent = 0,
): Promise<CouncilProgress> {
  return (await councilHandle(client, councilId)).query(councilProgressQuery, { fromEvent });
}

/** A person's message to a council, with the round it came after. */
export interface CouncilHumanMessage {
  message: ExpertMessageData;
  round: number;
}

/** Most pages of the progress log read (500 events each): far above what a council logs. */
const MAX_PAGES = 1_000;

/** Every message people sent the council, in order, each with the round it came after. */
export async function councilHumanMessages(
  client: Client,
  councilId: string,
): Promise<CouncilHumanMessage[]> {
  const found: CouncilHumanMessage[] = [];
  // Found once: each page is one query, not a describe and a query.
  const handle = await councilHandle(client, councilId);
  let fromEvent = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const progress = await handle.query(councilProgressQuery, { fromEvent });
    const byId = new Map(progress.messages.map((message) => [message.id, message]));
    for (const event of progress.events) {
      const message = event.kind === 'human' ? byId.get(event.messageId) : undefined;
      if (message && event.kind === 'human') found.push({ message, round: event.round });
    }
    fromEvent = progress.nextEvent;
    if (fromEvent >= progress.totalEvents) break;
  }
  return found;
}
