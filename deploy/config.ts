/**
 * Typed deployment configuration. One `NetworkConfig` per network, in TypeScript (not strings of numbers): amounts
 * are WAD bigints built with `wad()`/`bps()`, durations are seconds. Where an address is absent on a local network
 * the deployment creates a mock (MockERC20 / MockAggregator); on any other network a missing address is an error.
 */

/** A token: an existing address, or (local networks only) a mock deployed with these decimals. */
export interface TokenConfig {
  symbol: string;
  decimals: number;
  address?: string;
}

/** A Chainlink feed: an existing aggregator (proxy) address, or a local MockAggregator seeded with `initialAnswer`. */
export interface FeedConfig {
  address?: string;
  decimals: number;
  /** Local mocks only: first answer, WAD (converted to the feed's decimals). */
  initialAnswer?: bigint;
  /** Maximum age of an answer, seconds. */
  heartbeat: number;
}

export interface MarketConfig {
  /** uint16 market id, shared by oracles, series ids and the risk config. */
  id: number;
  symbol: string;
  feed: FeedConfig;
  fallbackFeed?: FeedConfig;
  /** Protocol-chosen price band, WAD. */
  minPrice: bigint;
  maxPrice: bigint;
  /** Largest accepted move between consecutive rounds without confirmation, WAD fraction. */
  maxDeviation: bigint;
  /** Rounds that confirm a large move (see docs/oracles.md). */
  confirmations: number;
  vol: {
    /** Initial implied vol pushed at deployment, WAD (1e18 = 100%). */
    initial: bigint;
    maxAge: number;
    /** Conservative vol used while the source is stale, WAD. */
    staleVol: bigint;
    /** Largest accepted move per update, WAD fraction (0 = unlimited within bounds). */
    maxMove: bigint;
  };
  margin: { imBase: bigint; imFloor: bigint; mmBase: bigint; mmFloor: bigint; rate: bigint };
  /** Stress and degraded-market parameters (`IRiskConfig.RiskParams`, docs/margin.md); WAD. */
  risk: {
    imVegaSlope: bigint;
    imVegaCap: bigint;
    mmVegaSlope: bigint;
    mmVegaCap: bigint;
    mmLongHaircut: bigint;
    haltShock: bigint;
    /** Smallest trade that may open a position, WAD contracts. */
    minTradeSize: bigint;
  };
  grid: {
    expiryPeriod: number;
    expiryOffset: number;
    maxHorizon: number;
    strikeStep: bigint;
    minStrike: bigint;
    maxStrike: bigint;
  };
  /** Open-interest cap per series on the exchange, WAD contracts. */
  openInterestCap: bigint;
}

export interface CollateralConfig {
  token: TokenConfig;
  /** Market whose price values the asset. */
  priceMarket: number;
  /** Fraction of the oracle value not counted for initial margin, WAD. */
  haircut: bigint;
  /** Fraction not counted for maintenance margin, WAD; below `haircut`. */
  mmHaircut: bigint;
  depositCap: bigint;
}

export interface NetworkConfig {
  name: string;
  /** Local networks deploy mocks for absent addresses and may mint test funds. */
  local: boolean;
  cash: TokenConfig & { depositCap?: bigint };
  /** L2 sequencer uptime feed; `null` on L1 (always up). `"mock"` deploys a MockAggregator (local only). */
  sequencer: { feed: string | "mock" | null; gracePeriod: number };
  markets: MarketConfig[];
  collaterals: CollateralConfig[];
  positionCap: number;
  /** Maximum distinct (underlying, expiry) groups per account. */
  groupCap: number;
  insuranceFeeShare: bigint;
  /** Cash (WAD) the insurance fund keeps: the timelock's withdrawals from it stop there. */
  insuranceFloor: bigint;
  /** Dutch auction parameters of the liquidation module (docs/liquidation.md; bounds in docs/parameters.md). */
  liquidation: {
    fastDuration: number;
    slowDuration: number;
    insolventDuration: number;
    fastDiscount: bigint;
    buffer: bigint;
    insolventCap: bigint;
    fundFeeShare: bigint;
    deepRatio: bigint;
    dustSize: bigint;
  };
  fees: { makerFeeRate: bigint; takerFeeRate: bigint; premiumFeeCap: bigint };
  settlement: { fallbackDelay: number; manualDelay: number };
  /**
   * The OpenZeppelin `TimelockController` that ends up holding `DEFAULT_ADMIN_ROLE` and `RISK_ADMIN_ROLE` of every
   * contract (docs/trust-model.md). The deployer configures the system directly, then hands both roles to the timelock
   * and renounces its own; every later change is a timelock operation (sdk/governance.ts).
   */
  governance: {
    /** Minimum delay between scheduling and executing an operation, seconds. Non-local networks: at least 1 day. */
    timelockDelay: number;
    /** PROPOSER_ROLE (and CANCELLER_ROLE) holders, e.g. the owner multisig. Local default: the deployer. */
    proposers?: string[];
    /** EXECUTOR_ROLE holders; `[ZeroAddress]` lets anyone execute a ready operation. Default: the proposers. */
    executors?: string[];
  };
  /**
   * Holders of the operational roles. `guardian` (GUARDIAN_ROLE on ChainlinkOracle: pause a market) must be an
   * address other than the deployer and the timelock; `volUpdater` (VOL_UPDATER_ROLE) and `feeCollector` (owner of
   * the fee and insurance accounts) default to the deployer.
   */
  roles: { guardian: string; volUpdater?: string; feeCollector?: string };
}
