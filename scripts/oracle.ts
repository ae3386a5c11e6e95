/**
 * Operator view of the oracles: per market the primary and fallback feeds with their last round's answer and age
 * against the heartbeat, the price band, the deviation rule, the mode (and a guardian override), whether `spot()`
 * gives a price (its revert decoded when not), then the sequencer guard. Read-only (scripts/lib/reports.ts
 * `oracleReport`).
 *   npm run oracle -- --network localhost
 * A revert prints decoded (`describeError`), and the command exits 1 on any failure.
 */
import { connectOperatorView, runCommand } from "./lib/cli.js";
import { oracleReport } from "./lib/reports.js";

await runCommand("oracle", async () => {
  const { view } = await connectOperatorView();
  console.log((await oracleReport(view)).join("\n"));
});
