import type { Client } from '@temporalio/client';
import type { CouncilWorkflowResult, ExpertMessageData } from '../../common/council';
import { councilProgressQuery, type CouncilProgress } from '../../common/councilApi';
import type { councilWorkflow } from '../../workflows';

// Reading a council by id without following it (what `council show` prints): its recorded result,
// a page of its progress log, the messages people sent it. attachCouncil follows one to its end.

/**
 * The council's result as its workflow returned it (experts' outputs, synthesis, messages, context
 * refs). Waits if the council is still running; rejects as the workflow failed if it did not complete.
 */
export async function readCouncilResult(client: Client, councilId: string): Promise<CouncilWorkflowResult> {
  return client.workflow.getHandle<typeof councilWorkflow>(councilId).result();
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
  return client.workflow.getHandle<typeof councilWorkflow>(councilId).query(councilProgressQuery, {
    fromEvent,
  });
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
  let fromEvent = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const progress = await readCouncilProgress(client, councilId, fromEvent);
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
