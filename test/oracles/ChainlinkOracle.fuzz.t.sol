// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {FeedReaderLib} from "../../contracts/oracles/FeedReaderLib.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice Fuzz tests against straightforward references written independently of the contract code.
contract ChainlinkOracleFuzzTest is OracleBase {
    uint16 internal constant FUZZ = 50;

    // ---------------------------------------------------------------- decimals normalization

    /// @dev Reference by property: for d <= 18 the result divides back exactly to the answer (or saturates only
    /// when it cannot fit); for d > 18 it is the floor of answer / 10^(d-18).
    function testFuzz_toWad_MatchesReference(uint256 answer, uint8 decimals) public pure {
        decimals = uint8(bound(decimals, 0, 36));
        answer = bound(answer, 1, uint256(type(int256).max));
        uint256 got = FeedReaderLib.toWad(answer, decimals);
        if (decimals <= 18) {
            uint256 scale = 10 ** (18 - decimals);
            if (answer <= type(uint256).max / scale) {
                assertEq(got, answer * scale);
                assertEq(got / scale, answer);
            } else {
                assertEq(got, type(uint256).max);
            }
        } else {
            uint256 scale = 10 ** (decimals - 18);
            assertLe(got * scale, answer); // rounds down
            assertGt((got + 1) * scale, answer); // by less than one WAD unit
        }
    }

    function testFuzz_spot_DecimalsEndToEnd(uint256 answer, uint8 decimals) public {
        decimals = uint8(bound(decimals, 0, 36));
        answer = bound(answer, 1, uint256(type(int256).max));
        MockAggregator feed = _listFresh(FUZZ, decimals, int256(answer));
        uint256 expected = decimals <= 18 ? _mulOrMax(answer, 10 ** (18 - decimals)) : answer / 10 ** (decimals - 18);
        if (expected == 0 || expected > type(uint128).max) {
            vm.expectRevert(
                abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, expected, 1, type(uint128).max)
            );
            oracle.spot(FUZZ);
        } else {
            assertEq(oracle.spot(FUZZ), expected);
        }
        assertEq(feed.decimals(), decimals);
    }

    function _mulOrMax(uint256 a, uint256 b) internal pure returns (uint256) {
        unchecked {
            uint256 c = a * b;
            return c / b == a ? c : type(uint256).max;
        }
    }

    // ---------------------------------------------------------------- deviation window

    /// @dev Random sequences mixing small steps and jumps; reference: scan the last N moves from the latest round,
    /// round 1 of the phase has no predecessor (unbounded move).
    function testFuzz_spot_DeviationMatchesReference(
        uint256 seed,
        uint256 length,
        uint256 confirmations,
        uint256 maxDev,
        uint256 lo,
        uint256 hi
    ) public {
        length = bound(length, 1, 12);
        confirmations = bound(confirmations, 1, 10);
        maxDev = bound(maxDev, 0.01e18, 0.5e18);
        lo = bound(lo, 1e18, 2000e18);
        hi = bound(hi, lo + 1, 1e24);
        MockAggregator feed = new MockAggregator(8, "fuzz");
        uint256[] memory p = new uint256[](length);
        p[0] = 1000e8;
        for (uint256 i = 1; i < length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            // Half the steps are small (within 1%), half anywhere in [-50%, +50%].
            uint256 bps = r % 2 == 0 ? 9900 + (r >> 8) % 201 : 5000 + (r >> 8) % 10_001;
            p[i] = p[i - 1] * bps / 10_000;
        }
        for (uint256 i; i < length; ++i) {
            feed.pushRound(int256(p[i]), block.timestamp);
        }
        vm.startPrank(riskAdmin);
        oracle.listUnderlying(FUZZ, _params(feed, MockAggregator(address(0)), lo, hi));
        oracle.setDeviationParams(FUZZ, maxDev, uint8(confirmations));
        vm.stopPrank();

        uint256 latest = p[length - 1] * 1e10;
        if (latest < lo || latest > hi) {
            vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, latest, lo, hi));
            oracle.spot(FUZZ);
            return;
        }
        (bool ok, uint256 idx) = _referenceWindow(p, confirmations, maxDev);
        if (ok) {
            assertEq(oracle.spot(FUZZ), latest);
        } else {
            uint256 from = idx == 0 ? 0 : p[idx - 1] * 1e10;
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChainlinkOracle.Oracle_DeviationUnconfirmed.selector,
                    (uint80(1) << 64) | uint80(idx + 1),
                    from,
                    p[idx] * 1e10,
                    maxDev
                )
            );
            oracle.spot(FUZZ);
        }
    }

    /// @return ok Whether the latest answer is accepted; idx The index (0-based) where the offending move lands.
    function _referenceWindow(uint256[] memory p, uint256 n, uint256 maxDev) internal pure returns (bool, uint256) {
        uint256 last = p.length - 1;
        for (uint256 k; k < n; ++k) {
            if (k > last) break;
            uint256 i = last - k;
            if (i == 0) return (false, 0);
            uint256 newer = p[i] * 1e10;
            uint256 older = p[i - 1] * 1e10;
            uint256 diff = newer > older ? newer - older : older - newer;
            // Allowance floor(older * maxDev / 1e18); equality is allowed.
            if (diff > older * maxDev / 1e18) return (false, i);
        }
        return (true, 0);
    }

    // ---------------------------------------------------------------- fallback confirmation

    function testFuzz_spot_FallbackConfirmsJumpWithinDeviation(uint256 newPrice, uint256 fbPrice, bool fbFresh) public {
        newPrice = bound(newPrice, 100e18, 100_000e18);
        fbPrice = bound(fbPrice, 100e18, 100_000e18);
        ethFeed.pushRound(int256(newPrice / 1e10), T0);
        ethFallback.pushRound(int256(fbPrice), fbFresh ? T0 : T0 - FALLBACK_HEARTBEAT - 1);
        uint256 primary = newPrice / 1e10 * 1e10;
        bool jump = _dist(primary, 2000e18) > 2000e18 * MAX_DEV / 1e18;
        bool agrees = fbFresh && _dist(fbPrice, primary) <= primary * MAX_DEV / 1e18;
        if (!jump || agrees) {
            assertEq(oracle.spot(ETH), primary);
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, ethFeed.latestRoundId(), 2000e18, primary, MAX_DEV
                )
            );
            oracle.spot(ETH);
        }
    }

    function _dist(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : b - a;
    }

    // ---------------------------------------------------------------- settlement round lookup

    /// @dev Random histories over up to 5 phases (some empty) with random gaps; reference: brute-force scan of the
    /// mock's history in proxy order for the first round at or after expiry. Every round in the history is then
    /// tried: exactly the reference round verifies.
    function testFuzz_verifySettlementRound_MatchesBruteForce(uint256 seed, uint256 expiryOffset) public {
        MockAggregator feed = new MockAggregator(8, "settle");
        uint256 ts = T0;
        uint256 phases = 1 + seed % 5;
        for (uint256 ph; ph < phases; ++ph) {
            if (ph > 0) feed.startNewPhase();
            uint256 rounds = uint256(keccak256(abi.encode(seed, ph))) % 7;
            for (uint256 k; k < rounds; ++k) {
                uint256 r = uint256(keccak256(abi.encode(seed, ph, k)));
                ts += 1 + r % (2 * HEARTBEAT); // strictly increasing, sometimes more than a heartbeat apart
                feed.pushRound(int256(1000e8 + (r >> 128) % 1000e8), ts);
            }
        }
        vm.prank(riskAdmin);
        oracle.listUnderlying(FUZZ, _params(feed, MockAggregator(address(0)), 1e18, 1_000_000e18));
        uint256 n = feed.historyLength();
        uint40 expiry = uint40(T0 + bound(expiryOffset, 0, ts - T0 + 2 * HEARTBEAT));

        // Reference: first round in proxy order with updatedAt >= expiry, valid if it has a predecessor and is
        // within one heartbeat of expiry.
        uint256 j = type(uint256).max;
        for (uint256 i; i < n; ++i) {
            (,,, uint256 u,) = feed.getRoundData(feed.historyAt(i));
            if (u >= expiry) {
                j = i;
                break;
            }
        }
        bool valid;
        if (j != type(uint256).max && j > 0) {
            (,,, uint256 u,) = feed.getRoundData(feed.historyAt(j));
            valid = u - expiry <= HEARTBEAT;
        }

        for (uint256 i; i < n; ++i) {
            uint80 id = feed.historyAt(i);
            try oracle.verifySettlementRound(FUZZ, expiry, id) returns (uint256 price, uint256 updatedAt) {
                assertTrue(valid && i == j, "only the reference round verifies");
                (, int256 a,, uint256 u,) = feed.getRoundData(id);
                assertEq(price, uint256(a) * 1e10);
                assertEq(updatedAt, u);
            } catch {
                assertFalse(valid && i == j, "the reference round must verify");
            }
        }
        if (valid) {
            // The hinted path agrees when the round starts a phase.
            uint80 id = feed.historyAt(j);
            (uint256 price,) = oracle.verifySettlementRoundWithHint(FUZZ, expiry, id, feed.historyAt(j - 1));
            (, int256 a,,,) = feed.getRoundData(id);
            assertEq(price, uint256(a) * 1e10);
        }
    }
}
