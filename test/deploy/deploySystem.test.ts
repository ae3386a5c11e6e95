import { expect } from "chai";
import { network } from "hardhat";

import { ETH, BTC, localConfig } from "../../deploy/networks/local.js";
import { deploySystem } from "../../deploy/system.js";

describe("deploy/system: the production deployment", () => {
  it("wires every module and starts with every market Active", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    expect(await sys.clearingHouse.exchange()).to.equal(await sys.exchange.getAddress());
    for (const id of [ETH, BTC]) {
      const [mode, price] = await sys.oracle.marketState(id);
      expect(mode).to.equal(0n);
      expect(price).to.be.greaterThan(0n);
      expect(await sys.clearingHouse.isUnderlyingListed(id)).to.equal(true);
    }
    expect(await sys.clearingHouse.positionCap()).to.equal(BigInt(localConfig.positionCap));
    const [maker, taker, cap] = await sys.exchange.feeParams();
    expect([maker, taker, cap]).to.deep.equal([
      localConfig.fees.makerFeeRate,
      localConfig.fees.takerFeeRate,
      localConfig.fees.premiumFeeCap,
    ]);
    for (const c of localConfig.collaterals) {
      expect(
        (await sys.clearingHouse.collateralConfig(await sys.collaterals[c.token.symbol]!.getAddress())).listed,
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

  it("hands every role to its configured holder and leaves the deployer none it was not given", async () => {
    const { ethers } = await network.create();
    const [deployer, admin, riskAdmin, guardian, volUpdater] = await ethers.getSigners();
    const roles = {
      admin: admin.address,
      riskAdmin: riskAdmin.address,
      guardian: guardian.address,
      volUpdater: volUpdater.address,
    };
    const sys = await deploySystem(ethers, { ...localConfig, roles });
    const RISK_ADMIN = await sys.oracle.RISK_ADMIN_ROLE();
    const DEFAULT_ADMIN = await sys.oracle.DEFAULT_ADMIN_ROLE();
    for (const c of [sys.oracle, sys.volOracle, sys.settlementOracle, sys.clearingHouse, sys.exchange]) {
      expect(await c.hasRole(DEFAULT_ADMIN, admin.address)).to.equal(true);
      expect(await c.hasRole(RISK_ADMIN, riskAdmin.address)).to.equal(true);
      expect(await c.hasRole(DEFAULT_ADMIN, deployer.address)).to.equal(false);
      expect(await c.hasRole(RISK_ADMIN, deployer.address)).to.equal(false);
    }
    expect(await sys.oracle.hasRole(await sys.oracle.GUARDIAN_ROLE(), guardian.address)).to.equal(true);
    const VOL_UPDATER = await sys.volOracle.VOL_UPDATER_ROLE();
    expect(await sys.volOracle.hasRole(VOL_UPDATER, volUpdater.address)).to.equal(true);
    expect(await sys.volOracle.hasRole(VOL_UPDATER, deployer.address)).to.equal(false);
  });

  it("refuses to mock anything on a non-local network config", async () => {
    const { ethers } = await network.create();
    const failure = await deploySystem(ethers, { ...localConfig, name: "testnet", local: false }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(failure?.message).to.match(/mocks are only deployed locally/);
  });
});
