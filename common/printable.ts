/**
 * Text a model or a person wrote, made safe to print on a terminal: escape sequences (colours,
 * clear screen, window titles, hyperlinks) and control characters are removed, newlines and tabs
 * kept. Every CLI print site of answers, messages and names passes its text through here; the
 * CLI's own colours are added after, around the cleaned text.
 */

// ESC-introduced sequences: CSI ("ESC [ … final"), OSC/DCS/PM/APC strings (ended by BEL or ESC \),
// then any other two-character ESC sequence.
const ESCAPE_SEQUENCES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|$)|\u001b[\s\S]?/g;

// C0 controls but tab and newline, DEL, C1 controls (8-bit CSI and friends), and bidi overrides
// that make a terminal show text in another order than it is.
export const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` without terminal escape sequences or control characters (newline and tab kept). */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(CONTROLS, '');
}
