// Share links: the lab state as JSON, deflated and base64url-encoded into the URL hash,
//   #s=<state>            the whole lab
//   #s=<state>&embed=tokenizer   one view without the page around it, for an iframe; a panel of
//                                "Inside the model" by its own name (embed=next-token)
// Opening a link restores the state exactly; a malformed, oversized or hostile hash gives
// a sentence saying so and the default state.
import { defaultState, LESSONS, PANELS, parseState, StateError, VIEWS, type LabState, type Panel, type View } from './lab-state';

export const MAX_HASH = 200_000;      // characters of hash we read at all
export const MAX_JSON = 1_000_000;    // bytes a hash may inflate to (a deflate bomb stops here)
const VERSION = 1;

export interface Opened { state: LabState; embed: View | null; error: string | null }

export async function stateToHash(state: LabState, embed: View | null = null): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify({ v: VERSION, ...state }));
  const packed = await pipe(json, new CompressionStream('deflate'));
  const name = embed === 'attention' ? state.inside.panel : embed;
  return `s=${toBase64Url(packed)}${name ? `&embed=${name}` : ''}`;
}

// The view an embed name shows, and the panel of "Inside the model" it names.
function embedded(name: string | null): { embed: View | null; panel: Panel | null } {
  const panel = PANELS.find((p) => p === name) ?? null;
  if (panel) return { embed: 'attention', panel };
  return { embed: VIEWS.find((v) => v === (name === 'lesson' ? 'lessons' : name)) ?? null, panel: null };
}

export async function hashToState(hash: string): Promise<Opened> {
  const fallback = (error: string | null, embed: View | null = null): Opened => ({ state: defaultState(), embed, error });
  const text = hash.replace(/^#/, '');
  if (!text) return fallback(null);
  if (text.length > MAX_HASH)
    return fallback(`This link is too long (${text.length.toLocaleString('en')} characters; the lab reads at most ` +
      `${MAX_HASH.toLocaleString('en')}). The lab opened with its default settings.`);
  const params = new URLSearchParams(text);
  const embedName = params.get('embed');
  const { embed, panel } = embedded(embedName);
  const showing = (state: LabState): LabState => (panel ? { ...state, inside: { ...state.inside, panel } } : state);
  const packed = params.get('s');
  const lesson = params.get('lesson');
  if (lesson !== null && !packed) {  // #lesson=3: that chapter, everything else as it starts
    const n = Number(lesson);
    if (!Number.isInteger(n) || n < 1 || n > LESSONS)
      return fallback(`There is no lesson ${lesson}; the lessons are numbered 1 to ${LESSONS}.`, embed);
    return { state: showing({ ...defaultState(), view: 'lessons', lesson: n }), embed, error: null };
  }
  if (!packed) {
    if (embedName && !embed) return fallback(`There is no view called “${embedName}” to embed.`);
    return { state: showing(defaultState()), embed, error: null };
  }
  try {
    const bytes = fromBase64Url(packed);
    const json = await pipe(bytes, new DecompressionStream('deflate'), MAX_JSON);
    const raw: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
    if (typeof raw === 'object' && raw !== null && 'v' in raw && raw.v !== VERSION)
      throw new StateError(`it was made by a newer version of the lab (format ${String(raw.v)}).`);
    return { state: showing(parseState(raw)), embed, error: null };
  } catch (e) {
    const why = e instanceof StateError ? ` (${e.message.replace(/\.$/, '')})` : '';
    return fallback(`This link could not be read${why}; it may have been cut short when it was copied. ` +
      'The lab opened with its default settings.', embed);
  }
}

// Runs bytes through a (de)compression stream; stops with an error past `limit` output bytes.
async function pipe(input: Uint8Array<ArrayBuffer>, stream: CompressionStream | DecompressionStream, limit = Infinity): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  writer.write(input).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new StateError(`it holds more than ${limit.toLocaleString('en')} bytes of settings`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
