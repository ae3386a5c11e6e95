/**
 * Rehearsal chain only (chain 31338, a second `hardhat node`): creates the contracts a public test network already
 * has — USDC, WETH, WBTC and two Chainlink-style feeds — from Hardhat account #10 at nonces 0-4, so they land at the
 * addresses `deploy/networks/rehearsal.ts` names, and pushes fresh feed rounds (run it again before a deployment
 * if more than a heartbeat has passed). The Bulwark deployment then runs its real (non-local) path against them.
 *
 *   npx hardhat run deploy/rehearsal/third-party.ts --network testnet     (BULWARK_RPC_URL=http://127.0.0.1:8546)
 */
import { network } from "hardhat";
import { Wallet } from "ethers";

import { toFeedUnits } from "../system.js";
import { BTC } from "../networks/local.js";
import { REHEARSAL_CHAIN_ID, REHEARSAL_THIRD_PARTY, rehearsalConfig } from "../networks/rehearsal.js";
import type { MockAggregator } from "../../typechain-types/index.js";

/** Hardhat's well-known development account #10 (mnemonic "test test ... junk"): public, test chains only. */
const THIRD_PARTY_KEY = "0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897";

const { ethers } = await network.getOrCreate();
const chainId = Number((await ethers.provider.getNetwork()).chainId);
if (chainId !== REHEARSAL_CHAIN_ID) throw new Error(`third-party contracts are for chain ${REHEARSAL_CHAIN_ID} only`);
const issuer = new Wallet(THIRD_PARTY_KEY, ethers.provider);

const plan: [keyof typeof REHEARSAL_THIRD_PARTY, string, unknown[]][] = [
  ["USDC", "MockERC20", ["USD Coin", "USDC", 6]],
  ["WETH", "MockERC20", ["Wrapped Ether", "WETH", 18]],
  ["WBTC", "MockERC20", ["Wrapped BTC", "WBTC", 8]],
  ["ETH_USD", "MockAggregator", [8, "ETH / USD"]],
  ["BTC_USD", "MockAggregator", [8, "BTC / USD"]],
];
for (const [i, [name, contract, args]] of plan.entries()) {
  const address = REHEARSAL_THIRD_PARTY[name];
  if ((await ethers.provider.getCode(address)) !== "0x") continue;
  if ((await ethers.provider.getTransactionCount(issuer.address)) !== i) {
    throw new Error(`account #10 has sent other transactions: ${name} would not land at ${address}; restart the node`);
  }
  const factory = await ethers.getContractFactory(contract, issuer);
  await (await factory.deploy(...args)).waitForDeployment();
  console.log(`+ ${name} (${contract}) at ${address}`);
}
// Fresh rounds: one more than the confirmations, so each market starts Active.
for (const m of rehearsalConfig.markets) {
  const feed = (await ethers.getContractAt("MockAggregator", m.feed.address!, issuer)) as unknown as MockAggregator;
  const answer = toFeedUnits(m.id === BTC ? 60_000n * 10n ** 18n : 3_000n * 10n ** 18n, m.feed.decimals);
  for (let r = 0; r <= m.confirmations; r++) await (await feed.updateAnswer(answer)).wait();
  console.log(`  ${m.symbol} feed: ${m.confirmations + 1} fresh round(s)`);
}
