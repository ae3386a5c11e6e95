// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SeriesId} from "../types/Types.sol";
import {SeriesIdLib} from "../libraries/SeriesIdLib.sol";

/// @notice Exposes SeriesIdLib for tests that compare it with the TypeScript SDK. Test-only.
contract SeriesIdHarness {
    function encode(uint16 u, uint40 expiry, uint96 strikeWad, bool isCall) external pure returns (uint256) {
        return SeriesId.unwrap(SeriesIdLib.encode(u, expiry, strikeWad, isCall));
    }

    function decode(uint256 raw) external pure returns (uint16, uint40, uint256, bool) {
        SeriesId id = SeriesId.wrap(raw);
        SeriesIdLib.validate(id);
        return (SeriesIdLib.underlying(id), SeriesIdLib.expiry(id), SeriesIdLib.strike(id), SeriesIdLib.isCall(id));
    }
}
