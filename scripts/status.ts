/**
 * Operator view of a deployment: market modes, prices, vols and the sequencer; optionally accounts.
 *   npx hardhat run --no-compile scripts/status.ts --network localhost
 *   ACCOUNTS=3,4,5 npx hardhat run --no-compile scripts/status.ts --network localhost
 * Reads addresses from deployments/<chainId>.json (written by deploy/deploy.ts) through the SDK's `loadDeployment`,
 * which refuses a manifest from another chain instance. Read-only: sends no transaction. Any failure prints one line
 * (a revert decoded by `describeError`) and exits 1.
 */
import { describeError } from "../sdk/errors.js";
import { formatWad } from "../sdk/units.js";
import { connectOperatorView, failer, runCommand } from "./lib/cli.js";
import { MODES, SEQUENCER } from "./lib/reports.js";
import { printTable, section } from "./lib/table.js";

const fail = failer("status");

await runCommand("status", async () => {
  const { view } = await connectOperatorView();
  const { deployment, networkName } = view;
  const chainId = deployment.chainId;
  const { oracle, volOracle: vols, sequencerGuard: guard, clearingHouse: ch, timelock } = deployment;
  const block = await view.provider.getBlock("latest");

  section(
    `Bulwark on ${networkName} (chain ${chainId}), block ${block!.number} at ${new Date(block!.timestamp * 1000).toISOString()}`,
  );
  {
    // Governance as deployed (docs/trust-model.md): who may change parameters, and how fast.
    const admin = await oracle.DEFAULT_ADMIN_ROLE();
    const holdsAdmin = await ch.hasRole(admin, await timelock.getAddress());
    console.log(
      `Governance: timelock ${await timelock.getAddress()}, delay ${await timelock.getMinDelay()} s, ${holdsAdmin ? "holds" : "does NOT hold"} the admin roles`,
    );
  }
  const [seqStatus, graceEndsAt] = await guard.state();
  console.log(`Sequencer: ${SEQUENCER[Number(seqStatus)]}${graceEndsAt > 0n ? ` (grace ends ${graceEndsAt})` : ""}`);
  const rows = [];
  for (const m of view.markets) {
    const [mode, price] = await oracle.marketState(m.id);
    const [vol, volMode] = await vols.vol(m.id, 0);
    const spot = await oracle.spot(m.id).then(
      () => "ok",
      (e: unknown) => describeError(e),
    );
    rows.push({
      market: `${m.symbol} (#${m.id})`,
      mode: MODES[Number(mode)]!,
      price: price > 0n ? formatWad(price, 2) : "-",
      "spot()": spot,
      vol: `${formatWad(vol * 100n, 1)}%${volMode > 0n ? " (stale fallback)" : ""}`,
    });
  }
  printTable(rows);

  const ids = (process.env.ACCOUNTS ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      if (!/^[0-9]+$/.test(x)) fail(`ACCOUNTS: ${JSON.stringify(x)} is not an account id (a positive integer)`);
      return BigInt(x);
    });
  const accountCount = await ch.accountCount();
  for (const id of ids) {
    if (id === 0n || id > accountCount) fail(`unknown account ${id}: accounts are 1..${accountCount}`);
  }
  if (ids.length > 0) {
    section("Accounts");
    const accountRows = [];
    for (const id of ids) {
      const [equity, im, mm] = await ch.accountMargin(id);
      accountRows.push({
        account: String(id),
        owner: await ch.ownerOf(id),
        cash: formatWad(await ch.cashOf(id), 2),
        positions: (await ch.positionsOf(id))[0].length,
        equity: formatWad(equity, 2),
        IM: formatWad(im, 2),
        MM: formatWad(mm, 2),
        state: equity >= im ? "healthy" : equity >= mm ? "below IM" : "liquidatable",
      });
    }
    printTable(accountRows);
  }
});
