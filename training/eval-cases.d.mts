// Types of training/eval-cases.mjs for the TypeScript scripts that use it (scripts/gate-eval.ts).

export interface EvalDoc { pkg: string; path: string; text: string }
export interface LineCut { pkg: string; doc: string; line: number; col: number; prefix: string; suffix: string; target: string }

export function makeRng(seed: number): { rnd: () => number; randint: (a: number, b: number) => number };
export function linePool(docs: EvalDoc[]): { di: number; li: number; off: number; line: string }[];
export function lineCuts(docs: EvalDoc[], n: number, seed: number): LineCut[];
