import { type Signer, getAddress } from "ethers";

import {
  buildOrder,
  createAccount,
  describeError,
  encodeSeries,
  formatWad,
  listedExpiries,
  listedStrikes,
  loadDeployment,
  orderDomain,
  recoverOrderSigner,
  seriesLabel,
  signOrder,
  toUnits,
  wad,
} from "../../sdk/index.js";

const ETH = 1; // market id of the underlying (deploy/networks/local.ts)

/** `trader` holds cash tokens; `dir` holds the manifests deploy/deploy.ts writes. Returns what it printed. */
export async function example(trader: Signer, dir = "deployments"): Promise<string[]> {
  const out: string[] = [];
  const provider = trader.provider!;
  const { chainId } = await provider.getNetwork();

  // Typed contracts for every module; refuses a manifest from another chain or chain instance.
  const d = await loadDeployment(trader, chainId, { dir });

  // A margin account, and 10,000 cash deposited (amounts in the token's own decimals at the boundary).
  const account = await createAccount(d.clearingHouse, trader);
  const amount = toUnits("10000", Number(await d.cash.decimals()));
  await (await d.cash.approve(await d.clearingHouse.getAddress(), amount)).wait();
  await (await d.clearingHouse.deposit(account, await d.cash.getAddress(), amount)).wait();
  out.push(`account ${account}: deposited ${formatWad(await d.clearingHouse.cashOf(account), 2)}`);

  // A listed series: the next expiry on the grid, the strike nearest to spot.
  const now = (await provider.getBlock("latest"))!.timestamp;
  const [, spot] = await d.oracle.marketState(ETH);
  const [expiry] = await listedExpiries(d.riskConfig, ETH, now, 1);
  const [strike] = await listedStrikes(d.riskConfig, ETH, spot, 1);
  const series = { underlying: ETH, expiry: expiry!, strike: strike!, isCall: true };

  // An EIP-712 order to buy 1 contract at up to 50 per contract, signed off-chain for a matcher to fill.
  const order = buildOrder({
    account,
    series: encodeSeries(series),
    isBuy: true,
    size: wad("1"),
    limitPrice: wad("50"),
    deadline: BigInt(now + 3600),
  });
  const domain = orderDomain(chainId, await d.exchange.getAddress());
  const signed = await signOrder(trader, domain, order);
  const signer = recoverOrderSigner(domain, order, signed.signature);
  out.push(`order ${seriesLabel(series, "ETH")} signed by ${signer === getAddress(await trader.getAddress())}`);

  // Health from the lens: equity, requirements, margin ratio.
  const h = await d.lens.health(account);
  out.push(
    `equity ${formatWad(h.equity, 2)}, IM ${formatWad(h.initialRequirement, 2)}, liquidatable ${h.liquidatable}`,
  );

  // Any revert decodes to the error's name and arguments: withdrawing twice the deposit.
  try {
    await d.clearingHouse.withdraw.staticCall(account, await d.cash.getAddress(), 2n * amount, trader);
  } catch (err) {
    out.push(`withdraw refused: ${describeError(err)}`);
  }
  return out;
}
