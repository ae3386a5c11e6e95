// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {IChainlinkOracle} from "../../contracts/interfaces/IChainlinkOracle.sol";
import {ISequencerGuard} from "../../contracts/interfaces/ISequencerGuard.sol";
import {IVolatilityOracle} from "../../contracts/interfaces/IVolatilityOracle.sol";
import {IClearingHouseAdmin, IChainlinkOracleAdmin, ISettlementOracleAdmin} from "../utils/SystemInterfaces.sol";
import {ArtifactDeployer} from "../utils/ArtifactDeployer.sol";
import {IRiskConfigAdmin} from "../core/utils/IRiskConfigAdmin.sol";
import {MockAggregator} from "../../contracts/mocks/MockAggregator.sol";
import {TestExchangeModule} from "../../contracts/mocks/TestExchangeModule.sol";
import {CoreBase} from "../core/utils/CoreBase.sol";

/// @notice Adversarial feed data against the real ChainlinkOracle and ClearingHouse: each fault sets the documented
/// market mode and price (docs/oracles.md, "Market modes: policy"), `spot` reverts with the exact fault, and trades or
/// withdrawals refused in that mode move no balance, position or open interest.
contract AdversarialOraclesTest is CoreBase {
    uint256 internal constant GRACE = 1 hours;

    SeriesId internal call2000;
    SeriesId internal btcCall;

    /// @dev What a refused action must leave as it was.
    struct Snap {
        int256 cashA;
        int256 cashB;
        int256 posA;
        int256 posB;
        uint256 oi;
        uint256 chCash;
    }

    function setUp() public override {
        super.setUp();
        call2000 = _series(ETH, _expiry(7), 2000e18, true);
        btcCall = _series(BTC, _expiry(7), 60_000e18, true);
        _depositCash(aliceAcc, 100_000e6);
        _depositCash(bobAcc, 100_000e6);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 100e18)); // alice short one call, bob long
    }

    // ------------------------------------------------------------------ helpers

    function _snap() internal view returns (Snap memory s) {
        s.cashA = ch.cashOf(aliceAcc);
        s.cashB = ch.cashOf(bobAcc);
        s.posA = ch.positionOf(aliceAcc, call2000);
        s.posB = ch.positionOf(bobAcc, call2000);
        s.oi = ch.openInterest(call2000);
        s.chCash = usdc.balanceOf(address(ch));
    }

    function _assertUnchanged(Snap memory a) internal view {
        Snap memory b = _snap();
        assertEq(a.cashA, b.cashA, "alice cash moved");
        assertEq(a.cashB, b.cashB, "bob cash moved");
        assertEq(a.posA, b.posA, "alice position moved");
        assertEq(a.posB, b.posB, "bob position moved");
        assertEq(a.oi, b.oi, "open interest moved");
        assertEq(a.chCash, b.chCash, "clearing house token balance moved");
    }

    function _assertMode(MarketMode expected, uint256 expectedPrice) internal view {
        (MarketMode mode, uint256 price) = oracle.marketState(ETH);
        assertEq(uint8(mode), uint8(expected), "mode");
        assertEq(price, expectedPrice, "price");
    }

    /// @dev Halted with price 0, `spot` reverts with `spotError`, and an opening trade is refused moving nothing.
    function _assertHalted(bytes memory spotError) internal {
        _assertMode(MarketMode.Halted, 0);
        vm.expectRevert(spotError);
        oracle.spot(ETH);
        Snap memory before = _snap();
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 100e18));
        _assertUnchanged(before);
    }

    function _nextRound() internal view returns (uint80) {
        return ethFeed.latestRoundId() + 1;
    }

    // ------------------------------------------------------------------ bad answers

    /// Attack: the feed answers 0 (a collapsed or uninitialised aggregator).
    function test_Oracle_ZeroAnswerHalts() public {
        ethFeed.pushRound(0, block.timestamp);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_NonPositive.selector, int256(0)));
    }

    /// Attack: the feed answers a negative price.
    function test_Oracle_NegativeAnswerHalts() public {
        ethFeed.pushRound(-2000e8, block.timestamp);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_NonPositive.selector, int256(-2000e8)));
    }

    /// Attack: the feed stops updating; its last price is more than one heartbeat old.
    function test_Oracle_StaleHalts() public {
        vm.warp(block.timestamp + 1 days + 1);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_Stale.selector, 1 days + 1, 1 days));
    }

    /// Attack: none; a price exactly one heartbeat old is still accepted (the bound is inclusive).
    function test_Oracle_ExactlyHeartbeatOldStillActive() public {
        vm.warp(block.timestamp + 1 days);
        _assertMode(MarketMode.Active, 2000e18);
    }

    /// Attack: a round dated in the future (a clock-skewed or manipulated report).
    function test_Oracle_FutureDatedRoundHalts() public {
        ethFeed.pushRound(2000e8, block.timestamp + 60);
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_FutureRound.selector, block.timestamp + 60, block.timestamp)
        );
    }

    /// Attack: an incomplete round whose answer was carried over from an earlier round (answeredInRound < roundId).
    function test_Oracle_AnsweredInEarlierRoundHalts() public {
        uint80 id = _nextRound();
        ethFeed.pushRoundFull(2000e8, block.timestamp, block.timestamp, id - 1);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
    }

    /// Attack: a round that was started but never answered (updatedAt == 0).
    function test_Oracle_UpdatedAtZeroHalts() public {
        uint80 id = _nextRound();
        ethFeed.pushRoundFull(2000e8, 0, 0, 0);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
    }

    /// Attack: the feed's latestRoundData reverts (a paused or self-destructed aggregator).
    function test_Oracle_RevertingFeedHalts() public {
        ethFeed.setLatestReverts(true);
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_FeedReverted.selector, address(ethFeed)));
    }

    /// Attack: a price spike beyond the deviation bound in one round (bad print).
    function test_Oracle_UnconfirmedJumpHalts() public {
        uint80 id = _nextRound();
        ethFeed.pushRound(3500e8, block.timestamp); // +75% > 50%
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 2000e18, 3500e18, 0.5e18)
        );
    }

    /// Attack: none; a jump confirmed by the next round heals the market by itself.
    function test_Oracle_JumpConfirmedByNextRoundReactivates() public {
        ethFeed.pushRound(3500e8, block.timestamp);
        ethFeed.pushRound(3500e8, block.timestamp);
        _assertMode(MarketMode.Active, 3500e18);
    }

    // ------------------------------------------------------------------ phases

    /// Attack: an aggregator change behind the proxy; the new phase has no round yet (an empty answer).
    function test_Oracle_EmptyNewPhaseHalts() public {
        ethFeed.startNewPhase();
        uint80 id = ethFeed.latestRoundId(); // phase 2, aggregator round 0
        _assertHalted(abi.encodeWithSelector(IChainlinkOracle.Oracle_IncompleteRound.selector, id));
    }

    /// Attack: the first round of a new phase cannot be compared with a predecessor: held for one round.
    function test_Oracle_PhaseStartUnconfirmedHalts() public {
        ethFeed.startNewPhase();
        uint80 id = _nextRound();
        ethFeed.pushRound(2000e8, block.timestamp);
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_DeviationUnconfirmed.selector, id, 0, 2000e18, 0.5e18)
        );
    }

    /// Attack: none; the second round of the new phase confirms it and trading resumes.
    function test_Oracle_PhaseSecondRoundReactivates() public {
        ethFeed.startNewPhase();
        ethFeed.pushRound(2000e8, block.timestamp);
        ethFeed.pushRound(2001e8, block.timestamp);
        _assertMode(MarketMode.Active, 2001e18);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 100e18));
        assertEq(ch.openInterest(call2000), 2e18);
    }

    // ------------------------------------------------------------------ band edges

    /// Attack: none; the band floor itself is accepted.
    function test_Oracle_AtBandMinActive() public {
        _setPrice(ETH, 100e18);
        _assertMode(MarketMode.Active, 100e18);
        assertEq(oracle.spot(ETH), 100e18);
    }

    /// Attack: one feed unit below the band floor (a collapsed feed that still reports positive).
    function test_Oracle_BelowBandMinHalts() public {
        _setPrice(ETH, 100e18 - 1e10);
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 100e18 - 1e10, 100e18, 100_000e18)
        );
    }

    /// Attack: none; the band ceiling itself is accepted.
    function test_Oracle_AtBandMaxActive() public {
        _setPrice(ETH, 100_000e18);
        _assertMode(MarketMode.Active, 100_000e18);
    }

    /// Attack: one feed unit above the band ceiling.
    function test_Oracle_AboveBandMaxHalts() public {
        _setPrice(ETH, 100_000e18 + 1e10);
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, 100_000e18 + 1e10, 100e18, 100_000e18)
        );
    }

    /// Attack: an answer so large that scaling overflows; it saturates and is rejected by the band, never reverts.
    function test_Oracle_HugeAnswerSaturatesAndHalts() public {
        ethFeed.pushRound(type(int256).max, block.timestamp);
        ethFeed.pushRound(type(int256).max, block.timestamp);
        _assertHalted(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_OutOfBand.selector, type(uint256).max, 100e18, 100_000e18)
        );
    }

    // ------------------------------------------------------------------ what a halted market still allows

    /// Attack: close a position in a halted market (no trustworthy price to close at). Halted accepts no legs.
    function test_Oracle_HaltedRefusesClosingTrade() public {
        ethFeed.pushRound(0, block.timestamp);
        Snap memory before = _snap();
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 100e18));
        _assertUnchanged(before);
    }

    /// Attack: withdraw almost everything against a short in a halted market (the short is unpriced).
    function test_Oracle_HaltedRefusesWithdrawalBelowIM() public {
        ethFeed.pushRound(0, block.timestamp);
        Snap memory before = _snap();
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 100_000e6, alice);
        _assertUnchanged(before);
        assertEq(usdc.balanceOf(alice), 0);
    }

    /// Attack: none; a surplus withdrawal while halted still works (docs: safe withdrawals always work).
    function test_Oracle_HaltedAllowsSurplusWithdrawal() public {
        ethFeed.pushRound(0, block.timestamp);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 1_000e6, alice);
        assertEq(usdc.balanceOf(alice), 1_000e6);
        assertEq(ch.cashOf(aliceAcc), 100_000e18 + 100e18 - 1_000e18);
    }

    /// Attack: none; deposits always work while halted.
    function test_Oracle_HaltedAllowsDeposit() public {
        ethFeed.setLatestReverts(true);
        _depositCash(aliceAcc, 5_000e6);
        assertEq(ch.cashOf(aliceAcc), 100_000e18 + 100e18 + 5_000e18);
    }

    /// Attack: a faulty ETH feed used to block trading in BTC (INV-10). BTC trades normally.
    function test_Oracle_HaltedEthDoesNotBlockBtc() public {
        ethFeed.setLatestReverts(true);
        _applyOne(_trade(bobAcc, aliceAcc, btcCall, 0.01e18, 10e18));
        assertEq(ch.openInterest(btcCall), 0.01e18);
        (MarketMode mode, ) = oracle.marketState(BTC);
        assertEq(uint8(mode), uint8(MarketMode.Active));
    }
}

