import { z } from 'zod';
import { modelSpecSchema } from './llm';

/**
 * The worker's provider policy, as the workflows and the docs refer to it. The rules themselves live
 * only in the worker (activities/policy.ts): a session or council cannot read or change them.
 */
export const PROVIDER_POLICY_ENV = 'COUNCIL_PROVIDER_POLICY';
/** A JSON file with the same content as {@link PROVIDER_POLICY_ENV}. */
export const PROVIDER_POLICY_FILE_ENV = 'COUNCIL_PROVIDER_POLICY_FILE';

/**
 * Patch id of the policy check a session runs at start and when a participant is added, and a
 * council at start: histories recorded before it have no such command.
 */
export const PROVIDER_POLICY_PATCH = 'provider-policy';

/**
 * Patch id of the policy check as a regular activity (workflows/shared/providerPolicy.ts says why):
 * histories recorded before it ran the check as a local activity.
 */
export const POLICY_CHECK_ACTIVITY_PATCH = 'provider-policy-activity';

/** How many models one check may name: a council's experts and synthesizer, a session's participants. */
const MAX_SUBJECTS = 500;

/** One model a session or council will call, with who calls it (for the message). */
export const policySubjectSchema = z
  .object({ participant: z.string().max(200), model: modelSpecSchema })
  .strict();
export type PolicySubject = z.infer<typeof policySubjectSchema>;

/** The input of the `checkProviderPolicy` activity. */
export const policySubjectsSchema = z.array(policySubjectSchema).max(MAX_SUBJECTS);
