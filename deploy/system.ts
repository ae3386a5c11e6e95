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
import { type BaseContract, type ContractTransactionResponse, ZeroHash, getCreateAddress } from "ethers";

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
import { validateConfig } from "./bounds.js";
import type { FeedConfig, NetworkConfig, TokenConfig } from "./config.js";
import { type Difference, diffConfig, formatDifferences } from "./diff.js";
import { type Manifest, checkManifest, codeHashAt, emptyManifest, genesisHash, jsonSafe } from "./manifest.js";

export type { Manifest } from "./manifest.js";

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
  /** Configuration differences found before the run sent anything (`formatDifference` prints them). */
  differences: Difference[];
}

export interface DeployOptions {
  /**
   * The record of an earlier run on this chain. It is checked first (chain id, genesis hash, every entry's code hash:
   * `checkManifest`) and refused with an error naming the entry if it does not describe this chain. The run updates
   * this object in place.
   */
  manifest?: Manifest;
  log?: (line: string) => void;
  /**
   * The journal hook: called with the manifest after every change to it — before each contract creation (the
   * address it will land at), after each creation, after each configuration transaction. `deploy/deploy.ts` writes
   * `deployments/<chainId>.json` here, so a run stopped at any point resumes where it stopped. An error thrown here
   * stops the run.
   */
  onRecord?: (manifest: Manifest) => void | Promise<void>;
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
  const provider = ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  const log = options.log ?? (() => {});
  if (options.manifest !== undefined) await checkManifest(provider, options.manifest);
  const manifest: Manifest = options.manifest ?? emptyManifest(chainId, await genesisHash(provider));
  const persist = async () => {
    await options.onRecord?.(manifest);
  };

  const send = async (label: string, tx: Promise<ContractTransactionResponse>) => {
    const sent = await tx;
    await sent.wait();
    manifest.journal.push({ step: label, tx: sent.hash });
    await persist();
    log(`  ${label}`);
  };

  async function record(key: string, contract: string, address: string, args: unknown[], tx?: string) {
    const codeHash = await codeHashAt(provider, address);
    if (codeHash === undefined) throw new Error(`${key}: no contract at ${address}`);
    manifest.contracts[key] = address;
    manifest.entries[key] = { contract, address, args: args.map(jsonSafe), codeHash, ...(tx ? { tx } : {}) };
    if (tx !== undefined) manifest.journal.push({ step: `+ ${key} (${contract})`, tx });
  }

  /**
   * Deploys `contractName` under `key` unless the manifest holds it (checked on load: same chain, same code). The
   * address the creation lands at is journaled before it is sent, so a run killed between the creation being mined
   * and being recorded adopts that contract on the next run instead of deploying a second one.
   */
  async function ensure<T extends BaseContract>(key: string, contractName: string, args: unknown[]): Promise<T> {
    const known = manifest.contracts[key];
    const want = JSON.stringify(args.map(jsonSafe));
    if (known !== undefined) {
      const entry = manifest.entries[key]!;
      if (entry.contract !== contractName) {
        throw new Error(
          `manifest entry ${key}: recorded as ${entry.contract}, this deployment expects ${contractName}`,
        );
      }
      if (JSON.stringify(entry.args) !== want) {
        log(`! ${key}: constructor arguments differ from the recorded ones; the deployed contract is kept`);
        log(`!   recorded ${JSON.stringify(entry.args)}`);
        log(`!   config   ${want}`);
      }
      log(`= ${key} at ${known}`);
      return (await ethers.getContractAt(contractName, known)) as unknown as T;
    }
    const pending = manifest.pending;
    if (pending?.key === key && pending.contract === contractName && JSON.stringify(pending.args) === want) {
      if ((await provider.getCode(pending.address)) !== "0x") {
        delete manifest.pending;
        await record(key, contractName, pending.address, args);
        await persist();
        log(`= ${key} at ${pending.address} (created by the interrupted run, recovered from the journal)`);
        return (await ethers.getContractAt(contractName, pending.address)) as unknown as T;
      }
    }
    const nonce = await provider.getTransactionCount(deployer.address, "pending");
    const address = getCreateAddress({ from: deployer.address, nonce });
    manifest.pending = { key, contract: contractName, args: args.map(jsonSafe), address, nonce };
    await persist();
    const contract = await ethers.deployContract(contractName, args, { nonce });
    await contract.waitForDeployment();
    const deployed = await contract.getAddress();
    delete manifest.pending;
    await record(key, contractName, deployed, args, contract.deploymentTransaction()?.hash);
    await persist();
    log(`+ ${key} (${contractName}) at ${deployed}`);
    return contract as unknown as T;
  }

  /** Records an address the config names (a real token or feed): its code hash pins it like a deployed entry. */
  async function external(key: string, address: string) {
    const known = manifest.contracts[key];
    if (known !== undefined && known.toLowerCase() !== address.toLowerCase()) {
      throw new Error(
        `${config.name}: ${key} is ${address} in the config but ${known} in the manifest: a deployed system keeps its ` +
          `tokens and feeds (change a feed through the oracle's two-step setPrimaryFeed)`,
      );
    }
    if (known === undefined) {
      if ((await provider.getCode(address)) === "0x") {
        throw new Error(`${config.name}: ${key} address ${address} has no contract on chain ${chainId}`);
      }
      await record(key, "external", address, []);
      await persist();
    }
  }

