import type { CouncilContext, CouncilMode } from '../../../common/council';
import type { DebateStyle } from '../../../common/debate';
import { adversarial } from './adversarial';
import { parallel } from './parallel';
import { sequential } from './sequential';
import { turnDebate } from './turnDebate';
import type { CouncilModeRunner } from './types';

/** Every council mode, by name. The council workflow looks its mode up here and holds no mode logic. */
export const COUNCIL_MODE_RUNNERS: Readonly<Record<CouncilMode, CouncilModeRunner>> = {
  parallel,
  sequential,
  adversarial,
};

/** Adversarial mode's debates, by `debateStyle`; `phased` is the mode's own runner. */
export const DEBATE_STYLE_RUNNERS: Readonly<Record<DebateStyle, CouncilModeRunner>> = {
  phased: adversarial,
  turns: turnDebate,
};

/** The runner of a council: its mode's, or for a debate its style's (absent: phased, as before). */
export function councilModeRunner(context: Pick<CouncilContext, 'mode' | 'debateStyle'>): CouncilModeRunner {
  if (context.mode === 'adversarial') return DEBATE_STYLE_RUNNERS[context.debateStyle ?? 'phased'];
  return COUNCIL_MODE_RUNNERS[context.mode];
}

export type { CouncilModeRunner, ModeContext } from './types';
