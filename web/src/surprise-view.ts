// The Surprise panel: a passage of the validation text with each token coloured by its loss
// under the model, −log p(token | the tokens before it), darker red the more surprised; pointing
// at a token tells what the model expected there. Refreshed at every evaluation.
import { ask } from './trainer-client';
import { errorText } from './error-text';
import { followModel } from './inside-view';
import { showWhitespace } from './whitespace';
import { $ } from './dom';
import type { Guess } from './train-protocol';

const TOP = 5, DARKEST = 6;  // nats: a loss of 6 (p = 0.25%) or more is the darkest red
const status = $('surprise-status'), out = $('surprise-text'), readout = $('surprise-readout');

const percent = (p: number) => `${(100 * p).toFixed(p < 0.01 ? 2 : 1)}%`;

function describe(token: string, loss: number, top: Guess[]) {
  const guesses = top.map((g) => `“${showWhitespace(g.text)}” ${percent(g.probability)}`).join(', ');
  return `“${showWhitespace(token)}” had p = ${percent(Math.exp(-loss))} (loss ${loss.toFixed(2)} nats); the model expected ${guesses}.`;
}

async function refresh() {
  try {
    const { answer: a, step } = await ask({ kind: 'surprise', passage: null, top: TOP });
    const mean = a.losses.reduce((s, l) => s + l, 0) / Math.max(1, a.losses.length);
    out.replaceChildren(...a.tokens.map((token, t) => {
      const span = Object.assign(document.createElement('span'), { className: 'tok', textContent: showWhitespace(token, { keepBreaks: true }) });
      if (t === 0) return span;  // the first token has nothing before it to be predicted from
      const loss = a.losses[t - 1], text = describe(token, loss, a.top[t - 1]);
      span.style.background = `rgba(201, 42, 42, ${Math.min(1, loss / DARKEST).toFixed(3)})`;
      if (loss > DARKEST / 2) span.style.color = '#fff';
      span.tabIndex = 0;
      span.dataset.loss = loss.toFixed(4);
      span.title = text;  // focus writes it to the live readout too
      const show = () => { readout.textContent = text; };
      span.addEventListener('pointerenter', show);
      span.addEventListener('focus', show);
      return span;
    }));
    out.dataset.step = String(step);
    status.textContent = `The model at step ${step.toLocaleString('en')}: ${a.tokens.length} tokens, mean loss ${mean.toFixed(3)} nats ` +
      `(p = ${percent(Math.exp(-mean))} per token on average). Point at a token to see what was expected.`;
    $('surprise-legend').textContent = `White: expected (loss near 0). Darkest red: a loss of ${DARKEST} nats or more ` +
      `(the model gave it under ${percent(Math.exp(-DARKEST))}).`;
  } catch (e) {
    status.textContent = errorText(e);
  }
}

followModel('surprise', () => void refresh());