/// @notice A flapping L2 sequencer: the system deployed with a SequencerGuard reading a MockAggregator uptime feed.
contract AdversarialSequencerTest is CoreBase {
    uint256 internal constant GRACE = 1 hours;

    MockAggregator internal uptime;
    IChainlinkOracleAdmin internal oracle2;
    IClearingHouseAdmin internal ch2;
    TestExchangeModule internal exchange2;
    AccountId internal a2;
    AccountId internal b2;
    SeriesId internal call2000;

    function setUp() public override {
        super.setUp();
        uptime = new MockAggregator(0, "L2 sequencer uptime");
        uptime.setSequencerStatus(false, block.timestamp - 1 days); // up for a day
        ISequencerGuard guard2 = ISequencerGuard(
            ArtifactDeployer.deploy("SequencerGuard.sol:SequencerGuard", abi.encode(address(uptime), GRACE))
        );
        oracle2 = IChainlinkOracleAdmin(
            ArtifactDeployer.deploy("ChainlinkOracle.sol:ChainlinkOracle", abi.encode(admin, guard2))
        );
        ISettlementOracleAdmin settlement2 = ISettlementOracleAdmin(
            ArtifactDeployer.deploy(
                "SettlementOracle.sol:SettlementOracle",
                abi.encode(oracle2, admin, 1 hours, 2 days)
            )
        );
        vm.startPrank(admin);
        oracle2.grantRole(oracle2.RISK_ADMIN_ROLE(), admin);
        oracle2.listUnderlying(ETH, _feedParams(ethFeed, 100e18, 100_000e18));
        vm.stopPrank();
        IRiskConfigAdmin risk2 = IRiskConfigAdmin(_deployRiskConfig(admin, oracle2, address(usdc)));
        ch2 = IClearingHouseAdmin(
            _deployClearingHouse(
                abi.encode(admin, usdc, oracle2, volOracle, settlement2, risk2, feeCollector, insuranceFund)
            )
        );
        exchange2 = new TestExchangeModule(ch2);
        vm.startPrank(admin);
        risk2.setUnderlyingParams(ETH, _underlyingParams(1e18));
        ch2.setExchange(address(exchange2));
        vm.stopPrank();

        vm.prank(alice);
        a2 = ch2.createAccount();
        vm.prank(bob);
        b2 = ch2.createAccount();
        _fund2(a2, 100_000e6);
        _fund2(b2, 100_000e6);
        call2000 = _series(ETH, _expiry(7), 2000e18, true);
        exchange2.trade(_trade(b2, a2, call2000, 1e18, 100e18)); // opened while the sequencer is up
    }

    function _fund2(AccountId account, uint256 amountNative) internal {
        address owner = ch2.ownerOf(account);
        usdc.mint(owner, amountNative);
        vm.startPrank(owner);
        usdc.approve(address(ch2), amountNative);
        ch2.deposit(account, address(usdc), amountNative);
        vm.stopPrank();
    }

    function _assertMode(MarketMode expected, uint256 expectedPrice) internal view {
        (MarketMode mode, uint256 price) = oracle2.marketState(ETH);
        assertEq(uint8(mode), uint8(expected), "mode");
        assertEq(price, expectedPrice, "price");
    }

    /// @dev An opening trade is refused with `ClearingHouse_ReduceOnly` and nothing moves.
    function _assertOpeningRefused() internal {
        int256 cashA = ch2.cashOf(a2);
        int256 cashB = ch2.cashOf(b2);
        uint256 oi = ch2.openInterest(call2000);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        exchange2.trade(_trade(b2, a2, call2000, 1e18, 100e18));
        assertEq(ch2.cashOf(a2), cashA);
        assertEq(ch2.cashOf(b2), cashB);
        assertEq(ch2.openInterest(call2000), oi);
        assertEq(ch2.positionOf(a2, call2000), -1e18);
    }

    /// Attack: trade while the sequencer is down (only forced-inclusion transactions run).
    function test_Sequencer_DownIsReduceOnly() public {
        uptime.setSequencerStatus(true, block.timestamp);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        vm.expectRevert(IChainlinkOracle.Oracle_SequencerDown.selector);
        oracle2.spot(ETH);
        _assertOpeningRefused();
    }

    /// Attack: none; while down, closing risk still works (docs: reduce-only, not frozen).
    function test_Sequencer_DownAllowsClosingTrade() public {
        uptime.setSequencerStatus(true, block.timestamp);
        exchange2.trade(_trade(a2, b2, call2000, 1e18, 100e18));
        assertEq(ch2.positionOf(a2, call2000), 0);
        assertEq(ch2.openInterest(call2000), 0);
    }

    /// Attack: trade the moment the sequencer is back, before users could react (grace period).
    function test_Sequencer_GracePeriodIsReduceOnly() public {
        uptime.setSequencerStatus(true, block.timestamp - 2 hours);
        uptime.setSequencerStatus(false, block.timestamp);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        vm.expectRevert(
            abi.encodeWithSelector(IChainlinkOracle.Oracle_SequencerGrace.selector, block.timestamp + GRACE)
        );
        oracle2.spot(ETH);
        _assertOpeningRefused();
    }

    /// Attack: a flapping sequencer (up, down, up again) to shorten the grace: it restarts at the latest change.
    function test_Sequencer_FlappingRestartsGrace() public {
        uptime.setSequencerStatus(false, block.timestamp); // back up: grace until now + 1h
        vm.warp(block.timestamp + 50 minutes);
        uptime.setSequencerStatus(true, block.timestamp); // down again
        vm.warp(block.timestamp + 5 minutes);
        uptime.setSequencerStatus(false, block.timestamp); // up again: grace restarts
        uint256 restarted = block.timestamp;
        vm.warp(restarted + 30 minutes); // past the first grace end, inside the second
        _setPrice(ETH, 2000e18);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        vm.expectRevert(abi.encodeWithSelector(IChainlinkOracle.Oracle_SequencerGrace.selector, restarted + GRACE));
        oracle2.spot(ETH);
        _assertOpeningRefused();
    }

    /// Attack: none; once the grace period has elapsed the market is Active again and opening trades work.
    function test_Sequencer_AfterGraceActive() public {
        uptime.setSequencerStatus(false, block.timestamp);
        vm.warp(block.timestamp + GRACE);
        _setPrice(ETH, 2000e18);
        _assertMode(MarketMode.Active, 2000e18);
        exchange2.trade(_trade(b2, a2, call2000, 1e18, 100e18));
        assertEq(ch2.openInterest(call2000), 2e18);
    }

    /// Attack: a reverting uptime feed (read as Down, never as Up).
    function test_Sequencer_RevertingUptimeFeedIsDown() public {
        uptime.setLatestReverts(true);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        vm.expectRevert(IChainlinkOracle.Oracle_SequencerDown.selector);
        oracle2.spot(ETH);
        _assertOpeningRefused();
    }

    /// Attack: an uptime answer outside {0, 1} (read as Down).
    function test_Sequencer_InvalidAnswerIsDown() public {
        uptime.pushRoundFull(2, block.timestamp - 1 days, block.timestamp, 0);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        _assertOpeningRefused();
    }

    /// Attack: an uptime round with startedAt == 0 (an invalid round, read as Down).
    function test_Sequencer_StartedAtZeroIsDown() public {
        uptime.pushRoundFull(0, 0, block.timestamp, 0);
        _assertMode(MarketMode.ReduceOnly, 2000e18);
        _assertOpeningRefused();
    }

    /// Attack: down for longer than a heartbeat: feeds stop updating and the market becomes Halted by staleness.
    function test_Sequencer_LongOutageBecomesHalted() public {
        uptime.setSequencerStatus(true, block.timestamp);
        vm.warp(block.timestamp + 1 days + 1);
        _assertMode(MarketMode.Halted, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        exchange2.trade(_trade(a2, b2, call2000, 1e18, 100e18));
        assertEq(ch2.positionOf(a2, call2000), -1e18);
    }
}
