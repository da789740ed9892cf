import { allHandlersFinished, condition } from '@temporalio/workflow';
import { patched } from '../shared/patches';
import type { CouncilContext } from '../../common/council';
import { councilModelSubjects } from '../../common/hedge';
import { PROVIDER_POLICY_PATCH } from '../../common/policy';
import { policyRefusal } from '../shared/providerPolicy';
import type { MessageDeliveries } from './delivery';

/**
 * The worker's provider policy on every model the council will call, and on its message webhook,
 * before any is called: a refusal fails the council (once its handlers have finished) with no call made.
 */
export async function checkCouncilPolicy(
  context: CouncilContext,
  deliveries: MessageDeliveries | undefined,
): Promise<void> {
  if (!patched(PROVIDER_POLICY_PATCH)) return;
  const refusal = await policyRefusal(councilModelSubjects(context));
  // The webhook's check comes after the models' (a council refused for a model is refused as before).
  const refused = refusal ?? (await deliveries?.check());
  if (refused) {
    await condition(allHandlersFinished);
    throw refused;
  }
}
