import type { OrchestrationStrategy } from '../../common/participants';
import { broadcast } from './broadcast';
import { custom } from './custom';
import { hierarchical } from './hierarchical';
import { moderatorLed } from './moderatorLed';
import { roundRobin } from './roundRobin';
import { selector } from './selector';
import type { Strategy } from './types';

/** Every strategy, by name. The session looks strategies up here and holds no strategy logic. */
export const STRATEGIES: Readonly<Record<OrchestrationStrategy, Strategy>> = {
  broadcast,
  roundRobin,
  moderatorLed,
  hierarchical,
  custom,
  selector,
};

export type { CallPurpose, RoundContext, RoundSeam, Strategy } from './types';
