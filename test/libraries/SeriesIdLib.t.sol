// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {SeriesId} from "../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../contracts/libraries/SeriesIdLib.sol";
import {SeriesIdHarness} from "../../contracts/mocks/SeriesIdHarness.sol";

contract SeriesIdLibTest is Test {
    SeriesIdHarness internal harness = new SeriesIdHarness();

    function testFuzz_encode_RoundTrips(uint16 u, uint40 expiry, uint96 strike, bool isCall) public pure {
        SeriesId id = SeriesIdLib.encode(u, expiry, strike, isCall);
        assertEq(SeriesIdLib.underlying(id), u);
        assertEq(SeriesIdLib.expiry(id), expiry);
        assertEq(SeriesIdLib.strike(id), strike);
        assertEq(SeriesIdLib.isCall(id), isCall);
        assertEq(SeriesIdLib.expiryKey(id), (uint56(u) << 40) | expiry);
        assertLt(SeriesId.unwrap(id), 1 << 160);
    }

    /// Numeric order of ids is (underlying, expiry, strike, put < call): the margin engine relies on it to group.
    function testFuzz_encode_OrdersByUnderlyingExpiryStrike(
        uint16 u1,
        uint40 e1,
        uint96 k1,
        bool c1,
        uint16 u2,
        uint40 e2,
        uint96 k2,
        bool c2
    ) public pure {
        uint256 a = SeriesId.unwrap(SeriesIdLib.encode(u1, e1, k1, c1));
        uint256 b = SeriesId.unwrap(SeriesIdLib.encode(u2, e2, k2, c2));
        bool lexLess =
            u1 != u2
                ? u1 < u2
                : e1 != e2
                    ? e1 < e2
                    : k1 != k2
                        ? k1 < k2
                        : (!c1 && c2);
        assertEq(a < b, lexLess);
    }

    function test_validate_RevertWhen_HighBitsSet() public {
        uint256 raw = SeriesId.unwrap(SeriesIdLib.encode(1, 1, 1, true)) | (1 << 200);
        vm.expectRevert(abi.encodeWithSelector(SeriesIdLib.SeriesIdLib_InvalidSeries.selector, raw));
        harness.decode(raw);
    }

    function test_validate_RevertWhen_FlagByteNotBoolean() public {
        uint256 raw = SeriesId.unwrap(SeriesIdLib.encode(1, 1, 1, true)) + 1;
        vm.expectRevert(abi.encodeWithSelector(SeriesIdLib.SeriesIdLib_InvalidSeries.selector, raw));
        harness.decode(raw);
    }

    function test_validate_RevertWhen_ZeroStrikeOrExpiry() public {
        uint256 noStrike = SeriesId.unwrap(SeriesIdLib.encode(1, 1, 0, true));
        vm.expectRevert(abi.encodeWithSelector(SeriesIdLib.SeriesIdLib_InvalidSeries.selector, noStrike));
        harness.decode(noStrike);
        uint256 noExpiry = SeriesId.unwrap(SeriesIdLib.encode(1, 0, 1, false));
        vm.expectRevert(abi.encodeWithSelector(SeriesIdLib.SeriesIdLib_InvalidSeries.selector, noExpiry));
        harness.decode(noExpiry);
    }
}
