// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../types/Types.sol";
import {ISequencerGuard} from "./ISequencerGuard.sol";

/// @notice Listing parameters of one underlying (see docs/oracles.md for the bounds and why).
/// @param feed Primary Chainlink proxy (any decimals 0..36). Round ids are proxy ids `(phaseId << 64) | aggRoundId`.
/// @param heartbeat Seconds after `updatedAt` at which the primary answer is stale (1 minute .. 2 days).
/// @param fallbackFeed Optional second feed for the same pair, used when the primary is faulty; address(0) = none.
/// @param fallbackHeartbeat Seconds, bounded like `heartbeat`; must be 0 when `fallbackFeed` is address(0).
/// @param minPriceWad Lowest believable price, quote per unit of underlying, 18 decimals (> 0).
/// @param maxPriceWad Highest believable price, 18 decimals (> minPriceWad, < 2^128).
/// @param maxDeviationWad Largest accepted move between consecutive rounds relative to the older one
/// (1e18 = 100%; 1% .. 50%).
/// @param confirmations Number N of consecutive moves (latest back to N rounds ago) that must all stay within
/// `maxDeviationWad` for the latest answer to be accepted without the fallback feed confirming it (1 .. 10).
struct FeedParams {
    AggregatorV3Interface feed;
    uint32 heartbeat;
    AggregatorV3Interface fallbackFeed;
    uint32 fallbackHeartbeat;
    uint256 minPriceWad;
    uint256 maxPriceWad;
    uint256 maxDeviationWad;
    uint8 confirmations;
}

/// @title IChainlinkOracle
/// @notice Spot prices in WAD per underlying (a uint16 market id), with circuit breakers, and the market mode that
/// every other module obeys. A fault in one underlying never changes another underlying's mode (INV-10).
/// CORE-FACING SIGNATURES (spot, marketState, verifySettlementRound) ARE FIXED: other modules call them.
/// Warning: `spot` reports price validity only (feed + sequencer). The guardian override is applied by
/// `marketState`; consumers that change state must gate on `marketState`, not on `spot` succeeding.
interface IChainlinkOracle {
    // ---------------------------------------------------------------- errors: price reads

    /// @notice The underlying has never been listed.
    error Oracle_UnknownUnderlying(uint16 underlying);
    /// @notice The answer is older than the feed's heartbeat (both in seconds).
    error Oracle_Stale(uint256 age, uint256 heartbeat);
    /// @notice The answer is zero or negative (raw feed units).
    error Oracle_NonPositive(int256 answer);
    /// @notice The round has no data (`updatedAt == 0`) or carries an answer from an earlier round
    /// (`answeredInRound < roundId`).
    error Oracle_IncompleteRound(uint80 roundId);
    /// @notice The round claims to be updated after the current block timestamp (seconds).
    error Oracle_FutureRound(uint256 updatedAt, uint256 blockTimestamp);
    /// @notice The normalized price is outside the protocol band (all WAD).
    error Oracle_OutOfBand(uint256 priceWad, uint256 minPriceWad, uint256 maxPriceWad);
    /// @notice A move larger than `maxDeviationWad` landed in round `roundId` within the confirmation window and the
    /// fallback feed does not confirm the latest price. `fromPriceWad == 0` means the older round of the move is
    /// unreadable (missing, incomplete, or a phase start), which is treated as an unbounded move.
    error Oracle_DeviationUnconfirmed(
        uint80 roundId,
        uint256 fromPriceWad,
        uint256 toPriceWad,
        uint256 maxDeviationWad
    );
    /// @notice The feed call reverted or returned malformed data, and no fallback feed is usable.
    error Oracle_FeedReverted(address feed);
    /// @notice The L2 sequencer uptime feed reports the sequencer down (or cannot be read).
    error Oracle_SequencerDown();
    /// @notice The sequencer is up again but the grace period has not elapsed; prices usable at `graceEndsAt`.
    error Oracle_SequencerGrace(uint256 graceEndsAt);

    // ---------------------------------------------------------------- errors: settlement proof

