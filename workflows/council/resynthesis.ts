import type { CouncilContext } from '../../common/council';
import {
  resynthesisSourceSchema,
  type CouncilRecord,
  type ResynthesisSource,
} from '../../common/resynthesis';
import { zodProblem } from '../../common/validation';
import type { CouncilLedger } from './ledger';
import { invalid } from '../shared/invalid';

/**
 * The recorded answers a re-synthesis reuses, checked against its experts: one recorded output per
 * expert, no more (the synthesizer would be shown an answer nobody in the context gave), no fewer.
 */
export function parseResynthesisSource(raw: unknown, context: CouncilContext): ResynthesisSource {
  const parsed = resynthesisSourceSchema.safeParse(raw);
  if (!parsed.success) throw invalid(`invalid resynthesizeFrom: ${zodProblem(parsed.error)}`);
  const ids = new Set(context.activeExperts.map((expert) => expert.id));
  const stranger = Object.keys(parsed.data.outputs).find((id) => !ids.has(id));
  if (stranger !== undefined) {
    throw invalid(
      `resynthesizeFrom.outputs has an answer of "${stranger}", who is not in activeExperts: ` +
        "pass the source council's experts unchanged",
    );
  }
  const missing = [...ids].find((id) => parsed.data.outputs[id] === undefined);
  if (missing !== undefined) {
    throw invalid(`resynthesizeFrom.outputs has no recorded output of expert "${missing}"`);
  }
  return parsed.data;
}

/**
 * Fills the ledger with the source's answers instead of running the expert rounds: outputs (their
 * token usage zero, as this run spent none on them), failures, the transcript and the round count.
 */
export function seedLedger(ledger: CouncilLedger, source: ResynthesisSource): void {
  for (const expert of ledger.context.activeExperts) {
    const recorded = source.outputs[expert.id];
    const output = ledger.outputs[expert.id];
    // Both exist: the ledger made a slot per expert, and the parse required an output of each.
    if (!output || !recorded) continue;
    Object.assign(output, {
      status: recorded.status,
      content: recorded.content,
      round: recorded.round,
      ...(recorded.error && { error: recorded.error }),
    });
    if (recorded.status === 'failed') ledger.failed.add(expert.id);
  }
  // Already bounded by the source's transcript budget and the schema's byte bound.
  ledger.transcript.messages.push(...source.messages);
  ledger.round = source.rounds;
  const answered = Object.values(ledger.outputs).filter((output) => output.content !== '').length;
  ledger.setStatus(
    'running',
    `re-synthesis of ${source.sourceId}: ${answered} recorded answer(s), no expert is asked again`,
  );
}

/** What {@link councilRecordQuery} answers: the context and the ledger's recorded answers. */
export function recordOf(ledger: CouncilLedger, resynthesizedFrom?: string): CouncilRecord {
  return {
    context: ledger.context,
    outputs: ledger.outputs,
    messages: ledger.transcript.messages,
    rounds: ledger.round,
    ...(resynthesizedFrom !== undefined && { resynthesizedFrom }),
  };
}
