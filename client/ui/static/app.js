// The web view of `council ui`. Everything from a run (answers, names, errors) is set as text
// (textContent), never as HTML: model output cannot become markup or script on this page. Answers
// are drawn as markdown by markdown.js, which builds its elements the same way.
'use strict';

const token = document.querySelector('meta[name="council-token"]').content;
const main = document.getElementById('main');
/** How often a live run's page asks for its data again. */
const POLL_MS = 1000;
/** A page left open stops polling after twelve hours; reloading it starts again. */
const MAX_POLLS = (12 * 3600 * 1000) / POLL_MS;

/** An element with text and attributes; children are appended in order. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

function showError(error) {
  main.append(el('p', { class: 'error', 'data-testid': 'error' }, error.message));
}

function select(name, values) {
  const params = new URLSearchParams(location.search);
  const node = el('select', { name }, el('option', { value: '' }, `any ${name}`));
  for (const value of values) node.append(el('option', { value }, value));
  node.value = params.get(name) || '';
  return node;
}

async function listPage() {
  const params = new URLSearchParams(location.search);
  const search = el('input', { name: 'q', placeholder: 'search the question', value: params.get('q') || '' });
  const statuses = ['idle', 'running', 'closed', 'cancelled', 'awaiting-human', 'synthesizing', 'completed'];
  const since = el('input', { name: 'since', type: 'date', value: params.get('since') || '' });
  const minCost = el('input', {
    name: 'minCostUsd',
    type: 'number',
    min: '0',
    step: 'any',
    placeholder: 'min. cost (USD)',
    value: params.get('minCostUsd') || '',
  });
  const strategy = select('strategy', []);
  const form = el(
    'form',
    { class: 'filters', method: 'get', action: '/' },
    select('kind', ['session', 'council']),
    select('status', statuses),
    strategy,
    el('label', {}, 'since ', since),
    minCost,
    search,
    el('button', { type: 'submit' }, 'Filter'),
  );
  main.replaceChildren(el('h1', {}, 'Sessions and councils'), form);
  const query = new URLSearchParams([...params].filter(([, value]) => value !== ''));
  try {
    const { runs, strategies } = await getJson(`/api/runs?${query}`);
    for (const name of strategies) strategy.append(el('option', { value: name }, name));
    strategy.value = params.get('strategy') || '';
    const head = ['id', 'kind', 'status', 'strategy / mode', 'started (UTC)', 'cost (USD)', 'question'];
    const table = el('table', { 'data-testid': 'runs' }, el('tr', {}, ...head.map((h) => el('th', {}, h))));
    for (const run of runs) {
      const link = el('a', { href: `/runs/${encodeURIComponent(run.id)}` }, run.id);
      const status = run.councilStatus || run.workflowStatus;
      const started = run.startedAt.replace('T', ' ').slice(0, 19);
      const cost = run.costUsd === null ? '' : run.costUsd.toFixed(4);
      table.append(
        el(
          'tr',
          { 'data-run': run.id },
          ...[link, run.kind, status, run.strategy, started, cost, run.question].map((c) => el('td', {}, c)),
        ),
      );
    }
    main.append(runs.length ? table : el('p', {}, 'No sessions or councils match.'));
  } catch (error) {
    showError(error);
  }
}

/** The tab the reader picked, kept across polls. */
let selectedTab = 'All rounds';

function entryNode(entry) {
  const tokens = entry.tokens === null ? '' : ` · ${entry.tokens} tokens`;
  const status = entry.status === 'ok' ? '' : ` · ${entry.status}`;
  const node = el(
    'div',
    { class: `entry ${entry.status}`, 'data-from': entry.from },
    el('div', { class: 'head' }, `Round ${entry.round} · ${entry.from} (${entry.role})${status}${tokens}`),
    el('div', { class: 'text' }, renderMarkdown(entry.content)),
  );
  if (entry.error) node.append(el('div', { class: 'error' }, entry.error));
  return node;
}

