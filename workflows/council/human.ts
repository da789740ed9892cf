import type { z } from 'zod';
import { HUMAN_SENDER_ID, COUNCIL_LIMITS, type ExpertMessageData } from '../../common/council';
import { councilFinished, humanMessageSchema, type HumanMessageInput } from '../../common/councilApi';
import { jsonBytes } from '../../common/size';
import { zodProblem } from '../../common/validation';
import { invalid } from '../shared/invalid';
import type { CouncilLedger } from './ledger';
import { createExpertMessage, type MessageStamp } from './messages';
import { resolveAddress, type MessageAddress } from './routing';

/** A person's message, checked: its fields and its resolved address. */
export interface CheckedHumanMessage {
  fields: z.output<typeof humanMessageSchema>;
  address: MessageAddress;
}

/**
 * Checks a person's message against the council, or throws an InvalidRequest failure saying what to
 * fix. Its address may be an expert, a role, a group or a list (./routing.ts). Workers before routing
 * refused such messages (the schema was strict), so no recorded history holds one: no patch needed.
 */
export function checkHumanMessage(request: HumanMessageInput, ledger: CouncilLedger): CheckedHumanMessage {
  const { context } = ledger;
  if (ledger.status === 'synthesizing' || councilFinished(ledger.status)) {
    throw invalid('the council has finished its rounds: no expert would read this message');
  }
  if (ledger.humanMessages >= COUNCIL_LIMITS.maxHumanMessages) {
    throw invalid(`this council has taken its ${COUNCIL_LIMITS.maxHumanMessages} human messages`);
  }
  const parsed = humanMessageSchema.safeParse(request);
  if (!parsed.success) throw invalid(`invalid message: ${zodProblem(parsed.error)}`);
  const { recipient, replyTo } = parsed.data;
  const roster = { experts: context.activeExperts, groups: context.groups };
  const resolved =
    recipient === undefined ? { address: {} } : resolveAddress(recipient, HUMAN_SENDER_ID, roster);
  if ('problem' in resolved) throw invalid(resolved.problem);
  if (replyTo !== undefined && !ledger.messages.some((m) => m.id === replyTo)) {
    throw invalid(`no message with id "${replyTo}" in this council's transcript`);
  }
  return { fields: parsed.data, address: resolved.address };
}

/**
 * Refuses a person's message that would take people's messages past their byte budget, saying how
 * much is left. Run by the update's validator only: validators are not run on replay, so runs that
 * took more before this check replay as they ran.
 */
export function checkHumanMessageBytes(request: HumanMessageInput, ledger: CouncilLedger): void {
  // The update's input as sent, not as the schema trims it: the history keeps it whole.
  const bytes = jsonBytes(request);
  const left = COUNCIL_LIMITS.maxHumanMessageBytes - ledger.humanMessageBytes;
  if (bytes > left) {
    throw invalid(
      `this council has taken ${ledger.humanMessageBytes} bytes of people's messages, and this one ` +
        `(${bytes} bytes) would pass their ${COUNCIL_LIMITS.maxHumanMessageBytes}: ${Math.max(0, left)} ` +
        'bytes are left; send a shorter message',
    );
  }
}

/** The checked message as the council stores it. */
export function humanMessageOf(
  { fields, address }: CheckedHumanMessage,
  stamp: MessageStamp,
): ExpertMessageData {
  const { recipients, audience } = address;
  const { senderName, content, type, replyTo, priority } = fields;
  const message = createExpertMessage(
    stamp,
    HUMAN_SENDER_ID,
    senderName,
    content,
    type,
    address.recipient,
    replyTo,
  );
  return {
    ...message,
    ...(recipients !== undefined && { recipients }),
    ...(audience !== undefined && { audience }),
    ...(priority === 'urgent' && { priority }),
  };
}
