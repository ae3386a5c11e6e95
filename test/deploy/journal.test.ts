import { expect } from "chai";
import { getCreateAddress } from "ethers";
import { network } from "hardhat";

import { readContractBounds } from "../../deploy/bounds.js";
import { type Manifest } from "../../deploy/manifest.js";
import { ETH, localConfig } from "../../deploy/networks/local.js";
import { testnetConfig } from "../../deploy/networks/testnet.js";
import { deploySystem } from "../../deploy/system.js";
import { wad } from "../../sdk/units.js";

type Ethers = Awaited<ReturnType<typeof network.create>>["ethers"];

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "",
    (e: Error) => e.message,
  );

/** Contracts the deployer created: every CREATE address of its nonces that holds code. */
async function createdByDeployer(ethers: Ethers): Promise<string[]> {
  const [deployer] = await ethers.getSigners();
  const nonce = await ethers.provider.getTransactionCount(deployer.address);
  const out: string[] = [];
  for (let i = 0; i < nonce; i++) {
    const address = getCreateAddress({ from: deployer.address, nonce: i });
    if ((await ethers.provider.getCode(address)) !== "0x") out.push(address);
  }
  return out;
}

const deployedEntries = (m: Manifest) =>
  Object.values(m.entries)
    .filter((e) => e.contract !== "external")
    .map((e) => e.address);

describe("deploy: the manifest is a journal", () => {
  it("a run stopped halfway resumes from what it recorded and deploys nothing twice", async () => {
    const { ethers } = await network.create();
    let saved = "";
    let records = 0;
    const stop = await failure(
      deploySystem(ethers, localConfig, {
        onRecord: (m) => {
          saved = JSON.stringify(m); // what deploy.ts writes to deployments/<chainId>.json
          if (++records === 25) throw new Error("killed by the test");
        },
      }),
    );
    expect(stop).to.equal("killed by the test");
    const half = JSON.parse(saved) as Manifest;
    const recorded = Object.keys(half.contracts);
    expect(recorded.length).to.be.greaterThan(3);
    expect(recorded).to.not.include("TimelockController");

    const lines: string[] = [];
    const sys = await deploySystem(ethers, localConfig, { manifest: half, log: (l) => lines.push(l) });
    for (const key of recorded) {
      expect(sys.manifest.contracts[key], key).to.equal(JSON.parse(saved).contracts[key]);
      expect(lines, key).to.include(`= ${key} at ${sys.manifest.contracts[key]}`);
    }
    expect(await sys.clearingHouse.exchange()).to.equal(await sys.exchange.getAddress());
    // No duplicate: the deployer created exactly the contracts the manifest lists.
    expect((await createdByDeployer(ethers)).sort()).to.deep.equal(deployedEntries(sys.manifest).sort());
  });

  it("a creation mined but not recorded (killed before the write) is adopted from the pending record", async () => {
    const { ethers } = await network.create();
    let saved = "";
    const stop = await failure(
      deploySystem(ethers, localConfig, {
        onRecord: (m) => {
          // The process dies right after the 6th contract is mined, before the manifest write that records it.
          if (m.pending === undefined && Object.keys(m.contracts).length === 6) throw new Error("killed");
          saved = JSON.stringify(m);
        },
      }),
    );
    expect(stop).to.equal("killed");
    const half = JSON.parse(saved) as Manifest;
    const pending = half.pending!;
    expect(pending).to.not.equal(undefined);
    expect(Object.keys(half.contracts)).to.have.length(5);
    const lines: string[] = [];
    const sys = await deploySystem(ethers, localConfig, { manifest: half, log: (l) => lines.push(l) });
    expect(sys.manifest.contracts[pending.key]).to.equal(pending.address);
    expect(lines.some((l) => l.includes("recovered from the journal"))).to.equal(true, lines.join("\n"));
    expect(sys.manifest.pending).to.equal(undefined);
    expect((await createdByDeployer(ethers)).sort()).to.deep.equal(deployedEntries(sys.manifest).sort());
  });

  it("records chain id, genesis hash, and per entry the contract, JSON-safe constructor arguments and code hash", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    const m = JSON.parse(JSON.stringify(sys.manifest)) as Manifest; // round-trips: no bigint left
    expect(m.chainId).to.equal(31337);
    expect(m.genesisHash).to.equal((await ethers.provider.getBlock(0))!.hash);
    const lm = m.entries["LiquidationModule"]!;
    expect(lm.contract).to.equal("LiquidationModule");
    expect(lm.args[0]).to.equal(await sys.clearingHouse.getAddress());
    expect((lm.args[2] as Record<string, unknown>).buffer).to.equal(localConfig.liquidation.buffer.toString());
    expect(lm.codeHash).to.equal(ethers.keccak256(await ethers.provider.getCode(lm.address)));
    expect(m.journal.some((j) => j.step === "RiskConfig: position cap 128")).to.equal(true);
  });
});