    /// @notice `getRoundData(roundId)` reverted, returned malformed data, or `updatedAt == 0`.
    error Oracle_RoundNotFound(uint80 roundId);
    /// @notice The round was updated before expiry, so it cannot be the settlement round (seconds).
    error Oracle_SettlementRoundBeforeExpiry(uint80 roundId, uint256 updatedAt, uint40 expiry);
    /// @notice The first round after expiry came more than one heartbeat after expiry: the feed was stale at expiry.
    error Oracle_SettlementRoundTooLate(uint80 roundId, uint256 updatedAt, uint40 expiry, uint256 heartbeat);
    /// @notice The round before `roundId` (in proxy order) was already at or after expiry: `roundId` is not the first.
    error Oracle_SettlementNotFirstRound(uint80 predecessorRoundId, uint256 predecessorUpdatedAt, uint40 expiry);
    /// @notice No earlier round exists (first round of the first phase with data), or the predecessor is unreadable.
    error Oracle_SettlementNoPredecessor(uint80 roundId);
    /// @notice The predecessor hint is not the last round of the latest earlier phase that has rounds.
    error Oracle_InvalidPredecessorHint(uint80 roundId, uint80 hint);

    // ---------------------------------------------------------------- errors: admin

    /// @notice Constructor argument is address(0) or (for the guard) has no code.
    error Oracle_InvalidConstructorArg(address arg);
    error Oracle_AlreadyListed(uint16 underlying);
    /// @notice Feed is address(0), has no code, its `decimals()` call fails, or it equals the other feed.
    error Oracle_InvalidFeed(address feed);
    error Oracle_FeedDecimalsTooLarge(address feed, uint8 decimals);
    error Oracle_HeartbeatOutOfBounds(uint256 heartbeat);
    error Oracle_InvalidPriceBand(uint256 minPriceWad, uint256 maxPriceWad);
    error Oracle_MaxDeviationOutOfBounds(uint256 maxDeviationWad);
    error Oracle_ConfirmationsOutOfBounds(uint256 confirmations);
    /// @notice The guardian may only make an override more restrictive; clearing is for the risk admin.
    error Oracle_OverrideNotMoreRestrictive(MarketMode current, MarketMode requested);

    // ---------------------------------------------------------------- events

    event UnderlyingListed(uint16 indexed underlying, FeedParams params);
    event PrimaryFeedSet(uint16 indexed underlying, address indexed feed, uint256 heartbeat, uint8 decimals);
    event FallbackFeedSet(uint16 indexed underlying, address indexed feed, uint256 heartbeat, uint8 decimals);
    event PriceBandSet(uint16 indexed underlying, uint256 minPriceWad, uint256 maxPriceWad);
    event DeviationParamsSet(uint16 indexed underlying, uint256 maxDeviationWad, uint8 confirmations);
    event ModeOverrideSet(uint16 indexed underlying, MarketMode previous, MarketMode mode, address indexed actor);

    // ---------------------------------------------------------------- core-facing (fixed)

    /// @notice Spot price of `underlying` in quote per unit of underlying, 18 decimals.
    /// @dev Reverts with a custom error carrying the offending values on any fault (stale, non-positive,
    /// incomplete round, out of band, unconfirmed deviation, feed revert with no usable fallback, sequencer down
    /// or in grace period). Falls back to the fallback feed when the primary is faulty (except for an unconfirmed
    /// deviation, where the fallback only confirms). Succeeds exactly when the feed/sequencer part of
    /// `marketState` is Active, and then returns the same price. Decimals above 18 are truncated (round down).
    function spot(uint16 underlying) external view returns (uint256 priceWad);

    /// @notice Mode of the market and the price to use in that mode. Never reverts for a listed underlying.
    /// @return mode The most restrictive of: feed state, sequencer state, guardian override.
    /// @return priceWad Price to value positions with (WAD); 0 when `mode == Halted` (no trustworthy price).
    function marketState(uint16 underlying) external view returns (MarketMode mode, uint256 priceWad);

