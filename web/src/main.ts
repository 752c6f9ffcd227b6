// The lab's shell: opens the state the link carries, shows one view at a time (tabs, or
// a single view without the chrome when embedded), and the share / embed dialog.
import { VIEWS, type View } from './lab-state';
import { change, embedView, getState, openHash, shareLink, subscribe, writeHash } from './store';
import './tokenizer-view';
import { applyQuery } from './train-view';
import './attention-view';
import './inside-view';
import './next-token-view';
import './surprise-view';
import './embeddings-view';
import './logit-lens-view';
import './weights-view';
import './runs-view';
import './lessons-view';
import './padding-mask';
import './kv-cache-speed';
import { threadsAvailable } from './gptlab';
import { $ } from './dom';

const message = $<HTMLParagraphElement>('lab-message');
const tabs = VIEWS.map((v) => $<HTMLButtonElement>(`tab-${v}`));

function showMessage(text: string | null) {
  message.hidden = !text;
  message.textContent = text ?? '';
}

function showView(view: View) {
  for (const v of VIEWS) {
    $(`view-${v}`).hidden = v !== view;
    const tab = $(`tab-${v}`);
    tab.setAttribute('aria-selected', String(v === view));
    tab.tabIndex = v === view ? 0 : -1;
  }
}

subscribe((s) => showView(embedView() ?? s.view));

// Tabs: click, or arrow keys along the tab list (the ARIA tabs pattern).
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => change((s) => { s.view = VIEWS[i]; }));
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (i + step + VIEWS.length) % VIEWS.length;
    change((s) => { s.view = VIEWS[next]; });
    tabs[next].focus();
  });
});

// Share / embed.
const dialog = $<HTMLDialogElement>('share-dialog'), embedChoice = $<HTMLSelectElement>('share-embed');
async function fillShare() {
  $<HTMLInputElement>('share-link').value = await shareLink(null);
  const src = await shareLink(embedChoice.value as View);
  const title = `gptlab: ${embedChoice.selectedOptions[0].textContent}`;
  $<HTMLTextAreaElement>('share-iframe').value =
    `<iframe src="${attribute(src)}" title="${attribute(title)}" width="100%" height="560" style="border: 0" ` +
    'allow="cross-origin-isolated"></iframe>';
}

// Text made safe inside a double-quoted HTML attribute.
function attribute(text: string) {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
$('share-open').addEventListener('click', async () => {
  embedChoice.value = getState().view;
  await fillShare();
  dialog.showModal();
});
embedChoice.addEventListener('change', () => void fillShare());
$('share-close').addEventListener('click', () => dialog.close());
for (const [button, field] of [['share-copy', 'share-link'], ['share-copy-iframe', 'share-iframe']] as const) {
  $(button).addEventListener('click', async () => {
    const input = $<HTMLInputElement | HTMLTextAreaElement>(field);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      $(button).textContent = 'Copied';
    } catch {
      $(button).textContent = 'Press Ctrl+C';  // no clipboard permission: the text is selected
    }
    setTimeout(() => { $(button).textContent = 'Copy'; }, 1500);
  });
}

async function open(hash: string) {
  showMessage(await openHash(hash));
  applyQuery();
  const embed = embedView();
  document.body.classList.toggle('embed', embed !== null);
  showView(embed ?? getState().view);
  if (embed === null) await writeHash();  // the address bar shows the full link from the start
}

// Where training gets one thread only, say why (and what the page's host can do about it).
for (const id of ['train-threads-note', 'att-threads-note']) {
  const note = $(id);
  note.hidden = threadsAvailable();
  note.replaceChildren(`Training runs on one thread here: ${window.top === window ? 'this page' : 'the page around this one'} ` +
    'is not cross-origin isolated. ', Object.assign(document.createElement('a'), {
    href: 'hosting.html', target: '_blank', textContent: 'How a host gets every core' }), '.');
}

window.addEventListener('hashchange', () => void open(location.hash));
void open(location.hash);
