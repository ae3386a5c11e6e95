/**
 * Oracle layer gas. Setting: an L2 deployment (sequencer uptime feed up for a day), one underlying on an 8-decimal
 * MockAggregator with confirmations = 1 (so `spot` reads latestRoundData plus one predecessor round), no fallback.
 *
 * - `oracle.spot.cold`: execution gas of `spot(u)` in a fresh transaction (every account and slot cold).
 * - `oracle.spot.warm`: execution gas of a second `spot(u)` in the same frame, measured as
 *   exec(helper.spotTwice) - exec(helper.spotOnce); includes the helper's CALL overhead to the warm oracle.
 * - `oracle.marketState.cold`: execution gas of `marketState(u)` in a fresh transaction.
 * - `oracle.settlementRoundCheck`: `verifySettlementRound` for a round inside a phase (two getRoundData reads).
 * - `oracle.settlementRoundCheck.phaseStart`: the same for the first round of phase 2 when phase 1 holds 40
 *   rounds (in-contract search for the predecessor), and `.hinted` with the predecessor supplied.
 * - `sequencer.check`: execution gas of `SequencerGuard.status()` with an uptime feed.
 * - `settlement.record`: receipt gas of `SettlementOracle.recordSettlementPrice`.
 * - `vol.read`: execution gas of `VolatilityOracle.vol(u, expiry)` with a fresh per-expiry vol.
 *
 * MockAggregator storage reads stand in for a Chainlink proxy + aggregator; a real proxy costs a few thousand gas
 * more per read (one extra call hop).
 */
import type { Scenario } from "../lib.js";

const U = 1;
const HEARTBEAT = 3600;

const scenario: Scenario = async ({ ethers, exec, tx }) => {
  const [admin] = await ethers.getSigners();
  const now = Number((await ethers.provider.getBlock("latest"))!.timestamp);

  const seqFeed = await ethers.deployContract("MockAggregator", [0, "sequencer uptime"]);
  await (await seqFeed.setSequencerStatus(false, now - 86_400)).wait();
  const guard = await ethers.deployContract("SequencerGuard", [await seqFeed.getAddress(), 3600]);
  const oracle = await ethers.deployContract("ChainlinkOracle", [admin.address, await guard.getAddress()]);
  await (await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin.address)).wait();

  const feed = await ethers.deployContract("MockAggregator", [8, "ETH / USD"]);
  const expiry = now - 2000;
  await (await feed.pushRound(2000n * 10n ** 8n, expiry - 10)).wait();
  await (await feed.pushRound(2001n * 10n ** 8n, expiry + 10)).wait();
  const settleRound = await feed.latestRoundId();
  await (await feed.pushRound(2002n * 10n ** 8n, now - 20)).wait();
  await (await feed.pushRound(2003n * 10n ** 8n, now - 10)).wait();
  const params = {
    feed: await feed.getAddress(),
    heartbeat: HEARTBEAT,
    fallbackFeed: ethers.ZeroAddress,
    fallbackHeartbeat: 0,
    minPriceWad: 100n * 10n ** 18n,
    maxPriceWad: 100_000n * 10n ** 18n,
    maxDeviationWad: 10n ** 17n,
    confirmations: 1,
  };
  await (await oracle.listUnderlying(U, params)).wait();

  // Second underlying for the phase-boundary proof: 40 rounds in phase 1, expiry, first round of phase 2.
  const feed2 = await ethers.deployContract("MockAggregator", [8, "BTC / USD"]);
  const expiry2 = now - 500;
  for (let i = 0; i < 40; i++) await (await feed2.pushRound(60_000n * 10n ** 8n, expiry2 - 4000 + i)).wait();
  const lastOfPhase1 = await feed2.latestRoundId();
  await (await feed2.startNewPhase()).wait();
  await (await feed2.pushRound(60_100n * 10n ** 8n, expiry2 + 30)).wait();
  const firstOfPhase2 = await feed2.latestRoundId();
  await (await oracle.listUnderlying(2, { ...params, feed: await feed2.getAddress() })).wait();

  const helper = await ethers.deployContract("OracleGasHelper");
  const oracleAddr = await oracle.getAddress();
  const helperAddr = await helper.getAddress();

  const once = await exec(helperAddr, helper.interface.encodeFunctionData("spotOnce", [oracleAddr, U]));
  const twice = await exec(helperAddr, helper.interface.encodeFunctionData("spotTwice", [oracleAddr, U]));

  const settlement = await ethers.deployContract("SettlementOracle", [oracleAddr, admin.address, 86_400, 7 * 86_400]);
  const vol = await ethers.deployContract("VolatilityOracle", [admin.address]);
  await (await vol.grantRole(await vol.RISK_ADMIN_ROLE(), admin.address)).wait();
  await (await vol.grantRole(await vol.VOL_UPDATER_ROLE(), admin.address)).wait();
  await (await vol.listUnderlying(U, { maxAgeSec: 3600, staleVolWad: 15n * 10n ** 17n, maxMoveWad: 0 })).wait();
  await (await vol.setExpiryVols(U, [now + 86_400 * 7], [6n * 10n ** 17n])).wait();

  const results = {
    "oracle.spot.cold": await exec(oracleAddr, oracle.interface.encodeFunctionData("spot", [U])),
    "oracle.spot.warm": { gas: twice.gas - once.gas, kind: "exec" as const },
    "oracle.marketState.cold": await exec(oracleAddr, oracle.interface.encodeFunctionData("marketState", [U])),
    "oracle.settlementRoundCheck": await exec(
      oracleAddr,
      oracle.interface.encodeFunctionData("verifySettlementRound", [U, expiry, settleRound]),
    ),
    "oracle.settlementRoundCheck.phaseStart": await exec(
      oracleAddr,
      oracle.interface.encodeFunctionData("verifySettlementRound", [2, expiry2, firstOfPhase2]),
    ),
    "oracle.settlementRoundCheck.phaseStart.hinted": await exec(
      oracleAddr,
      oracle.interface.encodeFunctionData("verifySettlementRoundWithHint", [2, expiry2, firstOfPhase2, lastOfPhase1]),
    ),
    "sequencer.check": await exec(await guard.getAddress(), guard.interface.encodeFunctionData("status")),
    "vol.read": await exec(
      await vol.getAddress(),
      vol.interface.encodeFunctionData("vol", [U, now + 86_400 * 7]),
    ),
    "settlement.record": await tx(settlement.recordSettlementPrice(U, expiry, settleRound)),
  };
  return results;
};

export default scenario;
