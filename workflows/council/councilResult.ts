import type {
  CouncilContext,
  CouncilWorkflowResult,
  ExpertOutput,
  SynthesisOutput,
} from '../../common/council';
import type { ConvergenceResult } from '../../common/convergence';
import { addUsage, ZERO_USAGE, type TokenUsage } from '../../common/llm';
import type { CouncilTranscript } from './councilTranscript';
import type { ShownLog } from './shownLog';

/** What the result is built from: the ledger's state, never its methods. */
export interface LedgerSnapshot {
  readonly context: CouncilContext;
  readonly transcript: CouncilTranscript;
  readonly outputs: Record<string, ExpertOutput>;
  readonly failed: ReadonlySet<string>;
  readonly shown: ShownLog;
  readonly round: number;
  readonly convergence?: ConvergenceResult;
}

/** What the experts' calls used, all rounds and phases together. */
export function expertsUsage(outputs: Record<string, ExpertOutput>): TokenUsage {
  return Object.values(outputs).reduce((sum, output) => addUsage(sum, output.tokenUsage), ZERO_USAGE);
}

/** The workflow's result; the messaging fields only when messaging is on. */
export function councilResult(state: LedgerSnapshot, synthesis: SynthesisOutput): CouncilWorkflowResult {
  const { context } = state;
  const outputs = Object.values(state.outputs);
  const byExpert = Object.fromEntries(outputs.map((output) => [output.expertId, output.tokenUsage]));
  const expertsTotal = expertsUsage(state.outputs);
  const result: CouncilWorkflowResult = {
    task: context.task,
    mode: context.mode,
    outputs: state.outputs,
    synthesis,
    tokenUsage: {
      total: addUsage(expertsTotal, synthesis.tokenUsage),
      byExpert,
      synthesis: synthesis.tokenUsage,
    },
    failedExperts: context.activeExperts.filter((e) => state.failed.has(e.id)).map((e) => e.id),
    rounds: state.round,
    ...(state.convergence && { convergence: state.convergence }),
  };
  if (!context.enableMessaging) return result;
  const contextRefs = state.shown.refs(context.activeExperts);
  return { ...result, messages: [...state.transcript.messages], contextRefs };
}
