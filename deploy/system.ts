/**
 * Deploys the whole Bulwark system from a typed `NetworkConfig`. Used by `deploy/deploy.ts` (any JSON-RPC network),
 * the demo, the gas benchmark and the integration tests, so every one of them exercises the production deployment.
 *
 * Idempotent: a contract recorded in the manifest whose address has code is reused, and every configuration step
 * reads on-chain state first and only sends what is missing. Local networks get mocks for absent addresses.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { BaseContract, ContractTransactionResponse } from "ethers";

import type {
  ChainlinkOracle,
  ClearingHouse,
  MockAggregator,
  MockERC20,
  OptionExchange,
  Lens,
  SequencerGuard,
  SettlementOracle,
  VolatilityOracle,
} from "../typechain-types/index.js";
import type { FeedConfig, NetworkConfig, TokenConfig } from "./config.js";

/** Addresses of a deployment, written to `deployments/<chainId>.json`. */
export interface Manifest {
  chainId: number;
  contracts: Record<string, string>;
}

export interface System {
  config: NetworkConfig;
  manifest: Manifest;
  deployer: HardhatEthersSigner;
  cash: MockERC20;
  collaterals: Record<string, MockERC20>;
  feeds: Record<string, MockAggregator>;
  sequencerFeed: MockAggregator | null;
  sequencerGuard: SequencerGuard;
  oracle: ChainlinkOracle;
  volOracle: VolatilityOracle;
  settlementOracle: SettlementOracle;
  clearingHouse: ClearingHouse;
  exchange: OptionExchange;
  lens: Lens;
}

export interface DeployOptions {
  manifest?: Manifest;
  log?: (line: string) => void;
}

const WAD = 10n ** 18n;

