// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {MarketMode} from "../types/Types.sol";
import {IChainlinkOracle, FeedParams} from "../interfaces/IChainlinkOracle.sol";
import {ISequencerGuard, SequencerStatus} from "../interfaces/ISequencerGuard.sol";
import {FeedReaderLib, FeedRound} from "./FeedReaderLib.sol";
import {SequencerStateLib} from "./SequencerGuard.sol";

/// @title ChainlinkOracle
/// @notice Chainlink spot prices with heartbeat, protocol price band, stateless deviation breaker, optional fallback
/// feed, L2 sequencer check, and per-market modes. Every read is a view: nothing is written on read, so a price
/// check can never be front-run into a different state. See docs/oracles.md for the policy.
contract ChainlinkOracle is IChainlinkOracle, AccessControl {
    using FeedReaderLib for AggregatorV3Interface;
    using SafeCast for uint256;

    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    uint256 internal constant WAD = 1e18;
    // Below a minute, ordinary block-time jitter would read as staleness.
    uint256 public constant MIN_HEARTBEAT = 1 minutes;
    // Chainlink's slowest common heartbeat is 24h; beyond 2 days a "fresh" price may be days old.
    uint256 public constant MAX_HEARTBEAT = 2 days;
    // Tighter than Chainlink's own publication thresholds (0.5%..2%) would trip on ordinary rounds.
    uint256 public constant MIN_MAX_DEVIATION = 0.01e18;
    // Beyond a 50% move per round the breaker no longer protects anything.
    uint256 public constant MAX_MAX_DEVIATION = 0.5e18;
    // At least the latest move is always checked.
    uint8 public constant MIN_CONFIRMATIONS = 1;
    // Each confirmation costs one getRoundData read (~7k gas cold) on every price read: 10 caps that cost.
    uint8 public constant MAX_CONFIRMATIONS = 10;
    // Normalization scales by at most 10^18 either way.
    uint8 public constant MAX_FEED_DECIMALS = 36;
    // A primary feed or band change is public a full day before it applies: time for users to exit or object.
    uint256 public constant CHANGE_DELAY = 1 days;
    // Each band edge moves by at most x2 / /2 per change (so at most x2 per CHANGE_DELAY): a role cannot widen the
    // band around a price it wants accepted, or narrow it onto the market, in one step.
    uint256 public constant MAX_BAND_FACTOR = 2;
    // Two Chainlink feeds of one pair agree within their deviation thresholds (0.5%..2%); 5% leaves room for a
    // different source while stopping a switch to a feed that reports another price.
    uint256 public constant MAX_FEED_SWITCH_DEVIATION = 0.05e18;

    /// @dev Three slots; every price read needs all three (band, breaker, override).
    struct FeedConfig {
        AggregatorV3Interface feed; // slot 0
        uint24 heartbeat; // seconds, <= MAX_HEARTBEAT fits 24 bits
        uint8 decimals; // cached at listing; a decimals change would read out of band (Halted) until reset
        uint64 maxDeviationWad; // <= 0.5e18 fits 64 bits
        AggregatorV3Interface fallbackFeed; // slot 1
        uint24 fallbackHeartbeat;
        uint8 fallbackDecimals;
        uint8 confirmations;
        MarketMode modeOverride;
        uint128 minPriceWad; // slot 2
        uint128 maxPriceWad;
    }

    enum Fault {
        None,
        FeedReverted,
        IncompleteRound,
        NonPositive,
        FutureRound,
        Stale,
        OutOfBand,
        DeviationUnconfirmed
    }

    /// @dev Result of evaluating one feed; the extra fields carry the values of the matching custom error.
    struct Reading {
        Fault fault;
        uint256 priceWad; // latest answer in WAD (0 if not reached)
        address feed;
        uint80 roundId; // latest round, or the round where an unconfirmed move lands
        int256 answer;
        uint256 a; // Stale: age | FutureRound: updatedAt | Deviation: fromPriceWad
        uint256 b; // Stale: heartbeat | FutureRound: block.timestamp | Deviation: toPriceWad
    }

    /// @dev One slot. A primary feed with the time it took effect; a list per underlying, in effect order.
    struct FeedEpoch {
        AggregatorV3Interface feed;
        uint40 effectiveFrom;
        uint24 heartbeat;
        uint8 decimals;
    }

    /// @dev One slot. `effectiveAt == 0`: nothing scheduled.
    struct PendingFeed {
        AggregatorV3Interface feed;
        uint40 effectiveAt;
        uint24 heartbeat;
        uint8 decimals;
    }

    /// @dev Two slots. `effectiveAt == 0`: nothing scheduled.
    struct PendingBand {
        uint128 minPriceWad;
        uint128 maxPriceWad;
        uint40 effectiveAt;
    }

    ISequencerGuard internal immutable _SEQUENCER_GUARD;
    /// @dev The guard's uptime feed and grace period (immutables there too), read here directly: one call less per
    /// price read.
    AggregatorV3Interface internal immutable _UPTIME_FEED;
    uint256 internal immutable _GRACE_PERIOD;

    mapping(uint16 underlying => FeedConfig) internal _configs;
    /// @dev Never rewritten, only appended: the settlement proof of an expiry reads the feed in force at the expiry.
    mapping(uint16 underlying => FeedEpoch[]) internal _feedHistory;
    mapping(uint16 underlying => PendingFeed) internal _pendingFeeds;
    mapping(uint16 underlying => PendingBand) internal _pendingBands;

    /// @param admin Receives DEFAULT_ADMIN_ROLE (meant to sit behind a timelock); grants the other roles.
    /// @param guard Sequencer guard consulted by every read (use a guard without feed on L1).
    constructor(address admin, ISequencerGuard guard) {
        if (admin == address(0)) revert Oracle_InvalidConstructorArg(admin);
        if (address(guard).code.length == 0) revert Oracle_InvalidConstructorArg(address(guard));
        _SEQUENCER_GUARD = guard;
        _UPTIME_FEED = guard.uptimeFeed();
        _GRACE_PERIOD = guard.gracePeriod();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ core-facing views

    /// @inheritdoc IChainlinkOracle
    function spot(uint16 underlying) external view returns (uint256) {
        FeedConfig memory cfg = _config(underlying);
        (SequencerStatus seq, uint256 graceEndsAt) = _sequencerState();
        if (seq == SequencerStatus.Down) revert Oracle_SequencerDown();
        if (seq == SequencerStatus.GracePeriod) revert Oracle_SequencerGrace(graceEndsAt);
        Reading memory r = _evaluate(cfg);
        if (r.fault != Fault.None) _revertWith(r, cfg);
        return r.priceWad;
    }

    /// @inheritdoc IChainlinkOracle
    function marketState(uint16 underlying) external view returns (MarketMode mode, uint256 priceWad) {
        FeedConfig memory cfg = _config(underlying);
        // Nothing below can lift a Halted override: skip the feed reads.
        if (cfg.modeOverride == MarketMode.Halted) return (MarketMode.Halted, 0);
        Reading memory r = _evaluate(cfg);
        mode = r.fault == Fault.None ? MarketMode.Active : MarketMode.Halted;
        // Sequencer down or in grace: the (otherwise healthy) price may serve risk-reducing paths only.
        (SequencerStatus seq, ) = _sequencerState();
        if (seq != SequencerStatus.Up && mode < MarketMode.ReduceOnly) mode = MarketMode.ReduceOnly;
        if (cfg.modeOverride > mode) mode = cfg.modeOverride;
        priceWad = mode == MarketMode.Halted ? 0 : r.priceWad;
    }

    /// @inheritdoc IChainlinkOracle
    function lastPrice(uint16 underlying) external view returns (uint256 priceWad, uint256 maxPriceWad) {
        FeedConfig memory cfg = _config(underlying);
        maxPriceWad = cfg.maxPriceWad;
        (bool ok, FeedRound memory round) = cfg.feed.latest();
        if (!ok || round.answer <= 0) return (0, maxPriceWad);
        priceWad = FeedReaderLib.toWad(uint256(round.answer), cfg.decimals); // answer > 0 checked
        if (priceWad < cfg.minPriceWad) priceWad = cfg.minPriceWad;
        if (priceWad > maxPriceWad) priceWad = maxPriceWad;
    }

    /// @inheritdoc IChainlinkOracle
    function verifySettlementRound(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId
    ) external view returns (uint256 priceWad, uint256 updatedAt) {
        return _verifySettlement(underlying, expiry, roundId, false, 0);
    }

    /// @inheritdoc IChainlinkOracle
    function verifySettlementRoundWithHint(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        uint80 predecessorHint
    ) external view returns (uint256 priceWad, uint256 updatedAt) {
        return _verifySettlement(underlying, expiry, roundId, true, predecessorHint);
    }

    // ================================================================ other views

    /// @inheritdoc IChainlinkOracle
    function sequencerGuard() external view returns (ISequencerGuard) {
        return _SEQUENCER_GUARD;
    }

    /// @inheritdoc IChainlinkOracle
    function isListed(uint16 underlying) external view returns (bool) {
        return address(_configs[underlying].feed) != address(0);
    }

    /// @inheritdoc IChainlinkOracle
    function feedParams(uint16 underlying) external view returns (FeedParams memory params) {
        FeedConfig memory cfg = _config(underlying);
        params = FeedParams({
            feed: cfg.feed,
            heartbeat: cfg.heartbeat,
            fallbackFeed: cfg.fallbackFeed,
            fallbackHeartbeat: cfg.fallbackHeartbeat,
            minPriceWad: cfg.minPriceWad,
            maxPriceWad: cfg.maxPriceWad,
            maxDeviationWad: cfg.maxDeviationWad,
            confirmations: cfg.confirmations
        });
    }

    /// @inheritdoc IChainlinkOracle
    function modeOverride(uint16 underlying) external view returns (MarketMode) {
        return _config(underlying).modeOverride;
    }

    /// @inheritdoc IChainlinkOracle
    function priceBand(uint16 underlying) external view returns (uint256, uint256) {
        FeedConfig storage cfg = _configs[underlying];
        if (address(cfg.feed) == address(0)) revert Oracle_UnknownUnderlying(underlying);
        return (cfg.minPriceWad, cfg.maxPriceWad);
    }

    /// @inheritdoc IChainlinkOracle
    function primaryFeedAt(
        uint16 underlying,
        uint40 timestamp
    ) external view returns (AggregatorV3Interface, uint256, uint8, uint256) {
        FeedEpoch memory e = _epochAt(underlying, timestamp);
        return (e.feed, e.heartbeat, e.decimals, e.effectiveFrom);
    }

    /// @inheritdoc IChainlinkOracle
    function primaryFeedCount(uint16 underlying) external view returns (uint256) {
        return _feedHistory[underlying].length;
    }

    /// @inheritdoc IChainlinkOracle
    function pendingPrimaryFeed(uint16 underlying) external view returns (AggregatorV3Interface, uint256, uint256) {
        PendingFeed memory p = _pendingFeeds[underlying];
        return (p.feed, p.heartbeat, p.effectiveAt);
    }

    /// @inheritdoc IChainlinkOracle
    function pendingPriceBand(uint16 underlying) external view returns (uint256, uint256, uint256) {
        PendingBand memory p = _pendingBands[underlying];
        return (p.minPriceWad, p.maxPriceWad, p.effectiveAt);
    }

    /// @inheritdoc IChainlinkOracle
    function settlementReference(
        uint16 underlying,
        uint40 expiry
    ) external view returns (uint256 priceWad, uint80 roundId, uint256 updatedAt) {
        FeedEpoch memory e = _epochAt(underlying, expiry);
        FeedRound memory round = _lastRoundAtOrBefore(e.feed, expiry);
        if (round.answer <= 0) revert Oracle_NonPositive(round.answer);
        return (FeedReaderLib.toWad(uint256(round.answer), e.decimals), round.roundId, round.updatedAt);
    }

    // ================================================================ admin

    /// @inheritdoc IChainlinkOracle
    function listUnderlying(uint16 underlying, FeedParams calldata params) external onlyRole(RISK_ADMIN_ROLE) {
        FeedConfig storage cfg = _configs[underlying];
        if (address(cfg.feed) != address(0)) revert Oracle_AlreadyListed(underlying);
        _setPrimary(cfg, params.feed, params.heartbeat, params.fallbackFeed);
        _setFallback(cfg, params.fallbackFeed, params.fallbackHeartbeat, params.feed);
        _setBand(cfg, params.minPriceWad, params.maxPriceWad);
        _setDeviation(cfg, params.maxDeviationWad, params.confirmations);
        emit UnderlyingListed(underlying, params);
        _pushEpoch(underlying, cfg);
    }

    /// @inheritdoc IChainlinkOracle
    function setPrimaryFeed(
        uint16 underlying,
        AggregatorV3Interface feed,
        uint32 heartbeat
    ) external onlyRole(RISK_ADMIN_ROLE) {
        FeedConfig storage cfg = _listedStorage(underlying);
        uint8 decimals = _feedDecimals(feed, cfg.fallbackFeed);
        _checkHeartbeat(heartbeat);
        uint256 effectiveAt = block.timestamp + CHANGE_DELAY;
        // heartbeat <= MAX_HEARTBEAT fits 24 bits; effectiveAt < 2^40 for the next ~34,000 years.
        _pendingFeeds[underlying] = PendingFeed(feed, effectiveAt.toUint40(), uint256(heartbeat).toUint24(), decimals);
        emit PrimaryFeedScheduled(underlying, address(feed), heartbeat, decimals, effectiveAt);
    }

    /// @inheritdoc IChainlinkOracle
    function applyPrimaryFeed(uint16 underlying) external {
        FeedConfig storage cfg = _listedStorage(underlying);
        PendingFeed memory p = _pendingFeeds[underlying];
        _checkDue(underlying, p.effectiveAt);
        // The fallback may have changed since scheduling: the two must stay distinct, decimals must not have moved.
        uint8 decimals = _feedDecimals(p.feed, cfg.fallbackFeed);
        if (decimals != p.decimals) revert Oracle_FeedDecimalsChanged(address(p.feed), p.decimals, decimals);
        FeedConfig memory current = cfg;
        Reading memory next = _readFeed(p.feed, p.heartbeat, decimals, current, false);
        if (next.fault != Fault.None) _revertWith(next, current);
        // Anchored on what the oracle serves now, when it serves anything: a role cannot swap in a feed that reports
        // another price. With no healthy price (the usual reason for a switch) the clean, in-band read above is all.
        Reading memory now_ = _evaluate(current);
        if (now_.fault == Fault.None && !_within(next.priceWad, now_.priceWad, MAX_FEED_SWITCH_DEVIATION)) {
            revert Oracle_FeedSwitchDeviation(next.priceWad, now_.priceWad, MAX_FEED_SWITCH_DEVIATION);
        }
        delete _pendingFeeds[underlying];
        cfg.feed = p.feed;
        cfg.heartbeat = p.heartbeat;
        cfg.decimals = decimals;
        _pushEpoch(underlying, cfg);
    }

    /// @inheritdoc IChainlinkOracle
    function setFallbackFeed(
        uint16 underlying,
        AggregatorV3Interface feed,
        uint32 heartbeat
    ) external onlyRole(RISK_ADMIN_ROLE) {
        FeedConfig storage cfg = _listedStorage(underlying);
        uint8 decimals = _setFallback(cfg, feed, heartbeat, cfg.feed);
        emit FallbackFeedSet(underlying, address(feed), heartbeat, decimals);
    }

    /// @inheritdoc IChainlinkOracle
    function setPriceBand(
        uint16 underlying,
        uint256 minPriceWad,
        uint256 maxPriceWad
    ) external onlyRole(RISK_ADMIN_ROLE) {
        FeedConfig storage cfg = _listedStorage(underlying);
        _checkBandShape(minPriceWad, maxPriceWad);
        uint256 curMin = cfg.minPriceWad;
        uint256 curMax = cfg.maxPriceWad;
        // Relative bound, see MAX_BAND_FACTOR: each edge within [current / factor, current * factor].
        if (
            minPriceWad * MAX_BAND_FACTOR < curMin ||
            minPriceWad > curMin * MAX_BAND_FACTOR ||
            maxPriceWad * MAX_BAND_FACTOR < curMax ||
            maxPriceWad > curMax * MAX_BAND_FACTOR
        ) revert Oracle_BandChangeTooLarge(minPriceWad, maxPriceWad, curMin, curMax);
        uint256 effectiveAt = block.timestamp + CHANGE_DELAY;
        // Both < 2^128 (checked by _checkBandShape); effectiveAt < 2^40 for the next ~34,000 years.
        _pendingBands[underlying] = PendingBand(uint128(minPriceWad), uint128(maxPriceWad), effectiveAt.toUint40());
        emit PriceBandScheduled(underlying, minPriceWad, maxPriceWad, effectiveAt);
    }

    /// @inheritdoc IChainlinkOracle
    function applyPriceBand(uint16 underlying) external {
        FeedConfig storage cfg = _listedStorage(underlying);
        PendingBand memory p = _pendingBands[underlying];
        _checkDue(underlying, p.effectiveAt);
        delete _pendingBands[underlying];
        cfg.minPriceWad = p.minPriceWad;
        cfg.maxPriceWad = p.maxPriceWad;
        emit PriceBandSet(underlying, p.minPriceWad, p.maxPriceWad);
    }

    /// @inheritdoc IChainlinkOracle
    function cancelPendingChange(uint16 underlying, bool isBand) external onlyRole(RISK_ADMIN_ROLE) {
        _listedStorage(underlying);
        uint256 effectiveAt = isBand ? _pendingBands[underlying].effectiveAt : _pendingFeeds[underlying].effectiveAt;
        if (effectiveAt == 0) revert Oracle_NoPendingChange(underlying);
        if (isBand) delete _pendingBands[underlying];
        else delete _pendingFeeds[underlying];
        emit PendingChangeCancelled(underlying, isBand);
    }

    /// @inheritdoc IChainlinkOracle
    function setDeviationParams(
        uint16 underlying,
        uint256 maxDeviationWad,
        uint8 confirmations
    ) external onlyRole(RISK_ADMIN_ROLE) {
        _setDeviation(_listedStorage(underlying), maxDeviationWad, confirmations);
        emit DeviationParamsSet(underlying, maxDeviationWad, confirmations);
    }

    /// @inheritdoc IChainlinkOracle
    function setModeOverride(uint16 underlying, MarketMode mode) external onlyRole(GUARDIAN_ROLE) {
        FeedConfig storage cfg = _listedStorage(underlying);
        MarketMode previous = cfg.modeOverride;
        // A guardian can only tighten: a compromised guardian can pause markets but never re-open one.
        if (mode <= previous) revert Oracle_OverrideNotMoreRestrictive(previous, mode);
        cfg.modeOverride = mode;
        emit ModeOverrideSet(underlying, previous, mode, msg.sender);
    }

    /// @inheritdoc IChainlinkOracle
    function clearModeOverride(uint16 underlying) external onlyRole(RISK_ADMIN_ROLE) {
        FeedConfig storage cfg = _listedStorage(underlying);
        MarketMode previous = cfg.modeOverride;
        cfg.modeOverride = MarketMode.Active;
        emit ModeOverrideSet(underlying, previous, MarketMode.Active, msg.sender);
    }

    // ================================================================ internal: price evaluation

    /// @dev Primary first; on a primary fault, the fallback (full checks) replaces it, except for an unconfirmed
    /// deviation, where a fresh in-band fallback within `maxDeviationWad` of the new primary price only confirms it.
    function _evaluate(FeedConfig memory cfg) internal view returns (Reading memory p) {
        p = _readFeed(cfg.feed, cfg.heartbeat, cfg.decimals, cfg, true);
        if (p.fault == Fault.None || address(cfg.fallbackFeed) == address(0)) return p;
        if (p.fault == Fault.DeviationUnconfirmed) {
            // The fallback confirms the level, it does not need its own move window.
            Reading memory c = _readFeed(cfg.fallbackFeed, cfg.fallbackHeartbeat, cfg.fallbackDecimals, cfg, false);
            if (c.fault == Fault.None && _within(c.priceWad, p.priceWad, cfg.maxDeviationWad)) p.fault = Fault.None;
            return p;
        }
        Reading memory f = _readFeed(cfg.fallbackFeed, cfg.fallbackHeartbeat, cfg.fallbackDecimals, cfg, true);
        // Both faulty: report the primary's fault.
        return f.fault == Fault.None ? f : p;
    }

    /// @dev Checks in order: readable, complete, positive, not in the future, fresh, in band, then (if `withWindow`)
    /// the deviation window. Never reverts.
    function _readFeed(
        AggregatorV3Interface feed,
        uint256 heartbeat,
        uint8 decimals,
        FeedConfig memory cfg,
        bool withWindow
    ) internal view returns (Reading memory r) {
        r.feed = address(feed);
        (bool ok, FeedRound memory round) = feed.latest();
        if (!ok) {
            r.fault = Fault.FeedReverted;
            return r;
        }
        r.roundId = round.roundId;
        r.answer = round.answer;
        if (round.updatedAt == 0 || round.answeredInRound < round.roundId) {
            r.fault = Fault.IncompleteRound;
            return r;
        }
        if (round.answer <= 0) {
            r.fault = Fault.NonPositive;
            return r;
        }
        if (round.updatedAt > block.timestamp) {
            (r.fault, r.a, r.b) = (Fault.FutureRound, round.updatedAt, block.timestamp);
            return r;
        }
        uint256 age = block.timestamp - round.updatedAt; // updatedAt <= block.timestamp checked above
        if (age > heartbeat) {
            (r.fault, r.a, r.b) = (Fault.Stale, age, heartbeat);
            return r;
        }
        // answer > 0 checked above, so the cast is lossless.
        r.priceWad = FeedReaderLib.toWad(uint256(round.answer), decimals);
        if (r.priceWad < cfg.minPriceWad || r.priceWad > cfg.maxPriceWad) {
            r.fault = Fault.OutOfBand;
            return r;
        }
        if (withWindow) _checkWindow(feed, decimals, cfg, r);
    }

    /// @dev Deviation rule (stateless): each of the last `confirmations` moves (latest vs predecessor, predecessor vs
    /// its predecessor, ...) must stay within `maxDeviationWad` of the older round. An unreadable, incomplete or
    /// non-positive older round, or a phase start (no same-phase predecessor), counts as an unbounded move.
    /// So a jump is accepted once `confirmations` further rounds have been published without another jump.
    function _checkWindow(
        AggregatorV3Interface feed,
        uint8 decimals,
        FeedConfig memory cfg,
        Reading memory r
    ) internal view {
        uint80 id = r.roundId;
        uint256 newer = r.priceWad;
        for (uint256 i; i < cfg.confirmations; ++i) {
            uint256 older;
            if (uint64(id) > 1) {
                (bool ok, FeedRound memory prev) = feed.at(id - 1);
                if (ok && prev.updatedAt != 0 && prev.answeredInRound >= prev.roundId && prev.answer > 0) {
                    older = FeedReaderLib.toWad(uint256(prev.answer), decimals); // answer > 0 checked
                }
            }
            if (older == 0 || !_within(newer, older, cfg.maxDeviationWad)) {
                (r.fault, r.roundId, r.a, r.b) = (Fault.DeviationUnconfirmed, id, older, newer);
                return;
            }
            newer = older;
            // uint64(id) > 1 here (older != 0), so id - 1 stays in the same phase.
            unchecked {
                id = id - 1;
            }
        }
    }

    /// @dev |price - ref| <= ref * maxDeviation. The allowance rounds down (stricter), and mulDiv cannot overflow
    /// even for saturated prices, so this never reverts.
    function _within(uint256 price, uint256 ref, uint256 maxDeviationWad) internal pure returns (bool) {
        uint256 diff = price > ref ? price - ref : ref - price;
        return diff <= Math.mulDiv(ref, maxDeviationWad, WAD);
    }

    function _sequencerState() internal view returns (SequencerStatus, uint256) {
        return SequencerStateLib.read(_UPTIME_FEED, _GRACE_PERIOD);
    }

    function _revertWith(Reading memory r, FeedConfig memory cfg) internal pure {
        Fault f = r.fault;
        if (f == Fault.FeedReverted) revert Oracle_FeedReverted(r.feed);
        if (f == Fault.IncompleteRound) revert Oracle_IncompleteRound(r.roundId);
        if (f == Fault.NonPositive) revert Oracle_NonPositive(r.answer);
        if (f == Fault.FutureRound) revert Oracle_FutureRound(r.a, r.b);
        if (f == Fault.Stale) revert Oracle_Stale(r.a, r.b);
        if (f == Fault.OutOfBand) revert Oracle_OutOfBand(r.priceWad, cfg.minPriceWad, cfg.maxPriceWad);
        revert Oracle_DeviationUnconfirmed(r.roundId, r.a, r.b, cfg.maxDeviationWad);
    }

    // ================================================================ internal: settlement proof

    function _verifySettlement(
        uint16 underlying,
        uint40 expiry,
        uint80 roundId,
        bool hasHint,
        uint80 hint
    ) internal view returns (uint256 priceWad, uint256 updatedAt) {
        FeedConfig memory cfg = _config(underlying);
        // The feed in force at expiry, whatever is primary now: a later feed change cannot move a settlement.
        FeedEpoch memory epoch = _epochAt(underlying, expiry);
        AggregatorV3Interface feed = epoch.feed;
        // Aggregator round ids start at 1 in every phase.
        if (uint64(roundId) == 0) revert Oracle_RoundNotFound(roundId);
        (bool ok, FeedRound memory round) = feed.at(roundId);
        if (!ok || round.updatedAt == 0) revert Oracle_RoundNotFound(roundId);
        if (round.answeredInRound < roundId) revert Oracle_IncompleteRound(roundId);
        if (round.answer <= 0) revert Oracle_NonPositive(round.answer);
        updatedAt = round.updatedAt;
        if (updatedAt < expiry) revert Oracle_SettlementRoundBeforeExpiry(roundId, updatedAt, expiry);
        // The feed must have published within one heartbeat after expiry, otherwise it was stale at expiry.
        if (updatedAt - expiry > epoch.heartbeat) {
            revert Oracle_SettlementRoundTooLate(roundId, updatedAt, expiry, epoch.heartbeat);
        }
        priceWad = FeedReaderLib.toWad(uint256(round.answer), epoch.decimals); // answer > 0 checked
        if (priceWad < cfg.minPriceWad || priceWad > cfg.maxPriceWad) {
            revert Oracle_OutOfBand(priceWad, cfg.minPriceWad, cfg.maxPriceWad);
        }
        uint80 predId = _predecessor(feed, roundId, hasHint, hint);
        (ok, round) = feed.at(predId);
        if (!ok || round.updatedAt == 0) revert Oracle_SettlementNoPredecessor(roundId);
        if (round.updatedAt >= expiry) revert Oracle_SettlementNotFirstRound(predId, round.updatedAt, expiry);
        _checkNotSuperseded(feed, roundId, updatedAt);
    }

    /// @dev A proxy routes `getRoundData` of an old phase to the old aggregator, which may keep publishing after the
    /// proxy moved on. Such a round is rejected when any later phase (up to the proxy's current one) has a first round
    /// updated at or before it: from then on the proxy served the later phase, so only that phase can prove a price.
    /// The first round of a phase is the earliest evidence of the switch the proxy keeps; phases without rounds are
    /// skipped. One read per later phase.
    function _checkNotSuperseded(AggregatorV3Interface feed, uint80 roundId, uint256 updatedAt) internal view {
        uint16 phase = uint16(roundId >> 64);
        if (phase == type(uint16).max) return;
        // Common case first, without reading the latest round: a proxy reverts for a phase it has no aggregator for,
        // and phases are numbered without gaps, so then `phase` is the current one. (An aggregator that reverts for
        // its missing round 1 ends the search here too: a phase p+2 behind an empty p+1 is then not consulted.)
        (bool ok, ) = feed.at(_firstRound(phase + 1));
        if (!ok) return;
        FeedRound memory latest;
        (ok, latest) = feed.latest();
        // Without a readable latest round, the next phase is the only one known to be checkable.
        uint256 currentPhase = ok ? uint16(latest.roundId >> 64) : uint256(phase) + 1;
        for (uint256 q = uint256(phase) + 1; q <= currentPhase && q <= type(uint16).max; ++q) {
            uint80 first = _firstRound(uint16(q)); // q <= type(uint16).max checked
            FeedRound memory r;
            (ok, r) = feed.at(first);
            if (ok && r.updatedAt != 0 && r.updatedAt <= updatedAt) {
                revert Oracle_RoundSuperseded(roundId, updatedAt, first, r.updatedAt);
            }
        }
    }

    /// @dev The last round of `feed` with `0 < updatedAt <= t`: the newest phase whose first round is at or before
    /// `t`, then a binary search over its aggregator ids (updatedAt grows with the id within a phase).
    function _lastRoundAtOrBefore(AggregatorV3Interface feed, uint256 t) internal view returns (FeedRound memory) {
        (bool ok, FeedRound memory latest) = feed.latest();
        if (!ok) revert Oracle_FeedReverted(address(feed));
        uint16 phase = uint16(latest.roundId >> 64);
        uint256 last = uint64(latest.roundId);
        while (phase > 0) {
            uint256 base = uint256(phase) << 64;
            if (last != 0 && _updatedAtOrBefore(feed, uint80(base | 1), t)) {
                uint256 lo = 1; // at or before t
                uint256 hi = last + 1; // after t, or past the phase
                if (_updatedAtOrBefore(feed, uint80(base | last), t)) lo = last;
                while (hi - lo > 1) {
                    uint256 mid = lo + (hi - lo) / 2;
                    if (_updatedAtOrBefore(feed, uint80(base | mid), t)) lo = mid;
                    else hi = mid;
                }
                (, FeedRound memory round) = feed.at(uint80(base | lo)); // readable: checked in the search
                return round;
            }
            --phase;
            last = phase != 0 && feed.exists(_firstRound(phase)) ? uint64(_lastRoundOfPhase(feed, phase)) : 0;
        }
        revert Oracle_NoRoundBeforeExpiry(address(feed), uint40(t));
    }

    function _updatedAtOrBefore(AggregatorV3Interface feed, uint80 id, uint256 t) internal view returns (bool) {
        (bool ok, FeedRound memory r) = feed.at(id);
        return ok && r.updatedAt != 0 && r.updatedAt <= t && r.answeredInRound >= r.roundId;
    }

    /// @dev The round before `roundId` in proxy order. Within a phase it is `roundId - 1`. For the first round of
    /// phase p it is the last round of the most recent earlier phase that has rounds (phases may be empty). Relies on
    /// aggregator round ids being contiguous from 1 within a phase, as Chainlink aggregators number them.
    function _predecessor(
        AggregatorV3Interface feed,
        uint80 roundId,
        bool hasHint,
        uint80 hint
    ) internal view returns (uint80) {
        if (uint64(roundId) > 1) return roundId - 1;
        uint16 phase = uint16(roundId >> 64);
        if (phase <= 1) revert Oracle_SettlementNoPredecessor(roundId);
        if (hasHint) {
            uint16 hintPhase = uint16(hint >> 64);
            uint64 hintAgg = uint64(hint);
            bool valid =
                hintPhase != 0 &&
                    hintPhase < phase &&
                    hintAgg != 0 &&
                    feed.exists(hint) &&
                    (hintAgg == type(uint64).max || !feed.exists(hint + 1));
            for (uint16 q = hintPhase + 1; valid && q < phase; ++q) {
                if (feed.exists(_firstRound(q))) valid = false;
            }
            if (!valid) revert Oracle_InvalidPredecessorHint(roundId, hint);
            return hint;
        }
        for (uint16 q = phase - 1; q > 0; --q) {
            if (feed.exists(_firstRound(q))) return _lastRoundOfPhase(feed, q);
        }
        revert Oracle_SettlementNoPredecessor(roundId);
    }

    /// @dev Galloping then binary search over aggregator round ids of `phase` (round 1 is known to exist):
    /// about 2 * log2(rounds in phase) reads.
    function _lastRoundOfPhase(AggregatorV3Interface feed, uint16 phase) internal view returns (uint80) {
        uint256 base = uint256(phase) << 64;
        uint256 lo = 1; // exists
        uint256 hi; // does not exist (or is past the 64-bit id space)
        uint256 step = 1;
        while (true) {
            uint256 probe = lo + step;
            if (probe > type(uint64).max) {
                hi = uint256(type(uint64).max) + 1;
                break;
            }
            if (!feed.exists(uint80(base | probe))) {
                hi = probe;
                break;
            }
            lo = probe;
            step <<= 1;
        }
        while (hi - lo > 1) {
            uint256 mid = lo + (hi - lo) / 2;
            if (feed.exists(uint80(base | mid))) lo = mid;
            else hi = mid;
        }
        // base | lo < 2^80: phase < 2^16 and lo < 2^64.
        return uint80(base | lo);
    }

    function _firstRound(uint16 phase) internal pure returns (uint80) {
        return (uint80(phase) << 64) | 1;
    }

    // ================================================================ internal: config

    function _config(uint16 underlying) internal view returns (FeedConfig memory cfg) {
        cfg = _configs[underlying];
        if (address(cfg.feed) == address(0)) revert Oracle_UnknownUnderlying(underlying);
    }

    function _listedStorage(uint16 underlying) internal view returns (FeedConfig storage cfg) {
        cfg = _configs[underlying];
        if (address(cfg.feed) == address(0)) revert Oracle_UnknownUnderlying(underlying);
    }

    /// @dev The last epoch with `effectiveFrom <= t`; the listing feed for any earlier `t` (no series of the
    /// underlying can have expired before it was listed, and the listing feed is the only one tied to it). Scans from
    /// the newest: expiries being settled are recent, and each epoch is at least CHANGE_DELAY long.
    function _epochAt(uint16 underlying, uint40 t) internal view returns (FeedEpoch memory e) {
        FeedEpoch[] storage history = _feedHistory[underlying];
        uint256 n = history.length;
        if (n == 0) revert Oracle_UnknownUnderlying(underlying);
        for (uint256 i = n; i > 1; --i) {
            e = history[i - 1];
            if (e.effectiveFrom <= t) return e;
        }
        return history[0];
    }

    function _pushEpoch(uint16 underlying, FeedConfig storage cfg) internal {
        // block.timestamp < 2^40 for the next ~34,000 years.
        _feedHistory[underlying].push(FeedEpoch(cfg.feed, block.timestamp.toUint40(), cfg.heartbeat, cfg.decimals));
        emit PrimaryFeedSet(underlying, address(cfg.feed), cfg.heartbeat, cfg.decimals, block.timestamp);
    }

    function _checkDue(uint16 underlying, uint256 effectiveAt) internal view {
        if (effectiveAt == 0) revert Oracle_NoPendingChange(underlying);
        if (block.timestamp < effectiveAt) revert Oracle_ChangeNotReady(effectiveAt, block.timestamp);
    }

    function _setPrimary(
        FeedConfig storage cfg,
        AggregatorV3Interface feed,
        uint256 heartbeat,
        AggregatorV3Interface other
    ) internal returns (uint8 decimals) {
        decimals = _feedDecimals(feed, other);
        _checkHeartbeat(heartbeat);
        cfg.feed = feed;
        cfg.heartbeat = heartbeat.toUint24();
        cfg.decimals = decimals;
    }

    function _setFallback(
        FeedConfig storage cfg,
        AggregatorV3Interface feed,
        uint256 heartbeat,
        AggregatorV3Interface primary
    ) internal returns (uint8 decimals) {
        if (address(feed) == address(0)) {
            // No fallback: a heartbeat would be meaningless, reject it rather than store it.
            if (heartbeat != 0) revert Oracle_HeartbeatOutOfBounds(heartbeat);
        } else {
            decimals = _feedDecimals(feed, primary);
            _checkHeartbeat(heartbeat);
        }
        cfg.fallbackFeed = feed;
        cfg.fallbackHeartbeat = heartbeat.toUint24();
        cfg.fallbackDecimals = decimals;
    }

    function _setBand(FeedConfig storage cfg, uint256 minPriceWad, uint256 maxPriceWad) internal {
        _checkBandShape(minPriceWad, maxPriceWad);
        cfg.minPriceWad = minPriceWad.toUint128();
        cfg.maxPriceWad = maxPriceWad.toUint128();
    }

    function _checkBandShape(uint256 minPriceWad, uint256 maxPriceWad) internal pure {
        // A zero floor would accept a collapsed feed; an empty band would halt the market forever.
        if (minPriceWad == 0 || minPriceWad >= maxPriceWad) revert Oracle_InvalidPriceBand(minPriceWad, maxPriceWad);
        // 2^128 WAD is far above any real price; SafeCast rejects anything wider.
        if (maxPriceWad > type(uint128).max) revert SafeCast.SafeCastOverflowedUintDowncast(128, maxPriceWad);
    }

    function _setDeviation(FeedConfig storage cfg, uint256 maxDeviationWad, uint8 confirmations) internal {
        // See MIN_MAX_DEVIATION / MAX_MAX_DEVIATION.
        if (maxDeviationWad < MIN_MAX_DEVIATION || maxDeviationWad > MAX_MAX_DEVIATION) {
            revert Oracle_MaxDeviationOutOfBounds(maxDeviationWad);
        }
        // See MIN_CONFIRMATIONS / MAX_CONFIRMATIONS.
        if (confirmations < MIN_CONFIRMATIONS || confirmations > MAX_CONFIRMATIONS) {
            revert Oracle_ConfirmationsOutOfBounds(confirmations);
        }
        cfg.maxDeviationWad = maxDeviationWad.toUint64();
        cfg.confirmations = confirmations;
    }

    function _checkHeartbeat(uint256 heartbeat) internal pure {
        // See MIN_HEARTBEAT / MAX_HEARTBEAT.
        if (heartbeat < MIN_HEARTBEAT || heartbeat > MAX_HEARTBEAT) revert Oracle_HeartbeatOutOfBounds(heartbeat);
    }

    function _feedDecimals(AggregatorV3Interface feed, AggregatorV3Interface other) internal view returns (uint8 d) {
        // The two feeds must be independent sources, and a feed must be a contract that answers decimals().
        if (address(feed) == address(0) || feed == other || address(feed).code.length == 0) {
            revert Oracle_InvalidFeed(address(feed));
        }
        try feed.decimals() returns (uint8 decimals) {
            d = decimals;
        } catch {
            revert Oracle_InvalidFeed(address(feed));
        }
        // Normalization scales by at most 10^18 either way.
        if (d > MAX_FEED_DECIMALS) revert Oracle_FeedDecimalsTooLarge(address(feed), d);
    }
}
