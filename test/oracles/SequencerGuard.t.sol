// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {ISequencerGuard, SequencerStatus} from "../../contracts/interfaces/ISequencerGuard.sol";
import {SequencerGuard} from "../../contracts/oracles/SequencerGuard.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";

contract SequencerGuardTest is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint256 internal constant GRACE = 1 hours;
    MockAggregator internal feed;
    SequencerGuard internal guard;

    function setUp() public {
        vm.warp(T0);
        feed = new MockAggregator(0, "uptime");
        guard = new SequencerGuard(AggregatorV3Interface(address(feed)), GRACE);
    }

    function _assertStatus(SequencerStatus expected, uint256 graceEndsAt) internal view {
        assertEq(uint256(guard.status()), uint256(expected), "status");
        (SequencerStatus s, uint256 g) = guard.state();
        assertEq(uint256(s), uint256(expected), "state");
        assertEq(g, graceEndsAt, "graceEndsAt");
    }

    function test_constructor_StoresFeedAndGrace() public view {
        assertEq(address(guard.uptimeFeed()), address(feed));
        assertEq(guard.gracePeriod(), GRACE);
    }

    function test_constructor_RevertWhen_GraceBelowMin() public {
        vm.expectRevert(abi.encodeWithSelector(ISequencerGuard.SequencerGuard_GracePeriodOutOfBounds.selector, 5 minutes - 1));
        new SequencerGuard(AggregatorV3Interface(address(feed)), 5 minutes - 1);
    }

    function test_constructor_RevertWhen_GraceAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(ISequencerGuard.SequencerGuard_GracePeriodOutOfBounds.selector, 1 days + 1));
        new SequencerGuard(AggregatorV3Interface(address(feed)), 1 days + 1);
    }

    function test_constructor_AcceptsGraceBounds() public {
        assertEq(new SequencerGuard(AggregatorV3Interface(address(feed)), 5 minutes).gracePeriod(), 5 minutes);
        assertEq(new SequencerGuard(AggregatorV3Interface(address(feed)), 1 days).gracePeriod(), 1 days);
    }

    function test_constructor_RevertWhen_FeedHasNoCode() public {
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(ISequencerGuard.SequencerGuard_InvalidFeed.selector, eoa));
        new SequencerGuard(AggregatorV3Interface(eoa), GRACE);
    }

    function test_status_UpOnL1WithoutFeed() public {
        SequencerGuard l1 = new SequencerGuard(AggregatorV3Interface(address(0)), GRACE);
        assertEq(uint256(l1.status()), uint256(SequencerStatus.Up));
        (SequencerStatus s, uint256 g) = l1.state();
        assertEq(uint256(s), uint256(SequencerStatus.Up));
        assertEq(g, 0);
    }

    function test_status_UpAfterGrace() public {
        feed.setSequencerStatus(false, T0 - GRACE);
        _assertStatus(SequencerStatus.Up, 0);
    }

    function test_status_GraceJustAfterRecovery() public {
        feed.setSequencerStatus(false, T0 - GRACE + 1);
        _assertStatus(SequencerStatus.GracePeriod, T0 + 1);
    }

    function test_status_Down() public {
        feed.setSequencerStatus(true, T0 - 10 days);
        _assertStatus(SequencerStatus.Down, 0);
    }

    function test_status_DownWhen_NoRounds() public view {
        // An empty feed answers startedAt == 0: invalid round.
        assertEq(uint256(guard.status()), uint256(SequencerStatus.Down));
    }

    function test_status_DownWhen_StartedAtZero() public {
        feed.pushRoundFull(0, 0, T0, 0);
        _assertStatus(SequencerStatus.Down, 0);
    }

    function test_status_DownWhen_UnknownAnswer() public {
        feed.pushRoundFull(2, T0 - 10 days, T0, 0);
        _assertStatus(SequencerStatus.Down, 0);
    }

    function test_status_DownWhen_FeedReverts() public {
        feed.setSequencerStatus(false, T0 - 10 days);
        feed.setLatestReverts(true);
        _assertStatus(SequencerStatus.Down, 0);
    }

    function test_status_GraceWhen_StartedAtInFuture() public {
        feed.setSequencerStatus(false, T0 + 100);
        _assertStatus(SequencerStatus.GracePeriod, T0 + 100 + GRACE);
    }

    function test_status_GraceSaturatesOnHugeStartedAt() public {
        feed.setSequencerStatus(false, type(uint256).max - 1);
        _assertStatus(SequencerStatus.GracePeriod, type(uint256).max);
    }

    function test_status_FullOutageCycle() public {
        feed.setSequencerStatus(false, T0 - 10 days);
        _assertStatus(SequencerStatus.Up, 0);
        feed.setSequencerStatus(true, T0);
        vm.warp(T0 + 2 hours);
        _assertStatus(SequencerStatus.Down, 0);
        feed.setSequencerStatus(false, T0 + 2 hours);
        vm.warp(T0 + 2 hours + GRACE - 1);
        _assertStatus(SequencerStatus.GracePeriod, T0 + 2 hours + GRACE);
        vm.warp(T0 + 2 hours + GRACE);
        _assertStatus(SequencerStatus.Up, 0);
    }

    function testFuzz_status_MatchesReference(bool down, uint256 startedAt, uint256 nowTs) public {
        nowTs = bound(nowTs, 1, type(uint64).max);
        startedAt = bound(startedAt, 0, type(uint64).max);
        vm.warp(nowTs);
        feed.pushRoundFull(down ? int256(1) : int256(0), startedAt, nowTs, 0);
        SequencerStatus expected;
        if (down || startedAt == 0) expected = SequencerStatus.Down;
        else if (startedAt + GRACE > nowTs) expected = SequencerStatus.GracePeriod;
        else expected = SequencerStatus.Up;
        assertEq(uint256(guard.status()), uint256(expected));
    }
}
