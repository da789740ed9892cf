import type { ExpertMessageType } from '../../common/council';

// How a simulated expert that may send messages (`canSendMessages`) addresses its answer, so a
// simulated council shows the seed's routing: replies to a message of the history, sent to its
// author, to a role, to a group, or to everyone, some urgent. Read from the prompt council gives it
// (workflows/council/prompt.ts lists the others and the groups; the history heads each message with
// its id). Deterministic: the same prompt always gets the same address.

/** The fields a simulated JSON answer adds to its type and content. */
export interface SimulatedAddress {
  type: ExpertMessageType;
  recipient?: string;
  replyTo?: string;
  priority?: 'urgent';
}

interface ListedExpert {
  id: string;
  name: string;
  role?: string;
}

/** The lines of a section of the system prompt, `- key: value` each, until the next heading line. */
function listed(system: string, heading: string): Array<[string, string]> {
  const lines = system.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return [];
  const rows: Array<[string, string]> = [];
  for (const line of lines.slice(start + 1)) {
    const row = /^- ([^:]+): (.*)$/.exec(line);
    if (!row?.[1] || row[2] === undefined) break;
    rows.push([row[1], row[2]]);
  }
  return rows;
}

function otherExperts(system: string): ListedExpert[] {
  return listed(system, 'The other experts:').map(([id, rest]) => {
    const withRole = /^(.*) \(role: ([^)]+)\)$/.exec(rest);
    return withRole?.[1] && withRole[2] ? { id, name: withRole[1], role: withRole[2] } : { id, name: rest };
  });
}

/** The latest message of the history shown with its id: its id and its author's name. */
function latestMessage(turnText: string): { id: string; author: string } | undefined {
  const heads = [...turnText.matchAll(/^### ("(?:[^"\\]|\\.)*") \((?:[^)]*, )?id ([^,)]+)/gm)];
  const last = heads.at(-1);
  if (!last?.[1] || !last[2]) return undefined;
  return { id: last[2], author: JSON.parse(last[1]) as string };
}

/**
 * Where a simulated expert sends its answer: nowhere special (a broadcast `response`) when its
 * prompt shows no message to answer; else a reply to the latest one, by `seed`: a question to its
 * author, an urgent critique to a role, a clarification to a group (when the prompt offers roles
 * and groups), or an agreement for everyone.
 */
export function simulatedAddress(system: string, turnText: string, seed: number): SimulatedAddress {
  const latest = latestMessage(turnText);
  if (!latest) return { type: 'response' };
  const routed = system.includes('You may send your answer as a message to some experts');
  const others = otherExperts(system);
  const author = others.find((expert) => expert.name === latest.author);
  const role = routed ? others.find((expert) => expert.role !== undefined)?.role : undefined;
  const group = routed ? listed(system, 'Groups:')[0]?.[0] : undefined;
  const replyTo = latest.id;
  switch (seed % 4) {
    case 0:
      if (author) return { type: 'question', recipient: author.id, replyTo };
      break;
    case 1:
      if (role) return { type: 'critique', recipient: `role:${role}`, replyTo, priority: 'urgent' };
      break;
    case 2:
      if (group) return { type: 'clarification', recipient: group, replyTo };
      break;
  }
  return { type: 'agreement', replyTo };
}
