// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice Test double of a Chainlink proxy (EACAggregatorProxy) with full round history and phases. Round ids are
/// proxy ids `(phaseId << 64) | aggregatorRoundId`; phases start at 1 and aggregator round ids at 1 in each phase.
/// Old phases are frozen once a new phase starts. `getRoundData` reverts for unknown rounds (the proxy's
/// behaviour for a phase without aggregator), or, when `missingRoundsReturnZero` is set, returns a zero round (the
/// OCR aggregator's behaviour for a round it never saw). Also usable as an L2 sequencer uptime feed
/// (answer 0 = up, 1 = down; `startedAt` = when the status last changed).
/// Never deployed outside local/test networks.
contract MockAggregator is AggregatorV3Interface {
    struct RoundData {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    error MockAggregator_NoData(uint80 roundId);
    error MockAggregator_Reverted();
    error MockAggregator_UnknownRound(uint80 roundId);

    event RoundPushed(
        uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound
    );
    event PhaseStarted(uint16 indexed phaseId);

    uint8 public override decimals;
    string public override description;
    uint256 public constant override version = 4;

    /// @notice Current phase (1-based).
    uint16 public phaseId = 1;
    /// @notice Number of rounds in each phase (the last aggregator round id).
    mapping(uint16 phase => uint64) public phaseRoundCount;
    /// @notice Switches for fault injection.
    bool public latestReverts;
    bool public getRoundDataReverts;
    bool public missingRoundsReturnZero;

    mapping(uint80 roundId => RoundData) internal _rounds;
    uint80[] internal _history;

    constructor(uint8 decimals_, string memory description_) {
        decimals = decimals_;
        description = description_;
    }

    // ---------------------------------------------------------------- writers

    /// @notice Appends a complete round to the current phase: `startedAt = updatedAt`, `answeredInRound = roundId`.
    function pushRound(int256 answer, uint256 updatedAt) external returns (uint80) {
        return _push(answer, updatedAt, updatedAt, 0);
    }

    /// @notice Appends a round at the current block timestamp (MockV3Aggregator-compatible name).
    function updateAnswer(int256 answer) external returns (uint80) {
        return _push(answer, block.timestamp, block.timestamp, 0);
    }

    /// @notice Appends a round with every field explicit; `answeredInRound == 0` means "this round".
    function pushRoundFull(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
        returns (uint80)
    {
        return _push(answer, startedAt, updatedAt, answeredInRound);
    }

    /// @notice Sequencer-feed helper: appends a round with answer 0 (up) or 1 (down) that changed at `startedAt`.
    function setSequencerStatus(bool down, uint256 startedAt) external returns (uint80) {
        return _push(down ? int256(1) : int256(0), startedAt, block.timestamp, 0);
    }

    /// @notice Overwrites an existing round.
    function setRound(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        external
    {
        if (!_known(roundId)) revert MockAggregator_UnknownRound(roundId);
        _rounds[roundId] = RoundData(answer, startedAt, updatedAt, answeredInRound);
    }

    /// @notice Starts a new phase (an aggregator change behind the proxy); the next round id is `(phase << 64) | 1`.
    function startNewPhase() external returns (uint16) {
        phaseId += 1;
        emit PhaseStarted(phaseId);
        return phaseId;
    }

    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }

    function setLatestReverts(bool on) external {
        latestReverts = on;
    }

    function setGetRoundDataReverts(bool on) external {
        getRoundDataReverts = on;
    }

    function setMissingRoundsReturnZero(bool on) external {
        missingRoundsReturnZero = on;
    }

    // ---------------------------------------------------------------- AggregatorV3Interface

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (getRoundDataReverts) revert MockAggregator_Reverted();
        if (!_known(roundId)) {
            if (missingRoundsReturnZero) return (roundId, 0, 0, 0, roundId);
            revert MockAggregator_NoData(roundId);
        }
        RoundData memory r = _rounds[roundId];
        return (roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        if (latestReverts) revert MockAggregator_Reverted();
        uint80 id = latestRoundId();
        // A fresh phase without rounds answers an empty round, like a new OCR aggregator behind the proxy.
        if (uint64(id) == 0) return (id, 0, 0, 0, id);
        RoundData memory r = _rounds[id];
        return (id, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }

    // ---------------------------------------------------------------- helpers for tests and scripts

    /// @notice Latest round id of the current phase (`phase << 64` when the phase has no rounds yet).
    function latestRoundId() public view returns (uint80) {
        return (uint80(phaseId) << 64) | phaseRoundCount[phaseId];
    }

    /// @notice Number of rounds ever pushed, in proxy order.
    function historyLength() external view returns (uint256) {
        return _history.length;
    }

    /// @notice The `i`-th round id in proxy order.
    function historyAt(uint256 i) external view returns (uint80) {
        return _history[i];
    }

    function _push(int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
        internal
        returns (uint80 roundId)
    {
        uint64 n = phaseRoundCount[phaseId] + 1;
        phaseRoundCount[phaseId] = n;
        roundId = (uint80(phaseId) << 64) | n;
        if (answeredInRound == 0) answeredInRound = roundId;
        _rounds[roundId] = RoundData(answer, startedAt, updatedAt, answeredInRound);
        _history.push(roundId);
        emit RoundPushed(roundId, answer, startedAt, updatedAt, answeredInRound);
    }

    function _known(uint80 roundId) internal view returns (bool) {
        uint64 agg = uint64(roundId);
        return agg != 0 && agg <= phaseRoundCount[uint16(roundId >> 64)];
    }
}
