import { z } from 'zod';
import { missingSelectorProblem } from '../../common/selector';
import { sessionBudgetProblems } from '../../common/budget';
import { councilContextSchema } from '../../common/council';
import { LIMITS } from '../../common/defaults';
import { participantSpecSchema } from '../../common/participants';
import { periodBudgetProblems, periodBudgetSchema } from '../../common/periodBudget';
import { sessionQuorumProblem } from '../../common/quorum';
import { sessionConfigSchema } from '../../common/session';
import { sendMessageSchema } from '../../common/sessionInputs';
import { STRATEGIES } from '../../workflows/strategies';
import { checkParticipants } from '../../workflows/strategies/roles';
import { addProblem } from '../../common/validation';
import { participantNameProblem, repeatedNameProblem, repeatedNames } from '../../common/names';

const schemaRef = z.string().optional().describe('Path or URL of this JSON Schema, for editors');

/** A session config file: a session's settings plus the question `council run` asks by default. */
export const sessionFileSchema = sessionConfigSchema
  .safeExtend({
    $schema: schemaRef,
    kind: z.literal('session').optional().describe('"session" (the default) or "council"'),
    // The checks of the round's message it becomes: a question that could not be sent is refused here.
    question: sendMessageSchema.shape.content
      .optional()
      .describe('Asked when `council run` is given no question'),
    periodBudget: periodBudgetSchema
      .optional()
      .describe("A schedule's budget per UTC day or week, shared by its runs (`council schedule create`)"),
    participants: z
      .array(participantSpecSchema)
      .min(1, 'a session needs at least one participant')
      .max(LIMITS.maxParticipants),
  })
  .superRefine((file, ctx) => {
    for (const repeated of repeatedNames(file.participants.map((participant) => participant.name))) {
      addProblem(ctx, ['participants', repeated.index, 'name'], repeatedNameProblem(repeated));
    }
    file.participants.forEach(({ name }, index) => {
      const problem = participantNameProblem(name);
      if (problem) addProblem(ctx, ['participants', index, 'name'], problem);
    });
    // Said already, by "at least one" (no participants) or by the session's schema (selector settings
    // missing): the strategy's own check would say it again.
    const saidAlready =
      file.participants.length === 0 || missingSelectorProblem(file.strategy, file.selector) !== undefined;
    const problem = !saidAlready && checkParticipants(STRATEGIES[file.strategy], file.participants, file);
    if (problem) addProblem(ctx, ['participants'], problem);
    for (const message of sessionBudgetProblems(file)) {
      addProblem(ctx, ['budget'], message);
    }
    if (file.periodBudget) {
      for (const message of periodBudgetProblems(file.periodBudget, file.budget)) {
        addProblem(ctx, ['periodBudget'], message);
      }
    }
    const quorum = sessionQuorumProblem(file);
    if (quorum) {
      addProblem(ctx, [file.quorum !== undefined ? 'quorum' : 'deadlineMs'], quorum);
    }
  });

const councilShape = councilContextSchema.shape;

/** A council config file: the seed's ExecutionContext; `task` may instead come from the command line. */
export const councilFileSchema = z
  .object({
    ...councilShape,
    $schema: schemaRef,
    // Optional as the loader has it: a file with `mode` and no `kind` is a council.
    kind: z
      .literal('council')
      .optional()
      .describe('"council" for an AutoGen-style council (implied by `mode` when left out)'),
    task: councilShape.task.optional().describe('Worked on when `council run` is given no question'),
    periodBudget: periodBudgetSchema
      .optional()
      .describe("A schedule's budget per UTC day or week, shared by its runs (`council schedule create`)"),
  })
  .strict()
  .superRefine((file, ctx) => {
    if (!file.periodBudget) return;
    for (const message of periodBudgetProblems(file.periodBudget, file.budget)) {
      addProblem(ctx, ['periodBudget'], message);
    }
  });

/** Either kind of config file; the JSON Schema `council config schema` prints is made from it. */
export const configFileSchema = z.union([sessionFileSchema, councilFileSchema]);

/** The JSON Schema of config files, for editor completion (`# yaml-language-server: $schema=...`). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', unrepresentable: 'any' });
}
