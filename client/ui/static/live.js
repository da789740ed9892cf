// Live text of a running run's model calls, from the server's token stream (GET /api/runs/ID/tokens,
// server-sent events). The text is set with textContent only: it is model output, never markup.
'use strict';

/** The most characters of one call the page keeps: the answer arrives whole with the next poll. */
const MAX_LIVE_CHARS = 200000;

/**
 * Follows the run's streaming calls; `onChange` runs after every change. The browser's EventSource
 * reconnects by itself (a new stream sends the text so far); `close` ends it for good.
 */
function followTokens(id, onChange) {
  const calls = new Map();
  const source = new EventSource(keyedStreamUrl(`/api/runs/${encodeURIComponent(id)}/tokens`));
  source.addEventListener('token', (message) => {
    const event = JSON.parse(message.data);
    const known = calls.get(event.callId) || { participant: event.participant, text: '', earlier: 0 };
    // `earlier`: characters of the answer before the text kept (a stream that joined late starts
    // from the heartbeat's tail); the page says so rather than pass a fragment off as the start.
    const whole = event.reset ? event.text : known.text + event.delta;
    const before = event.reset ? event.offset || 0 : known.earlier;
    known.text = whole.slice(-MAX_LIVE_CHARS);
    known.earlier = before + whole.length - known.text.length;
    calls.set(event.callId, known);
    onChange();
  });
  source.addEventListener('pending', (message) => {
    const pending = JSON.parse(message.data).calls;
    const ids = new Set(pending.map((call) => call.callId));
    for (const callId of [...calls.keys()]) if (!ids.has(callId)) calls.delete(callId);
    for (const call of pending) {
      if (!calls.has(call.callId))
        calls.set(call.callId, { participant: call.participant, text: '', earlier: 0 });
    }
    onChange();
  });
  source.addEventListener('end', () => {
    source.close();
    calls.clear();
    onChange();
  });
  return { calls, close: () => source.close() };
}

/**
 * A skip button for a call in flight: a session participant's (posted by name) or a council expert's
 * (posted by expert id; its hedge's backup is skipped with it). A council's synthesizer has none.
 */
function skipButton(view, name, participant, note) {
  const button = el('button', { type: 'button', 'data-testid': `skip-${name}` }, `Skip ${name}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    const url = `/api/runs/${encodeURIComponent(view.id)}/skip`;
    note.textContent = await post(url, { participant }, `skipping ${name}`);
  });
  return button;
}

/** Phases of a council expert's turn: a person may skip these, not a peer review or a synthesis. */
const SKIPPABLE_PHASES = new Set(['answer', 'critique', 'hedge']);

/**
 * What a call's skip button posts: the session participant's name, the council expert's id (a call
 * of its turn, `r1.answer.b`, or its hedge's backup), or none.
 */
function skipTarget(view, callId, name, participant) {
  if (view.kind === 'session') return name;
  const phase = /^r\d+\.([^.]+)\./.exec(callId);
  if (!phase || !SKIPPABLE_PHASES.has(phase[1])) return undefined;
  const expert = view.participants.some((p) => p.id === participant && p.role === 'expert');
  return expert ? participant : undefined;
}

/** One call's node, kept while it streams so its text grows in place (and its button stays clickable). */
function liveNode(view, callId, name, target, note) {
  const head = el('div', { class: 'head' }, `${callId} · ${name} · streaming…`);
  if (target !== undefined) head.append(' ', skipButton(view, name, target, note));
  const earlier = el('div', { class: 'note', 'data-testid': 'earlier' });
  // Busy: assistive technology is told the text still grows (the Skip button beside it is not).
  const text = el('div', { class: 'text', 'aria-busy': 'true' });
  const root = el(
    'div',
    { class: 'entry streaming', 'data-testid': 'streaming', 'data-from': name },
    head,
    earlier,
    text,
  );
  return { root, earlier, text, name, target };
}

/**
 * Draws the calls in flight into `box`, showing those of the selected tab; `nodes` persist across
 * draws. A call can stream before the page's poll has seen its expert start: its node is made again
 * once the view names it (and offers its Skip button), keeping the text.
 */
function drawLive(box, nodes, note, view, calls, tab) {
  const names = new Map(view.participants.map((p) => [p.id, p.name]));
  for (const [callId, node] of nodes) {
    if (calls.has(callId)) continue;
    node.root.remove();
    nodes.delete(callId);
  }
  for (const [callId, call] of calls) {
    const name = names.get(call.participant) || call.participant;
    let node = nodes.get(callId);
    const target = skipTarget(view, callId, name, call.participant);
    if (!node || node.name !== name || node.target !== target) {
      const made = liveNode(view, callId, name, target, note);
      if (node) node.root.replaceWith(made.root);
      else box.append(made.root);
      node = made;
      nodes.set(callId, node);
    }
    const earlier =
      call.earlier > 0
        ? `… ${call.earlier} earlier characters: the whole answer shows once it is recorded`
        : '';
    if (node.earlier.textContent !== earlier) node.earlier.textContent = earlier;
    const text = shownText(call.text);
    if (node.text.textContent !== text) node.text.textContent = text;
    node.root.hidden = tab !== 'All rounds' && tab !== name;
  }
}

// run.js, loaded after this script, follows a live run with them.
globalThis.followTokens = followTokens;
globalThis.drawLive = drawLive;
