import type { Expert } from '../../common/council';
import { GROUP_PREFIX, ROLE_PREFIX, type MessageAddressInput } from '../../common/councilRouting';
import { LIMITS } from '../../common/defaults';
import { addressReply, type ExpertReply } from './expertReply';

// Pure routing by role, group and list (the seed's "Future Enhancements"): no Temporal API here, so
// unit tests and the workflow use the very same functions.

/**
 * Patch id of routed replies: an expert that may send messages is told of roles, groups, lists and
 * priority, and its reply is routed by them. Before it, a list naming two experts was kept private
 * and a "priority" ignored: recorded councils replay with that reading.
 */
export const MESSAGE_ROUTING_PATCH = 'council-message-routing';

/** Who can be addressed: the experts (with their roles) and the council's named groups. */
export interface Roster {
  experts: readonly Pick<Expert, 'id' | 'name' | 'role'>[];
  groups?: Readonly<Record<string, readonly string[]>>;
}

/** A resolved address: one expert (`recipient`), or the experts a role, group or list reached. */
export interface MessageAddress {
  recipient?: string;
  recipients?: string[];
  /** `role:<role>` or `group:<name>` when the address was that one role or group. */
  audience?: string;
}

export type AddressResolution = { address: MessageAddress } | { problem: string };

/** The experts one entry of an address names, and the role or group it was, if any. */
function resolveEntry(entry: string, roster: Roster): { ids: string[]; audience?: string } | undefined {
  const key = entry.trim().toLowerCase();
  if (key.startsWith(ROLE_PREFIX)) {
    const role = key.slice(ROLE_PREFIX.length).trim();
    const ids = roster.experts.filter((e) => e.role?.toLowerCase() === role).map((e) => e.id);
    return ids.length > 0 ? { ids, audience: `${ROLE_PREFIX}${role}` } : undefined;
  }
  const expert = roster.experts.find((e) => e.id.toLowerCase() === key || e.name.toLowerCase() === key);
  if (expert && !key.startsWith(GROUP_PREFIX)) return { ids: [expert.id] };
  const groupKey = key.startsWith(GROUP_PREFIX) ? key.slice(GROUP_PREFIX.length).trim() : key;
  const group = Object.entries(roster.groups ?? {}).find(([name]) => name.toLowerCase() === groupKey);
  return group ? { ids: [...group[1]], audience: `${GROUP_PREFIX}${group[0]}` } : undefined;
}

/** Why an entry reaches nobody, with what the council does have: "(experts: a, b; roles: critic)". */
function unknownEntry(entry: string, roster: Roster): string {
  const roles = [...new Set(roster.experts.flatMap((e) => (e.role ? [e.role] : [])))];
  const groups = Object.keys(roster.groups ?? {});
  const known = [`experts: ${roster.experts.map((e) => e.id).join(', ')}`];
  if (roles.length > 0) known.push(`roles: ${roles.join(', ')}`);
  if (groups.length > 0) known.push(`groups: ${groups.join(', ')}`);
  const key = entry.trim();
  const what = key.toLowerCase().startsWith(ROLE_PREFIX)
    ? `no expert has role "${key.slice(ROLE_PREFIX.length).trim()}"`
    : key.toLowerCase().startsWith(GROUP_PREFIX)
      ? `no group "${key.slice(GROUP_PREFIX.length).trim()}"`
      : `no expert with id "${key}"`;
  return `${what} in this council (${known.join('; ')})`;
}

/**
 * Resolves an address: an expert id or name, `role:<role>`, a group name (or `group:<name>`), or a
 * list of ids and group names. Reaches every expert named, the sender aside, in roster order; a
 * single expert stays a plain direct message (`recipient`), as before roles and groups.
 */
export function resolveAddress(
  wanted: MessageAddressInput,
  senderId: string,
  roster: Roster,
): AddressResolution {
  const entries = typeof wanted === 'string' ? [wanted] : wanted.slice(0, LIMITS.maxParticipants);
  const reached = new Set<string>();
  const audiences: string[] = [];
  for (const entry of entries) {
    const found = resolveEntry(entry, roster);
    if (!found) return { problem: unknownEntry(entry, roster) };
    found.ids.forEach((id) => reached.add(id));
    if (found.audience) audiences.push(found.audience);
  }
  const others = roster.experts.map((e) => e.id).filter((id) => reached.has(id) && id !== senderId);
  if (others.length === 0) return { problem: `${JSON.stringify(wanted)} reaches no expert but its sender` };
  if (typeof wanted === 'string' && audiences.length === 0) return { address: { recipient: others[0] } };
  const audience = entries.length === 1 ? audiences[0] : undefined;
  return { address: { recipients: others, ...(audience !== undefined && { audience }) } };
}

/** What a structured reply becomes under routing: its address, reply link, priority and notes. */
export interface RoutedReply extends MessageAddress {
  replyTo?: string;
  priority?: 'urgent';
  context?: Record<string, unknown>;
}

/**
 * {@link addressReply} with roles, groups and lists: a reply whose address reaches nobody is kept
 * private to its sender with the reason in its context, never broadcast.
 */
export function routeReply(
  reply: Pick<
    ExpertReply,
    'recipient' | 'recipients' | 'replyTo' | 'parseError' | 'keepPrivate' | 'priority'
  >,
  senderId: string,
  roster: Roster,
  seenMessageIds: ReadonlySet<string>,
): RoutedReply {
  const priority = reply.priority === 'urgent' ? { priority: 'urgent' as const } : {};
  const wanted = reply.recipients ?? reply.recipient;
  // A plain reply, or one already judged unreadable: addressed exactly as before routing.
  if (reply.keepPrivate || wanted === undefined)
    return { ...addressReply(reply, senderId, roster.experts, seenMessageIds), ...priority };
  const { replyTo, parseError } = reply;
  const base = addressReply({ replyTo, parseError }, senderId, roster.experts, seenMessageIds);
  const resolved = resolveAddress(wanted, senderId, roster);
  if ('address' in resolved) return { ...base, ...resolved.address, ...priority };
  const problems = [parseError, resolved.problem].filter(Boolean).join('; ');
  const context = { ...base.context, ignoredRecipient: wanted, parseError: problems, keptPrivate: true };
  return { ...base, recipient: senderId, context, ...priority };
}
