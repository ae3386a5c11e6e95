// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChainlinkOracle} from "../interfaces/IChainlinkOracle.sol";

/// @notice Benchmark helper: calls `spot` once or twice in one frame so the bench can take the difference as the
/// cost of a warm `spot` (every account and slot already touched by the first call). Test/bench only.
contract OracleGasHelper {
    function spotOnce(IChainlinkOracle oracle, uint16 underlying) external view returns (uint256) {
        return oracle.spot(underlying);
    }

    function spotTwice(IChainlinkOracle oracle, uint16 underlying) external view returns (uint256) {
        oracle.spot(underlying);
        return oracle.spot(underlying);
    }
}
