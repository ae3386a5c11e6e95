import { expect } from "chai";
import { network } from "hardhat";

const { ethers, networkHelpers } = await network.create();

const WAD = 10n ** 18n;
const E8 = 10n ** 8n;
const ETH = 1;
const MODE = { Active: 0n, ReduceOnly: 1n, Halted: 2n };

/** Deploys the oracle layer the way a local deployment would: mocks for the uptime feed and the price feed. */
async function deployOracles() {
  const [admin, keeper] = await ethers.getSigners();
  const now = await networkHelpers.time.latest();
  const seqFeed = await ethers.deployContract("MockAggregator", [0, "sequencer uptime"]);
  await seqFeed.setSequencerStatus(false, now - 86_400);
  const guard = await ethers.deployContract("SequencerGuard", [await seqFeed.getAddress(), 3600]);
  const oracle = await ethers.deployContract("ChainlinkOracle", [admin.address, await guard.getAddress()]);
  await oracle.grantRole(await oracle.RISK_ADMIN_ROLE(), admin.address);
  await oracle.grantRole(await oracle.GUARDIAN_ROLE(), admin.address);
  const feed = await ethers.deployContract("MockAggregator", [8, "ETH / USD"]);
  await feed.pushRound(2000n * E8, now);
  await feed.pushRound(2000n * E8, now);
  await oracle.listUnderlying(ETH, {
    feed: await feed.getAddress(),
    heartbeat: 3600,
    fallbackFeed: ethers.ZeroAddress,
    fallbackHeartbeat: 0,
    minPriceWad: 100n * WAD,
    maxPriceWad: 100_000n * WAD,
    maxDeviationWad: WAD / 10n,
    confirmations: 1,
  });
  const settlement = await ethers.deployContract("SettlementOracle", [
    await oracle.getAddress(),
    admin.address,
    86_400,
    7 * 86_400,
  ]);
  return { admin, keeper, seqFeed, guard, oracle, feed, settlement };
}

describe("oracle layer (integration)", () => {
  it("walks a price path through Active, Halted (jump), Active (confirmed), ReduceOnly (sequencer)", async () => {
    const { oracle, feed, seqFeed } = await networkHelpers.loadFixture(deployOracles);
    expect(await oracle.spot(ETH)).to.equal(2000n * WAD);
    expect(await oracle.marketState(ETH)).to.deep.equal([MODE.Active, 2000n * WAD]);

    await feed.updateAnswer(2600n * E8); // +30% in one round
    expect(await oracle.marketState(ETH)).to.deep.equal([MODE.Halted, 0n]);
    await expect(oracle.spot(ETH)).to.be.revertedWithCustomError(oracle, "Oracle_DeviationUnconfirmed");

    await feed.updateAnswer(2610n * E8); // confirmed by the next round
    expect(await oracle.marketState(ETH)).to.deep.equal([MODE.Active, 2610n * WAD]);

    const now = await networkHelpers.time.latest();
    await seqFeed.setSequencerStatus(true, now);
    expect(await oracle.marketState(ETH)).to.deep.equal([MODE.ReduceOnly, 2610n * WAD]);
    await expect(oracle.spot(ETH)).to.be.revertedWithCustomError(oracle, "Oracle_SequencerDown");
  });

  it("halts on staleness and recovers on a fresh round", async () => {
    const { oracle, feed } = await networkHelpers.loadFixture(deployOracles);
    await networkHelpers.time.increase(3601);
    expect(await oracle.marketState(ETH)).to.deep.equal([MODE.Halted, 0n]);
    await expect(oracle.spot(ETH)).to.be.revertedWithCustomError(oracle, "Oracle_Stale");
    await feed.updateAnswer(2010n * E8);
    expect(await oracle.spot(ETH)).to.equal(2010n * WAD);
  });

  it("records a settlement price from round history once, permissionlessly", async () => {
    const { oracle, feed, settlement, keeper } = await networkHelpers.loadFixture(deployOracles);
    const expiry = (await networkHelpers.time.latest()) + 100;
    await networkHelpers.time.increaseTo(expiry + 30);
    await feed.updateAnswer(2050n * E8);
    const roundId = await feed.latestRoundId();
    await expect(settlement.connect(keeper).recordSettlementPrice(ETH, expiry, roundId))
      .to.emit(settlement, "SettlementPriceRecorded")
      .withArgs(ETH, expiry, roundId, 2050n * WAD, expiry + 31, keeper.address);
    expect(await settlement.settlementPrice(ETH, expiry)).to.deep.equal([2050n * WAD, true]);
    await expect(settlement.recordSettlementPrice(ETH, expiry, roundId))
      .to.be.revertedWithCustomError(settlement, "Settlement_AlreadyRecorded")
      .withArgs(ETH, expiry);
    expect(await oracle.isListed(ETH)).to.equal(true);
  });

  it("falls back to spot after the fallback delay when no round was recorded", async () => {
    const { feed, settlement } = await networkHelpers.loadFixture(deployOracles);
    const expiry = (await networkHelpers.time.latest()) + 10;
    await networkHelpers.time.increaseTo(expiry + 86_400);
    await feed.updateAnswer(1990n * E8);
    await expect(settlement.recordFallbackPrice(ETH, expiry)).to.emit(settlement, "SettlementFallbackUsed");
    expect(await settlement.settlementPrice(ETH, expiry)).to.deep.equal([1990n * WAD, true]);
  });
});

const LINK = 5;
const roundId = (phase: bigint, aggRound: bigint) => (phase << 64n) | aggRound;

