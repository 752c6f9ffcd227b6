// Whitespace made visible, as the tokenizer and attention views write tokens: · for a space,
// → for a tab, ↵ for a line break (kept after the mark where the text runs on over lines).
export const showWhitespace = (s: string, { keepBreaks = false } = {}) =>
  s.replace(/ /g, '·').replace(/\t/g, '→').replace(/\n/g, keepBreaks ? '↵\n' : '↵');
