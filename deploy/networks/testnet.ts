import type { NetworkConfig } from "../config.js";
import { localConfig } from "./local.js";

/** Sepolia. */
export const TESTNET_CHAIN_ID = 11_155_111;

/**
 * Placeholders to replace with the real addresses before the first deployment (public addresses, not secrets):
 * the deployment refuses any field that is not an address and names it. Feed addresses: data.chain.link (Sepolia);
 * tokens: the issuer's test deployments. Nothing is mocked on this network.
 */
const FILL_IN = {
  USDC: "<USDC token on Sepolia>",
  WETH: "<WETH token on Sepolia>",
  WBTC: "<WBTC (8 decimals) token on Sepolia>",
  ETH_USD: "<Chainlink ETH/USD aggregator proxy on Sepolia>",
  BTC_USD: "<Chainlink BTC/USD aggregator proxy on Sepolia>",
  OWNER_MULTISIG: "<owner Safe: timelock proposer and executor>",
  GUARDIAN: "<guardian key or Safe: may pause a market>",
  VOL_UPDATER: "<vol updater key>",
} as const;

/** The local parameters with real addresses, an L1 (no sequencer feed) and a two-day timelock. */
export const testnetConfig: NetworkConfig = {
  ...localConfig,
  name: "sepolia",
  local: false,
  cash: { symbol: "USDC", decimals: 6, address: FILL_IN.USDC },
  sequencer: { feed: null, gracePeriod: 3600 },
  markets: localConfig.markets.map((m) => ({
    ...m,
    feed: {
      address: m.symbol === "ETH" ? FILL_IN.ETH_USD : FILL_IN.BTC_USD,
      decimals: 8,
      heartbeat: m.feed.heartbeat,
    },
  })),
  collaterals: localConfig.collaterals.map((c) => ({
    ...c,
    token: { ...c.token, address: c.token.symbol === "WBTC" ? FILL_IN.WBTC : FILL_IN.WETH },
  })),
  governance: { timelockDelay: 2 * 86_400, proposers: [FILL_IN.OWNER_MULTISIG] },
  roles: { guardian: FILL_IN.GUARDIAN, volUpdater: FILL_IN.VOL_UPDATER },
};
