// The Logit lens panel: at one position of the text, what the model would predict if it stopped
// early. The residual stream after the embeddings and after every block goes through the final
// norm and the output layer (the core does it), and the top guesses of each are listed from the
// first layer down to the last, which is the model's real prediction.
import { change, getState, subscribe } from './store';
import { ask } from './trainer-client';
import { errorText } from './error-text';
import { followModel, panelShown } from './inside-view';
import { showWhitespace } from './whitespace';
import { $ } from './dom';

const TOP = 5;
const text = $<HTMLInputElement>('lens-text'), status = $('lens-status');

function chip(t: string, className: string) {
  return Object.assign(document.createElement('span'), { className, textContent: showWhitespace(t) });
}

async function refresh() {
  const { attention, inside } = getState();
  try {
    const { answer: a, step } = await ask({ kind: 'logit-lens', text: attention.text, position: inside.position, top: TOP });
    const at = inside.position < 0 || inside.position >= a.tokens.length ? a.tokens.length - 1 : inside.position;
    $('lens-tokens').replaceChildren(...a.tokens.map((t, i) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'tok whole lens-pick' });
      b.append(showWhitespace(t));
      b.setAttribute('aria-pressed', String(i === at));
      b.setAttribute('role', 'listitem');
      b.addEventListener('click', () => change((s) => { s.inside.position = i === a.tokens.length - 1 ? -1 : i; }));
      return b;
    }));
    const last = a.layers.at(-1)?.top[0]?.text;
    $('lens-body').replaceChildren(...a.layers.map((layer) => {
      const tr = document.createElement('tr');
      const th = Object.assign(document.createElement('th'), { scope: 'row', textContent: layer.label });
      const td = document.createElement('td');
      td.append(...layer.top.map((g) => {
        const c = chip(g.text, g.text === last ? 'tok whole final' : 'tok whole');
        c.title = `${(100 * g.probability).toFixed(1)}%`;
        const wrap = Object.assign(document.createElement('span'), { className: 'guess' });
        wrap.append(c, ` ${(100 * g.probability).toFixed(1)}%`);
        return wrap;
      }));
      tr.append(th, td);
      return tr;
    }));
    $('lens-body').dataset.step = String(step);
    status.textContent = `The model at step ${step.toLocaleString('en')}, after “${showWhitespace(a.tokens.slice(0, at + 1).join(''))}”: ` +
      `its guess for the next token at each depth (the last row is the real prediction${last ? `, “${showWhitespace(last)}”` : ''}).`;
  } catch (e) {
    status.textContent = errorText(e);
  }
}

text.addEventListener('input', () => change((s) => { s.attention.text = text.value; s.inside.position = -1; }));
let timer: ReturnType<typeof setTimeout> | undefined;
subscribe((s, before) => {
  if (text.value !== s.attention.text) text.value = s.attention.text;
  const changed = s.attention.text !== before.attention.text || s.inside.position !== before.inside.position;
  if (changed && panelShown() === 'logit-lens') {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 80);
  }
});
followModel('logit-lens', () => void refresh());
