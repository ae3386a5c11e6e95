/**
 * Deploys the whole Bulwark system from a typed `NetworkConfig`. Used by `deploy/deploy.ts` (any JSON-RPC network),
 * the demo, the gas benchmark and the integration tests, so every one of them exercises the production deployment.
 *
 * Idempotent: a contract recorded in the manifest whose address has code is reused, and every configuration step
 * reads on-chain state first and only sends what is missing. Local networks get mocks for absent addresses.
 *
 * Governance (docs/trust-model.md): the deployer lists markets and sets parameters directly while it still holds the
 * admin roles, then deploys an OpenZeppelin `TimelockController`, hands it `DEFAULT_ADMIN_ROLE` and `RISK_ADMIN_ROLE`
 * of every contract and renounces its own. A later run that finds a difference between the config and the chain no
 * longer sends it directly: it collects the changes into one timelock batch, schedules it (when the deployer is a
 * proposer), and executes it on a run after the delay has passed (`fastForward` does all of it at once, locally).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type BaseContract, type ContractTransactionResponse, ZeroHash } from "ethers";

import { Governance, OperationState, type TimelockCall } from "../sdk/governance.js";

import type {
  ChainlinkOracle,
  ClearingHouse,
  LiquidationModule,
  RiskConfig,
  MockAggregator,
  MockERC20,
  OptionExchange,
  Lens,
  SequencerGuard,
  SettlementOracle,
  TimelockController,
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
  riskConfig: RiskConfig;
  clearingHouse: ClearingHouse;
  liquidation: LiquidationModule;
  exchange: OptionExchange;
  lens: Lens;
  /** Holds DEFAULT_ADMIN_ROLE and RISK_ADMIN_ROLE of every contract above. */
  timelock: TimelockController;
  /** Timelock operations signed by the deployer (locally its proposer and executor): `governance.execute(...)`. */
  governance: Governance;
  /** Addresses of the operational roles as deployed. */
  roles: { guardian: string; volUpdater: string; feeCollector: string };
}

