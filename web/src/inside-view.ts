// "Inside the model": one panel at a time (attention, next token, surprise, embeddings, logit
// lens, weights), chosen by tabs or embedded alone (embed=<panel>), each reading the model the
// Train tab trains and following it while it trains. The shared controls start, pause and stop it.
import { PANELS, type LabState, type Panel } from './lab-state';
import { change, embedView, getState, subscribe } from './store';
import { onTrainer } from './trainer-client';
import { pauseOrResume, stopTraining, trainOrResume } from './train-view';
import { canKeepRuns } from './run-store';
import { $ } from './dom';

const shownIn = (s: LabState): Panel | null => ((embedView() ?? s.view) === 'attention' ? s.inside.panel : null);

/** The panel on screen, if any. */
export const panelShown = () => shownIn(getState());

/** Calls refresh when the panel comes on screen, and while it is on screen when a model starts and after each evaluation. */
export function followModel(panel: Panel, refresh: () => void) {
  subscribe((s, before) => {
    if (shownIn(s) === panel && shownIn(before) !== panel) refresh();
  });
  onTrainer((m) => {
    if ((m.type === 'started' || m.type === 'eval') && panelShown() === panel) refresh();
  });
}

function showPanel(s: LabState) {
  for (const p of PANELS) {
    $(`panel-${p}`).hidden = p !== s.inside.panel;
    const tab = $(`panel-tab-${p}`);
    tab.setAttribute('aria-selected', String(p === s.inside.panel));
    tab.tabIndex = p === s.inside.panel ? 0 : -1;
  }
}
subscribe(showPanel);
showPanel(getState());
for (const tab of document.querySelectorAll<HTMLButtonElement>('[data-panel]'))
  tab.addEventListener('click', () => change((s) => { s.inside.panel = tab.dataset.panel as Panel; }));

// The model the panels read: where it is, and the buttons that train it (an embedded panel trains its own).
const where = { step: 0, steps: 0, state: 'idle' };
function showWhere() {
  const busy = where.state === 'loading' || where.state === 'training';
  $<HTMLButtonElement>('att-train').disabled = busy;
  $<HTMLButtonElement>('att-pause').disabled = where.state !== 'training';
  $<HTMLButtonElement>('att-stop').disabled = where.state !== 'training' && where.state !== 'paused';
  $('att-train').textContent = where.state === 'paused' ? 'Resume training' : 'Train a model';
  $('inside-status').textContent = where.steps === 0 ? 'There is no model yet: train one (it takes a few minutes; the ' +
    'panels fill in as it learns).' : `The model at step ${where.step.toLocaleString('en')} of ${where.steps.toLocaleString('en')}` +
    (where.state === 'training' ? ', training.' : where.state === 'paused' ? ', paused.' : '.');
}
void canKeepRuns().then((kept) => { $('att-kept-note').hidden = kept; });
onTrainer((m) => {
  if (m.type === 'started' || m.type === 'progress') Object.assign(where, { step: m.step, steps: m.steps });
  else if (m.type === 'state') where.state = m.state;
  else return;
  showWhere();
});
showWhere();
$('att-train').addEventListener('click', () => {
  $('inside-status').textContent = 'Starting to train…';
  trainOrResume();
});
$('att-pause').addEventListener('click', () => void pauseOrResume());
$('att-stop').addEventListener('click', stopTraining);
