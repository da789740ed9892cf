// The web view of `council ui`. Everything from a run (answers, names, errors) is set as text
// (textContent), never as HTML: model output cannot become markup or script on this page. Answers
// are drawn as markdown by markdown.js, which builds its elements the same way.
'use strict';

const token = document.querySelector('meta[name="council-token"]').content;
const main = document.getElementById('main');

// Control characters, and the bidi embeddings, overrides and isolates that make text show in another
// order than it is written ("\u202Etxt.exe" shows as "exe.txt"): the CLI drops the same ones
// (common/printable.ts's CONTROLS; test/ui/shownText.test.ts keeps the two alike). Right-to-left
// scripts need none of them to show in their own order.
const UNSHOWN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` as the page shows it: without the characters of UNSHOWN. Every text from a run passes here. */
function shownText(text) {
  return String(text).replace(UNSHOWN, '');
}

/** An element with text and attributes; children are appended in order. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : shownText(child));
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: apiHeaders({ Accept: 'application/json' }) });
  const body = await response.json();
  if (!response.ok)
    throw Object.assign(new Error(body.error || response.statusText), { status: response.status });
  return body;
}

/** The most of a run's question or task a row of the list shows: its page shows the whole. */
const LISTED_QUESTION_CHARS = 200;

function listedQuestion(question) {
  const text = question || '';
  return text.length > LISTED_QUESTION_CHARS ? `${text.slice(0, LISTED_QUESTION_CHARS)}…` : text;
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
  const since = el('input', { name: 'since', type: 'date', value: params.get('since') || '' });
  const minCost = el('input', {
    name: 'minCostUsd',
    type: 'number',
    min: '0',
    step: 'any',
    placeholder: 'min. cost (USD)',
    value: params.get('minCostUsd') || '',
  });
  // The server names the statuses and strategies it filters by: the page never lists its own.
  const strategy = select('strategy', []);
  const statusSelect = select('status', []);
  const form = el(
    'form',
    { class: 'filters', method: 'get', action: '/' },
    select('kind', ['session', 'council']),
    statusSelect,
    strategy,
    el('label', {}, 'since ', since),
    minCost,
    search,
    el('button', { type: 'submit' }, 'Filter'),
  );
  main.replaceChildren(el('h1', {}, 'Sessions and councils'), form);
  const query = new URLSearchParams([...params].filter(([, value]) => value !== ''));
  try {
    const { runs, strategies, statuses, start } = await getJson(`/api/runs?${query}`);
    main.insertBefore(newRunForm(start), form);
    for (const name of strategies) strategy.append(el('option', { value: name }, name));
    for (const name of statuses) statusSelect.append(el('option', { value: name }, name));
    strategy.value = params.get('strategy') || '';
    statusSelect.value = params.get('status') || '';
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
          ...[link, run.kind, status, run.strategy, started, cost, listedQuestion(run.question)].map((c) =>
            el('td', {}, c),
          ),
        ),
      );
    }
    main.append(runs.length ? table : el('p', {}, 'No sessions or councils match.'));
  } catch (error) {
    // Without the key there is nothing to filter: the error says which link to open.
    if (error.status === 401) form.remove();
    showError(error);
  }
}

/** POSTs JSON with the page's token; resolves to `done`, or to the server's error. */
async function post(url, body, done) {
  const response = await fetch(url, {
    method: 'POST',
    headers: apiHeaders({ 'Content-Type': 'application/json', 'X-Council-Token': token }),
    body: JSON.stringify(body),
  });
  return response.ok ? done : (await response.json()).error;
}

// run.js and live.js post their actions with it (they run only after this script has loaded).
globalThis.post = post;

const match = /^\/runs\/(.+)$/.exec(location.pathname);
if (match) {
  const id = decodeURIComponent(match[1]);
  // Several runs open in a browser's tabs (or its history) are told apart by their titles.
  document.title = `${shownText(id)} · council`;
  runPage(id);
} else listPage();
