import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import {
  type CouncilContext,
  type CouncilWorkflowInput,
  type ExpertMessageData,
  type ExpertOutput,
} from './council';
import { LIMITS } from './defaults';
import { storedMessageFields } from './savedConversation';
import { jsonBytes } from './size';

/**
 * Schema version of a re-synthesis input. A worker that predates re-synthesis reads only version 1
 * and refuses this input with a clear error, instead of ignoring `resynthesizeFrom` and asking every
 * expert again.
 */
export const RESYNTHESIS_SCHEMA_VERSION = 2;

const errorSchema = z.object({ type: z.string(), message: z.string() }).strict();

/** One expert's recorded part, as the source council's ledger holds it. */
const recordedOutputSchema = z
  .object({
    expertId: z.string().min(1),
    expertName: z.string().min(1),
    status: z.enum(['done', 'failed', 'skipped']),
    content: z.string(),
    round: z.number().int().min(0),
    error: errorSchema.optional(),
  })
  // The source's token usage is left behind: this run spends none on the experts. So is `late`: a
  // re-synthesis comes after the late answers are in, and reads them all.
  .strip();

/** The source's messages, as stored; `late` is read and dropped: a re-synthesis reads them all. */
const recordedMessageSchema = z
  .object(storedMessageFields)
  .strict()
  .transform(({ late: _late, ...message }) => message);

/**
 * What a re-synthesis reuses from its source council: the experts' recorded answers and transcript.
 * Bounded in bytes: the source's transcript and outputs were bounded (COUNCIL_LIMITS), and the whole
 * must fit one council result (LIMITS.maxCouncilResultBytes); payloads past the blob threshold leave
 * the history through the blob store.
 */
export const resynthesisSourceSchema = z
  .object({
    /** Workflow id of the council whose answers are reused. */
    sourceId: z.string().min(1).max(1000),
    outputs: z.record(z.string(), recordedOutputSchema),
    messages: z.array(recordedMessageSchema),
    /** Rounds the source ran; the re-synthesis calls are numbered after them. */
    rounds: z.number().int().min(0),
  })
  .strict()
  .refine(
    (source) => jsonBytes(source) <= LIMITS.maxCouncilResultBytes,
    `the recorded answers are over ${LIMITS.maxCouncilResultBytes} bytes: too large to re-synthesize`,
  );
export type ResynthesisSource = z.infer<typeof resynthesisSourceSchema>;

/** Input of a council run that reuses another council's answers: no expert is asked again. */
export interface ResynthesisWorkflowInput extends CouncilWorkflowInput {
  resynthesizeFrom: ResynthesisSource;
}

/** A council's recorded state, read from it (finished or not) by {@link councilRecordQuery}. */
export interface CouncilRecord {
  context: CouncilContext;
  outputs: Record<string, ExpertOutput>;
  /** The transcript as held (critiques and agreements too), whether or not messaging was on. */
  messages: ExpertMessageData[];
  rounds: number;
  /** Set when this council was itself a re-synthesis. */
  resynthesizedFrom?: string;
}

/** The council's context and recorded answers: what a re-synthesis starts from. */
export const councilRecordQuery = defineQuery<CouncilRecord>('councilRecord');
