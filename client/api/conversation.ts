import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  conversationOf,
  filterMessages,
  filterProblems,
  messageFilterSchema,
  type ConversationMessage,
  type MessageFilter,
} from '../../common/conversation';
import { conversationStats, type ConversationStats } from '../../common/conversationStats';
import type { ExpertMessageData } from '../../common/council';
import { councilProgressQuery, type ProgressEvent } from '../../common/councilApi';
import type { SavedConversation } from '../../common/savedConversation';
import { formatPath, readableIssues } from '../../common/validation';
import type { councilWorkflow } from '../../workflows';
import { CouncilUserError, RunNotFoundError } from '../../common/userError';
import { queryRecord } from './resynthesize';
import { WORKFLOW_TYPES } from './runs';

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
    // A session answers none of a council's queries: the SDK's refusal would name its handlers only.
    const { type } = await handle.describe();
    if (type !== WORKFLOW_TYPES.council) {
      const what = type === WORKFLOW_TYPES.session ? 'a session' : `a ${type} workflow`;
      throw new CouncilUserError(
        `"${councilId}" is ${what}, not a council`,
        'see `council list --kind council`',
      );
    }
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
    throw new RunNotFoundError('council', councilId, hint, { cause: error });
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

/** How a caller names the filter's fields in its errors (the CLI: its flags, `{ types: '--type' }`). */
export type FilterSpelling = Partial<Record<keyof MessageFilter, string>>;

/**
 * A filter checked with zod and against the council: a type that does not exist, or a sender,
 * recipient or round this council does not have, is a user error naming the values allowed, each
 * after its field's name, as `spelled` gives it.
 */
export function checkFilter(
  raw: unknown,
  conversation: CouncilConversation,
  spelled: FilterSpelling = {},
): MessageFilter {
  const parsed = messageFilterSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = readableIssues(parsed.error).map(
      ({ path, message }) => `${spelled[path[0] as keyof MessageFilter] ?? formatPath(path)}: ${message}`,
    );
    throw new CouncilUserError(`invalid message filter: ${problems.join('; ')}`, 'fix the values named');
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
