// The page's elements by id, typed as the caller expects them (index.html defines them all).
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Hands the browser a file to save (a download link clicked, its URL freed afterwards). */
export function downloadFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement('a'), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A small square of a series' colour, beside its name in a table. */
export function swatch(color: string) {
  const span = Object.assign(document.createElement('span'), { className: 'swatch' });
  span.style.background = color;
  return span;
}

/** Calls redraw when the element's width changes (it is shown, or the window is resized), not when
 *  only its height does: the views set their canvas's height as they draw, which would draw twice. */
export function onWidthChange(element: Element, redraw: () => void) {
  let width = -1;
  new ResizeObserver(([entry]) => {
    if (entry.contentRect.width === width) return;
    width = entry.contentRect.width;
    redraw();
  }).observe(element);
}
