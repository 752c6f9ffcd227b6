// The page's elements by id, typed as the caller expects them (index.html defines them all).
export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