export interface DeployOptions {
  manifest?: Manifest;
  log?: (line: string) => void;
  /**
   * Local networks only: when a re-run finds configuration changes after the hand-over, schedule them on the
   * timelock, advance the clock past the delay and execute them in the same run. Without it the run schedules the
   * batch and a later run executes it once the delay has passed.
   */
  fastForward?: boolean;
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
    guardian: config.roles.guardian,
    volUpdater: config.roles.volUpdater ?? deployer.address,
    feeCollector: config.roles.feeCollector ?? deployer.address,
  };
  if (!ethers.isAddress(roles.guardian) || roles.guardian.toLowerCase() === deployer.address.toLowerCase()) {
    throw new Error(`${config.name}: roles.guardian must be an address other than the deployer`);
  }
  const proposers = config.governance.proposers ?? (config.local ? [deployer.address] : undefined);
  if (proposers === undefined || proposers.length === 0) {
    throw new Error(`${config.name}: governance.proposers is required on a non-local network (the owner multisig)`);
  }
  const executors = config.governance.executors ?? proposers;
  if (!config.local && config.governance.timelockDelay < 86_400) {
    throw new Error(`${config.name}: governance.timelockDelay must be at least one day outside local networks`);
  }

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
  const riskConfig = await ensure<RiskConfig>("RiskConfig", "RiskConfig", [
    deployer.address,
    await oracle.getAddress(),
    await cash.getAddress(),
  ]);
  const clearingHouse = await ensure<ClearingHouse>("ClearingHouse", "ClearingHouse", [
    deployer.address,
    await cash.getAddress(),
    await oracle.getAddress(),
    await volOracle.getAddress(),
    await settlementOracle.getAddress(),
    await riskConfig.getAddress(),
    roles.feeCollector,
    roles.feeCollector,
  ]);
  const exchange = await ensure<OptionExchange>("OptionExchange", "OptionExchange", [
    await clearingHouse.getAddress(),
    deployer.address,
    deployer.address,
  ]);
  const lens = await ensure<Lens>("Lens", "Lens", [await clearingHouse.getAddress()]);
  const liquidation = await ensure<LiquidationModule>("LiquidationModule", "LiquidationModule", [
    await clearingHouse.getAddress(),
    deployer.address,
    config.liquidation,
  ]);

  // ---- admin actions: sent directly while the deployer holds the role, queued for the timelock after the hand-over
  const RISK_ADMIN = await oracle.RISK_ADMIN_ROLE(); // the same keccak256("RISK_ADMIN_ROLE") in every contract
  const DEFAULT_ADMIN = await oracle.DEFAULT_ADMIN_ROLE();
  type Governed = BaseContract & {
    hasRole(r: string, a: string): Promise<boolean>;
    grantRole(r: string, a: string): Promise<ContractTransactionResponse>;
    renounceRole(r: string, a: string): Promise<ContractTransactionResponse>;
  };
  const queued: (TimelockCall & { label: string })[] = [];
  /** Runs `contract.method(...args)` as the deployer if it holds `role`, else queues it for the timelock. */
  async function admin(label: string, contract: Governed, role: string, method: string, args: unknown[]) {
    if (await contract.hasRole(role, deployer.address)) {
      await send(label, contract.getFunction(method)(...args) as Promise<ContractTransactionResponse>);
    } else {
      const data = contract.interface.encodeFunctionData(method, args);
      queued.push({ target: await contract.getAddress(), data, label });
    }
  }
  const riskAdmin = (label: string, contract: Governed, method: string, args: unknown[]) =>
    admin(label, contract, RISK_ADMIN, method, args);
  /** Grants `role` unless held; the deployer is never granted a role once it has handed the admin role over. */
  async function grant(c: Governed, name: string, role: string, roleName: string, who: string) {
    if (await c.hasRole(role, who)) return;
    const handedOver = !(await c.hasRole(DEFAULT_ADMIN, deployer.address));
    if (handedOver && who.toLowerCase() === deployer.address.toLowerCase()) return;
    await admin(`${name}: grant ${roleName} to ${who}`, c, DEFAULT_ADMIN, "grantRole", [role, who]);
  }

  // ---- roles the deployer needs while configuring (granted first, handed over at the end)
  await grant(oracle, "ChainlinkOracle", RISK_ADMIN, "RISK_ADMIN", deployer.address);
  await grant(oracle, "ChainlinkOracle", await oracle.GUARDIAN_ROLE(), "GUARDIAN", roles.guardian);
  await grant(volOracle, "VolatilityOracle", RISK_ADMIN, "RISK_ADMIN", deployer.address);
  await grant(volOracle, "VolatilityOracle", await volOracle.VOL_UPDATER_ROLE(), "VOL_UPDATER", deployer.address);
  await grant(volOracle, "VolatilityOracle", await volOracle.VOL_UPDATER_ROLE(), "VOL_UPDATER", roles.volUpdater);
  await grant(settlementOracle, "SettlementOracle", RISK_ADMIN, "RISK_ADMIN", deployer.address);

  // ---- markets
  for (const m of config.markets) {
    const primary = feeds[m.symbol]!;
    const fallback = feeds[`${m.symbol}.fallback`];
    if (!(await oracle.isListed(m.id))) {
      await riskAdmin(`ChainlinkOracle: list ${m.symbol} (#${m.id})`, oracle, "listUnderlying", [
        m.id,
        {
          feed: await primary.getAddress(),
          heartbeat: m.feed.heartbeat,
          fallbackFeed: fallback ? await fallback.getAddress() : ethers.ZeroAddress,
          fallbackHeartbeat: m.fallbackFeed?.heartbeat ?? 0,
          minPriceWad: m.minPrice,
          maxPriceWad: m.maxPrice,
          maxDeviationWad: m.maxDeviation,
          confirmations: m.confirmations,
        },
      ]);
    }
    const [, lastUpdate] = await volOracle.rawVol(m.id, 0);
    const volListed = await volOracle.volParams(m.id).then(
      () => true,
      () => false,
    );
    if (!volListed) {
      await riskAdmin(`VolatilityOracle: list ${m.symbol}`, volOracle, "listUnderlying", [
        m.id,
        { maxAgeSec: m.vol.maxAge, staleVolWad: m.vol.staleVol, maxMoveWad: m.vol.maxMove },
      ]);
    }
    if (lastUpdate === 0n) {
      if (await volOracle.hasRole(await volOracle.VOL_UPDATER_ROLE(), deployer.address)) {
        await send(`VolatilityOracle: ${m.symbol} vol`, volOracle.setVol(m.id, m.vol.initial));
      } else {
        log(`! VolatilityOracle: ${m.symbol} has no vol yet: the vol updater pushes it (VOL_UPDATER_ROLE)`);
      }
    }
    if (!(await riskConfig.isUnderlyingListed(m.id))) {
      await riskAdmin(`RiskConfig: list ${m.symbol} grid and margin`, riskConfig, "setUnderlyingParams", [
        m.id,
        { ...m.margin, ...m.grid },
      ]);
    }
    const r = await riskConfig.riskParams(m.id);
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
      await riskAdmin(`RiskConfig: ${m.symbol} stress parameters`, riskConfig, "setRiskParams", [m.id, want]);
    }
    if ((await exchange.underlyingOpenInterestCap(m.id)) !== m.openInterestCap) {
      await riskAdmin(`OptionExchange: ${m.symbol} OI cap`, exchange, "setUnderlyingOpenInterestCap", [
        m.id,
        m.openInterestCap,
      ]);
    }
  }

  // ---- collateral, caps, fees, wiring
  for (const c of config.collaterals) {
    const address = await collaterals[c.token.symbol]!.getAddress();
    if (!(await riskConfig.collateralConfig(address)).listed) {
      await riskAdmin(`RiskConfig: list collateral ${c.token.symbol}`, riskConfig, "listCollateral", [
        address,
        c.priceMarket,
        c.haircut,
        c.mmHaircut,
        c.depositCap,
      ]);
    }
  }
  if ((await riskConfig.positionCap()) !== BigInt(config.positionCap)) {
    await riskAdmin(`RiskConfig: position cap ${config.positionCap}`, riskConfig, "setPositionCap", [
      config.positionCap,
    ]);
  }
  if ((await riskConfig.groupCap()) !== BigInt(config.groupCap)) {
    await riskAdmin(`RiskConfig: group cap ${config.groupCap}`, riskConfig, "setGroupCap", [config.groupCap]);
  }
  if ((await riskConfig.insuranceFloor()) !== config.insuranceFloor) {
    await riskAdmin("RiskConfig: insurance floor", riskConfig, "setInsuranceFloor", [config.insuranceFloor]);
  }
  {
    const p = await liquidation.auctionParams();
    const want = config.liquidation;
    const same = (Object.keys(want) as (keyof typeof want)[]).every((k) => BigInt(p[k]) === BigInt(want[k]));
    if (!same) await riskAdmin("LiquidationModule: auction parameters", liquidation, "setAuctionParams", [want]);
  }
  if ((await riskConfig.insuranceFeeShare()) !== config.insuranceFeeShare) {
    await riskAdmin("RiskConfig: insurance fee share", riskConfig, "setInsuranceFeeShare", [config.insuranceFeeShare]);
  }
  const [maker, taker, cap] = await exchange.feeParams();
  const f = config.fees;
  if (maker !== f.makerFeeRate || taker !== f.takerFeeRate || cap !== f.premiumFeeCap) {
    await riskAdmin("OptionExchange: fees", exchange, "setFees", [f.makerFeeRate, f.takerFeeRate, f.premiumFeeCap]);
  }
  if ((await clearingHouse.liquidationModule()) === ethers.ZeroAddress) {
    await admin(
      "ClearingHouse: wire liquidation module (write-once)",
      clearingHouse,
      DEFAULT_ADMIN,
      "setLiquidationModule",
      [await liquidation.getAddress()],
    );
  }
  if ((await clearingHouse.exchange()) === ethers.ZeroAddress) {
    await admin("ClearingHouse: wire exchange (write-once)", clearingHouse, DEFAULT_ADMIN, "setExchange", [
      await exchange.getAddress(),
    ]);
  }

  // ---- hand-over: the timelock takes DEFAULT_ADMIN and RISK_ADMIN of every contract, the deployer renounces its own.
  // Deployed last so every other address (and the gas benchmark's calldata) does not depend on it.
  const timelock = await ensure<TimelockController>("TimelockController", "TimelockController", [
    config.governance.timelockDelay,
    proposers,
    executors,
    ethers.ZeroAddress, // no timelock admin: the timelock administers itself
  ]);
  const timelockAddress = await timelock.getAddress();
  const governed: [string, Governed][] = [
    ["ChainlinkOracle", oracle],
    ["VolatilityOracle", volOracle],
    ["SettlementOracle", settlementOracle],
    ["RiskConfig", riskConfig],
    ["ClearingHouse", clearingHouse],
    ["LiquidationModule", liquidation],
    ["OptionExchange", exchange],
  ];
  // The clearing house has no risk-admin role (its parameters live in RiskConfig): only DEFAULT_ADMIN moves there.
  const hasRiskAdmin = (name: string) => name !== "ClearingHouse";
  for (const [name, c] of governed) {
    if (hasRiskAdmin(name)) await grant(c, name, RISK_ADMIN, "RISK_ADMIN", timelockAddress);
    await grant(c, name, DEFAULT_ADMIN, "DEFAULT_ADMIN", timelockAddress);
  }
  const VOL_UPDATER = await volOracle.VOL_UPDATER_ROLE();
  if (roles.volUpdater !== deployer.address && (await volOracle.hasRole(VOL_UPDATER, deployer.address))) {
    await send(
      "VolatilityOracle: deployer renounces VOL_UPDATER",
      volOracle.renounceRole(VOL_UPDATER, deployer.address),
    );
  }
  for (const [name, c] of governed) {
    // Renounce only once the timelock holds the role, so a failed run never leaves a contract without an admin.
    for (const [role, roleName] of [
      [RISK_ADMIN, "RISK_ADMIN"],
      [DEFAULT_ADMIN, "DEFAULT_ADMIN"],
    ] as const) {
      if (role === RISK_ADMIN && !hasRiskAdmin(name)) continue;
      if ((await c.hasRole(role, deployer.address)) && (await c.hasRole(role, timelockAddress))) {
        await send(`${name}: deployer renounces ${roleName}`, c.renounceRole(role, deployer.address));
      }
    }
  }

  // ---- changes found after the hand-over: one timelock batch
  const governance = new Governance(timelockAddress, deployer);
  if (queued.length > 0) {
    for (const q of queued) log(`~ ${q.label} (timelock)`);
    if (options.fastForward) {
      if (!config.local)
        throw new Error(`${config.name}: fastForward advances the clock and is for local networks only`);
      await governance.executeBatch(queued);
      log(`  timelock: executed ${queued.length} call(s) after advancing the clock`);
    } else {
      await governTimelockBatch(governance, queued, deployer.address, log);
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
    riskConfig,
    clearingHouse,
    liquidation,
    exchange,
    lens,
    timelock,
    governance,
    roles,
  };
  return system;
}