function usageTable(view) {
  const most = Math.max(1, ...view.participants.map((p) => p.tokens));
  const table = el(
    'table',
    { 'data-testid': 'usage' },
    el('tr', {}, el('th', {}, 'participant'), el('th', {}, 'tokens'), el('th', {}, '')),
  );
  for (const p of view.participants) {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${Math.round((p.tokens / most) * 200)}px`;
    table.append(
      el('tr', {}, el('td', {}, `${p.name} (${p.role})`), el('td', {}, p.tokens), el('td', {}, bar)),
    );
  }
  return table;
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

/** POSTs JSON with the page's token; resolves to `done`, or to the server's error. */
async function post(url, body, done) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Council-Token': token },
    body: JSON.stringify(body),
  });
  return response.ok ? done : (await response.json()).error;
}

function sendForm(view) {
  const text = el('textarea', {
    name: 'content',
    'data-testid': 'message',
    placeholder: 'a message for the participants',
  });
  const to = el('select', { name: 'to' }, el('option', { value: '' }, 'to everyone'));
  if (view.kind === 'session')
    for (const p of view.participants) to.append(el('option', { value: p.name }, `to ${p.name}`));
  const note = el('span', { 'data-testid': 'send-status' });
  const cancel = el('button', { type: 'button', 'data-testid': 'cancel' }, `Cancel ${view.kind}`);
  cancel.addEventListener('click', async () => {
    if (!confirm(`Cancel ${view.id}? Calls in flight are cancelled.`)) return;
    note.textContent = await post(`/api/runs/${encodeURIComponent(view.id)}/cancel`, {}, 'cancelled');
  });
  const form = el(
    'form',
    { class: 'send' },
    text,
    to,
    el('button', { type: 'submit' }, 'Send'),
    cancel,
    note,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.textContent = 'sending…';
    const body = { content: text.value, ...(to.value ? { to: [to.value] } : {}) };
    note.textContent = await post(`/api/runs/${encodeURIComponent(view.id)}/messages`, body, 'sent');
    if (note.textContent === 'sent') text.value = '';
  });
  return form;
}

function renderRun(view, form) {
  const tabs = ['All rounds', ...view.participants.map((p) => p.name)];
  if (!tabs.includes(selectedTab)) selectedTab = 'All rounds';
  const bar = el('div', { class: 'tabs', role: 'tablist' });
  const panel = el('div', { role: 'tabpanel', 'data-testid': 'panel' });
  for (const name of tabs) {
    const button = el('button', { role: 'tab', 'aria-selected': String(name === selectedTab) }, name);
    button.addEventListener('click', () => {
      selectedTab = name;
      renderRun(view, form);
    });
    bar.append(button);
  }
  const shown =
    selectedTab === 'All rounds' ? view.entries : view.entries.filter((e) => e.from === selectedTab);
  panel.append(...shown.map(entryNode));
  if (shown.length === 0) panel.append(el('p', {}, 'Nothing yet.'));
  const status = `${view.kind} · ${view.workflowStatus} · ${view.strategy} · round ${view.round} · ${view.totalTokens} tokens`;
  main.replaceChildren(
    el('h1', {}, view.id),
    el('p', { 'data-testid': 'status' }, status),
    el('p', {}, view.summary),
    ...(view.live ? [form] : []),
    usageTable(view),
    ...(view.rankings ? [rankingsSection(view.rankings)] : []),
    bar,
    panel,
  );
}

async function runPage(id) {
  let form;
  for (let polls = 0; polls < MAX_POLLS; polls += 1) {
    try {
      const view = await getJson(`/api/runs/${encodeURIComponent(id)}`);
      // One form for the page's life, so a poll never wipes what the reader is typing.
      form = form || sendForm(view);
      renderRun(view, form);
      if (!view.live) return;
    } catch (error) {
      return showError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const match = /^\/runs\/(.+)$/.exec(location.pathname);
if (match) runPage(decodeURIComponent(match[1]));
else listPage();
