import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { LIMITS } from '../../common/defaults';
import { sendHumanMessage, skipExpert } from '../api/council';
import { CouncilUserError } from '../../common/userError';
import { tidyMessage } from '../../common/validation';
import { MultiParticipantSession } from '../api/session';
import { findRun } from '../api/runs';
import { readJsonAs, sendJson } from './guard';
import type { Client } from '@temporalio/client';
import type { FoundRun } from '../api/runs';
import type { CouncilConfig } from '../api/config';

/** What the page's form posts. The workflow checks the message again; this bounds what is read. */
const sendSchema = z
  .object({
    content: z.string().overwrite(tidyMessage).min(1, 'the message is empty').max(LIMITS.maxMessageChars),
    /** A session's participant names, or a council's expert ids, `role:<role>` and group names; absent: everyone. */
    to: z.array(z.string().min(1).max(200)).max(100).optional(),
  })
  .strict();

/** What the server's handlers work with: the CLI's client, and how a run gets a worker. */
export interface UiDeps {
  client: Client;
  /**
   * Makes sure a worker serves a run before it is queried or sent to (see runView): its calls too
   * when this process has their keys; `sending` a message refuses without them (a CouncilUserError).
   */
  serve: (found: FoundRun, sending?: boolean) => Promise<void>;
  /**
   * Where a run started from the page goes, with a worker serving it: its task queue, and whether it
   * is simulated. `defaults` (the form's default participants) are always simulated; a pasted config is
   * simulated as `council run` would simulate it (no key it needs is set).
   */
  queueFor: (
    id: string,
    config: CouncilConfig,
    defaults: boolean,
  ) => Promise<{ taskQueue: string; simulated: boolean }>;
  /** Where failures of rounds sent from the page go (they end after the POST has answered). */
  log: (line: string) => void;
}

/** How long a session round may take to refuse the message before the page is told it was sent. */
const REFUSAL_WINDOW_MS = 500;

/**
 * Sends the page's message: a council takes it as a person's message (answered at once); a session
 * starts a round, whose answers the page sees by polling, so the POST does not wait for the round.
 */
export async function sendFromPage(
  options: UiDeps,
  id: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonAs(
    request,
    response,
    sendSchema,
    LIMITS.maxMessageBytes * 2,
    'message too long',
  );
  if (body === undefined) return;
  const { content, to } = body;
  const found = await runningRun(options, id, response, true);
  if (!found) return;
  try {
    if (found.kind === 'council') {
      // One address or a list, as `council send --to` takes them: ids, `role:<role>`, group names.
      const recipient = to && to.length > 1 ? to : to?.[0];
      const sent = await sendHumanMessage(options.client, id, { content, recipient });
      return sendJson(response, 200, { sent: sent.id });
    }
    const session = await MultiParticipantSession.attach(options.client, id);
    const round = session.sendMessage('user', content, to ? { participants: to } : undefined);
    // A refusal (unknown participant, closed session) comes back within the window as a 400.
    await Promise.race([round, new Promise((resolve) => setTimeout(resolve, REFUSAL_WINDOW_MS))]);
    round.catch((error: unknown) => options.log(`round of ${id} from the page failed: ${String(error)}`));
    return sendJson(response, 202, { sent: true });
  } catch (error) {
    if (error instanceof CouncilUserError) return sendJson(response, 400, { error: error.toOneLine() });
    throw error;
  }
}

/**
 * Cancels a running session or council, as `council cancel` does: calls in flight are
 * cancelled and the run closes; the page sees it closed on its next poll.
 */
export async function cancelFromPage(options: UiDeps, id: string, response: ServerResponse): Promise<void> {
  const found = await runningRun(options, id, response);
  if (!found) return;
  await found.handle.cancel();
  sendJson(response, 202, { cancelled: true });
}

/** What the page's Skip button posts: the session participant whose call in flight is cancelled. */
const skipSchema = z.object({ participant: z.string().min(1).max(200) }).strict();

/**
 * Skips a call in flight: a session participant's (by name, as `MultiParticipantSession.skipParticipant`
 * does; 200 `{ skipped }` says whether a call was in flight) or a council expert's (by expert id, as
 * `skipExpert` does; 200 `{ skipped: true, cancelledCalls }`, and 400 for an unknown expert or one with
 * no call in flight). Either way the turn is recorded as skipped and the round goes on.
 */
export async function skipFromPage(
  options: UiDeps,
  id: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readJsonAs(request, response, skipSchema, 4096, 'body too long');
  if (body === undefined) return;
  const found = await runningRun(options, id, response);
  if (!found) return;
  const { participant } = body;
  try {
    if (found.kind === 'council') {
      const skip = await skipExpert(options.client, id, participant);
      return sendJson(response, 200, { skipped: true, cancelledCalls: skip.cancelledCalls });
    }
    const session = await MultiParticipantSession.attach(options.client, id);
    return sendJson(response, 200, { skipped: await session.skipParticipant(participant) });
  } catch (error) {
    if (error instanceof CouncilUserError) return sendJson(response, 400, { error: error.toOneLine() });
    throw error;
  }
}

/** The run `id` with a worker serving it; undefined once a 409 says it is closed. */
async function runningRun(
  options: UiDeps,
  id: string,
  response: ServerResponse,
  sending = false,
): Promise<FoundRun | undefined> {
  const found = await findRun(options.client, id);
  if (found.description.status.name !== 'RUNNING') {
    sendJson(response, 409, { error: `${found.kind} "${id}" is closed` });
    return undefined;
  }
  try {
    await options.serve(found, sending);
  } catch (error) {
    if (!(error instanceof CouncilUserError)) throw error;
    sendJson(response, 400, { error: error.toOneLine() });
    return undefined;
  }
  return found;
}
