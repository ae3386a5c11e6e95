/**
 * sdk/deployment.ts and sdk/helpers.ts on the embedded network, through the real deploy (`deploySystem` with
 * `localConfig`): the manifest loads into typed contracts that point at the deployed modules, a manifest from another
 * chain or chain instance is refused, `createAccount` returns the id the chain assigned, and every grid point the
 * helpers return is a series the clearing house accepts.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { ETH, localConfig } from "../../deploy/networks/local.js";
import { type System, deploySystem } from "../../deploy/system.js";
import { DeploymentError, type DeploymentManifest, loadDeployment } from "../../sdk/deployment.js";
import {
  createAccount,
  expiriesOnGrid,
  listedExpiries,
  listedStrikes,
  listingGrid,
  strikesOnGrid,
} from "../../sdk/helpers.js";
import { encodeSeries } from "../../sdk/series.js";
import { wad } from "../../sdk/units.js";

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: Error) => `${e.name}: ${e.message}`,
  );

describe("sdk: loadDeployment and helpers", function () {
  this.timeout(120_000);
  let ethers: Ethers;
  let sys: System;
  let manifest: DeploymentManifest;

  before(async () => {
    ({ ethers } = await network.create());
    sys = await deploySystem(ethers, localConfig);
    manifest = structuredClone(sys.manifest) as unknown as DeploymentManifest;
  });

  it("connects a typed contract to every module, from a manifest object or deployments/<chainId>.json", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bulwark-sdk-"));
    writeFileSync(path.join(dir, `${manifest.chainId}.json`), JSON.stringify(manifest));
    const [signer] = await ethers.getSigners();
    for (const d of [
      await loadDeployment(ethers.provider, manifest),
      await loadDeployment(signer!, BigInt(manifest.chainId), { dir }),
    ]) {
      const pairs: [string, { getAddress(): Promise<string> }][] = [
        ["cash", sys.cash],
        ["oracle", sys.oracle],
        ["volOracle", sys.volOracle],
        ["settlementOracle", sys.settlementOracle],
        ["sequencerGuard", sys.sequencerGuard],
        ["riskConfig", sys.riskConfig],
        ["clearingHouse", sys.clearingHouse],
        ["liquidation", sys.liquidation],
        ["exchange", sys.exchange],
        ["lens", sys.lens],
        ["timelock", sys.timelock],
      ];
      for (const [key, contract] of pairs) {
        const loaded = (d as unknown as Record<string, { getAddress(): Promise<string> }>)[key]!;
        expect(await loaded.getAddress(), key).to.equal(await contract.getAddress());
      }
      // Typed calls work against the chain.
      expect(await d.clearingHouse.cashToken()).to.equal(await sys.cash.getAddress());
      expect(await d.lens.clearingHouse()).to.equal(await sys.clearingHouse.getAddress());
      expect((await d.riskConfig.underlyingParams(ETH)).strikeStep).to.equal(localConfig.markets[0]!.grid.strikeStep);
    }
  });

  it("refuses a missing file, another chain id, another chain instance and changed code", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "bulwark-sdk-"));
    expect(await refusal(loadDeployment(ethers.provider, 31337, { dir: empty }))).to.match(
      /^DeploymentError: no deployment manifest .*31337\.json: deploy first/,
    );
    expect(await refusal(loadDeployment(ethers.provider, { ...manifest, chainId: 5 }))).to.equal(
      "DeploymentError: manifest is for chain 5, this network is chain 31337",
    );
    expect(
      await refusal(loadDeployment(ethers.provider, { ...manifest, genesisHash: "0x" + "11".repeat(32) })),
    ).to.match(/another instance of chain 31337/);
    const tampered = structuredClone(manifest);
    tampered.entries.Lens!.codeHash = "0x" + "22".repeat(32);
    expect(await refusal(loadDeployment(ethers.provider, tampered))).to.match(
      /entry Lens \(Lens at 0x[0-9a-fA-F]+\): code differs/,
    );
    const partial = structuredClone(manifest);
    delete partial.contracts.OptionExchange;
    expect(await refusal(loadDeployment(ethers.provider, partial))).to.match(/no OptionExchange \(exchange\)/);
    // A fresh network: same chain id (and here the same genesis block), none of the contracts.
    const { ethers: other } = await network.create();
    expect(await refusal(loadDeployment(other.provider, manifest))).to.match(
      /entry ClearingHouse \(ClearingHouse at 0x[0-9a-fA-F]+\): no code at that address on this chain/,
    );
    expect(DeploymentError.name).to.equal("DeploymentError");
  });

  it("createAccount returns the id from AccountCreated, for each of several accounts", async () => {
    const [, a, b] = await ethers.getSigners();
    const first = await createAccount(sys.clearingHouse, a!);
    const second = await createAccount(sys.clearingHouse, b!);
    expect(second).to.equal(first + 1n);
    expect(await sys.clearingHouse.accountCount()).to.equal(second);
    expect(await sys.clearingHouse.ownerOf(first)).to.equal(a!.address);
    expect(await sys.clearingHouse.ownerOf(second)).to.equal(b!.address);
  });

  it("every expiry and strike from the grid helpers is a tradable series; neighbours off the grid are not", async () => {
    const now = (await ethers.provider.getBlock("latest"))!.timestamp;
    const grid = await listingGrid(sys.riskConfig, ETH);
    const expiries = await listedExpiries(sys.riskConfig, ETH, now, 5);
    const strikes = await listedStrikes(sys.riskConfig, ETH, wad("3010"), 4);
    expect(expiries).to.have.length(5);
    expect(strikes).to.deep.equal([wad("2950"), wad("3000"), wad("3050"), wad("3100")]);
    for (let i = 0; i < expiries.length; i++) {
      expect(expiries[i]! > BigInt(now)).to.equal(true);
      if (i > 0) expect(expiries[i]! - expiries[i - 1]!).to.equal(grid.expiryPeriod);
    }
    expect(expiries[0]! - BigInt(now) <= grid.expiryPeriod).to.equal(true);
    const tradable = (expiry: bigint, strike: bigint) =>
      sys.clearingHouse.isTradable(encodeSeries({ underlying: ETH, expiry, strike, isCall: false }));
    for (const e of expiries) for (const s of strikes) expect(await tradable(e, s), `${e} ${s}`).to.equal(true);
    expect(await tradable(expiries[0]! + 1n, strikes[0]!)).to.equal(false);
    expect(await tradable(expiries[0]!, strikes[0]! + 1n)).to.equal(false);
  });

  it("grid edges: the horizon cuts expiries short; strikes stay within [minStrike, maxStrike]", () => {
    const grid = {
      expiryPeriod: 86_400n,
      expiryOffset: 28_800n,
      maxHorizon: 3n * 86_400n,
      strikeStep: wad("50"),
      minStrike: wad("50"),
      maxStrike: wad("200"),
    };
    expect(expiriesOnGrid(grid, 86_400n * 10n, 10)).to.deep.equal([
      86_400n * 10n + 28_800n,
      86_400n * 11n + 28_800n,
      86_400n * 12n + 28_800n,
    ]);
    // On a grid point: that point has expired (expiry must be > now).
    expect(expiriesOnGrid(grid, 86_400n * 10n + 28_800n, 1)).to.deep.equal([86_400n * 11n + 28_800n]);
    expect(strikesOnGrid(grid, wad("1"), 2)).to.deep.equal([wad("50"), wad("100")]);
    expect(strikesOnGrid(grid, wad("1000"), 2)).to.deep.equal([wad("150"), wad("200")]);
    expect(strikesOnGrid(grid, wad("120"), 10)).to.deep.equal([wad("50"), wad("100"), wad("150"), wad("200")]);
    expect(strikesOnGrid(grid, wad("125"), 1)).to.deep.equal([wad("100")]); // a tie goes to the lower strike
  });
});
