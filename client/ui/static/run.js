// The page of one run: its entries in tabs, token use and time per participant, peer review, the
// text of calls in flight (live.js), and the actions a person needs. Everything from the run is
// set as text (textContent) or drawn by markdown.js, never as HTML.
'use strict';

/** How often a live run's page asks for its data again. */
const POLL_MS = 1000;
/** A page left open stops polling after twelve hours; reloading it starts again. */
const MAX_POLLS = (12 * 3600 * 1000) / POLL_MS;

/** The tab the reader picked, kept across polls. */
let selectedTab = 'All rounds';

/** The banner of a council awaiting a person, with its own form: the answer goes to every expert. */
function waitBox() {
  const said = el('p', { 'data-testid': 'waiting-status' });
  const text = el('textarea', { name: 'answer', 'data-testid': 'wait-answer', placeholder: 'your answer' });
  const note = el('span', { role: 'status', 'data-testid': 'wait-note' });
  const form = el('form', { class: 'answer' }, text, el('button', { type: 'submit' }, 'Answer'), note);
  const box = el('div', { class: 'waiting', 'data-testid': 'waiting' }, said, form);
  let runId = '';
  let until = '';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.textContent = 'sending…';
    note.textContent = await post(
      `/api/runs/${encodeURIComponent(runId)}/messages`,
      { content: text.value },
      'answered',
    );
    if (note.textContent === 'answered') text.value = '';
  });
  return {
    box,
    update(view) {
      // A new wait (the council waits after each round) starts with an empty note.
      if (view.waiting.until !== until) note.textContent = '';
      until = view.waiting.until;
      runId = view.id;
      said.textContent = `waiting for a person, ${view.waiting.secondsLeft} s left`;
    },
  };
}

