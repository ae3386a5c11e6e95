// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SeriesId} from "../types/Types.sol";

/// @title SeriesIdLib
/// @notice Packs and unpacks option series ids. Layout (bit 159 is the most significant used bit):
/// | underlying uint16 | expiry uint40 (unix s) | strike uint96 (WAD) | isCall uint8 (0 or 1) |
/// Ordering ids numerically orders by underlying, then expiry, then strike, then put before call.
library SeriesIdLib {
    error SeriesIdLib_InvalidSeries(uint256 raw);

    uint256 internal constant STRIKE_BITS = 96;
    uint256 internal constant MAX_STRIKE = type(uint96).max;
    uint256 internal constant MAX_EXPIRY = type(uint40).max;

    function encode(
        uint16 underlyingId,
        uint40 expiryTime,
        uint96 strikeWad,
        bool callFlag
    ) internal pure returns (SeriesId) {
        return
            SeriesId.wrap(
                (uint256(underlyingId) << 144) |
                    (uint256(expiryTime) << 104) |
                    (uint256(strikeWad) << 8) |
                    (callFlag ? 1 : 0)
            );
    }

    function underlying(SeriesId id) internal pure returns (uint16) {
        return uint16(SeriesId.unwrap(id) >> 144);
    }

    function expiry(SeriesId id) internal pure returns (uint40) {
        return uint40(SeriesId.unwrap(id) >> 104);
    }

    function strike(SeriesId id) internal pure returns (uint256) {
        return uint96(SeriesId.unwrap(id) >> 8);
    }

    function isCall(SeriesId id) internal pure returns (bool) {
        return SeriesId.unwrap(id) & 0xff == 1;
    }

    /// @notice Underlying and expiry together: the key of a defined-risk group and of a settlement price.
    function expiryKey(SeriesId id) internal pure returns (uint56) {
        return uint56(SeriesId.unwrap(id) >> 104);
    }

    /// @notice Reverts unless `id` is canonically encoded: no bits above 160, flag byte 0 or 1, strike and expiry non-zero.
    function validate(SeriesId id) internal pure {
        uint256 raw = SeriesId.unwrap(id);
        if (raw >> 160 != 0 || raw & 0xff > 1 || strike(id) == 0 || expiry(id) == 0) {
            revert SeriesIdLib_InvalidSeries(raw);
        }
    }
}
