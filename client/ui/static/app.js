// The web view of `council ui`. Everything from a run (answers, names, errors) is set as text
// (textContent), never as HTML: model output cannot become markup or script on this page. Answers
// are drawn as markdown by markdown.js, which builds its elements the same way.
'use strict';

const token = document.querySelector('meta[name="council-token"]').content;
const main = document.getElementById('main');

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
    const { runs, strategies, start } = await getJson(`/api/runs?${query}`);
    main.insertBefore(newRunForm(start), form);
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

/** POSTs JSON with the page's token; resolves to `done`, or to the server's error. */
async function post(url, body, done) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Council-Token': token },
    body: JSON.stringify(body),
  });
  return response.ok ? done : (await response.json()).error;
}

// run.js and live.js post their actions with it (they run only after this script has loaded).
globalThis.post = post;

const match = /^\/runs\/(.+)$/.exec(location.pathname);
if (match) runPage(decodeURIComponent(match[1]));
else listPage();
