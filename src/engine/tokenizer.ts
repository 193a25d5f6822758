// Text ↔ token ids through @huggingface/tokenizers (reads tokenizer.json; no hand-written BPE),
// plus what the decoding loop needs to know about the vocabulary: special tokens, the
// fill-in-the-middle template, and the text of each token for token healing.

import { Tokenizer } from '@huggingface/tokenizers';

/**
 * The special tokens of a fill-in-the-middle prompt, and their order:
 *   psm: PRE prefix SUF suffix MID → middle          (StarCoder, Qwen, Code Llama; our v1 and v2)
 *   spm: SUF suffix PRE prefix → middle              (our v3 on: prefix and middle are one run of text)
 * A model folder declares spm with `"fim_order": "spm"` in tokenizer_config.json; psm is the default.
 */
export interface FimTemplate {
  prefix: number;
  suffix: number;
  middle: number;
  names: [string, string, string];
  order: FimOrder;
}

export type FimOrder = 'psm' | 'spm';

// Spellings in use: StarCoder/SantaCoder, Qwen2.5-Coder/DeepSeek style, Code Llama.
const FIM_SPELLINGS: [string, string, string][] = [
  ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'],
  ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>'],
  ['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>'],
  ['<PRE>', '<SUF>', '<MID>'],
  ['▁<PRE>', '▁<SUF>', '▁<MID>'],
];

const EOS_SPELLINGS = ['<|endoftext|>', '</s>', '<|end_of_text|>', '<|im_end|>', '<|file_separator|>', '<eos>', '<EOT>'];

export class TextTokenizer {
  /** Ids of added special tokens: never shown as ghost text, stop generation when produced. */
  readonly specialIds: Set<number>;
  readonly fim: FimTemplate | undefined;
  readonly eosIds: number[];
  readonly vocabSize: number;
  private texts: string[] | undefined;
  /** id → tokenText(id), filled as ids are asked for (a decode costs tens of µs; each step asks for ten). */
  private readonly textOf = new Map<number, string>();

  constructor(private readonly tokenizer: Tokenizer, fimOrder: FimOrder = 'psm') {
    const added = tokenizer.get_added_tokens_decoder();
    this.specialIds = new Set([...added].filter(([, t]) => t.special).map(([id]) => id));
    this.vocabSize = largestId(tokenizer.get_vocab(true).values()) + 1;
    this.fim = detectFim(tokenizer, fimOrder);
    this.eosIds = EOS_SPELLINGS.map((s) => tokenizer.token_to_id(s)).filter((id): id is number => id !== undefined);
  }

  static fromJson(tokenizerJson: string, tokenizerConfigJson: string | undefined): TextTokenizer {
    return TextTokenizer.fromParsed(JSON.parse(tokenizerJson), tokenizerConfigJson ? JSON.parse(tokenizerConfigJson) : {});
  }

  static fromParsed(tokenizerJson: object, tokenizerConfig: object): TextTokenizer {
    // Decoding must be byte-exact for code: never "clean up" spaces before punctuation.
    const config = { ...tokenizerConfig, clean_up_tokenization_spaces: false };
    const order = (tokenizerConfig as { fim_order?: unknown }).fim_order;
    if (order !== undefined && order !== 'psm' && order !== 'spm') throw new Error(`tokenizer_config.json: fim_order must be "psm" or "spm", not ${JSON.stringify(order)}`);
    return new TextTokenizer(new Tokenizer(tokenizerJson as never, config as never), order);
  }

  encode(text: string): number[] {
    return text.length === 0 ? [] : this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode(ids as number[], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** Text of one token as a user should see it ('<fim_middle>' for specials). */
  tokenText(id: number): string {
    let text = this.textOf.get(id);
    if (text === undefined) this.textOf.set(id, (text = this.decode([id])));
    return text;
  }

  /** (vocab) the decoded text of every id, '' for special tokens; computed once, on first use. */
  tokenTexts(): readonly string[] {
    if (!this.texts) {
      this.texts = Array.from({ length: this.vocabSize }, (_, id) => (this.specialIds.has(id) ? '' : this.decode([id])));
    }
    return this.texts;
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  idOf(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }
}

/** A loop, not Math.max(...ids): spreading 150k arguments overflows the call stack. */
function largestId(ids: Iterable<number>): number {
  let largest = -1;
  for (const id of ids) if (id > largest) largest = id;
  return largest;
}

function detectFim(tokenizer: Tokenizer, order: FimOrder): FimTemplate | undefined {
  for (const names of FIM_SPELLINGS) {
    const [prefix, suffix, middle] = names.map((n) => tokenizer.token_to_id(n));
    if (prefix !== undefined && suffix !== undefined && middle !== undefined) return { prefix, suffix, middle, names, order };
  }
  return undefined;
}
