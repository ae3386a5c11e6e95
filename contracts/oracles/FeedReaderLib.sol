// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice One Chainlink round as returned by `latestRoundData` / `getRoundData`.
struct FeedRound {
    uint80 roundId;
    int256 answer;
    uint256 startedAt;
    uint256 updatedAt;
    uint80 answeredInRound;
}

/// @title FeedReaderLib
/// @notice Non-reverting reads of Chainlink aggregators. A plain `try feed.latestRoundData()` does not catch a feed
/// without code or one returning short or ill-typed data (the ABI decoding happens in the caller's frame and
/// reverts there), so the call is made with `staticcall` and only the first five words are copied and checked.
library FeedReaderLib {
    /// @dev `ok == false` when the call reverted, returned fewer than 5 words, or a uint80 field is wider than 80 bits.
    function latest(AggregatorV3Interface feed) internal view returns (bool ok, FeedRound memory round) {
        return _read(feed, AggregatorV3Interface.latestRoundData.selector, 0, false);
    }

    /// @dev As `latest`; also `ok == false` when the feed returns a different round id than asked for.
    function at(AggregatorV3Interface feed, uint80 roundId) internal view returns (bool ok, FeedRound memory round) {
        (ok, round) = _read(feed, AggregatorV3Interface.getRoundData.selector, roundId, true);
        if (ok && round.roundId != roundId) ok = false;
    }

    /// @dev True when the round exists: readable and `updatedAt != 0` (Chainlink's "no data" marker).
    function exists(AggregatorV3Interface feed, uint80 roundId) internal view returns (bool) {
        (bool ok, FeedRound memory round) = at(feed, roundId);
        return ok && round.updatedAt != 0;
    }

    /// @notice Normalizes a positive raw answer with `decimals` (0..36) to 18 decimals.
    /// @dev Exact for `decimals <= 18`; truncates (rounds down, by less than 1e-18 of a quote unit) above 18. A value
    /// too large for 256 bits saturates to `type(uint256).max`, which every price band rejects.
    function toWad(uint256 answerRaw, uint8 decimals) internal pure returns (uint256) {
        if (decimals <= 18) {
            uint256 scale = 10 ** (18 - decimals);
            if (answerRaw > type(uint256).max / scale) return type(uint256).max;
            return answerRaw * scale;
        }
        // Rounds down: the sub-WAD remainder is dropped.
        return answerRaw / 10 ** (decimals - 18);
    }

    function _read(AggregatorV3Interface feed, bytes4 selector, uint80 roundId, bool withArg)
        private
        view
        returns (bool ok, FeedRound memory round)
    {
        uint256 id;
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint256 answeredInRound;
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer; nothing is allocated, so it stays free.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), roundId)
            ok := staticcall(gas(), feed, ptr, add(0x04, mul(0x20, withArg)), ptr, 0xa0)
            // Evaluated after the call (separate statement): the return data must hold all five words.
            ok := and(ok, gt(returndatasize(), 0x9f))
            if ok {
                id := mload(ptr)
                answer := mload(add(ptr, 0x20))
                startedAt := mload(add(ptr, 0x40))
                updatedAt := mload(add(ptr, 0x60))
                answeredInRound := mload(add(ptr, 0x80))
            }
        }
        if (!ok || id > type(uint80).max || answeredInRound > type(uint80).max) return (false, round);
        // Both fit in 80 bits (checked just above).
        round = FeedRound(uint80(id), answer, startedAt, updatedAt, uint80(answeredInRound));
    }
}
