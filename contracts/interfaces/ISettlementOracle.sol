// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../types/Types.sol";
import {IChainlinkOracle} from "./IChainlinkOracle.sol";

/// @title ISettlementOracle
/// @notice Final settlement prices per (underlying, expiry), recorded by anyone from Chainlink round history.
/// CORE-FACING SIGNATURE (settlementPrice) IS FIXED.
/// Rule: any time after expiry, anyone records the first primary-feed round at or after expiry
/// (`IChainlinkOracle.verifySettlementRound`). If nothing is recorded `fallbackDelay` seconds after expiry,
/// anyone may record the oracle's current price provided the market is Active. If still nothing
/// `manualDelay` seconds after expiry, the risk admin may record a price within the oracle's band and within
/// `MAX_MANUAL_DEVIATION` of the last round at or before expiry of the feed primary at expiry
/// (`IChainlinkOracle.settlementReference`).
/// Every record is final.
interface ISettlementOracle {
    /// @notice How a settlement price was obtained.
    enum SettlementSource {
        None,
        Round,
        Spot,
        Manual
    }

    error Settlement_NotExpired(uint40 expiry, uint256 blockTimestamp);
    error Settlement_AlreadyRecorded(uint16 underlying, uint40 expiry);
    /// @notice The fallback is not open yet: it opens at `opensAt` (seconds).
    error Settlement_FallbackNotOpen(uint40 expiry, uint256 opensAt);
    /// @notice The spot fallback needs an Active market.
    error Settlement_MarketNotActive(uint16 underlying, MarketMode mode);
    /// @notice Manual price outside the oracle's band (WAD).
    error Settlement_ManualPriceOutOfBand(uint256 priceWad, uint256 minPriceWad, uint256 maxPriceWad);
    /// @notice Manual price further than `maxDeviationWad` from the reference round's price (all WAD).
    error Settlement_ManualPriceFarFromReference(
        uint256 priceWad,
        uint256 referencePriceWad,
        uint80 referenceRoundId,
        uint256 maxDeviationWad
    );
    error Settlement_FallbackDelayOutOfBounds(uint256 fallbackDelay);
    error Settlement_ManualDelayOutOfBounds(uint256 manualDelay, uint256 fallbackDelay);
    error Settlement_ZeroAddress();

    /// @notice A price proven from round history was recorded.
    event SettlementPriceRecorded(
        uint16 indexed underlying,
        uint40 indexed expiry,
        uint80 roundId,
        uint256 priceWad,
        uint256 updatedAt,
        address indexed recorder
    );
    /// @notice A fallback price (spot or manual) was recorded.
    event SettlementFallbackUsed(
        uint16 indexed underlying,
        uint40 indexed expiry,
        SettlementSource source,
        uint256 priceWad,
        address indexed recorder
    );
    event FallbackDelaysSet(uint256 fallbackDelay, uint256 manualDelay);

    /// @return priceWad The recorded settlement price (WAD); 0 when not yet recorded.
    /// @return recorded Whether a final price exists.
    function settlementPrice(uint16 underlying, uint40 expiry) external view returns (uint256 priceWad, bool recorded);

    /// @notice Records the price of `roundId`, the first primary round at or after `expiry`. Permissionless.
    function recordSettlementPrice(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId
    ) external returns (uint256 priceWad);

    /// @notice As `recordSettlementPrice`, with the predecessor hint for a round that starts a phase.
    function recordSettlementPriceWithHint(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        uint80 predecessorHint
    ) external returns (uint256 priceWad);

    /// @notice After `expiry + fallbackDelay`, records the oracle's current price if the market is Active.
    /// Permissionless.
    function recordFallbackPrice(uint16 underlying, uint40 expiry) external returns (uint256 priceWad);

    /// @notice After `expiry + manualDelay`, records `priceWad` (WAD), which must lie in the oracle band and within
    /// `MAX_MANUAL_DEVIATION` (10%) of `IChainlinkOracle.settlementReference(underlying, expiry)`. Reverts when
    /// that reference cannot be read. RISK_ADMIN_ROLE.
    function recordManualPrice(uint16 underlying, uint40 expiry, uint256 priceWad) external;

    /// @notice Sets both delays (seconds). RISK_ADMIN_ROLE.
    function setFallbackDelays(uint32 fallbackDelay, uint32 manualDelay) external;

    /// @notice Full record: price (WAD), round id (0 for fallbacks), round `updatedAt` (record time for fallbacks).
    function settlement(
        uint16 underlying,
        uint40 expiry
    ) external view returns (uint256 priceWad, uint80 roundId, uint256 updatedAt, SettlementSource source);

    function oracle() external view returns (IChainlinkOracle);
    function fallbackDelay() external view returns (uint256);
    function manualDelay() external view returns (uint256);
}
