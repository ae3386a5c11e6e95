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