    /// @notice The last price the primary feed reported, whatever its state (stale, out of band, unconfirmed), clamped
    /// into the protocol's price band: the reference the margin engine shocks to value a market that has no
    /// trustworthy price (docs/margin.md, degraded markets). Never reverts for a listed underlying.
    /// @return priceWad WAD; 0 when the feed cannot be read or its answer is not positive.
    /// @return maxPriceWad The band's upper edge (the bound on any price the engine may assume).
    function lastPrice(uint16 underlying) external view returns (uint256 priceWad, uint256 maxPriceWad);

    /// @notice Proves a settlement price from Chainlink round history: `roundId` (a proxy round id, phase in the
    /// high 16 bits) must be the first round of the underlying's primary feed with `updatedAt >= expiry`, i.e. its
    /// predecessor (possibly in the previous phase) was updated before `expiry`. Reverts otherwise.
    /// @dev Also requires the round complete, positive, in band, and `updatedAt - expiry <= heartbeat`. For the
    /// first round of a phase the predecessor is searched in earlier phases (O(log rounds) reads); use
    /// `verifySettlementRoundWithHint` to supply it instead.
    /// @return priceWad The round's answer normalized to 18 decimals, checked against the price band.
    /// @return updatedAt The round's `updatedAt` timestamp.
    function verifySettlementRound(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId
    ) external view returns (uint256 priceWad, uint256 updatedAt);

    // ---------------------------------------------------------------- extra views

    /// @notice Same as `verifySettlementRound` with the predecessor supplied. Only consulted when `roundId` is the
    /// first round of its phase: `predecessorHint` must then be the last round of the most recent earlier phase that
    /// has rounds (checked: it exists, `hint + 1` does not, and every phase in between has no round 1).
    function verifySettlementRoundWithHint(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        uint80 predecessorHint
    ) external view returns (uint256 priceWad, uint256 updatedAt);

    /// @notice The sequencer guard consulted by every read (immutable).
    function sequencerGuard() external view returns (ISequencerGuard);

    /// @notice Whether `underlying` is listed.
    function isListed(uint16 underlying) external view returns (bool);

    /// @notice Current listing parameters of `underlying` (reverts when unknown).
    function feedParams(uint16 underlying) external view returns (FeedParams memory params);

    /// @notice Guardian/risk-admin override (Active = none).
    function modeOverride(uint16 underlying) external view returns (MarketMode);

    /// @notice Price band of `underlying` (WAD); reverts when unknown.
    function priceBand(uint16 underlying) external view returns (uint256 minPriceWad, uint256 maxPriceWad);

    // ---------------------------------------------------------------- admin

    /// @notice Lists `underlying` with all its parameters. RISK_ADMIN_ROLE.
    function listUnderlying(uint16 underlying, FeedParams calldata params) external;

    /// @notice Replaces the primary feed and its heartbeat (seconds); decimals are read from the feed. RISK_ADMIN_ROLE.
    function setPrimaryFeed(uint16 underlying, AggregatorV3Interface feed, uint32 heartbeat) external;

    /// @notice Sets (or with address(0) and heartbeat 0, removes) the fallback feed. RISK_ADMIN_ROLE.
    function setFallbackFeed(uint16 underlying, AggregatorV3Interface feed, uint32 heartbeat) external;

    /// @notice Sets the protocol price band (WAD). RISK_ADMIN_ROLE.
    function setPriceBand(uint16 underlying, uint256 minPriceWad, uint256 maxPriceWad) external;

    /// @notice Sets the deviation breaker (WAD fraction) and the confirmation count. RISK_ADMIN_ROLE.
    function setDeviationParams(uint16 underlying, uint256 maxDeviationWad, uint8 confirmations) external;

    /// @notice Raises the override of `underlying` to a strictly more restrictive mode. GUARDIAN_ROLE.
    function setModeOverride(uint16 underlying, MarketMode mode) external;

    /// @notice Removes the override (back to Active, i.e. feed/sequencer state only). RISK_ADMIN_ROLE.
    function clearModeOverride(uint16 underlying) external;
}
