// The list page's "New run" form: a question, a kind, a strategy or mode, and either the default
// participants (simulated, and labelled so) or a pasted config. The server checks everything again
// and answers with the new run's id, whose page then follows it live; a problem is shown as text.
'use strict';

const SIMULATED_LABEL = 'Default participants: SIMULATED (answers come from a local mock, not a model)';

/** A labelled radio button of the form's participants choice. */
function participantsChoice(value, label, checked) {
  const radio = el('input', { type: 'radio', name: 'participants', value, 'data-testid': `use-${value}` });
  radio.checked = checked;
  return el('label', {}, radio, ` ${label}`);
}

/** Fills the strategy (session) or mode (council) menu for the chosen kind. */
function fillShapes(menu, kind, choices) {
  const word = kind === 'session' ? 'strategy' : 'mode';
  menu.replaceChildren(el('option', { value: '' }, `${word}: the default (or the config's)`));
  for (const name of choices[kind]) menu.append(el('option', { value: name }, `${word}: ${name}`));
}

/** What the form posts, as the server's schema reads it. */
function startBody(form) {
  const kind = form.elements.kind.value;
  const shape = form.elements.shape.value;
  const pasted = form.elements.participants.value === 'config';
  return {
    kind,
    question: form.elements.question.value,
    ...(shape && (kind === 'session' ? { strategy: shape } : { mode: shape })),
    ...(pasted && { config: form.elements.config.value }),
  };
}

/** The form; `choices` are the server's strategies and modes by kind. */
function newRunForm(choices) {
  const shape = el('select', { name: 'shape', 'data-testid': 'new-shape' });
  const kind = el(
    'select',
    { name: 'kind', 'data-testid': 'new-kind' },
    el('option', { value: 'session' }, 'a session'),
    el('option', { value: 'council' }, 'a council'),
  );
  fillShapes(shape, 'session', choices);
  kind.addEventListener('change', () => fillShapes(shape, kind.value, choices));
  const config = el('textarea', {
    name: 'config',
    'data-testid': 'new-config',
    placeholder: 'a config, YAML or JSON, as in a config file (see examples/)',
    disabled: '',
  });
  const problem = el('p', { class: 'error', 'data-testid': 'start-error', role: 'alert' });
  const form = el(
    'form',
    { class: 'new-run', 'data-testid': 'new-run' },
    el('textarea', {
      name: 'question',
      'data-testid': 'new-question',
      placeholder: 'the question (a session) or the task (a council)',
    }),
    el('div', { class: 'row' }, kind, shape),
    participantsChoice('defaults', SIMULATED_LABEL, true),
    participantsChoice('config', 'Paste a config (YAML or JSON):', false),
    config,
    el('button', { type: 'submit', 'data-testid': 'start' }, 'Start'),
    problem,
  );
  form.addEventListener('change', () => {
    config.disabled = form.elements.participants.value !== 'config';
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.textContent = 'starting…';
    startRun(startBody(form)).then(
      (id) => location.assign(`/runs/${encodeURIComponent(id)}`),
      (error) => {
        problem.textContent = error.message;
      },
    );
  });
  return el('section', {}, el('h2', {}, 'New run'), form);
}

/** POSTs the run with the page's token; resolves to its id, or fails with the server's words. */
async function startRun(body) {
  const token = document.querySelector('meta[name="council-token"]').content;
  const response = await fetch('/api/runs', {
    method: 'POST',
    headers: apiHeaders({ 'Content-Type': 'application/json', 'X-Council-Token': token }),
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (response.ok) return answer.id;
  throw new Error(answer.hint ? `${answer.error}\nHow to fix: ${answer.hint}` : answer.error);
}

// app.js, loaded after this script, puts the form on the list page with it.
globalThis.newRunForm = newRunForm;
