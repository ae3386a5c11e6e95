// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice State of the L2 sequencer as read from the Chainlink uptime feed.
enum SequencerStatus {
    Up,
    Down,
    GracePeriod
}

/// @title ISequencerGuard
/// @notice Reads the Chainlink L2 sequencer uptime feed. On L1 deployments no feed is set and the status is always Up.
interface ISequencerGuard {
    /// @notice Current sequencer status; the grace period is measured from the feed's `startedAt`.
    function status() external view returns (SequencerStatus);
}