  const requireLocal = (what: string) => {
    if (!config.local) throw new Error(`${config.name}: ${what} has no address and mocks are only deployed locally`);
  };

  async function token(key: string, spec: TokenConfig): Promise<MockERC20> {
    if (spec.address !== undefined) {
      await external(key, spec.address);
      return (await ethers.getContractAt("MockERC20", spec.address)) as unknown as MockERC20;
    }
    requireLocal(key);
    return ensure<MockERC20>(key, "MockERC20", [spec.symbol, spec.symbol, spec.decimals]);
  }

  /** `rounds` seeds a mock with that many identical rounds: the oracle's deviation rule needs history to confirm. */
  async function feed(key: string, spec: FeedConfig, rounds = 1): Promise<MockAggregator> {
    if (spec.address !== undefined) {
      await external(key, spec.address);
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

  // Every address and every bound the contracts enforce, checked before the first transaction (deploy/bounds.ts).
  validateConfig(config);
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

  // ---- the differences between the config and the chain, shown before anything is sent
  const differences = await diffConfig(ethers, config, manifest);
  if (differences.length > 0) {
    log(`${differences.length} configuration difference(s) between ${config.name} and chain ${chainId}:`);
    for (const line of formatDifferences(differences)) log(line);
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
    await external("feed.sequencer", sequencerFeedAddress);
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
    } else {
      const p = await oracle.feedParams(m.id);
      if (p.maxDeviationWad !== m.maxDeviation || p.confirmations !== BigInt(m.confirmations)) {
        await riskAdmin(`ChainlinkOracle: ${m.symbol} deviation rule`, oracle, "setDeviationParams", [
          m.id,
          m.maxDeviation,
          m.confirmations,
        ]);
      }
      // Feeds and the band change in two steps (schedule, then apply a day later): a governance operation, not a
      // deployment step (docs/runbook.md).
      if (
        p.minPriceWad !== m.minPrice ||
        p.maxPriceWad !== m.maxPrice ||
        p.heartbeat !== BigInt(m.feed.heartbeat) ||
        (m.feed.address !== undefined && p.feed.toLowerCase() !== m.feed.address.toLowerCase())
      ) {
        log(`! ChainlinkOracle: ${m.symbol} feed or band differs: schedule setPrimaryFeed/setPriceBand (two-step)`);
      }
    }
    const [, lastUpdate] = await volOracle.rawVol(m.id, 0);
    const volListed = await volOracle.volParams(m.id).then(
      () => true,
      () => false,
    );
    const volParams = { maxAgeSec: m.vol.maxAge, staleVolWad: m.vol.staleVol, maxMoveWad: m.vol.maxMove };
    if (!volListed) {
      await riskAdmin(`VolatilityOracle: list ${m.symbol}`, volOracle, "listUnderlying", [m.id, volParams]);
    } else {
      const v = await volOracle.volParams(m.id);
      if (v.maxAgeSec !== BigInt(m.vol.maxAge) || v.staleVolWad !== m.vol.staleVol || v.maxMoveWad !== m.vol.maxMove) {
        await riskAdmin(`VolatilityOracle: ${m.symbol} parameters`, volOracle, "setVolParams", [m.id, volParams]);
      }
    }
    if (lastUpdate === 0n) {
      if (await volOracle.hasRole(await volOracle.VOL_UPDATER_ROLE(), deployer.address)) {
        await send(`VolatilityOracle: ${m.symbol} vol`, volOracle.setVol(m.id, m.vol.initial));
      } else {
        log(`! VolatilityOracle: ${m.symbol} has no vol yet: the vol updater pushes it (VOL_UPDATER_ROLE)`);
      }
    }
    const underlying = { ...m.margin, ...m.grid };
    if (!(await riskConfig.isUnderlyingListed(m.id))) {
      await riskAdmin(`RiskConfig: list ${m.symbol} grid and margin`, riskConfig, "setUnderlyingParams", [
        m.id,
        underlying,
      ]);
    } else {
      const u = await riskConfig.underlyingParams(m.id);
      const same = (Object.keys(underlying) as (keyof typeof underlying)[]).every(
        (k) => BigInt(u[k]) === BigInt(underlying[k]),
      );
      if (!same) {
        await riskAdmin(`RiskConfig: ${m.symbol} grid and margin`, riskConfig, "setUnderlyingParams", [
          m.id,
          underlying,
        ]);
      }
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
    const on = await riskConfig.collateralConfig(address);
    if (!on.listed) {
      await riskAdmin(`RiskConfig: list collateral ${c.token.symbol}`, riskConfig, "listCollateral", [
        address,
        c.priceMarket,
        c.haircut,
        c.mmHaircut,
        c.depositCap,
      ]);
    } else {
      if (on.haircut !== c.haircut || on.mmHaircut !== c.mmHaircut || on.depositCapWad !== c.depositCap) {
        await riskAdmin(
          `RiskConfig: collateral ${c.token.symbol} haircuts and cap`,
          riskConfig,
          "setCollateralParams",
          [address, c.haircut, c.mmHaircut, c.depositCap],
        );
      }
      if (on.priceUnderlying !== BigInt(c.priceMarket)) {
        log(`! RiskConfig: collateral ${c.token.symbol} is priced by market ${on.priceUnderlying}, fixed at listing`);
      }
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
    differences,
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
