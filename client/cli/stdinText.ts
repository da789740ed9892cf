import { LIMITS } from '../../common/defaults';
import { sendMessageSchema } from '../../common/sessionInputs';
import { formatBytes } from '../../common/inputLimits';
import { CouncilUserError } from '../../common/userError';
import { decodeUtf8, NotUtf8Error } from '../../storage/boundedRead';

/**
 * The most bytes `-` reads from stdin: the longest message in UTF-8's widest characters. A longer
 * input could not be sent whole, so it is refused before it is all read.
 */
const MAX_STDIN_BYTES = LIMITS.maxMessageChars * 4;

/**
 * A question or message given on the command line, where `-` means "read it from stdin": Linux caps
 * one argument at 128 KiB, and a message may be longer (`council send ID - < notes.md`).
 */
export async function textArgument<T extends string | undefined>(
  value: T,
  name: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<T | string> {
  if (value !== '-') return value;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > MAX_STDIN_BYTES) {
      throw new CouncilUserError(
        `the ${name} on stdin is over ${formatBytes(MAX_STDIN_BYTES)}: a message may be ${LIMITS.maxMessageChars} characters`,
        'shorten it, or send it in parts',
      );
    }
    chunks.push(bytes);
  }
  let text: string;
  try {
    text = decodeUtf8(Buffer.concat(chunks), `the ${name} on stdin`);
  } catch (error) {
    if (error instanceof NotUtf8Error) throw new CouncilUserError(error.message, error.hint);
    throw error;
  }
  // `-` asks for stdin: an empty one is a mistake upstream (a failed command, a wrong file), not
  // a reason to fall back on the config's question.
  if (text.trim() === '') {
    throw new CouncilUserError(
      `the ${name} on stdin is empty`,
      `write the ${name} to stdin, or pass it as an argument`,
    );
  }
  return text;
}

/**
 * `asked` as a run takes it as its question or task (less the blank lines around it), else the error
 * that says why not.
 */
export function checkedQuestion(asked: string): string {
  const checked = sendMessageSchema.shape.content.safeParse(asked);
  if (!checked.success) {
    throw new CouncilUserError(`invalid question: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  }
  return checked.data;
}