function sendForm(view) {
  const text = el('textarea', {
    name: 'content',
    'data-testid': 'message',
    placeholder: 'a message for the participants',
  });
  const to = el('select', { name: 'to' }, el('option', { value: '' }, 'to everyone'));
  const note = el('span', { role: 'status', 'data-testid': 'send-status' });
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

/**
 * The form's recipients, again at every poll (a council's experts join as they start thinking): a
 * session's participants by name (not its observers, who are never called), a council's experts by
 * id. The reader's choice is kept.
 */
function fillRecipients(to, view) {
  const choices = view.participants
    .filter((p) => (view.kind === 'session' ? p.role !== 'observer' : p.role === 'expert'))
    .map((p) => [view.kind === 'session' ? p.name : p.id, `to ${p.name}`]);
  const known = [...to.options].slice(1).map((option) => [option.value, option.textContent]);
  if (JSON.stringify(known) === JSON.stringify(choices)) return;
  const chosen = to.value;
  to.replaceChildren(to.options[0], ...choices.map(([value, label]) => el('option', { value }, label)));
  to.value = choices.some(([value]) => value === chosen) ? chosen : '';
}

/**
 * Puts `node` in `slot` or takes it out, only when that changes: a node moved at every poll would
 * lose its focus, and a screen reader could miss (or read again) its status notes.
 */
function showIn(slot, node, shown) {
  if ((slot.firstChild === node) !== shown) slot.replaceChildren(...(shown ? [node] : []));
}

function simulatedBadge() {
  return el('span', { class: 'simulated', 'data-testid': 'simulated' }, 'SIMULATED');
}

/** The page's parts, made once: a poll refills them, so a form being typed in keeps its focus. */
function runLayout(view) {
  const slot = (attrs) => el('div', attrs || {});
  return {
    title: el('h1', {}, view.id, ...(view.simulated ? [' ', simulatedBadge()] : [])),
    status: el('p', { 'data-testid': 'status' }),
    failure: el('p', { class: 'error', 'data-testid': 'failure' }),
    summary: el('p', {}),
    wait: waitBox(),
    waitSlot: slot(),
    form: sendForm(view),
    formSlot: slot(),
    charts: slot(),
    rankings: slot(),
    tabs: el('div', { class: 'tabs', role: 'tablist' }),
    panel: el('div', { role: 'tabpanel', id: 'run-panel', 'data-testid': 'panel' }),
    live: slot({ 'data-testid': 'live' }),
    liveNodes: new Map(),
    skipNote: el('span', { role: 'status', 'data-testid': 'skip-status' }),
    announce: announcer(),
    calls: new Map(),
  };
}

/** Draws the calls in flight against the latest poll's view (its participants name the calls). */
function drawCalls(page) {
  drawLive(page.live, page.liveNodes, page.skipNote, page.view, page.calls, selectedTab);
}

/** Shows `name`'s tab, picked by a click or a key (drawTabs, runParts.js). */
function selectTab(page, name) {
  selectedTab = name;
  renderRun(page, page.view);
}

function renderRun(page, view) {
  page.view = view;
  const tabs = ['All rounds', ...view.participants.map((p) => p.name)];
  if (!tabs.includes(selectedTab)) selectedTab = 'All rounds';
  const pending = new Set(view.participants.filter((p) => p.pending).map((p) => p.name));
  drawTabs(page, tabs, selectedTab, pending, (name) => selectTab(page, name));
  const shown =
    selectedTab === 'All rounds' ? view.entries : view.entries.filter((e) => e.from === selectedTab);
  page.panel.replaceChildren(...shown.map(entryNode));
  if (shown.length === 0 && page.calls.size === 0) page.panel.append(el('p', {}, 'Nothing yet.'));
  page.status.textContent = `${view.kind} · ${view.workflowStatus} · ${view.strategy} · round ${view.round} · ${view.totalTokens} tokens`;
  page.failure.textContent = view.failure ? shownText(`${view.workflowStatus}: ${view.failure}`) : '';
  page.summary.textContent = shownText(view.summary);
  if (view.waiting) page.wait.update(view);
  showIn(page.waitSlot, page.wait.box, Boolean(view.waiting));
  fillRecipients(page.form.elements.to, view);
  showIn(page.formSlot, page.form, view.live);
  page.charts.replaceChildren(usageCharts(view), ...sessionParts(view));
  page.rankings.replaceChildren(...(view.rankings ? [rankingsSection(view.rankings)] : []));
  page.announce.update(view);
  drawCalls(page);
}

async function runPage(id) {
  let page;
  let stream;
  // Says, until the first view replaces it, that the first look at the run failed and is tried again.
  let firstLook;
  for (let polls = 0; polls < MAX_POLLS; polls += 1) {
    try {
      const view = await getJson(`/api/runs/${encodeURIComponent(id)}`);
      if (!page) {
        page = runLayout(view);
        const { title, status, failure, summary, waitSlot, formSlot, charts, rankings, tabs, panel, live } =
          page;
        page.connection = el('p', { class: 'error', role: 'status', 'data-testid': 'connection' });
        main.replaceChildren(
          title,
          status,
          page.announce.node,
          failure,
          page.connection,
          summary,
          waitSlot,
          formSlot,
          charts,
          rankings,
          tabs,
          live,
          page.skipNote,
          panel,
        );
      }
      // One token stream while the run is live: the text of its calls grows in their tabs.
      if (view.live && !stream) {
        stream = followTokens(id, () => drawCalls(page));
        page.calls = stream.calls;
      }
      renderRun(page, view);
      if (!view.live) {
        if (stream) stream.close();
        page.calls.clear();
        drawCalls(page);
        return;
      }
      page.connection.replaceChildren();
    } catch (error) {
      const lost = `Lost touch with council ui (${error.message}); trying again…`;
      if (!page) {
        // An answer of council ui before the first view (an unknown id, a refused key) is final: say
        // it and stop. A fetch that failed (council ui restarting) is tried again, as for a shown page.
        if (error.status !== undefined && error.status < 500) return showError(error);
        firstLook ??= main.appendChild(
          el('p', { class: 'error', role: 'status', 'data-testid': 'connection' }),
        );
        firstLook.textContent = lost;
      } else {
        // A restart of council ui or its server is waited through: the page keeps what it showed.
        page.connection.replaceChildren(lost);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (stream) stream.close();
}

// app.js, loaded after this script, opens a run's page with it.
globalThis.runPage = runPage;
