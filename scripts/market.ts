/**
 * Operator view of the markets: per underlying the mode, price, vol and listing grid, then every series that has
 * traded (from the clearing house's `TradeApplied` events) with its open interest (`ClearingHouse.openInterest`).
 * Read-only (scripts/lib/reports.ts `marketReport`).
 *   npm run market -- --network localhost              # every market
 *   MARKET=ETH npm run market -- --network localhost   # one market, by symbol or id
 * Bad input (an unknown market, a non-number) prints one line and exits 1; a revert prints decoded.
 */
import { connectOperatorView, runCommand } from "./lib/cli.js";
import { marketReport } from "./lib/reports.js";

await runCommand("market", async () => {
  const { view } = await connectOperatorView();
  console.log((await marketReport(view, process.env.MARKET)).join("\n"));
});