/**
 * LINK priced through Chainlink's own DataFeedsLegacyAggregatorProxy (solc 0.8.26) over MockV3Aggregator, listed
 * before `expiry`. Phase 1 (agg1) has rounds at listing and 300 s before expiry.
 */
async function deployProxyFeed() {
  const base = await deployOracles();
  const now = await networkHelpers.time.latest();
  const expiry = now + 1000;
  const agg1 = await ethers.deployContract("MockV3Aggregator", [8, 15n * E8]);
  const proxy = await ethers.deployContract("DataFeedsLegacyAggregatorProxy", [await agg1.getAddress()]);
  await base.oracle.listUnderlying(LINK, {
    feed: await proxy.getAddress(),
    heartbeat: 3600,
    fallbackFeed: ethers.ZeroAddress,
    fallbackHeartbeat: 0,
    minPriceWad: WAD,
    maxPriceWad: 1000n * WAD,
    maxDeviationWad: WAD / 10n,
    confirmations: 1,
  });
  await agg1.updateRoundData(2, 1510n * 10n ** 6n, expiry - 300, expiry - 300);
  const agg2 = await ethers.deployContract("MockV3Aggregator", [8, 16n * E8]);
  /** The proxy owner moves the proxy to agg2 (a real propose/confirm); agg2's first round is at `firstAt`. */
  const switchTo = async (firstAt: number, answer: bigint) => {
    await agg2.updateRoundData(1, answer, firstAt, firstAt);
    await proxy.proposeAggregator(await agg2.getAddress());
    await proxy.confirmAggregator(await agg2.getAddress());
    expect(await proxy.phaseId()).to.equal(2n);
  };
  return { ...base, expiry, agg1, agg2, proxy, switchTo };
}

describe("settlement proof through Chainlink's DataFeedsLegacyAggregatorProxy", () => {
  it("a superseded aggregator cannot prove a second price after a proposeAggregator/confirmAggregator", async () => {
    const { oracle, settlement, expiry, agg1, agg2, proxy, switchTo } =
      await networkHelpers.loadFixture(deployProxyFeed);
    await switchTo(expiry - 100, 1520n * 10n ** 6n);
    await agg2.updateRoundData(2, 1530n * 10n ** 6n, expiry + 60, expiry + 60);
    await agg1.updateRoundData(3, 9n * E8, expiry + 30, expiry + 30); // the replaced aggregator is still fed
    await networkHelpers.time.increaseTo(expiry + 120);

    // The proxy serves the late round from its old phase...
    const late = roundId(1n, 3n);
    const [, answer, , updatedAt] = await proxy.getRoundData(late);
    expect([answer, updatedAt]).to.deep.equal([9n * E8, BigInt(expiry + 30)]);
    // ...and it would otherwise be a valid proof (predecessor before expiry, within one heartbeat).
    await expect(oracle.verifySettlementRound(LINK, expiry, late))
      .to.be.revertedWithCustomError(oracle, "Oracle_RoundSuperseded")
      .withArgs(late, expiry + 30, roundId(2n, 1n), expiry - 100);
    await expect(settlement.recordSettlementPrice(LINK, expiry, late)).to.be.revertedWithCustomError(
      oracle,
      "Oracle_RoundSuperseded",
    );

    const current = roundId(2n, 2n);
    expect(await oracle.verifySettlementRound(LINK, expiry, current)).to.deep.equal([
      1530n * 10n ** 16n,
      BigInt(expiry + 60),
    ]);
    await settlement.recordSettlementPrice(LINK, expiry, current);
    expect(await settlement.settlementPrice(LINK, expiry)).to.deep.equal([1530n * 10n ** 16n, true]);
  });

  it("an old-phase round published before the switch still proves; a phase start finds its predecessor", async () => {
    const { oracle, expiry, agg1, switchTo } = await networkHelpers.loadFixture(deployProxyFeed);
    await agg1.updateRoundData(3, 1515n * 10n ** 6n, expiry + 30, expiry + 30);
    await switchTo(expiry + 500, 1520n * 10n ** 6n);
    await networkHelpers.time.increaseTo(expiry + 600);
    expect((await oracle.verifySettlementRound(LINK, expiry, roundId(1n, 3n)))[0]).to.equal(1515n * 10n ** 16n);
    // The phase-2 start is not the first round after expiry: its predecessor (found through the proxy) is after.
    await expect(oracle.verifySettlementRound(LINK, expiry, roundId(2n, 1n)))
      .to.be.revertedWithCustomError(oracle, "Oracle_SettlementNotFirstRound")
      .withArgs(roundId(1n, 3n), expiry + 30, expiry);
  });

  it("the first round of the new phase settles when it is the first after expiry; the reference spans phases", async () => {
    const { oracle, expiry, switchTo } = await networkHelpers.loadFixture(deployProxyFeed);
    await switchTo(expiry + 20, 1520n * 10n ** 6n);
    await networkHelpers.time.increaseTo(expiry + 600);
    const first = roundId(2n, 1n);
    expect((await oracle.verifySettlementRound(LINK, expiry, first))[0]).to.equal(1520n * 10n ** 16n);
    expect((await oracle.verifySettlementRoundWithHint(LINK, expiry, first, roundId(1n, 2n)))[0]).to.equal(
      1520n * 10n ** 16n,
    );
    expect(await oracle.settlementReference(LINK, expiry)).to.deep.equal([
      1510n * 10n ** 16n,
      roundId(1n, 2n),
      BigInt(expiry - 300),
    ]);
  });
});
