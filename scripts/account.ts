/**
 * Operator view of one margin account: owner, cash, equity, IM, MM, margin ratio, positions with their marks,
 * liquidation prices and the liquidation auction when one is live. Read-only (scripts/lib/reports.ts `accountReport`).
 *   ACCOUNT=3 npm run account -- --network localhost   (DEPLOYMENTS_DIR=... reads manifests from another folder)
 * Bad input (no ACCOUNT, not a number, an unknown account) prints one line and exits 1; a revert prints decoded.
 */
import { connectOperatorView, failer, runCommand } from "./lib/cli.js";
import { accountReport } from "./lib/reports.js";

const fail = failer("account");

/** A positive integer from the environment, or a one-line failure naming the variable. */
function idFrom(name: string): bigint {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") fail(`set ${name}=<account id>, e.g. ${name}=3 npm run account`);
  if (!/^[0-9]+$/.test(raw!)) fail(`${name}=${JSON.stringify(raw)} is not an account id (a positive integer)`);
  return BigInt(raw!);
}

await runCommand("account", async () => {
  const id = idFrom("ACCOUNT");
  // No deploy config for this chain: markets show as U<id>.
  const { view } = await connectOperatorView({ lenient: true });
  console.log((await accountReport(view, id)).join("\n"));
});