/**
 * Moves a batch of post-hand-over changes one step: schedule it (if the deployer may propose), report the wait, or
 * execute it once ready (if the deployer may execute). Re-running the deployment after the delay finishes the job.
 */
async function governTimelockBatch(
  governance: Governance,
  calls: TimelockCall[],
  deployer: string,
  log: (line: string) => void,
) {
  const timelock = governance.timelock;
  // A batch identical to one already executed (a change made, undone and made again) needs a fresh salt.
  let salt: string = ZeroHash;
  for (let i = 1; (await governance.state(await governance.operationId(calls, salt))) === OperationState.Done; i++) {
    salt = "0x" + i.toString(16).padStart(64, "0");
  }
  const id = await governance.operationId(calls, salt);
  const state = await governance.state(id);
  if (state === OperationState.Unset) {
    if (!(await timelock.getFunction("hasRole")(await timelock.getFunction("PROPOSER_ROLE")(), deployer))) {
      log(`! timelock: the deployer is not a proposer; propose this batch from the owner multisig (salt ${salt})`);
      return;
    }
    const { readyAt } = await governance.propose(calls, salt);
    log(`  timelock: scheduled operation ${id}, executable from ${readyAt} (unix): re-run the deployment then`);
  } else if (state === OperationState.Waiting) {
    log(`  timelock: operation ${id} is scheduled and not ready yet: re-run after its delay`);
  } else {
    const executor = await timelock.getFunction("EXECUTOR_ROLE")();
    const open = await timelock.getFunction("hasRole")(executor, "0x0000000000000000000000000000000000000000");
    if (!open && !(await timelock.getFunction("hasRole")(executor, deployer))) {
      log(`! timelock: operation ${id} is ready; an executor must execute it`);
      return;
    }
    await governance.executeReady(calls, salt);
    log(`  timelock: executed operation ${id}`);
  }
}

/** WAD → integer answer with `decimals` places (rounded down), as a Chainlink feed reports it. */
export function toFeedUnits(valueWad: bigint, decimals: number): bigint {
  return decimals <= 18 ? valueWad / 10n ** BigInt(18 - decimals) : valueWad * 10n ** BigInt(decimals - 18);
}

export { WAD };