describe("deploy: a manifest is tied to its chain", () => {
  it("refuses a manifest from another chain instance (a restarted node) and sends nothing", async () => {
    const a = await network.create();
    const first = await deploySystem(a.ethers, localConfig);
    const b = await network.create();
    const manifest = JSON.parse(JSON.stringify(first.manifest)) as Manifest;
    // Two embedded chains of the same id differ by their genesis block, as a restarted `hardhat node` does.
    const genesis = (await b.ethers.provider.getBlock(0))!.hash!;
    if (genesis === manifest.genesisHash) manifest.genesisHash = a.ethers.id("an earlier node");
    const [deployer] = await b.ethers.getSigners();
    const message = await failure(deploySystem(b.ethers, localConfig, { manifest }));
    expect(message).to.match(/another instance of chain 31337/);
    expect(message).to.include(genesis);
    expect(await b.ethers.provider.getTransactionCount(deployer.address)).to.equal(0);
  });

  it("refuses an entry whose code hash no longer matches the chain, naming the entry", async () => {
    const { ethers } = await network.create();
    const first = await deploySystem(ethers, localConfig);
    const lens = first.manifest.contracts["Lens"]!;
    await ethers.provider.send("hardhat_setCode", [
      lens,
      await ethers.provider.getCode(first.manifest.contracts.cash!),
    ]);
    const message = await failure(deploySystem(ethers, localConfig, { manifest: first.manifest }));
    expect(message).to.match(
      /entry Lens \(Lens at 0x[0-9a-fA-F]{40}\): code differs from the recorded code hash \(on chain 0x[0-9a-f]{64}, recorded 0x[0-9a-f]{64}\)/,
    );
    // gone entirely
    await ethers.provider.send("hardhat_setCode", [first.manifest.contracts["Lens"], "0x"]);
    expect(await failure(deploySystem(ethers, localConfig, { manifest: first.manifest }))).to.match(
      /entry Lens .*no code at that address/,
    );
  });
});

describe("deploy: differences and validation before the first transaction", () => {
  it("lists a changed parameter as a diff before sending, applies it, then finds none", async () => {
    const { ethers } = await network.create();
    const first = await deploySystem(ethers, localConfig);
    expect(first.differences.length).to.be.greaterThan(0); // a fresh chain: everything is new
    const again = await deploySystem(ethers, localConfig, { manifest: first.manifest });
    expect(again.differences).to.deep.equal([]); // the diff reads back exactly what the deployment wrote

    const changed = {
      ...localConfig,
      positionCap: 100,
      markets: localConfig.markets.map((m) =>
        m.id === ETH ? { ...m, margin: { ...m.margin, imBase: wad("0.2") }, vol: { ...m.vol, maxAge: 3600 } } : m,
      ),
      collaterals: localConfig.collaterals.map((c) => ({ ...c, depositCap: c.depositCap * 2n })),
    };
    const lines: string[] = [];
    const sys = await deploySystem(ethers, changed, {
      manifest: first.manifest,
      log: (l) => lines.push(l),
      fastForward: true,
    });
    expect(sys.differences).to.deep.include({ key: "RiskConfig.positionCap", from: "128", to: "100" });
    const diff = lines.indexOf("~ RiskConfig.positionCap 128 -> 100");
    expect(diff).to.be.greaterThan(-1, lines.join("\n"));
    expect(lines).to.include("~ RiskConfig.ETH.imBase 0.15 -> 0.2");
    expect(lines).to.include("~ VolatilityOracle.ETH.maxAge 86400 -> 3600");
    expect(lines).to.include("~ RiskConfig.collateral.WETH.depositCap 100000 -> 200000");
    // the diff comes before the first step sent
    expect(diff).to.be.lessThan(lines.findIndex((l) => l.startsWith("~ ") && l.endsWith("(timelock)")));
    // applied through the timelock (the deployer holds no role any more)
    expect(await sys.riskConfig.positionCap()).to.equal(100n);
    expect((await sys.riskConfig.underlyingParams(ETH)).imBase).to.equal(wad("0.2"));
    expect((await sys.volOracle.volParams(ETH)).maxAgeSec).to.equal(3600n);
    const last = await deploySystem(ethers, changed, { manifest: first.manifest });
    expect(last.differences).to.deep.equal([]);
  });

  it("an out-of-bound config fails before any transaction, naming the field, the bound and the step", async () => {
    const { ethers } = await network.create();
    const [deployer] = await ethers.getSigners();
    const bad = {
      ...localConfig,
      markets: localConfig.markets.map((m) =>
        m.id === ETH ? { ...m, margin: { ...m.margin, imBase: wad("0.1") } } : m,
      ),
      liquidation: { ...localConfig.liquidation, buffer: wad("0.9") },
    };
    const message = await failure(deploySystem(ethers, bad));
    expect(message).to.include(
      "markets[ETH].margin.imBase = 0.1 is below RiskConfig.MIN_IM_BASE = 0.15 (step: RiskConfig: list ETH grid and margin)",
    );
    expect(message).to.include(
      "liquidation.buffer = 0.9 is above LiquidationModule.MAX_BUFFER = 0.5 (step: LiquidationModule: auction parameters)",
    );
    expect(message).to.match(/nothing was sent/);
    expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(0);
  });

  it("the testnet config names each address placeholder still to fill in", async () => {
    const { ethers } = await network.create();
    const message = await failure(deploySystem(ethers, testnetConfig));
    expect(message).to.include('cash.address = "<USDC token on Sepolia>" is not an address');
    expect(message).to.include("markets[ETH].feed.address");
    expect(message).to.include("governance.proposers[0]");
  });

  it("the bounds read from the Solidity sources equal the deployed contracts' constants", async () => {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, localConfig);
    const contracts: Record<string, { getFunction(name: string): () => Promise<unknown> }> = {
      ChainlinkOracle: sys.oracle,
      VolatilityOracle: sys.volOracle,
      SettlementOracle: sys.settlementOracle,
      SequencerGuard: sys.sequencerGuard,
      RiskConfig: sys.riskConfig,
      OptionExchange: sys.exchange,
      LiquidationModule: sys.liquidation,
    };
    const bounds = readContractBounds();
    let checked = 0;
    for (const [name, value] of Object.entries(bounds)) {
      const [contract, constant] = name.split(".") as [string, string];
      let onChain: unknown;
      try {
        onChain = await contracts[contract]!.getFunction(constant)();
      } catch {
        continue; // internal constants have no getter
      }
      expect(BigInt(onChain as bigint), name).to.equal(value);
      checked++;
    }
    expect(checked).to.be.greaterThan(50);
  });
});
