import { z } from 'zod';
import type { ParticipantSpec } from '../../common/participants';
import { quotedName } from '../shared/untrusted';

/**
 * The longest task a worker is given, in characters: it becomes that worker's whole message, kept
 * in its history; a longer line is no assignment (the worker gets the round's message instead).
 */
export const MAX_TASK_CHARS = 4000;

/** The most lines of a supervisor's answer read for tasks: the parse stays bounded whatever it wrote. */
const MAX_ASSIGNMENT_LINES = 200;

/** A task as the workflow accepts it: visible text, one line, within MAX_TASK_CHARS. */
const taskSchema = z.string().trim().min(1).max(MAX_TASK_CHARS);

/**
 * What the supervisor is asked after the round's message: one line per worker. Each worker is
 * shown its task alone, so the supervisor is told to make each task self-contained.
 */
export function assignmentRequest(workers: readonly ParticipantSpec[]): string {
  const names = workers.map((worker) => quotedName(worker.name)).join(', ');
  return (
    `As the supervisor, assign one task to each worker before they start: ${names}. ` +
    'Each worker is shown its task alone, not the message above, so make every task self-contained. ' +
    'Answer with one line per worker, the name without quotes, a colon and the task ' +
    '(e.g. `Name: task`), and nothing else.'
  );
}

/** A worker's message for its task, naming the supervisor who assigned it. */
export function taskMessage(supervisor: string, task: string): string {
  return `Your task in this round, assigned by the supervisor ${quotedName(supervisor)}:\n\n${task}`;
}

/**
 * The tasks a supervisor's answer assigns, by worker name: each line `Name: task` (a list marker,
 * emphasis or quotes around the name are allowed; the name's case is not significant). The first
 * valid line for a worker wins; a worker with no valid line has no entry. Longer names are tried
 * first, so "Worker-10" is never read as "Worker-1".
 */
export function parseAssignments(answer: string, workers: readonly ParticipantSpec[]): Map<string, string> {
  const names = workers.map((worker) => worker.name).sort((a, b) => b.length - a.length);
  const tasks = new Map<string, string>();
  for (const raw of answer.split('\n').slice(0, MAX_ASSIGNMENT_LINES)) {
    const line = raw.replace(/^\s*(?:[-*•]|\d+[.)])?\s*/, '');
    for (const name of names) {
      const rest = afterName(line, name);
      if (rest === undefined) continue;
      const task = taskSchema.safeParse(rest);
      if (task.success && !tasks.has(name)) tasks.set(name, task.data);
      break;
    }
  }
  return tasks;
}

/** What follows `name` and its colon at the start of `line` (name maybe in quotes or emphasis). */
function afterName(line: string, name: string): string | undefined {
  const wrapped = /^(\*\*|\*|"|`)?/.exec(line)?.[1] ?? '';
  const start = wrapped.length;
  if (line.slice(start, start + name.length).toLowerCase() !== name.toLowerCase()) return undefined;
  let rest = line.slice(start + name.length);
  if (wrapped && rest.startsWith(wrapped)) rest = rest.slice(wrapped.length);
  // Emphasis may close after the colon: `**Name:** task`.
  if (rest.startsWith(':')) return rest.slice(1).replace(/^(\*\*|\*)/, '');
  return undefined;
}
