/**
 * The steps of the local keeper rehearsal (docs/keeper.md): drive a local-node deployment (mock tokens and feeds)
 * into states the keeper must act on. Plain ethers over any provider that speaks the Hardhat node's `evm_*` methods,
 * so both `keeper/scenario.ts` (through `hardhat run`) and the keeper's process test (a JsonRpcProvider at the node
 * it started) drive the same steps. Local chains only; never imports from test/.
 */
import type { Provider, Signer } from "ethers";

import type { Deployment } from "../sdk/deployment.js";
import { blackScholes } from "../sdk/model/index.js";
import { buildOrder, orderDomain, signOrder } from "../sdk/orders.js";
import { encodeSeries } from "../sdk/series.js";
import type { MockAggregator } from "../typechain-types/index.js";
import { MockAggregator__factory } from "../typechain-types/factories/contracts/mocks/MockAggregator__factory.js";

const WAD = 10n ** 18n;
const DAY = 86_400;
export const ETH = 1;
export const BTC = 2;

/** A provider that also takes raw JSON-RPC calls (ethers JsonRpcProvider, Hardhat's ethers provider). */
export type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

/** Named signers of the rehearsal (in scenario.ts: Hardhat accounts 1, 2, 3 and 4). */
export interface RehearsalSigners {
  alice: Signer;
  bob: Signer;
  carol: Signer;
  keeper: Signer;
}

export interface RehearsalAccounts {
  alice: bigint;
  bob: bigint;
  carol: bigint;
  keeper: bigint;
  /** The near expiry of Alice's call bought from Bob (the next daily 08:00 UTC). */
  firstExpiry: number;
  /** The expiry of the calls Carol sold (7 days out). */
  laterExpiry: number;
  /** ETH feed answer (8 decimals) after the rise. */
  ethAnswer: bigint;
  carolEquityWad: bigint;
  carolMmWad: bigint;
}

/** The next daily 08:00 UTC expiry strictly after `t`, plus `days - 1` days. */
export function nextExpiry(t: number, days = 1): number {
  let e = Math.floor(t / DAY) * DAY + 8 * 3600;
  if (e <= t) e += DAY;
  return e + (days - 1) * DAY;
}

export function rehearsalFeeds(d: Deployment, runner: Signer): Record<number, MockAggregator> {
  const at = (key: string) => {
    const address = d.manifest.contracts[key];
    if (address === undefined) throw new Error(`the manifest has no ${key} (a local deployment with mock feeds?)`);
    return MockAggregator__factory.connect(address, runner);
  };
  return { [ETH]: at("feed.ETH"), [BTC]: at("feed.BTC") };
}

async function now(provider: Provider): Promise<number> {
  return (await provider.getBlock("latest"))!.timestamp;
}

/** Two rounds at the current time with `answer`, so the deviation rule accepts any move. */
async function push(provider: Provider, feed: MockAggregator, answer: bigint) {
  const t = await now(provider);
  await (await feed.pushRound(answer, t)).wait();
  await (await feed.pushRound(answer, t)).wait();
}

/**
 * Opens accounts for Alice (100k USDC), Bob (20k), Carol (10k) and the keeper (50k); Alice buys 1 call from Bob
 * expiring at the next daily expiry and 10 calls from Carol 7 days out; ETH rises 2 % a step until Carol is below MM.
 * `deployer` mints the mock cash and pushes feed rounds.
 */
