// Repository-context training samples: the block of other files' snippets the editor puts ahead
// of the current file (src/completion/repo-context.ts), built here with the product's own code so
// that training text and editor text are byte-identical, and laid out in the order the engine's
// prompt builder uses (src/engine/prompt.ts):
//   plain:     [bos] context text                                   <|endoftext|>
//   FIM, spm:  [bos] <fim_suffix> suffix <fim_prefix> context prefix+middle <|endoftext|>
//   FIM, psm:  [bos] <fim_prefix> context prefix <fim_suffix> suffix <fim_middle> middle <|endoftext|>
// The context is tokenized on its own (as the engine does) and, when longer than maxContextTokens,
// keeps its last tokens (the engine keeps at most half the prompt budget, the end of the block).
//
// Related files come from the document's package: the files it imports (relative imports,
// resolved by the product's resolver, two levels) and, as "open editors", a few other files of
// the package (distractors the ranking has to rank below the imports; the crossfile eval sends
// such files too). A library: importing it runs nothing. It imports the product's TypeScript, so
// load it through tsx (tokenize-corpus.mjs uses tsx's tsImport; the tests run under tsx).
import { contextBlock, DEFAULT_CONTEXT, importedFiles } from '../src/completion/repo-context.ts';

/** Files of each package (unique paths): pkg → [{ path, text }]. */
export function packageIndex(docs) {
  const byPkg = new Map();
  for (const d of docs) {
    if (!byPkg.has(d.pkg)) byPkg.set(d.pkg, new Map());
    byPkg.get(d.pkg).set(d.path, { path: d.path, text: d.text });
  }
  return new Map([...byPkg].map(([pkg, files]) => [pkg, [...files.values()]]));
}

/** What the editor gathers for `doc` from its imports: its path and text, and the files it imports (the product's resolver over the package's files). */
export function relatedFiles(doc, packageFiles) {
  return { path: doc.path, text: doc.text, files: importedFiles(doc.path, doc.text, packageFiles) };
}

/** `related` with `count` other files of the package, picked by `rnd`, as open editors. */
export function withOpenEditors(related, packageFiles, rnd, count) {
  const taken = new Set([related.path, ...related.files.map((f) => f.path)]);
  const others = packageFiles.filter((f) => !taken.has(f.path));
  const openEditors = [];
  for (let i = 0; i < count && others.length; i++) openEditors.push(others.splice(Math.floor(rnd() * others.length), 1)[0]);
  return { ...related, openEditors };
}

/** The context block the editor sends for a cursor after `prefix` (the document's text before it), within `budgetTokens`. */
export function contextText(prefix, related, budgetTokens) {
  return contextBlock(prefix, related, { ...DEFAULT_CONTEXT, budgetTokens }).text;
}

/**
 * The token ids of one training sample, ending in <|endoftext|>.
 *   encode   text → ids, or a promise of them (no special tokens added)
 *   special  { eot, bos, prefix, suffix, middle } token ids (bos: the model's, <|endoftext|> here)
 *   fim      undefined (plain: `prefix` + `middle` is the whole text), 'spm' or 'psm'
 */
export async function sampleIds({ encode, special, fim, context = '', prefix, middle = '', suffix = '', maxContextTokens = Infinity }) {
  const enc = async (text) => (text ? [...(await encode(text))] : []);
  const contextIds = await enc(context);
  const ctx = contextIds.length > maxContextTokens ? contextIds.slice(contextIds.length - maxContextTokens) : contextIds;
  const bos = special.bos === undefined ? [] : [special.bos];
  // Without a suffix the engine sends a plain prompt (src/engine/prompt.ts: FIM needs a suffix).
  if (!fim || !suffix) return [...bos, ...ctx, ...(await enc(prefix + middle)), special.eot];
  if (fim === 'spm') return [...bos, special.suffix, ...(await enc(suffix)), special.prefix, ...ctx, ...(await enc(prefix + middle)), special.eot];
  return [...bos, special.prefix, ...ctx, ...(await enc(prefix)), special.suffix, ...(await enc(suffix)), special.middle, ...(await enc(middle)), special.eot];
}
