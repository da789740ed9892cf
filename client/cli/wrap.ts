/**
 * Word wrapping of answers for a terminal. A terminal cuts a long line wherever its edge falls,
 * mid-word; council wraps at spaces to the terminal's width instead. Only on a terminal: piped
 * output keeps one line per paragraph, so grep, sed and other programs see the text as written.
 */

/** Narrower than this, wrapping would hurt more than it helps: the text is left as it is. */
const MIN_WIDTH = 20;

/** The width to wrap to on `stream`: its columns on a terminal, undefined (no wrapping) elsewhere. */
export function terminalWidth(stream: NodeJS.WriteStream): number | undefined {
  return stream.isTTY && stream.columns >= MIN_WIDTH ? stream.columns : undefined;
}

/**
 * `text` with every line longer than `width` broken at spaces, continuation lines keeping the
 * line's indentation (unless it takes over half the width); a word longer than a line is cut. Widths count code points (a wide CJK
 * character counts one). Without a width, `text` as it is.
 */
export function wrapText(text: string, width: number | undefined): string {
  if (width === undefined || width < MIN_WIDTH) return text;
  return text
    .split('\n')
    .map((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string {
  if ([...line].length <= width) return line;
  const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
  // An indentation that leaves no room for text is not kept.
  const lead = [...indent].length > width / 2 ? '' : indent;
  const room = width - [...lead].length;
  const out: string[] = [];
  let current = '';
  for (const word of line.slice(indent.length).split(/ +/)) {
    for (const piece of cut(word, room)) {
      const joined = current === '' ? piece : `${current} ${piece}`;
      if ([...joined].length <= room) {
        current = joined;
        continue;
      }
      out.push(current);
      current = piece;
    }
  }
  out.push(current);
  return out.map((part) => lead + part).join('\n');
}

/** A word in pieces of at most `room` code points (most words are one piece). */
function cut(word: string, room: number): string[] {
  const chars = [...word];
  if (chars.length <= room) return [word];
  const pieces: string[] = [];
  for (let at = 0; at < chars.length; at += room) pieces.push(chars.slice(at, at + room).join(''));
  return pieces;
}
