import { expect } from "chai";
import { network } from "hardhat";

import { ETH, BTC, LOCAL_GUARDIAN, LOCAL_VOL_UPDATER, localConfig } from "../../deploy/networks/local.js";
import { deploySystem } from "../../deploy/system.js";
import { bps, wad } from "../../sdk/units.js";

describe("deploy/system: the production deployment", () => {
  it("wires every module and starts with every market Active", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    expect(await sys.clearingHouse.exchange()).to.equal(await sys.exchange.getAddress());
    expect(await sys.clearingHouse.liquidationModule()).to.equal(await sys.liquidation.getAddress());
    expect(await sys.clearingHouse.riskConfig()).to.equal(await sys.riskConfig.getAddress());
    expect(await sys.riskConfig.insuranceFloor()).to.equal(localConfig.insuranceFloor);
    expect((await sys.liquidation.auctionParams()).buffer).to.equal(localConfig.liquidation.buffer);
    for (const id of [ETH, BTC]) {
      const [mode, price] = await sys.oracle.marketState(id);
      expect(mode).to.equal(0n);
      expect(price).to.be.greaterThan(0n);
      expect(await sys.riskConfig.isUnderlyingListed(id)).to.equal(true);
    }
    expect(await sys.riskConfig.positionCap()).to.equal(BigInt(localConfig.positionCap));
    const [maker, taker, cap] = await sys.exchange.feeParams();
    expect([maker, taker, cap]).to.deep.equal([
      localConfig.fees.makerFeeRate,
      localConfig.fees.takerFeeRate,
      localConfig.fees.premiumFeeCap,
    ]);
    for (const c of localConfig.collaterals) {
      expect(
        (await sys.riskConfig.collateralConfig(await sys.collaterals[c.token.symbol]!.getAddress())).listed,
      ).to.equal(true);
    }
  });

  it("is idempotent: a second run with the manifest reuses every contract and sends no transaction", async () => {
    const { ethers } = await network.create();
    const first = await deploySystem(ethers, localConfig);
    const [deployer] = await ethers.getSigners();
    const nonce = await ethers.provider.getTransactionCount(deployer.address);
    const lines: string[] = [];
    const second = await deploySystem(ethers, localConfig, { manifest: first.manifest, log: (l) => lines.push(l) });
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    expect(second.manifest.contracts).to.deep.equal(first.manifest.contracts);
    expect(lines.every((l) => l.startsWith("="))).to.equal(true, lines.join("\n"));
  });

  it("hands DEFAULT_ADMIN and RISK_ADMIN of every contract to the timelock; the deployer keeps no role", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    const [deployer] = await ethers.getSigners();
    const timelock = await sys.timelock.getAddress();
    const RISK_ADMIN = await sys.oracle.RISK_ADMIN_ROLE();
    const DEFAULT_ADMIN = await sys.oracle.DEFAULT_ADMIN_ROLE();
    const GUARDIAN = await sys.oracle.GUARDIAN_ROLE();
    const VOL_UPDATER = await sys.volOracle.VOL_UPDATER_ROLE();
    for (const c of [
      sys.oracle,
      sys.volOracle,
      sys.settlementOracle,
      sys.riskConfig,
      sys.clearingHouse,
      sys.liquidation,
      sys.exchange,
    ]) {
      const name = await c.getAddress();
      expect(await c.hasRole(DEFAULT_ADMIN, timelock), `${name} admin`).to.equal(true);
      // the clearing house has no risk-admin role: its parameters live in RiskConfig
      const risky = c !== sys.clearingHouse;
      expect(await c.hasRole(RISK_ADMIN, timelock), `${name} risk admin`).to.equal(risky);
      for (const role of [DEFAULT_ADMIN, RISK_ADMIN, GUARDIAN, VOL_UPDATER]) {
        expect(await c.hasRole(role, deployer.address), `${name}: deployer`).to.equal(false);
      }
    }
    // The guardian is a separate address and only it can pause.
    expect(sys.roles.guardian).to.equal(LOCAL_GUARDIAN);
    expect(sys.roles.guardian).to.not.equal(deployer.address);
    expect(await sys.oracle.hasRole(GUARDIAN, LOCAL_GUARDIAN)).to.equal(true);
    expect(await sys.oracle.hasRole(GUARDIAN, timelock)).to.equal(false);
    // The vol updater, too, is its own key; the local ones are Hardhat accounts #19 and #18.
    expect(await sys.volOracle.hasRole(VOL_UPDATER, LOCAL_VOL_UPDATER)).to.equal(true);
    expect(await sys.volOracle.hasRole(VOL_UPDATER, timelock)).to.equal(false);
    const signers = await ethers.getSigners();
    expect([signers[19]!.address, signers[18]!.address]).to.deep.equal([LOCAL_GUARDIAN, LOCAL_VOL_UPDATER]);
    // The timelock administers itself, with the local config's short delay and the deployer as proposer/executor.
    expect(await sys.timelock.getMinDelay()).to.equal(BigInt(localConfig.governance.timelockDelay));
    expect(await sys.timelock.hasRole(await sys.timelock.DEFAULT_ADMIN_ROLE(), deployer.address)).to.equal(false);
    expect(await sys.timelock.hasRole(await sys.timelock.DEFAULT_ADMIN_ROLE(), timelock)).to.equal(true);
    expect(await sys.timelock.hasRole(await sys.timelock.PROPOSER_ROLE(), deployer.address)).to.equal(true);
    expect(await sys.timelock.hasRole(await sys.timelock.EXECUTOR_ROLE(), deployer.address)).to.equal(true);
  });

  it("a parameter change goes through the timelock; a direct call from the deployer reverts", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    const [deployer] = await ethers.getSigners();
    const RISK_ADMIN = await sys.exchange.RISK_ADMIN_ROLE();
    await expect(sys.exchange.setFees(bps(1), bps(2), wad("0.1")))
      .to.be.revertedWithCustomError(sys.exchange, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, RISK_ADMIN);
    await expect(sys.riskConfig.setPositionCap(64))
      .to.be.revertedWithCustomError(sys.riskConfig, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, RISK_ADMIN);

    // Scheduled but not yet ready: the timelock refuses to execute before the delay.
    const data = sys.exchange.interface.encodeFunctionData("setFees", [bps(1), bps(2), wad("0.1")]);
    const calls = [{ target: await sys.exchange.getAddress(), data }];
    const salt = ethers.id("early");
    await sys.governance.propose(calls, salt);
    await expect(sys.governance.executeReady(calls, salt)).to.be.revertedWithCustomError(
      sys.timelock,
      "TimelockUnexpectedOperationState",
    );

    await sys.governance.execute(sys.exchange, data);
    expect(await sys.exchange.feeParams()).to.deep.equal([bps(1), bps(2), wad("0.1")]);
    await sys.governance.execute(sys.riskConfig, sys.riskConfig.interface.encodeFunctionData("setPositionCap", [64]));
    expect(await sys.riskConfig.positionCap()).to.equal(64n);
    // The guardian pauses directly (no delay); only the timelock lifts the pause.
    const guardian = await ethers.getSigner(sys.roles.guardian);
    await sys.oracle.connect(guardian).setModeOverride(BTC, 2);
    await expect(sys.oracle.connect(guardian).clearModeOverride(BTC)).to.be.revertedWithCustomError(
      sys.oracle,
      "AccessControlUnauthorizedAccount",
    );
    await sys.governance.execute(sys.oracle, sys.oracle.interface.encodeFunctionData("clearModeOverride", [BTC]));
    expect((await sys.oracle.marketState(BTC))[0]).to.equal(0n);
  });

  it("a re-run with a changed config schedules the difference on the timelock and executes it after the delay", async () => {
    const { ethers, networkHelpers } = await network.create();
    const first = await deploySystem(ethers, localConfig);
    const changed = {
      ...localConfig,
      fees: { makerFeeRate: bps(2), takerFeeRate: bps(4), premiumFeeCap: wad("0.1") },
      positionCap: 100,
    };
    const lines: string[] = [];
    await deploySystem(ethers, changed, { manifest: first.manifest, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("scheduled operation"))).to.equal(true, lines.join("\n"));
    expect(await first.riskConfig.positionCap()).to.equal(BigInt(localConfig.positionCap)); // not yet
    lines.length = 0;
    await deploySystem(ethers, changed, { manifest: first.manifest, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes("not ready yet"))).to.equal(true, lines.join("\n"));

    await networkHelpers.time.increase(localConfig.governance.timelockDelay);
    await deploySystem(ethers, changed, { manifest: first.manifest });
    expect(await first.riskConfig.positionCap()).to.equal(100n);
    expect(await first.exchange.feeParams()).to.deep.equal([bps(2), bps(4), wad("0.1")]);

    // fastForward (local only) schedules, advances the clock and executes in one run; then nothing is left to send.
    await deploySystem(ethers, { ...changed, groupCap: 8 }, { manifest: first.manifest, fastForward: true });
    expect(await first.riskConfig.groupCap()).to.equal(8n);
    lines.length = 0;
    await deploySystem(ethers, { ...changed, groupCap: 8 }, { manifest: first.manifest, log: (l) => lines.push(l) });
    expect(lines.every((l) => l.startsWith("="))).to.equal(true, lines.join("\n"));
  });

  it("gives VOL_UPDATER to a configured vol updater and renounces the deployer's", async () => {
    const { ethers } = await network.create();
    const [deployer, volUpdater] = await ethers.getSigners();
    const sys = await deploySystem(ethers, {
      ...localConfig,
      roles: { ...localConfig.roles, volUpdater: volUpdater.address },
    });
    const VOL_UPDATER = await sys.volOracle.VOL_UPDATER_ROLE();
    expect(await sys.volOracle.hasRole(VOL_UPDATER, volUpdater.address)).to.equal(true);
    expect(await sys.volOracle.hasRole(VOL_UPDATER, deployer.address)).to.equal(false);
    expect(await sys.volOracle.hasRole(VOL_UPDATER, await sys.timelock.getAddress())).to.equal(false);
  });

  it("refuses a guardian that is the deployer, and a non-local network without proposers or with a short delay", async () => {
    const { ethers } = await network.create();
    const [deployer] = await ethers.getSigners();
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => "",
        (e: Error) => e.message,
      );
    expect(await failure(deploySystem(ethers, { ...localConfig, roles: { guardian: deployer.address } }))).to.match(
      /guardian must be an address other than the deployer/,
    );
    const remote = { ...localConfig, name: "testnet", local: false };
    expect(await failure(deploySystem(ethers, remote))).to.match(/governance.proposers is required/);
    expect(
      await failure(
        deploySystem(ethers, { ...remote, governance: { timelockDelay: 3600, proposers: [deployer.address] } }),
      ),
    ).to.match(/at least one day/);
  });

  it("refuses to mock anything on a non-local network config", async () => {
    const { ethers } = await network.create();
    const remote = { ...localConfig, name: "testnet", local: false };
    const failure = await deploySystem(ethers, {
      ...remote,
      governance: { timelockDelay: 2 * 86_400, proposers: [LOCAL_GUARDIAN] },
    }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).to.match(/mocks are only deployed locally/);
  });
});
