import { z } from 'zod';
import { LIMITS } from './defaults';
import { nameKey } from './names';
import { addProblem } from './validation';

// The seed's "Future Enhancements" of message routing: expert roles, named groups, urgent messages.
// Workflow-safe: the schema (common/council.ts), the workflow and the client all import it.

/** How urgent a message is; an urgent one is read first at its readers' next turn. */
export const MESSAGE_PRIORITIES = ['normal', 'urgent'] as const;
export type MessagePriority = (typeof MESSAGE_PRIORITIES)[number];

/** An address naming every expert of a role: `role:critic`. */
export const ROLE_PREFIX = 'role:';
/** An address naming a group's members: `group:core` (the bare group name works too). */
export const GROUP_PREFIX = 'group:';

export const ROUTING_LIMITS = {
  maxGroups: 20,
  /** The longest address a person or an expert may write (one entry of a list, too). */
  maxAddressChars: 200,
} as const;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** An expert's role: what a message addressed to `role:<role>` reaches. */
export const roleSchema = z
  .string()
  .regex(NAME_PATTERN, 'role must be 1-64 letters, digits, dots, dashes or underscores, e.g. "critic"');

/** Named groups of experts, by group name: a message to a group is read by its members only. */
export const groupsSchema = z
  .record(
    z.string().regex(NAME_PATTERN, 'a group name must be 1-64 letters, digits, dots, dashes or underscores'),
    z.array(z.string()).min(1, 'a group needs at least one member').max(LIMITS.maxParticipants),
  )
  .refine(
    (groups) => Object.keys(groups).length <= ROUTING_LIMITS.maxGroups,
    `a council has at most ${ROUTING_LIMITS.maxGroups} groups`,
  );

/** Where a message goes: an expert id, `role:<role>`, a group name, or a list of ids and group names. */
export const addressSchema = z.union([
  z.string().trim().min(1).max(ROUTING_LIMITS.maxAddressChars),
  z
    .array(z.string().trim().min(1).max(ROUTING_LIMITS.maxAddressChars))
    .min(1, 'the recipient list is empty: name at least one expert or group')
    .max(LIMITS.maxParticipants),
]);
export type MessageAddressInput = z.infer<typeof addressSchema>;

/** Every group names known experts, once each, and no group is named like an expert. */
export function checkGroups(
  context: { activeExperts: Array<{ id: string }>; groups?: Record<string, string[]> },
  ctx: z.RefinementCtx,
): void {
  const ids = context.activeExperts.map((expert) => expert.id);
  for (const [name, members] of Object.entries(context.groups ?? {})) {
    if (ids.includes(name)) {
      addProblem(
        ctx,
        ['groups', name],
        `group "${name}" has the id of an expert: rename the group so addresses stay unambiguous`,
      );
    }
    const seen = new Set<string>();
    members.forEach((member, index) => {
      const path = ['groups', name, index];
      if (!ids.includes(member)) {
        addProblem(
          ctx,
          path,
          `no expert with id "${member}" for group "${name}" (experts: ${ids.join(', ')})`,
        );
      } else if (seen.has(member)) {
        addProblem(ctx, path, `"${member}" is listed twice in group "${name}"`);
      }
      seen.add(member);
    });
  }
}

/** A problem of one field of a council's experts: where (`['activeExperts', 1, 'name']`) and what. */
export interface ExpertProblem {
  path: [string, number, string];
  message: string;
}

/**
 * The experts an address would not tell apart: an address names an expert by id or by name, case
 * aside, and reaches the first that matches, so two experts it cannot tell apart would take each
 * other's messages. Checked where a council starts and where a config is read (client/api), not in
 * the context's schema: the workflow validates its input with that schema, and a run started before
 * this check must replay as it ran.
 */
export function expertAddressClashes(experts: ReadonlyArray<{ id: string; name: string }>): ExpertProblem[] {
  const owners = new Map<string, string>();
  const problems: ExpertProblem[] = [];
  const claim = (index: number, field: 'id' | 'name') => {
    const expert = experts[index];
    if (!expert) return;
    const key = nameKey(expert[field].trim());
    const owner = owners.get(key);
    if (owner === undefined) owners.set(key, expert.id);
    else if (owner !== expert.id) {
      problems.push({
        path: ['activeExperts', index, field],
        message:
          `"${expert[field]}" also names expert "${owner}": messages address experts by id or name, ` +
          'case aside, so each needs a name of its own',
      });
    }
  };
  // Ids first: a name that repeats an id is the name's problem.
  experts.forEach((_, index) => claim(index, 'id'));
  experts.forEach((_, index) => claim(index, 'name'));
  return problems;
}

