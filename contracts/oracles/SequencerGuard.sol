// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ISequencerGuard, SequencerStatus} from "../interfaces/ISequencerGuard.sol";
import {FeedReaderLib, FeedRound} from "./FeedReaderLib.sol";

/// @title SequencerGuard
/// @notice Chainlink L2 sequencer uptime check with a grace period after recovery. Feed and grace period are
/// immutable: both are properties of the chain, and the oracle holding this guard is itself immutable wiring.
contract SequencerGuard is ISequencerGuard {
    using FeedReaderLib for AggregatorV3Interface;

    // Shorter than a few minutes gives users no time to top up before prices are used for liquidation again.
    uint256 public constant MIN_GRACE_PERIOD = 5 minutes;
    // Longer than a day keeps markets reduce-only for longer than any observed outage recovery needs.
    uint256 public constant MAX_GRACE_PERIOD = 1 days;

    AggregatorV3Interface internal immutable _UPTIME_FEED;
    uint256 internal immutable _GRACE_PERIOD;

    /// @param uptimeFeed_ Chainlink sequencer uptime feed; address(0) on L1 (always Up).
    /// @param gracePeriod_ Seconds after the sequencer is back up during which status is GracePeriod.
    constructor(AggregatorV3Interface uptimeFeed_, uint256 gracePeriod_) {
        if (address(uptimeFeed_) != address(0) && address(uptimeFeed_).code.length == 0) {
            revert SequencerGuard_InvalidFeed(address(uptimeFeed_));
        }
        if (gracePeriod_ < MIN_GRACE_PERIOD || gracePeriod_ > MAX_GRACE_PERIOD) {
            revert SequencerGuard_GracePeriodOutOfBounds(gracePeriod_);
        }
        _UPTIME_FEED = uptimeFeed_;
        _GRACE_PERIOD = gracePeriod_;
    }

    /// @inheritdoc ISequencerGuard
    function status() external view returns (SequencerStatus) {
        (SequencerStatus s, ) = _state();
        return s;
    }

    /// @inheritdoc ISequencerGuard
    function state() external view returns (SequencerStatus, uint256) {
        return _state();
    }

    /// @inheritdoc ISequencerGuard
    function uptimeFeed() external view returns (AggregatorV3Interface) {
        return _UPTIME_FEED;
    }

    /// @inheritdoc ISequencerGuard
    function gracePeriod() external view returns (uint256) {
        return _GRACE_PERIOD;
    }

    function _state() internal view returns (SequencerStatus, uint256 graceEndsAt) {
        return SequencerStateLib.read(_UPTIME_FEED, _GRACE_PERIOD);
    }
}

/// @title SequencerStateLib
/// @notice The uptime-feed reading shared by `SequencerGuard` and `ChainlinkOracle` (which reads the feed itself, with
/// the guard's immutable feed and grace period, to save a call per price read).
library SequencerStateLib {
    using FeedReaderLib for AggregatorV3Interface;

    /// @notice Up, Down or GracePeriod (with its end) from the uptime feed; no feed (L1) is always Up.
    function read(
        AggregatorV3Interface feed,
        uint256 gracePeriod
    ) internal view returns (SequencerStatus, uint256 graceEndsAt) {
        if (address(feed) == address(0)) return (SequencerStatus.Up, 0);
        (bool ok, FeedRound memory round) = feed.latest();
        // Unreadable feed, invalid round (startedAt == 0) or any answer but 0 (up): assume down.
        if (!ok || round.startedAt == 0 || round.answer != 0) return (SequencerStatus.Down, 0);
        uint256 startedAt = round.startedAt;
        if (startedAt <= block.timestamp && block.timestamp - startedAt >= gracePeriod) {
            return (SequencerStatus.Up, 0);
        }
        // Still in grace, or `startedAt` in the future (clock skew), which keeps the grace running: the conservative
        // reading. Saturate instead of overflowing so a garbage timestamp cannot make `status()` revert.
        graceEndsAt = startedAt > type(uint256).max - gracePeriod ? type(uint256).max : startedAt + gracePeriod;
        return (SequencerStatus.GracePeriod, graceEndsAt);
    }
}
