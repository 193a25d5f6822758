// Types of training/context-samples.mjs for the tests that use it (test/context-samples.test.ts).
import type { RelatedFiles, WorkspaceFile } from '../src/completion/repo-context.js';

export interface PackageDoc { pkg: string; path: string; text: string }
export interface SpecialIds { eot: number; bos?: number; prefix: number; middle: number; suffix: number }
export interface SampleParts {
  encode: (text: string) => readonly number[] | Promise<readonly number[]>;
  special: SpecialIds;
  fim?: 'spm' | 'psm';
  context?: string;
  prefix: string;
  middle?: string;
  suffix?: string;
  maxContextTokens?: number;
}

export function packageIndex(docs: readonly PackageDoc[]): Map<string, WorkspaceFile[]>;
export function relatedFiles(doc: PackageDoc, packageFiles: readonly WorkspaceFile[]): RelatedFiles & { path: string; text: string; files: WorkspaceFile[] };
export function withOpenEditors<R extends RelatedFiles & { path: string; files: WorkspaceFile[] }>(related: R, packageFiles: readonly WorkspaceFile[], rnd: () => number, count: number): R & { openEditors: WorkspaceFile[] };
export function contextText(prefix: string, related: RelatedFiles, budgetTokens: number): string;
export function sampleIds(parts: SampleParts): Promise<number[]>;
