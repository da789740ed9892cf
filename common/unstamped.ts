/**
 * A log event as its writer makes it, before the log stamps it (index, time): `Omit` distributed
 * over the event union, so each kind keeps its own fields. Shared by the session's and the
 * council's progress logs, whose stamps are named differently.
 */
export type Unstamped<Event, Stamp extends PropertyKey> = Event extends unknown ? Omit<Event, Stamp> : never;
