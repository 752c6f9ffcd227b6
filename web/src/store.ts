// The one live LabState of the page. Views read it, change it through change(), and
// re-render on subscribe(); every change is written back to the URL hash (debounced,
// replacing the history entry), so the address bar is always a share link.
import { defaultState, type LabState, type View } from './lab-state';
import { hashToState, stateToHash } from './share';

type Listener = (state: LabState, previous: LabState) => void;

let current: LabState = defaultState();
let embed: View | null = null;
const listeners: Listener[] = [];
let writeTimer: ReturnType<typeof setTimeout> | undefined;

export const getState = (): LabState => current;
export const embedView = (): View | null => embed;

export function subscribe(listener: Listener) {
  listeners.push(listener);
}

function set(next: LabState) {
  const previous = current;
  current = next;
  for (const l of listeners) l(current, previous);
}

export function change(mutate: (draft: LabState) => void) {
  const next = structuredClone(current);
  mutate(next);
  set(next);
  clearTimeout(writeTimer);
  writeTimer = setTimeout(() => void writeHash(), 250);
}

export async function writeHash() {
  clearTimeout(writeTimer);
  history.replaceState(null, '', `#${await stateToHash(current, embed)}`);
}

export async function shareLink(asEmbed: View | null): Promise<string> {
  return `${location.origin}${location.pathname}#${await stateToHash(current, asEmbed)}`;
}

// Opens the state a link carries; returns the sentence to show if the link was bad.
export async function openHash(hash: string): Promise<string | null> {
  const opened = await hashToState(hash);
  embed = opened.embed;
  set(opened.state);
  return opened.error;
}
