import type { CouncilMode } from '../../../common/council';
import { adversarial } from './adversarial';
import { parallel } from './parallel';
import { sequential } from './sequential';
import type { CouncilModeRunner } from './types';

/** Every council mode, by name. The council workflow looks its mode up here and holds no mode logic. */
export const COUNCIL_MODE_RUNNERS: Readonly<Record<CouncilMode, CouncilModeRunner>> = {
  parallel,
  sequential,
  adversarial,
};

export type { CouncilModeRunner, ModeContext } from './types';
