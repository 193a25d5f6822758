// Types of training/metrics.mjs for the TypeScript scripts that use it (scripts/gate-eval.ts).

export function es(p: string, t: string): number;
export function firstLine(s: string): string;
