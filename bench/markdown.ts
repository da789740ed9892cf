/** A markdown table row. */
export const row = (cells: ReadonlyArray<string | number>) => `| ${cells.join(' | ')} |`;

/** A markdown table's header and separator rows. */
export const header = (...cells: string[]) => [row(cells), row(cells.map(() => '---'))];
