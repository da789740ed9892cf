import { formatBytes, INPUT_LIMITS } from '../../common/inputLimits';
import {
  FileTooLargeError,
  NotUtf8Error,
  readFailureWords,
  readTextBounded,
} from '../../storage/boundedRead';
import { writeUserFile } from './userFile';
import type { Client } from '@temporalio/client';
import { filterMessages, type ConversationMessage, type MessageFilter } from '../../common/conversation';
import {
  priorConversationOf,
  SAVED_CONVERSATION_VERSION,
  savedConversationSchema,
  type PriorConversation,
  type SavedConversation,
} from '../../common/savedConversation';
import { zodProblem } from '../../common/validation';
import { checkFilter, readConversation, type CouncilConversation } from './conversation';
import { CouncilUserError } from '../../common/userError';

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
  writeUserFile(file, `${JSON.stringify(saved, null, 2)}\n`);
}

/** Reads and validates a saved conversation; a problem names the file, the field and what is wrong. */
export function loadConversation(file: string): SavedConversation {
  let text: string;
  try {
    text = readTextBounded(file, INPUT_LIMITS.maxConversationFileBytes);
  } catch (error) {
    if (error instanceof FileTooLargeError) {
      const cap = formatBytes(INPUT_LIMITS.maxConversationFileBytes);
      const hint = 'save fewer messages: `council show ID --save FILE` with --round or --type';
      throw new CouncilUserError(
        `"${file}" holds more than ${cap}: a saved conversation may be at most ${cap}`,
        hint,
      );
    }
    if (error instanceof NotUtf8Error) throw new CouncilUserError(error.message, error.hint);
    throw new CouncilUserError(
      `cannot read "${file}": ${readFailureWords(error)}`,
      'name a file `council show ID --save FILE` wrote',
      { cause: error },
    );
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
