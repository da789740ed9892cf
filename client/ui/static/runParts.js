// How a run's data is drawn: its entries (answers as markdown, what each expert was shown), the
// token and time charts, and peer review. Everything is set as text or drawn by markdown.js.
'use strict';

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** What an entry is, as its heading and the screen reader's status line (announce.js) name it. */
function entryTitle(entry) {
  const status = entry.status === 'ok' ? '' : ` · ${entry.status}`;
  return `Round ${entry.round} · ${entry.from} (${entry.role})${status}`;
}

function entryNode(entry) {
  const tokens = entry.tokens === null ? '' : ` · ${entry.tokens} tokens`;
  const time = entry.ms === null || entry.ms === undefined ? '' : ` · ${seconds(entry.ms)}`;
  const node = el(
    'div',
    { class: `entry ${entry.status}`, 'data-from': entry.from },
    el('div', { class: 'head' }, `${entryTitle(entry)}${tokens}${time}`),
    el('div', { class: 'text' }, renderMarkdown(entry.content)),
  );
  if (entry.error) node.append(el('div', { class: 'error' }, entry.error));
  if (entry.shown !== undefined) {
    const summary = el('summary', {}, `What ${entry.from} was shown`);
    node.append(
      el('details', { 'data-testid': 'shown' }, summary, el('pre', { class: 'shown' }, entry.shown)),
    );
  }
  return node;
}

/** A table of one number per participant with a bar each, scaled to the largest. */
function barTable(testid, head, participants, valueOf, label) {
  const most = Math.max(1, ...participants.map(valueOf));
  const table = el('table', { 'data-testid': testid }, el('tr', {}, ...head.map((h) => el('th', {}, h))));
  for (const p of participants) {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${Math.round((valueOf(p) / most) * 160)}px`;
    table.append(
      el('tr', {}, el('td', {}, `${p.name} (${p.role})`), el('td', {}, label(p)), el('td', {}, bar)),
    );
  }
  return table;
}

/** Token use and, beside it, time per participant (its finished calls, from the run's history). */
function usageCharts(view) {
  // A session's calls no participant in the table made, so that the rows add up to the total.
  const others = view.otherTokens
    ? [
        {
          name: 'other calls',
          role: view.strategy === 'selector' ? 'the selector, removed participants' : 'removed participants',
          tokens: view.otherTokens,
        },
      ]
    : [];
  const tokens = barTable(
    'usage',
    ['participant', 'tokens', ''],
    [...view.participants, ...others],
    (p) => p.tokens,
    (p) => p.tokens,
  );
  const timed = view.participants.filter((p) => p.ms !== null);
  const times = barTable(
    'times',
    ['participant', 'time', ''],
    timed,
    (p) => p.ms,
    (p) => seconds(p.ms),
  );
  return el('div', { class: 'charts' }, tokens, times);
}

/** A completed council's peer review: the aggregate ranking, then each reviewer's. */
function rankingsSection(rankings) {
  const aggregate = el(
    'table',
    { 'data-testid': 'rankings' },
    el('tr', {}, ...['place', 'expert', 'Borda', 'mean rank', 'votes'].map((h) => el('th', {}, h))),
  );
  for (const row of rankings.aggregate) {
    const mean = row.meanRank === null ? '' : row.meanRank.toFixed(2);
    aggregate.append(
      el('tr', {}, ...[row.place, row.name, row.borda, mean, row.votes].map((c) => el('td', {}, c))),
    );
  }
  const reviewers = el('ul', { 'data-testid': 'reviewers' });
  for (const reviewer of rankings.reviewers) {
    const said = reviewer.status === 'ranked' ? reviewer.ranking.join(' > ') : reviewer.status;
    reviewers.append(el('li', {}, `${reviewer.name}: ${said}`));
  }
  const bias = rankings.positionBias === null ? 'n/a' : rankings.positionBias.toFixed(2);
  return el(
    'section',
    {},
    el('h2', {}, 'Peer review'),
    aggregate,
    reviewers,
    el('p', {}, `Position bias: ${bias}`),
  );
}

/** A session participant's state as the page says it, e.g. `retrying (attempt 2 of 3): reason`. */
function stateText(state) {
  const words = { waiting: 'waiting', thinking: 'thinking', budget: 'waiting for budget' };
  let text = words[state.kind] || state.kind;
  if (state.kind === 'retrying') {
    const of = state.maxAttempts === undefined ? '' : ` of ${state.maxAttempts}`;
    text += ` (attempt ${state.attempt}${of}): ${state.reason}`;
  }
  if (state.kind === 'budget') text += ` until ${state.until}`;
  if (state.late) text += ', late';
  if (state.error) text += `: ${state.error.type}: ${state.error.message}`;
  return text;
}

/**
 * A session's parts from its progress log: each participant's state in its latest round, and the
 * messages its rounds began with (a council's page has neither).
 */
function sessionParts(view) {
  if (view.kind !== 'session') return [];
  const states = el('ul', { 'data-testid': 'states' });
  for (const p of view.participants) {
    if (!p.state) continue;
    states.append(el('li', { 'data-testid': `state-${p.name}` }, `${p.name}: ${stateText(p.state)}`));
  }
  const messages = el('ul', { 'data-testid': 'messages' });
  for (const m of view.messages || []) {
    const more = m.truncated ? '…' : '';
    messages.append(el('li', {}, `Round ${m.round} · ${m.from}: ${m.content}${more}`));
  }
  return [el('h2', {}, 'Participants'), states, el('h2', {}, 'Messages'), messages];
}

/**
 * The tabs of a run page, drawn anew at each poll: `select` shows a tab's entries. The arrow keys,
 * Home and End move between them (the WAI-ARIA tabs pattern), and a keyboard reader on a tab keeps
 * their place across polls.
 */
function drawTabs(page, tabs, selectedTab, pending, select) {
  const tabFocused = page.tabs.contains(document.activeElement);
  page.tabs.replaceChildren();
  for (const [index, name] of tabs.entries()) {
    const selected = name === selectedTab;
    const button = el(
      'button',
      {
        role: 'tab',
        id: `run-tab-${index}`,
        'aria-selected': String(selected),
        'aria-controls': 'run-panel',
        tabindex: selected ? '0' : '-1',
      },
      name,
    );
    if (pending.has(name)) {
      button.classList.add('pending');
      button.title = 'pending: its turn has not begun';
    }
    button.addEventListener('click', () => select(name));
    page.tabs.append(button);
    if (selected) page.panel.setAttribute('aria-labelledby', button.id);
  }
  page.tabs.onkeydown = (event) => {
    const at = tabs.indexOf(selectedTab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length]);
  };
  if (tabFocused) page.tabs.querySelector('[aria-selected="true"]').focus();
}

// run.js, loaded after this script, draws a run's page with them.
globalThis.seconds = seconds;
globalThis.entryTitle = entryTitle;
globalThis.entryNode = entryNode;
globalThis.usageCharts = usageCharts;
globalThis.rankingsSection = rankingsSection;
globalThis.sessionParts = sessionParts;
globalThis.drawTabs = drawTabs;
