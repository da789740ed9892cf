// What a screen reader hears as a run goes on. The page draws its entries again at every poll, so
// they cannot be a live region themselves (each poll would read them all out again): one polite
// status line says which entries are new since the last poll, and how the run ended.
'use strict';

/** The most entries one announcement names; the rest are counted. */
const MAX_NAMED_ENTRIES = 3;

/**
 * The entries of `entries` not in `before` (headings counted, not positions: a long session's page
 * may lose its oldest entries), and the counts to compare the next poll's with.
 */
function newEntries(before, entries) {
  const left = new Map(before);
  const counts = new Map();
  const added = [];
  for (const entry of entries) {
    const heading = entryTitle(entry);
    counts.set(heading, (counts.get(heading) || 0) + 1);
    const earlier = left.get(heading) || 0;
    if (earlier > 0) left.set(heading, earlier - 1);
    else added.push(heading);
  }
  return { added, counts };
}

/**
 * The status line and its update. The first view announces nothing (the reader opened the page to
 * read it); later ones name what is new, then, once, that the run ended.
 */
function announcer() {
  const node = el('p', { class: 'visually-hidden', role: 'status', 'data-testid': 'announce' });
  let counts;
  let wasLive;
  return {
    node,
    update(view) {
      const { added, counts: next } = newEntries(counts || new Map(), view.entries);
      const named = counts ? added.slice(0, MAX_NAMED_ENTRIES) : [];
      const more = counts && added.length > named.length ? `, and ${added.length - named.length} more` : '';
      const said = [
        ...(named.length > 0 ? [`New: ${named.join('; ')}${more}.`] : []),
        ...(wasLive && !view.live
          ? [`The ${view.kind} ended: ${view.workflowStatus.replaceAll('_', ' ')}.`]
          : []),
      ];
      if (said.length > 0) node.textContent = shownText(said.join(' '));
      counts = next;
      wasLive = view.live;
    },
  };
}

// run.js, loaded after this script, keeps one per run page.
globalThis.announcer = announcer;