export async function deploySystem(ethers: HardhatEthers, config: NetworkConfig, options: DeployOptions = {}) {
  const [deployer] = await ethers.getSigners();
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const manifest: Manifest = options.manifest ?? { chainId, contracts: {} };
  if (manifest.chainId !== chainId) throw new Error(`manifest is for chain ${manifest.chainId}, not ${chainId}`);
  const log = options.log ?? (() => {});

  const send = async (label: string, tx: Promise<ContractTransactionResponse>) => {
    await (await tx).wait();
    log(`  ${label}`);
  };

  /** Deploys `contractName` under `key` unless the manifest already holds a live address for it. */
  async function ensure<T extends BaseContract>(key: string, contractName: string, args: unknown[]): Promise<T> {
    const known = manifest.contracts[key];
    if (known !== undefined && (await ethers.provider.getCode(known)) !== "0x") {
      log(`= ${key} at ${known}`);
      return (await ethers.getContractAt(contractName, known)) as unknown as T;
    }
    const contract = await ethers.deployContract(contractName, args);
    await contract.waitForDeployment();
    manifest.contracts[key] = await contract.getAddress();
    log(`+ ${key} (${contractName}) at ${manifest.contracts[key]}`);
    return contract as unknown as T;
  }

  const requireLocal = (what: string) => {
    if (!config.local) throw new Error(`${config.name}: ${what} has no address and mocks are only deployed locally`);
  };

  async function token(key: string, spec: TokenConfig): Promise<MockERC20> {
    if (spec.address !== undefined) {
      manifest.contracts[key] = spec.address;
      return (await ethers.getContractAt("MockERC20", spec.address)) as unknown as MockERC20;
    }
    requireLocal(key);
    return ensure<MockERC20>(key, "MockERC20", [spec.symbol, spec.symbol, spec.decimals]);
  }

  /** `rounds` seeds a mock with that many identical rounds: the oracle's deviation rule needs history to confirm. */
  async function feed(key: string, spec: FeedConfig, rounds = 1): Promise<MockAggregator> {
    if (spec.address !== undefined) {
      manifest.contracts[key] = spec.address;
      return (await ethers.getContractAt("MockAggregator", spec.address)) as unknown as MockAggregator;
    }
    requireLocal(key);
    const mock = await ensure<MockAggregator>(key, "MockAggregator", [spec.decimals, key]);
    if (spec.initialAnswer !== undefined) {
      for (let i = await mock.historyLength(); i < BigInt(rounds); i++) {
        await send(`${key}: seed round ${i + 1n}`, mock.updateAnswer(toFeedUnits(spec.initialAnswer, spec.decimals)));
      }
    }
    return mock;
  }

  const roles = {
    admin: config.roles.admin ?? deployer.address,
    riskAdmin: config.roles.riskAdmin ?? deployer.address,
    guardian: config.roles.guardian ?? deployer.address,
    volUpdater: config.roles.volUpdater ?? deployer.address,
    feeCollector: config.roles.feeCollector ?? deployer.address,
  };

  // ---- tokens and feeds
  const cash = await token("cash", config.cash);
  const collaterals: Record<string, MockERC20> = {};
  for (const c of config.collaterals)
    collaterals[c.token.symbol] = await token(`collateral.${c.token.symbol}`, c.token);
  const feeds: Record<string, MockAggregator> = {};
  for (const m of config.markets) {
    // A new mock feed gets `confirmations + 1` rounds so the market starts Active (see docs/oracles.md).
    feeds[m.symbol] = await feed(`feed.${m.symbol}`, m.feed, m.confirmations + 1);
    if (m.fallbackFeed !== undefined) {
      feeds[`${m.symbol}.fallback`] = await feed(`feed.${m.symbol}.fallback`, m.fallbackFeed, m.confirmations + 1);
    }
  }
  let sequencerFeed: MockAggregator | null = null;
  let sequencerFeedAddress = ethers.ZeroAddress;
  if (config.sequencer.feed === "mock") {
    requireLocal("sequencer feed");
    sequencerFeed = await ensure<MockAggregator>("feed.sequencer", "MockAggregator", [0, "sequencer uptime"]);
    if ((await sequencerFeed.historyLength()) === 0n) {
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      // Up since well before the grace period, so the fresh deployment is usable at once.
      await send(
        "sequencer feed: up",
        sequencerFeed.setSequencerStatus(false, now - BigInt(config.sequencer.gracePeriod) - 1n),
      );
    }
    sequencerFeedAddress = await sequencerFeed.getAddress();
  } else if (config.sequencer.feed !== null) {
    sequencerFeedAddress = config.sequencer.feed;
    manifest.contracts["feed.sequencer"] = sequencerFeedAddress;
  }

  // ---- oracle layer
  const sequencerGuard = await ensure<SequencerGuard>("SequencerGuard", "SequencerGuard", [
    sequencerFeedAddress,
    config.sequencer.gracePeriod,
  ]);
  const oracle = await ensure<ChainlinkOracle>("ChainlinkOracle", "ChainlinkOracle", [
    deployer.address,
    await sequencerGuard.getAddress(),
  ]);
  const volOracle = await ensure<VolatilityOracle>("VolatilityOracle", "VolatilityOracle", [deployer.address]);
  const settlementOracle = await ensure<SettlementOracle>("SettlementOracle", "SettlementOracle", [
    await oracle.getAddress(),
    deployer.address,
    config.settlement.fallbackDelay,
    config.settlement.manualDelay,
  ]);

  // ---- core, trading, periphery
  const clearingHouse = await ensure<ClearingHouse>("ClearingHouse", "ClearingHouse", [
    deployer.address,
    await cash.getAddress(),
    await oracle.getAddress(),
    await volOracle.getAddress(),
    await settlementOracle.getAddress(),
    roles.feeCollector,
    roles.feeCollector,
  ]);
  const exchange = await ensure<OptionExchange>("OptionExchange", "OptionExchange", [
    await clearingHouse.getAddress(),
    deployer.address,
    deployer.address,
  ]);
  const lens = await ensure<Lens>("Lens", "Lens", [await clearingHouse.getAddress()]);

  // ---- roles the deployer needs while configuring (granted first, handed over at the end)
  const grant = async (
    c: {
      hasRole(r: string, a: string): Promise<boolean>;
      grantRole(r: string, a: string): Promise<ContractTransactionResponse>;
      renounceRole(r: string, a: string): Promise<ContractTransactionResponse>;
    },
    name: string,
    role: string,
    roleName: string,
    who: string,
  ) => {
    if (!(await c.hasRole(role, who))) await send(`${name}: grant ${roleName} to ${who}`, c.grantRole(role, who));
  };
  await grant(oracle, "ChainlinkOracle", await oracle.RISK_ADMIN_ROLE(), "RISK_ADMIN", deployer.address);
  await grant(oracle, "ChainlinkOracle", await oracle.GUARDIAN_ROLE(), "GUARDIAN", roles.guardian);
  await grant(volOracle, "VolatilityOracle", await volOracle.RISK_ADMIN_ROLE(), "RISK_ADMIN", deployer.address);
  await grant(volOracle, "VolatilityOracle", await volOracle.VOL_UPDATER_ROLE(), "VOL_UPDATER", deployer.address);
  await grant(volOracle, "VolatilityOracle", await volOracle.VOL_UPDATER_ROLE(), "VOL_UPDATER", roles.volUpdater);
  await grant(
    settlementOracle,
    "SettlementOracle",
    await settlementOracle.RISK_ADMIN_ROLE(),
    "RISK_ADMIN",
    roles.riskAdmin,
  );

  // ---- markets
  for (const m of config.markets) {
    const primary = feeds[m.symbol]!;
    const fallback = feeds[`${m.symbol}.fallback`];
    if (!(await oracle.isListed(m.id))) {
      await send(
        `ChainlinkOracle: list ${m.symbol} (#${m.id})`,
        oracle.listUnderlying(m.id, {
          feed: await primary.getAddress(),
          heartbeat: m.feed.heartbeat,
          fallbackFeed: fallback ? await fallback.getAddress() : ethers.ZeroAddress,
          fallbackHeartbeat: m.fallbackFeed?.heartbeat ?? 0,
          minPriceWad: m.minPrice,
          maxPriceWad: m.maxPrice,
          maxDeviationWad: m.maxDeviation,
          confirmations: m.confirmations,
        }),
      );
    }
    const [, lastUpdate] = await volOracle.rawVol(m.id, 0);
    const volListed = await volOracle.volParams(m.id).then(
      () => true,
      () => false,
    );
    if (!volListed) {
      await send(
        `VolatilityOracle: list ${m.symbol}`,
        volOracle.listUnderlying(m.id, {
          maxAgeSec: m.vol.maxAge,
          staleVolWad: m.vol.staleVol,
          maxMoveWad: m.vol.maxMove,
        }),
      );
    }
    if (lastUpdate === 0n) await send(`VolatilityOracle: ${m.symbol} vol`, volOracle.setVol(m.id, m.vol.initial));
    if (!(await clearingHouse.isUnderlyingListed(m.id))) {
      await send(
        `ClearingHouse: list ${m.symbol} grid and margin`,
        clearingHouse.setUnderlyingParams(m.id, { ...m.margin, ...m.grid }),
      );
    }
    const r = await clearingHouse.riskParams(m.id);
    const want = m.risk;
    if (
      r.imVegaSlope !== want.imVegaSlope ||
      r.imVegaCap !== want.imVegaCap ||
      r.mmVegaSlope !== want.mmVegaSlope ||
      r.mmVegaCap !== want.mmVegaCap ||
      r.mmLongHaircut !== want.mmLongHaircut ||
      r.haltShock !== want.haltShock ||
      r.minTradeSize !== want.minTradeSize
    ) {
      await send(`ClearingHouse: ${m.symbol} stress parameters`, clearingHouse.setRiskParams(m.id, want));
    }
    if ((await exchange.underlyingOpenInterestCap(m.id)) !== m.openInterestCap) {
      await send(`OptionExchange: ${m.symbol} OI cap`, exchange.setUnderlyingOpenInterestCap(m.id, m.openInterestCap));
    }
  }

  // ---- collateral, caps, fees, wiring
  for (const c of config.collaterals) {
    const address = await collaterals[c.token.symbol]!.getAddress();
    if (!(await clearingHouse.collateralConfig(address)).listed) {
      await send(
        `ClearingHouse: list collateral ${c.token.symbol}`,
        clearingHouse.listCollateral(address, c.priceMarket, c.haircut, c.mmHaircut, c.depositCap),
      );
    }
  }
  if ((await clearingHouse.positionCap()) !== BigInt(config.positionCap)) {
    await send(`ClearingHouse: position cap ${config.positionCap}`, clearingHouse.setPositionCap(config.positionCap));
  }
  if ((await clearingHouse.groupCap()) !== BigInt(config.groupCap)) {
    await send(`ClearingHouse: group cap ${config.groupCap}`, clearingHouse.setGroupCap(config.groupCap));
  }
  if ((await clearingHouse.insuranceFeeShare()) !== config.insuranceFeeShare) {
    await send("ClearingHouse: insurance fee share", clearingHouse.setInsuranceFeeShare(config.insuranceFeeShare));
  }
  const [maker, taker, cap] = await exchange.feeParams();
  const f = config.fees;
  if (maker !== f.makerFeeRate || taker !== f.takerFeeRate || cap !== f.premiumFeeCap) {
    await send("OptionExchange: fees", exchange.setFees(f.makerFeeRate, f.takerFeeRate, f.premiumFeeCap));
  }
  if ((await clearingHouse.exchange()) === ethers.ZeroAddress) {
    await send("ClearingHouse: wire exchange (write-once)", clearingHouse.setExchange(await exchange.getAddress()));
  }

  // ---- hand the roles to their configured holders; the deployer keeps nothing it was not configured to hold
  const RISK_ADMIN = await oracle.RISK_ADMIN_ROLE(); // the same keccak256("RISK_ADMIN_ROLE") in every contract
  const DEFAULT_ADMIN = await oracle.DEFAULT_ADMIN_ROLE();
  const governed = [
    ["ChainlinkOracle", oracle],
    ["VolatilityOracle", volOracle],
    ["SettlementOracle", settlementOracle],
    ["ClearingHouse", clearingHouse],
    ["OptionExchange", exchange],
  ] as const;
  for (const [name, c] of governed) await grant(c, name, RISK_ADMIN, "RISK_ADMIN", roles.riskAdmin);
  const VOL_UPDATER = await volOracle.VOL_UPDATER_ROLE();
  if (roles.volUpdater !== deployer.address && (await volOracle.hasRole(VOL_UPDATER, deployer.address))) {
    await send(
      "VolatilityOracle: deployer renounces VOL_UPDATER",
      volOracle.renounceRole(VOL_UPDATER, deployer.address),
    );
  }
  if (roles.admin !== deployer.address) {
    for (const [name, c] of governed) {
      await grant(c, name, DEFAULT_ADMIN, "DEFAULT_ADMIN", roles.admin);
      for (const [role, roleName] of [
        [RISK_ADMIN, "RISK_ADMIN"],
        [DEFAULT_ADMIN, "DEFAULT_ADMIN"],
      ] as const) {
        const keep = role === RISK_ADMIN && roles.riskAdmin === deployer.address;
        if (!keep && (await c.hasRole(role, deployer.address))) {
          await send(`${name}: deployer renounces ${roleName}`, c.renounceRole(role, deployer.address));
        }
      }
    }
  }

  const system: System = {
    config,
    manifest,
    deployer,
    cash,
    collaterals,
    feeds,
    sequencerFeed,
    sequencerGuard,
    oracle,
    volOracle,
    settlementOracle,
    clearingHouse,
    exchange,
    lens,
  };
  return system;
}

/** WAD → integer answer with `decimals` places (rounded down), as a Chainlink feed reports it. */
export function toFeedUnits(valueWad: bigint, decimals: number): bigint {
  return decimals <= 18 ? valueWad / 10n ** BigInt(18 - decimals) : valueWad * 10n ** BigInt(decimals - 18);
}

export { WAD };
