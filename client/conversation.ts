import { readFileSync, writeFileSync } from 'node:fs';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  conversationOf,
  filterMessages,
  filterProblems,
  messageFilterSchema,
  type ConversationMessage,
  type MessageFilter,
} from '../common/conversation';
import { conversationStats, type ConversationStats } from '../common/conversationStats';
import type { ExpertMessageData } from '../common/council';
import { councilProgressQuery, type ProgressEvent } from '../common/councilApi';
import {
  priorConversationOf,
  SAVED_CONVERSATION_VERSION,
  savedConversationSchema,
  type PriorConversation,
  type SavedConversation,
} from '../common/savedConversation';
import { zodProblem } from '../common/validation';
import type { councilWorkflow } from '../workflows';
import { CouncilUserError } from './errors';
import { queryRecord } from './resynthesize';

/** Most pages of the progress log read (500 events each): far above what a council logs. */
const MAX_PAGES = 1_000;

/** A council's conversation, each message with its round, and the progress log it was read from. */
export interface CouncilConversation {
  councilId: string;
  task: string;
  mode: SavedConversation['mode'];
  /** The expert ids of the council, in its order. */
  expertIds: string[];
  rounds: number;
  messages: ConversationMessage[];
  events: ProgressEvent[];
}

/** Reads a council's conversation (running or completed) from its progress log and record. */
export async function readConversation(client: Client, councilId: string): Promise<CouncilConversation> {
  const handle = client.workflow.getHandle<typeof councilWorkflow>(councilId);
  try {
    const record = await queryRecord(handle);
    const { events, messages, round } = await readProgressLog(handle);
    return {
      councilId,
      task: record.context.task,
      mode: record.context.mode,
      expertIds: record.context.activeExperts.map((expert) => expert.id),
      rounds: round,
      messages: conversationOf(events, messages),
      events,
    };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    const hint = 'list councils with `council list`';
    throw new CouncilUserError(`no council with id "${councilId}"`, hint, { cause: error });
  }
}

async function readProgressLog(handle: WorkflowHandle<typeof councilWorkflow>) {
  const events: ProgressEvent[] = [];
  const messages = new Map<string, ExpertMessageData>();
  let fromEvent = 0;
  let round = 0;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const progress = await handle.query(councilProgressQuery, { fromEvent });
    events.push(...progress.events);
    for (const message of progress.messages) messages.set(message.id, message);
    round = progress.round;
    fromEvent = progress.nextEvent;
    if (fromEvent >= progress.totalEvents) break;
  }
  return { events, messages: [...messages.values()], round };
}

/**
 * A filter checked with zod and against the council: a type that does not exist, or a sender,
 * recipient or round this council does not have, is a user error naming the values allowed.
 */
export function checkFilter(raw: unknown, conversation: CouncilConversation): MessageFilter {
  const parsed = messageFilterSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CouncilUserError(`invalid message filter: ${zodProblem(parsed.error)}`, 'fix the values named');
  }
  const senders = [...new Set([...conversation.expertIds, ...conversation.messages.map((m) => m.sender)])];
  const problems = filterProblems(parsed.data, senders, conversation.expertIds, conversation.rounds);
  if (problems.length > 0) {
    throw new CouncilUserError(`invalid message filter: ${problems.join('; ')}`, 'fix the values named');
  }
  return parsed.data;
}

/** The messages of a council the filter keeps (all of them without one), each with its round. */
export async function councilMessages(
  client: Client,
  councilId: string,
  filter: MessageFilter = {},
): Promise<ConversationMessage[]> {
  const conversation = await readConversation(client, councilId);
  return filterMessages(conversation.messages, checkFilter(filter, conversation));
}

/** A council's communication patterns: messages per participant and type, who answers whom, rounds. */
export async function councilStats(client: Client, councilId: string): Promise<ConversationStats> {
  const conversation = await readConversation(client, councilId);
  return conversationStats(conversation.messages, conversation.events);
}

/** The file `--save` writes: the council's (filtered) conversation. */
export function savedConversationOf(
  conversation: CouncilConversation,
  filter: MessageFilter,
  messages: readonly ConversationMessage[],
  now: Date,
): SavedConversation {
  return {
    schemaVersion: SAVED_CONVERSATION_VERSION,
    kind: 'council-conversation',
    councilId: conversation.councilId,
    task: conversation.task,
    mode: conversation.mode,
    savedAt: now.toISOString(),
    ...(Object.keys(filter).length > 0 && { filter }),
    // A relevance score belongs to the filter that computed it, which is saved with them.
    messages: messages.map(({ relevance: _relevance, ...message }) => message),
  };
}

/** Saves a council's conversation (the messages `filter` keeps) to `file` as JSON; resolves with it. */
export async function saveConversation(
  client: Client,
  councilId: string,
  file: string,
  filter: MessageFilter = {},
): Promise<SavedConversation> {
  const conversation = await readConversation(client, councilId);
  const checked = checkFilter(filter, conversation);
  const saved = savedConversationOf(
    conversation,
    checked,
    filterMessages(conversation.messages, checked),
    new Date(),
  );
  writeConversation(file, saved);
  return saved;
}

/** Writes a saved conversation as JSON; a file that cannot be written is a user error naming it. */
export function writeConversation(file: string, saved: SavedConversation): void {
  try {
    writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`);
  } catch (error) {
    const hint = 'pick a file in a directory that exists and you may write to';
    throw new CouncilUserError(`cannot write "${file}": ${(error as Error).message}`, hint, { cause: error });
  }
}

/** Reads and validates a saved conversation; a problem names the file, the field and what is wrong. */
export function loadConversation(file: string): SavedConversation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CouncilUserError(`cannot read "${file}": ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const hint = 'save one with `council show ID --save FILE`';
    throw new CouncilUserError(`"${file}" is not JSON: ${(error as Error).message}`, hint, { cause: error });
  }
  const parsed = savedConversationSchema.safeParse(json);
  if (!parsed.success) {
    const hint = 'save one with `council show ID --save FILE`';
    throw new CouncilUserError(`"${file}" is no saved conversation: ${zodProblem(parsed.error)}`, hint);
  }
  return parsed.data;
}

/** The conversation of council `councilId` as a start for another council (`continueFrom`). */
export async function priorFromCouncil(client: Client, councilId: string): Promise<PriorConversation> {
  const { messages } = await readConversation(client, councilId);
  if (messages.length === 0) {
    throw new CouncilUserError(
      `council "${councilId}" has no messages to go on from`,
      'pick another council',
    );
  }
  return priorConversationOf({ messages }, councilId);
}

/** A saved conversation file as a start for another council; its source is the council it was saved from. */
export function priorFromFile(file: string): PriorConversation {
  const saved = loadConversation(file);
  if (saved.messages.length === 0) {
    throw new CouncilUserError(
      `"${file}" holds no messages to go on from`,
      'save one without a filter that keeps none',
    );
  }
  return priorConversationOf(saved, saved.councilId);
}
