// What a worker tells the page about a failure: the Error's sentence (the core's, through the
// bindings), or the thrown value as text.
export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
