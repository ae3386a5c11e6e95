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
    /// @notice The round was published by a superseded aggregator: a later phase of the proxy had already started
    /// (its first round `laterRoundId` was updated at `laterUpdatedAt`, at or before the round's `updatedAt`).
    error Oracle_RoundSuperseded(uint80 roundId, uint256 updatedAt, uint80 laterRoundId, uint256 laterUpdatedAt);
    /// @notice The feed primary at `expiry` has no round updated at or before `expiry`.
    error Oracle_NoRoundBeforeExpiry(address feed, uint40 expiry);

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
    /// @notice A band edge would move by more than `MAX_BAND_FACTOR` (either way) in one change (all WAD).
    error Oracle_BandChangeTooLarge(
        uint256 minPriceWad,
        uint256 maxPriceWad,
        uint256 currentMinPriceWad,
        uint256 currentMaxPriceWad
    );
    /// @notice Nothing is scheduled for `underlying`.
    error Oracle_NoPendingChange(uint16 underlying);
    /// @notice The scheduled change takes effect at `effectiveAt` (seconds), not before.
    error Oracle_ChangeNotReady(uint256 effectiveAt, uint256 blockTimestamp);
    /// @notice The new primary feed's price is more than `maxDeviationWad` away from the price the oracle serves now
    /// (all WAD).
    error Oracle_FeedSwitchDeviation(uint256 newPriceWad, uint256 currentPriceWad, uint256 maxDeviationWad);
    /// @notice The feed's decimals changed between scheduling and applying.
    error Oracle_FeedDecimalsChanged(address feed, uint8 scheduled, uint8 current);
    /// @notice The guardian may only make an override more restrictive; clearing is for the risk admin.
    error Oracle_OverrideNotMoreRestrictive(MarketMode current, MarketMode requested);

    // ---------------------------------------------------------------- events

    event UnderlyingListed(uint16 indexed underlying, FeedParams params);
    /// @notice A primary feed change was scheduled; anyone may apply it from `effectiveAt` (seconds).
    event PrimaryFeedScheduled(
        uint16 indexed underlying,
        address indexed feed,
        uint256 heartbeat,
        uint8 decimals,
        uint256 effectiveAt
    );
    /// @notice A price band change (WAD) was scheduled; anyone may apply it from `effectiveAt` (seconds).
    event PriceBandScheduled(uint16 indexed underlying, uint256 minPriceWad, uint256 maxPriceWad, uint256 effectiveAt);
    /// @notice A scheduled change was withdrawn by the risk admin (`isBand` false: primary feed, true: band).
    event PendingChangeCancelled(uint16 indexed underlying, bool isBand);
    /// @notice Emitted when a primary feed takes effect (at listing and on `applyPrimaryFeed`). Expiries at or after
    /// `effectiveFrom` settle against this feed.
    event PrimaryFeedSet(
        uint16 indexed underlying,
        address indexed feed,
        uint256 heartbeat,
        uint8 decimals,
        uint256 effectiveFrom
    );
    event FallbackFeedSet(uint16 indexed underlying, address indexed feed, uint256 heartbeat, uint8 decimals);
    /// @notice The price band (WAD) in force changed (at `applyPriceBand`; listing emits `UnderlyingListed`).
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
    /// high 16 bits) must be the first round with `updatedAt >= expiry` of the feed that was primary AT `expiry`
    /// (see `primaryFeedAt`; a later feed change does not move it), i.e. its predecessor (possibly in the previous
    /// phase) was updated before `expiry`. Reverts otherwise.
    /// @dev Also requires the round complete, positive, in the current band, `updatedAt - expiry <= heartbeat` (the
    /// heartbeat of that feed's listing), and not superseded: no later phase of the proxy may have a first round
    /// updated at or before the round's `updatedAt` (a replaced aggregator that keeps reporting cannot prove a second
    /// price). For the first round of a phase the predecessor is searched in earlier phases (O(log rounds) reads);
    /// use `verifySettlementRoundWithHint` to supply it instead.
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

    /// @notice The primary feed in force at `timestamp` (seconds): the last one whose `effectiveFrom <= timestamp`,
    /// or the listing feed for a timestamp before the listing. Reverts when `underlying` is not listed.
    /// @return feed The proxy.
    /// @return heartbeat Seconds.
    /// @return decimals Feed decimals.
    /// @return effectiveFrom When it took effect (seconds).
    function primaryFeedAt(
        uint16 underlying,
        uint40 timestamp
    ) external view returns (AggregatorV3Interface feed, uint256 heartbeat, uint8 decimals, uint256 effectiveFrom);

    /// @notice Number of primary feeds `underlying` has had (listing included).
    function primaryFeedCount(uint16 underlying) external view returns (uint256);

    /// @notice The scheduled primary feed change, if any (`effectiveAt == 0`: none).
    function pendingPrimaryFeed(
        uint16 underlying
    ) external view returns (AggregatorV3Interface feed, uint256 heartbeat, uint256 effectiveAt);

    /// @notice The scheduled band change (WAD), if any (`effectiveAt == 0`: none).
    function pendingPriceBand(
        uint16 underlying
    ) external view returns (uint256 minPriceWad, uint256 maxPriceWad, uint256 effectiveAt);

    /// @notice Reference for a manual settlement price: the last round of the feed primary at `expiry` that was
    /// updated at or before `expiry` (searched over that proxy's phases, O(log rounds) reads), normalized to WAD.
    /// Reverts when that feed cannot be read, has no such round or its answer is not positive.
    function settlementReference(
        uint16 underlying,
        uint40 expiry
    ) external view returns (uint256 priceWad, uint80 roundId, uint256 updatedAt);

    // ---------------------------------------------------------------- admin

    /// @notice Lists `underlying` with all its parameters. RISK_ADMIN_ROLE.
    function listUnderlying(uint16 underlying, FeedParams calldata params) external;

    /// @notice Schedules a new primary feed and heartbeat (seconds); decimals are read from the feed. It takes effect
    /// when anyone calls `applyPrimaryFeed` at least `CHANGE_DELAY` later; a new call replaces (and restarts) the
    /// pending change. RISK_ADMIN_ROLE.
    function setPrimaryFeed(uint16 underlying, AggregatorV3Interface feed, uint32 heartbeat) external;

    /// @notice Applies the scheduled primary feed. Permissionless once due. Requires the new feed to read cleanly
    /// (complete, positive, fresh, in band) and, while the oracle serves a healthy price, to agree with that price
    /// within `MAX_FEED_SWITCH_DEVIATION`. Expiries from now on settle against the new feed.
    function applyPrimaryFeed(uint16 underlying) external;

    /// @notice Sets (or with address(0) and heartbeat 0, removes) the fallback feed. RISK_ADMIN_ROLE.
    function setFallbackFeed(uint16 underlying, AggregatorV3Interface feed, uint32 heartbeat) external;

    /// @notice Schedules a new protocol price band (WAD). Each edge may move by at most a factor `MAX_BAND_FACTOR`
    /// (up or down) from the band in force; it takes effect when anyone calls `applyPriceBand` at least
    /// `CHANGE_DELAY` later. A new call replaces (and restarts) the pending change. RISK_ADMIN_ROLE.
    function setPriceBand(uint16 underlying, uint256 minPriceWad, uint256 maxPriceWad) external;

    /// @notice Applies the scheduled band. Permissionless once due.
    function applyPriceBand(uint16 underlying) external;

    /// @notice Withdraws a scheduled change (`isBand` false: primary feed, true: band). RISK_ADMIN_ROLE.
    function cancelPendingChange(uint16 underlying, bool isBand) external;

    /// @notice Sets the deviation breaker (WAD fraction) and the confirmation count. RISK_ADMIN_ROLE.
    function setDeviationParams(uint16 underlying, uint256 maxDeviationWad, uint8 confirmations) external;

    /// @notice Raises the override of `underlying` to a strictly more restrictive mode. GUARDIAN_ROLE.
    function setModeOverride(uint16 underlying, MarketMode mode) external;

    /// @notice Removes the override (back to Active, i.e. feed/sequencer state only). RISK_ADMIN_ROLE.
    function clearModeOverride(uint16 underlying) external;
}
