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

/** The most of a string an error message quotes. */
const SHOWN_STRING_CHARS = 60;

/**
 * A value a caller passed where another was due, in words for an error message: a string quoted
 * (cut, and printable), a number as written, anything else by its kind. It never throws: a BigInt
 * or a cyclic object made `JSON.stringify` throw a TypeError in place of the message.
 */
export function shownValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const cut = value.length > SHOWN_STRING_CHARS ? `${value.slice(0, SHOWN_STRING_CHARS)}…` : value;
      return JSON.stringify(printable(cut));
    }
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'a list' : 'an object';
  }
}
