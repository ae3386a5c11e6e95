/** Minimal fixed-width tables for the demo and operator scripts (no colours, copy-paste friendly). */
export type Row = Record<string, string | number | bigint | boolean>;

/** The lines of a table: a header, a rule, one line per row; none for no rows. */
export function tableLines(rows: Row[]): string[] {
  if (rows.length === 0) return [];
  const headers = Object.keys(rows[0]!);
  const cells = rows.map((r) => headers.map((h) => String(r[h] ?? "")));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => "| " + values.map((v, i) => v.padEnd(widths[i]!)).join(" | ") + " |";
  return [line(headers), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...cells.map(line)];
}

/** A section title, after an empty line. */
export function sectionLines(title: string): string[] {
  return ["", `== ${title} ${"=".repeat(Math.max(0, 100 - title.length))}`];
}

export function printTable(rows: Row[]): void {
  for (const l of tableLines(rows)) console.log(l);
}

export function section(title: string): void {
  console.log(sectionLines(title).join("\n"));
}