/** A council's experts and synthesizer, as far as their names go. */
interface NamedCouncil {
  activeExperts: ReadonlyArray<{ id: string; name: string }>;
  synthesisConfig: { name: string };
}

/**
 * A synthesizer named as an expert, case aside: the board, the events and the transcript tell the
 * synthesis from the answers by the name that wrote it.
 */
export function synthesizerNameClash(context: NamedCouncil): { path: string[]; message: string } | undefined {
  const { name } = context.synthesisConfig;
  const twin = context.activeExperts.find((expert) => nameKey(expert.name.trim()) === nameKey(name.trim()));
  return (
    twin && {
      path: ['synthesisConfig', 'name'],
      message:
        `"${name}" also names expert "${twin.id}": the synthesis is told apart from the experts' ` +
        'answers by its name, so the synthesizer needs one of its own',
    }
  );
}

/** The name of a synthesizer its config leaves unnamed (common/council.ts). */
export const DEFAULT_SYNTHESIZER_NAME = 'Synthesizer';
/** The name an unnamed synthesizer takes beside an expert named {@link DEFAULT_SYNTHESIZER_NAME}. */
export const SPARE_SYNTHESIZER_NAME = 'Council synthesizer';

/**
 * `synthesisConfig` with a name of its own where it gives none: the seed's own sample has an expert
 * named "Synthesizer", the default name, and an unnamed synthesizer beside it takes
 * {@link SPARE_SYNTHESIZER_NAME}. A name given is kept, and refused on a clash (see
 * {@link synthesizerNameClash}).
 */
export function withSynthesizerApart<T>(synthesisConfig: T, experts: readonly unknown[]): T {
  // Not an object, or named: the schema says what is wrong, or the name is kept.
  if (
    typeof synthesisConfig !== 'object' ||
    synthesisConfig === null ||
    (synthesisConfig as { name?: unknown }).name !== undefined
  ) {
    return synthesisConfig;
  }
  // Entries as a config file holds them: any of them may be no object (the schema says so after).
  const taken = experts.some((expert) => {
    const name =
      typeof expert === 'object' && expert !== null ? (expert as { name?: unknown }).name : undefined;
    return typeof name === 'string' && nameKey(name.trim()) === nameKey(DEFAULT_SYNTHESIZER_NAME);
  });
  return taken ? { ...synthesisConfig, name: SPARE_SYNTHESIZER_NAME } : synthesisConfig;
}

/** {@link expertAddressClashes} and {@link synthesizerNameClash}. */
export function councilNameClashes(
  context: NamedCouncil,
): Array<{ path: Array<string | number>; message: string }> {
  const synthesizer = synthesizerNameClash(context);
  return [...expertAddressClashes(context.activeExperts), ...(synthesizer ? [synthesizer] : [])];
}

/**
 * Who a message was for, as people read it: `skeptic`, `role:critic`, `group:finance`, `a, b`;
 * undefined for a broadcast. Clients print it next to a person's message.
 */
export function addressLabel(message: {
  recipient?: string;
  recipients?: readonly string[];
  audience?: string;
}): string | undefined {
  return message.audience ?? message.recipients?.join(', ') ?? message.recipient;
}

/** What {@link replyLine} names a message by. */
export interface RepliedMessage {
  senderName: string;
  round: number;
  type: string;
}

/**
 * ", replying to Alpha's round 1 response" for a message that answers one `find` knows, its id when
 * `find` does not know it (filtered out, or dropped from the log), '' for a message that answers none.
 */
export function replyLine(
  replyTo: string | undefined,
  find: (id: string) => RepliedMessage | undefined,
): string {
  if (replyTo === undefined) return '';
  const replied = find(replyTo);
  if (!replied) return `, replying to message ${replyTo}`;
  return `, replying to ${replied.senderName}'s round ${replied.round} ${replied.type}`;
}

/** A person's message's audience as the CLI prints it: "to role:critic only, urgent", "to everyone". */
export function audienceLine(message: Parameters<typeof addressLabel>[0] & { priority?: string }): string {
  const address = addressLabel(message);
  return `${address ? `to ${address} only` : 'to everyone'}${message.priority === 'urgent' ? ', urgent' : ''}`;
}
