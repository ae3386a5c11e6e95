/** Minimal fixed-width table printer for the demo and operator scripts (no colours, copy-paste friendly). */
export function printTable(rows: Record<string, string | number | bigint | boolean>[]): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]!);
  const cells = rows.map((r) => headers.map((h) => String(r[h] ?? "")));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => "| " + values.map((v, i) => v.padEnd(widths[i]!)).join(" | ") + " |";
  console.log(line(headers));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const c of cells) console.log(line(c));
}

export function section(title: string): void {
  console.log(`\n== ${title} ${"=".repeat(Math.max(0, 100 - title.length))}`);
}
