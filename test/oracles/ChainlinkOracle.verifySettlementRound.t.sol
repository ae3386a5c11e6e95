// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";

contract ChainlinkOracleVerifySettlementRoundTest is OracleBase {
    uint16 internal constant SOL = 3;
    uint40 internal constant EXPIRY = uint40(T0 + 1 days);
    MockAggregator internal feed;

    function setUp() public override {
        super.setUp();
        feed = new MockAggregator(8, "SOL / USD");
        feed.pushRound(100e8, T0);
        vm.prank(riskAdmin);
        oracle.listUnderlying(SOL, _params(feed, MockAggregator(address(0)), 1e18, 10_000e18));
        vm.warp(EXPIRY + 2 days);
    }

    function _id(uint16 phase, uint64 agg) internal pure returns (uint80) {
        return (uint80(phase) << 64) | agg;
    }

    // ---------------------------------------------------------------- within a phase

    function test_verify_FirstRoundAfterExpiry() public {
        feed.pushRound(101e8, EXPIRY - 30);
        uint80 id = feed.pushRound(102.5e8, EXPIRY + 30);
        feed.pushRound(103e8, EXPIRY + 90);
        (uint256 price, uint256 updatedAt) = oracle.verifySettlementRound(SOL, EXPIRY, id);
        assertEq(price, 102.5e18);
        assertEq(updatedAt, EXPIRY + 30);
    }

    function test_verify_RoundExactlyAtExpiry() public {
        feed.pushRound(101e8, EXPIRY - 1);
        uint80 id = feed.pushRound(102e8, EXPIRY);
        (uint256 price, ) = oracle.verifySettlementRound(SOL, EXPIRY, id);
        assertEq(price, 102e18);
    }

    function test_verify_RevertWhen_RoundBeforeExpiry() public {
        uint80 id = feed.pushRound(101e8, EXPIRY - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementRoundBeforeExpiry.selector, id, EXPIRY - 1, EXPIRY)
        );
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_NotFirstRoundAfterExpiry() public {
        uint80 first = feed.pushRound(101e8, EXPIRY + 10);
        uint80 second = feed.pushRound(150e8, EXPIRY + 20);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNotFirstRound.selector, first, EXPIRY + 10, EXPIRY)
        );
        oracle.verifySettlementRound(SOL, EXPIRY, second);
    }

    function test_verify_RevertWhen_PredecessorExactlyAtExpiry() public {
        uint80 atExpiry = feed.pushRound(101e8, EXPIRY);
        uint80 next = feed.pushRound(150e8, EXPIRY + 20);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNotFirstRound.selector, atExpiry, EXPIRY, EXPIRY)
        );
        oracle.verifySettlementRound(SOL, EXPIRY, next);
    }

    function test_verify_RevertWhen_TooLateAfterExpiry() public {
        feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(102e8, EXPIRY + HEARTBEAT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_SettlementRoundTooLate.selector,
                id,
                EXPIRY + HEARTBEAT + 1,
                EXPIRY,
                HEARTBEAT
            )
        );
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_AcceptsOneHeartbeatLate() public {
        feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(102e8, EXPIRY + HEARTBEAT);
        (, uint256 updatedAt) = oracle.verifySettlementRound(SOL, EXPIRY, id);
        assertEq(updatedAt, EXPIRY + HEARTBEAT);
    }

    function test_verify_RevertWhen_RoundUnknown() public {
        uint80 id = _id(1, 50);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_RoundNotFound.selector, id));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_RoundUnknownReturnsZeros() public {
        feed.setMissingRoundsReturnZero(true);
        uint80 id = _id(1, 50);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_RoundNotFound.selector, id));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_AggregatorRoundZero() public {
        uint80 id = _id(1, 0);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_RoundNotFound.selector, id));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_Incomplete() public {
        uint80 prev = feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRoundFull(102e8, EXPIRY + 10, EXPIRY + 10, prev);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_NonPositive() public {
        feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(0, EXPIRY + 10);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_NonPositive.selector, int256(0)));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_OutOfBand() public {
        feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(20_000e8, EXPIRY + 10);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 20_000e18, 1e18, 10_000e18));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    function test_verify_RevertWhen_PredecessorUnreadable() public {
        uint80 prev = feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(102e8, EXPIRY + 10);
        feed.setRound(prev, 101e8, EXPIRY - 10, 0, prev); // no data
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNoPredecessor.selector, id));
        oracle.verifySettlementRound(SOL, EXPIRY, id);
    }

    /// Lists `underlying` on `f` at T0 (before EXPIRY, so `f` is the feed in force at EXPIRY).
    function _listAtT0(uint16 underlying, MockAggregator f) internal {
        uint256 now_ = block.timestamp;
        vm.warp(T0);
        vm.prank(riskAdmin);
        oracle.listUnderlying(underlying, _params(f, MockAggregator(address(0)), 1e18, 10_000e18));
        vm.warp(now_);
    }

    function test_verify_RevertWhen_FirstRoundEver() public {
        MockAggregator f = new MockAggregator(8, "new");
        uint80 id = f.pushRound(100e8, EXPIRY + 10);
        _listAtT0(30, f);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNoPredecessor.selector, id));
        oracle.verifySettlementRound(30, EXPIRY, id);
    }

    function test_verify_RevertWhen_Unlisted() public {
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_UnknownUnderlying.selector, UNLISTED));
        oracle.verifySettlementRound(UNLISTED, EXPIRY, 1);
    }

    function test_verify_IgnoresSequencerAndStaleness() public {
        feed.pushRound(101e8, EXPIRY - 10);
        uint80 id = feed.pushRound(102e8, EXPIRY + 10);
        seqFeed.setSequencerStatus(true, block.timestamp);
        vm.warp(EXPIRY + 30 days);
        (uint256 price, ) = oracle.verifySettlementRound(SOL, EXPIRY, id);
        assertEq(price, 102e18);
    }

    // ---------------------------------------------------------------- across phases

    /// @dev Phase 1: rounds before expiry; phase 2: empty; phase 3: first round after expiry.
    function _phasedHistory() internal returns (uint80 lastOfPhase1, uint80 firstOfPhase3) {
        for (uint256 i; i < 12; ++i) {
            lastOfPhase1 = feed.pushRound(100e8, EXPIRY - 1000 + i);
        }
        feed.startNewPhase();
        feed.startNewPhase();
        firstOfPhase3 = feed.pushRound(105e8, EXPIRY + 5);
        feed.pushRound(106e8, EXPIRY + 50);
    }

    function test_verify_PhaseStartFindsPredecessorInEarlierPhase() public {
        (uint80 last1, uint80 first3) = _phasedHistory();
        assertEq(last1, _id(1, 13));
        assertEq(first3, _id(3, 1));
        (uint256 price, uint256 updatedAt) = oracle.verifySettlementRound(SOL, EXPIRY, first3);
        assertEq(price, 105e18);
        assertEq(updatedAt, EXPIRY + 5);
    }

    function test_verify_PhaseStartWithHint() public {
        (uint80 last1, uint80 first3) = _phasedHistory();
        (uint256 price, ) = oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, last1);
        assertEq(price, 105e18);
    }

    function test_verify_HintIgnoredInsidePhase() public {
        _phasedHistory();
        feed.pushRound(106e8, EXPIRY + 60);
        // Round (3,2) is not first: predecessor (3,1) is after expiry regardless of the hint.
        vm.expectRevert(
            abi.encodeWithSelector(
                IChainlinkOracle.Oracle_SettlementNotFirstRound.selector,
                _id(3, 1),
                EXPIRY + 5,
                EXPIRY
            )
        );
        oracle.verifySettlementRoundWithHint(SOL, EXPIRY, _id(3, 2), 12345);
    }

    function test_verify_RevertWhen_HintNotLastOfPhase() public {
        (, uint80 first3) = _phasedHistory();
        uint80 hint = _id(1, 12);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPredecessorHint.selector, first3, hint));
        oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, hint);
    }

    function test_verify_RevertWhen_HintSkipsPhaseWithRounds() public {
        for (uint256 i; i < 3; ++i) {
            feed.pushRound(100e8, EXPIRY - 1000 + i);
        }
        feed.startNewPhase();
        uint80 last2 = feed.pushRound(100e8, EXPIRY - 100);
        feed.startNewPhase();
        uint80 first3 = feed.pushRound(105e8, EXPIRY + 5);
        uint80 badHint = _id(1, 4);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPredecessorHint.selector, first3, badHint)
        );
        oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, badHint);
        (uint256 price, ) = oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, last2);
        assertEq(price, 105e18);
        (price, ) = oracle.verifySettlementRound(SOL, EXPIRY, first3);
        assertEq(price, 105e18);
    }

    function test_verify_RevertWhen_HintInSameOrLaterPhase() public {
        (, uint80 first3) = _phasedHistory();
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPredecessorHint.selector, first3, first3)
        );
        oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, first3);
    }

    function test_verify_RevertWhen_HintDoesNotExist() public {
        (, uint80 first3) = _phasedHistory();
        uint80 hint = _id(2, 1); // phase 2 is empty
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_InvalidPredecessorHint.selector, first3, hint));
        oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first3, hint);
    }

    function test_verify_RevertWhen_EarlierPhaseEndsAfterExpiry() public {
        feed.pushRound(100e8, EXPIRY - 10);
        uint80 last1 = feed.pushRound(101e8, EXPIRY + 1);
        feed.startNewPhase();
        uint80 first2 = feed.pushRound(105e8, EXPIRY + 5);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNotFirstRound.selector, last1, EXPIRY + 1, EXPIRY)
        );
        oracle.verifySettlementRound(SOL, EXPIRY, first2);
        (uint256 price, ) = oracle.verifySettlementRound(SOL, EXPIRY, last1);
        assertEq(price, 101e18);
    }

    function test_verify_RevertWhen_PhaseStartWithOnlyEmptyEarlierPhases() public {
        MockAggregator f = new MockAggregator(8, "new");
        f.startNewPhase();
        f.startNewPhase();
        uint80 id = f.pushRound(100e8, EXPIRY + 10);
        _listAtT0(30, f);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_SettlementNoPredecessor.selector, id));
        oracle.verifySettlementRound(30, EXPIRY, id);
    }

    function test_verify_PhaseSearchOverLongPhase() public {
        for (uint256 i; i < 300; ++i) {
            feed.pushRound(100e8, EXPIRY - 10_000 + i);
        }
        feed.startNewPhase();
        uint80 first2 = feed.pushRound(105e8, EXPIRY + 5);
        (uint256 price, ) = oracle.verifySettlementRound(SOL, EXPIRY, first2);
        assertEq(price, 105e18);
        (price, ) = oracle.verifySettlementRoundWithHint(SOL, EXPIRY, first2, _id(1, 301));
        assertEq(price, 105e18);
    }

    function _agg(MockAggregator m) internal pure returns (AggregatorV3Interface) {
        return AggregatorV3Interface(address(m));
    }
}
