/**
 * Local rehearsal for the keeper (docs/keeper.md, "Rehearsal on a local node"): drives a `hardhat node` deployment
 * (mock tokens and feeds) into states the keeper must act on. Local networks only; never imports from test/.
 *
 *   KEEPER_SCENARIO=setup   npx hardhat run --no-compile keeper/scenario.ts --network localhost
 *     accounts for signers 1 (Alice), 2 (Bob), 3 (Carol) and 4 (the keeper, 50,000 USDC); Alice buys 1 call from Bob
 *     expiring at the next daily expiry; Carol sells 10 calls 7 days out; ETH rises until Carol is below MM.
 *     Prints the keeper's account id.
 *   KEEPER_SCENARIO=warp SECONDS=600 ...   advances the clock and pushes fresh feed rounds (same prices).
 *   KEEPER_SCENARIO=expire ...             advances to 30 s after the first expiry and pushes a round there.
 */
import { network } from "hardhat";

import { blackScholes } from "../sdk/model/index.js";
import { buildOrder, orderDomain, signOrder } from "../sdk/orders.js";
import { encodeSeries } from "../sdk/series.js";
import type { ClearingHouse, MockAggregator, MockERC20, OptionExchange } from "../typechain-types/index.js";
import { contractsFromManifest } from "./keeper.js";

const WAD = 10n ** 18n;
const DAY = 86_400;
const ETH = 1;
const BTC = 2;

const { ethers, networkConfig } = await network.getOrCreate();
if (networkConfig.type === "edr-simulated") throw new Error("run against a local node: --network localhost");
const chainId = Number((await ethers.provider.getNetwork()).chainId);
if (chainId !== 31337) throw new Error(`local networks only (chain ${chainId})`);
const [deployer, alice, bob, carol, keeper] = await ethers.getSigners();
const { contracts } = await contractsFromManifest(ethers, deployer!, chainId);
const manifest = JSON.parse((await import("node:fs")).readFileSync(`deployments/${chainId}.json`, "utf8")) as {
  contracts: Record<string, string | { address: string }>;
};
const addr = (k: string) => {
  const e = manifest.contracts[k]!;
  return typeof e === "string" ? e : e.address;
};
const ch = contracts.clearingHouse as ClearingHouse;
const cash = (await ethers.getContractAt("MockERC20", addr("cash"))) as unknown as MockERC20;
const exchange = (await ethers.getContractAt("OptionExchange", addr("OptionExchange"))) as unknown as OptionExchange;
const feeds: Record<number, MockAggregator> = {
  [ETH]: (await ethers.getContractAt("MockAggregator", addr("feed.ETH"))) as unknown as MockAggregator,
  [BTC]: (await ethers.getContractAt("MockAggregator", addr("feed.BTC"))) as unknown as MockAggregator,
};
const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;
const lastAnswer = async (u: number) => (await feeds[u]!.latestRoundData())[1];
/** Two rounds at the current time, so the deviation rule accepts any move. */
const push = async (u: number, answer: bigint) => {
  const t = await now();
  await (await feeds[u]!.pushRound(answer, t)).wait();
  await (await feeds[u]!.pushRound(answer, t)).wait();
};
const nextExpiry = (t: number, days: number) => {
  let e = Math.floor(t / DAY) * DAY + 8 * 3600;
  if (e <= t) e += DAY;
  return e + (days - 1) * DAY;
};

async function open(who: typeof alice, usd: bigint): Promise<bigint> {
  const receipt = await (await ch.connect(who!).createAccount()).wait();
  const ev = receipt!.logs.map((l) => ch.interface.parseLog(l)).find((e) => e?.name === "AccountCreated");
  const id = ev!.args.account as bigint;
  const native = usd * 10n ** 6n;
  await (await cash.mint(who!.address, native)).wait();
  await (await cash.connect(who!).approve(await ch.getAddress(), native)).wait();
  await (await ch.connect(who!).deposit(id, await cash.getAddress(), native)).wait();
  return id;
}

async function trade(buyer: typeof alice, buyerId: bigint, seller: typeof alice, sellerId: bigint, expiry: number) {
  const spot = (await lastAnswer(ETH)) * 10n ** 10n;
  const strike = (spot / (50n * WAD)) * 50n * WAD;
  const { call } = blackScholes(spot, strike, BigInt(expiry - (await now())), 6n * 10n ** 17n, 0n);
  return { strike, limitPrice: (call / 10n ** 16n) * 10n ** 16n, buyer, buyerId, seller, sellerId };
}

const domain = orderDomain(chainId, await exchange.getAddress());
async function fill(t: Awaited<ReturnType<typeof trade>>, expiry: number, size: bigint) {
  const order = buildOrder({
    account: t.buyerId,
    series: encodeSeries({ underlying: ETH, expiry: BigInt(expiry), strike: t.strike, isCall: true }),
    isBuy: true,
    size,
    limitPrice: t.limitPrice,
    deadline: BigInt((await now()) + DAY),
  });
  const signed = await signOrder(t.buyer!, domain, order);
  await (await exchange.connect(t.seller!).fill(t.sellerId, [{ maker: signed, fillSize: size }])).wait();
}

const step = process.env.KEEPER_SCENARIO ?? "setup";
if (step === "setup") {
  const a = await open(alice, 100_000n);
  const b = await open(bob, 20_000n);
  const c = await open(carol, 10_000n);
  const k = await open(keeper, 50_000n);
  const t0 = await now();
  const soon = nextExpiry(t0, 1);
  await fill(await trade(alice, a, bob, b, soon), soon, WAD);
  const later = nextExpiry(t0, 7);
  await fill(await trade(alice, a, carol, c, later), later, 10n * WAD);
  let answer = await lastAnswer(ETH);
  for (let i = 0; i < 40; i++) {
    const [equity, mm] = await ch.accountHealth(c);
    if (equity < BigInt(mm)) break;
    answer = (answer * 102n) / 100n;
    await push(ETH, answer);
  }
  const [equity, mm] = await ch.accountHealth(c);
  console.log(
    `accounts: alice ${a}, bob ${b}, carol ${c}, keeper ${k} (owner ${keeper!.address}); first expiry ${soon}; ` +
      `ETH ${answer / 10n ** 8n}; carol equity ${equity / WAD} < MM ${mm / WAD}`,
  );
  console.log(`next: KEEPER_ONCE=1 KEEPER_SIGNER=4 KEEPER_ACCOUNT=${k} npm run keeper -- --network localhost`);
} else if (step === "warp" || step === "expire") {
  let target = (await now()) + Number(process.env.SECONDS ?? 600);
  if (step === "expire") target = nextExpiry(await now(), 1) + 30;
  await ethers.provider.send("evm_setNextBlockTimestamp", [target]);
  await ethers.provider.send("evm_mine", []);
  for (const u of [ETH, BTC]) await push(u, await lastAnswer(u));
  console.log(`clock at ${await now()}; fresh rounds pushed for ETH and BTC`);
} else {
  throw new Error(`KEEPER_SCENARIO=${step}: use setup, warp or expire`);
}
