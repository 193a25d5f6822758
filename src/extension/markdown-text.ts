// Untrusted text (a model folder's _name_or_path, token texts, error messages that quote file
// names) inside tooltip and hover markdown: every character markdown could read as syntax is
// escaped, so a name cannot become a link, an image fetched from a server, HTML or a theme icon.

const SYNTAX = /[\\`*_{}[\]()<>#+\-.!|~&$:]/g;

/** `text` as literal characters in markdown (and in one table cell: newlines become spaces). */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(SYNTAX, '\\$&');
}
