// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice State of the L2 sequencer as read from the Chainlink uptime feed.
enum SequencerStatus {
    Up,
    Down,
    GracePeriod
}

/// @title ISequencerGuard
/// @notice Reads the Chainlink L2 sequencer uptime feed. On L1 deployments no feed is set and the status is always Up.
/// Feed semantics: answer 0 = up, 1 = down; `startedAt` = when the status last changed. Any other answer,
/// `startedAt == 0` (invalid round), a reverting or malformed feed, all read as Down.
interface ISequencerGuard {
    /// @notice The grace period is outside [MIN_GRACE_PERIOD, MAX_GRACE_PERIOD] (seconds).
    error SequencerGuard_GracePeriodOutOfBounds(uint256 gracePeriod);
    /// @notice A non-zero uptime feed address has no code.
    error SequencerGuard_InvalidFeed(address feed);

    /// @notice Current sequencer status; the grace period is measured from the feed's `startedAt`.
    function status() external view returns (SequencerStatus);

    /// @notice Status plus the timestamp (seconds) at which the current grace period ends; 0 unless GracePeriod.
    function state() external view returns (SequencerStatus status, uint256 graceEndsAt);

    /// @notice The uptime feed (address(0) on L1).
    function uptimeFeed() external view returns (AggregatorV3Interface);

    /// @notice Seconds after the sequencer comes back up during which prices are not used for new risk.
    function gracePeriod() external view returns (uint256);
}