export async function rehearsalSetup(
  d: Deployment,
  provider: RpcProvider,
  deployer: Signer,
  s: RehearsalSigners,
): Promise<RehearsalAccounts> {
  const ch = d.clearingHouse;
  const feeds = rehearsalFeeds(d, deployer);
  const cashAddress = await d.cash.getAddress();
  const open = async (who: Signer, usd: bigint): Promise<bigint> => {
    const receipt = await (await ch.connect(who).createAccount()).wait();
    const ev = receipt!.logs.map((l) => ch.interface.parseLog(l)).find((e) => e?.name === "AccountCreated");
    const id = ev!.args.account as bigint;
    const native = usd * 10n ** 6n;
    await (await d.cash.connect(deployer).mint(await who.getAddress(), native)).wait();
    await (await d.cash.connect(who).approve(await ch.getAddress(), native)).wait();
    await (await ch.connect(who).deposit(id, cashAddress, native)).wait();
    return id;
  };
  const chainId = Number((await provider.getNetwork()).chainId);
  const domain = orderDomain(chainId, await d.exchange.getAddress());
  /** `buyer` buys `size` ETH calls at the money from `seller` (the taker) at the model price. */
  const fill = async (
    buyer: Signer,
    buyerId: bigint,
    seller: Signer,
    sellerId: bigint,
    expiry: number,
    size: bigint,
  ) => {
    const spot = (await feeds[ETH]!.latestRoundData())[1] * 10n ** 10n;
    const strike = (spot / (50n * WAD)) * 50n * WAD;
    const t = await now(provider);
    const { call } = blackScholes(spot, strike, BigInt(expiry - t), 6n * 10n ** 17n, 0n);
    const order = buildOrder({
      account: buyerId,
      series: encodeSeries({ underlying: ETH, expiry: BigInt(expiry), strike, isCall: true }),
      isBuy: true,
      size,
      limitPrice: (call / 10n ** 16n) * 10n ** 16n,
      deadline: BigInt(t + DAY),
    });
    const signed = await signOrder(buyer, domain, order);
    await (await d.exchange.connect(seller).fill(sellerId, [{ maker: signed, fillSize: size }])).wait();
  };

  const alice = await open(s.alice, 100_000n);
  const bob = await open(s.bob, 20_000n);
  const carol = await open(s.carol, 10_000n);
  const keeper = await open(s.keeper, 50_000n);
  const t0 = await now(provider);
  const firstExpiry = nextExpiry(t0, 1);
  await fill(s.alice, alice, s.bob, bob, firstExpiry, WAD);
  const laterExpiry = nextExpiry(t0, 7);
  await fill(s.alice, alice, s.carol, carol, laterExpiry, 10n * WAD);
  let answer = (await feeds[ETH]!.latestRoundData())[1];
  for (let i = 0; i < 40; i++) {
    const [equity, mm] = await ch.accountHealth(carol);
    if (equity < BigInt(mm)) break;
    answer = (answer * 102n) / 100n;
    await push(provider, feeds[ETH]!, answer);
  }
  const [carolEquityWad, carolMm] = await ch.accountHealth(carol);
  return {
    alice,
    bob,
    carol,
    keeper,
    firstExpiry,
    laterExpiry,
    ethAnswer: answer,
    carolEquityWad,
    carolMmWad: BigInt(carolMm),
  };
}

/**
 * Moves the chain's clock to `timestamp` (one mined block), then pushes fresh rounds with the last answers to the ETH
 * and BTC feeds, so the oracle is not stale and the first round at or after an expiry that was passed exists.
 */
export async function rehearsalWarpTo(d: Deployment, provider: RpcProvider, deployer: Signer, timestamp: number) {
  await provider.send("evm_setNextBlockTimestamp", [timestamp]);
  await provider.send("evm_mine", []);
  for (const feed of Object.values(rehearsalFeeds(d, deployer))) {
    await push(provider, feed, (await feed.latestRoundData())[1]);
  }
  return now(provider);
}

/** `rehearsalWarpTo` `seconds` ahead of the latest block. */
export async function rehearsalWarp(d: Deployment, provider: RpcProvider, deployer: Signer, seconds: number) {
  return rehearsalWarpTo(d, provider, deployer, (await now(provider)) + seconds);
}

/** `rehearsalWarpTo` 30 s after the next daily expiry. */
export async function rehearsalExpire(d: Deployment, provider: RpcProvider, deployer: Signer) {
  return rehearsalWarpTo(d, provider, deployer, nextExpiry(await now(provider), 1) + 30);
}
