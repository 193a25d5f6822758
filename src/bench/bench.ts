export async function runBench(_flags: Record<string, string | boolean>): Promise<number> {
  process.stderr.write('bench: not built yet\n');
  return 2;
}
