// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {AccountId, MarketMode} from "../../contracts/types/Types.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {ISequencerGuard, SequencerStatus} from "../../contracts/interfaces/ISequencerGuard.sol";
import {ILiquidationModule, AuctionParams, Auction, Quote} from "../../contracts/interfaces/ILiquidationModule.sol";
import {LiquidationBase} from "./utils/LiquidationBase.sol";

/// @notice Issue 8: auction start, solvent and insolvent phases, termination (INV-5, INV-11), the fund and the
/// last-resort loss rule, degraded markets, the clearing house's hooks.
contract LiquidationModuleTest is LiquidationBase {
    // ------------------------------------------------------------------------------------------------- start

    // INV-5: an account at or above maintenance cannot be auctioned; neither can an empty one.
    function test_start_RevertWhen_AboveMaintenance() public {
        _aliceShort(10e18, 10e18);
        (int256 equity, , uint256 mm) = ch.accountMargin(aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationModule.Liquidation_NotLiquidatable.selector, aliceAcc, equity, mm)
        );
        _start(aliceAcc);
        AccountId empty = ch.createAccount();
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_NotLiquidatable.selector, empty, 0, 0));
        liq.startAuction(empty);
    }

    function test_start_RecordsStateLocksOwnerAllowsDeposits() public {
        _aliceUnderwater(2300e18);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        assertLt(equity, int256(mm), "below maintenance");
        assertGt(equity, 0, "solvent");
        vm.expectEmit(address(liq));
        emit ILiquidationModule.AuctionStarted(aliceAcc, equity, mm, false, carol);
        _start(aliceAcc);
        Auction memory a = liq.auctionOf(aliceAcc);
        assertEq(a.startedAt, block.timestamp);
        assertEq(a.insolventSince, 0);
        assertEq(a.startEquity, equity);
        assertEq(a.startMM, mm);
        assertTrue(ch.inAuction(aliceAcc));

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_InAuction.selector, aliceAcc));
        ch.withdraw(aliceAcc, address(usdc), 1, alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_InAuction.selector, aliceAcc));
        _applyOne(_trade(aliceAcc, bobAcc, call2200, 1e18, 0));
        _depositCash(aliceAcc, 1e6); // deposits still work
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_AuctionLive.selector, aliceAcc));
        _start(aliceAcc);
    }

    function test_start_RevertWhen_InsuranceAccount() public {
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_SystemAccount.selector, fundAcc));
        liq.startAuction(fundAcc);
    }

    // Degraded markets: auctions pause while a market the account holds is Halted (a guardian halt must not hand
    // its accounts to bidders at the conservative halted value).
    function test_start_RevertWhen_MarketHalted() public {
        _aliceUnderwater(2300e18);
        _halt(ETH);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_MarketHalted.selector, aliceAcc, 1));
        _start(aliceAcc);
    }

    function test_bid_PausedWhileHalted_ResumesAfter() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        _halt(ETH);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_MarketHalted.selector, aliceAcc, 1));
        _bid(0.1e18, type(int256).max);
        vm.prank(admin);
        oracle.clearModeOverride(ETH);
        _bid(0.1e18, type(int256).max);
    }

    // Sequencer down or in grace: only accounts below deepRatio x MM start.
    function test_start_SequencerDown_OnlyDeepAccounts() public {
        _aliceUnderwater(2250e18);
        vm.mockCall(
            address(guard),
            abi.encodeWithSelector(ISequencerGuard.status.selector),
            abi.encode(SequencerStatus.GracePeriod)
        );
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        assertGt(equity, int256(mm / 2), "not deep");
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationModule.Liquidation_SequencerDown.selector, aliceAcc, equity, mm)
        );
        _start(aliceAcc);
        _setPrice(ETH, 2600e18); // deeper: equity < MM / 2
        (equity, mm, ) = ch.accountHealth(aliceAcc);
        assertLt(equity, int256(mm / 2), "deep");
        _start(aliceAcc);
        assertTrue(ch.inAuction(aliceAcc));
    }

    // ------------------------------------------------------------------------------------------ solvent phase

    function test_quote_StartsAtMarkAndDecaysFastThenSlow() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        Quote memory q = liq.quote(aliceAcc);
        assertFalse(q.insolvent);
        assertEq(q.pricePerUnit, q.equity, "starts at mark-to-market");
        vm.warp(block.timestamp + 10 minutes);
        q = liq.quote(aliceAcc);
        assertEq(q.pricePerUnit, q.equity - int256((q.mm * 0.1e18) / 1e18), "fast leg: 10% of MM off");
        vm.warp(block.timestamp + 1 hours);
        q = liq.quote(aliceAcc);
        uint256 d = 0.1e18 + (0.9e18 * 1 hours) / 2 hours;
        int256 expected = q.equity - int256((q.mm * d) / 1e18);
        assertEq(q.pricePerUnit, expected > 0 ? expected : int256(0), "slow leg half way");
        vm.warp(block.timestamp + 2 hours);
        q = liq.quote(aliceAcc);
        assertEq(q.pricePerUnit, 0, "below MM: free at the end");
        assertEq(q.maxFraction, 1e18, "and the whole account may be taken");
    }

    function test_bid_Solvent_MovesFractionPaysAccountAndFund_RestoresBuffer() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 10 minutes);
        Quote memory q = liq.quote(aliceAcc);
        uint256 f = q.maxFraction;
        assertLt(f, 1e18);
        (int256 cost, uint256 toAccount, uint256 toFund, uint256 fromFund) = liq.costOf(aliceAcc, f);
        assertEq(fromFund, 0);
        assertEq(toAccount, (uint256(q.pricePerUnit) * f + 1e18 - 1) / 1e18, "price x fraction, rounded up");
        assertGt(toFund, 0, "the fund's share of the discount");
        int256 ratioBefore = _ratio(aliceAcc);
        int256 aliceCash = ch.cashOf(aliceAcc);
        int256 carolCash = ch.cashOf(carolAcc);
        int256 fundCash = ch.cashOf(fundAcc);
        int256 alicePos = ch.positionOf(aliceAcc, call2200);
        uint256 oi = ch.openInterest(call2200);

        assertEq(_bid(f, cost), cost);

        int256 moved = (aliceCash * int256(f)) / 1e18;
        assertEq(ch.cashOf(aliceAcc), aliceCash - moved + int256(toAccount), "alice: keeps 1-f, receives price");
        assertEq(ch.cashOf(carolAcc), carolCash + moved - int256(toAccount) - int256(toFund), "carol pays");
        assertEq(ch.cashOf(fundAcc), fundCash + int256(toFund), "fund receives its share");
        int256 part = (alicePos * int256(f)) / 1e18;
        assertEq(ch.positionOf(carolAcc, call2200), part, "carol takes f of the short");
        assertEq(ch.positionOf(aliceAcc, call2200), alicePos - part);
        assertEq(ch.openInterest(call2200), oi, "INV-2: open interest unchanged");
        assertGe(_ratio(aliceAcc), ratioBefore, "INV-5: a bid never lowers the margin ratio");
        (int256 cEquity, uint256 cIm, ) = ch.accountMargin(carolAcc);
        assertGe(cEquity, int256(cIm), "bidder at or above IM");
        // the max fraction restores the buffer: anyone ends the auction, the owner is free again
        liq.endAuction(aliceAcc);
        assertFalse(ch.inAuction(aliceAcc));
        assertEq(liq.auctionOf(aliceAcc).startedAt, 0);
    }

    // Found by the demo: a keeper sizes its bid from a quote read a block earlier; the price has decayed a little
    // since, so that fraction no longer reaches the (1 + buffer) target exactly. The auction must still end.
    function test_endAuction_AfterABidSizedFromAStaleQuote() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 10 minutes);
        Quote memory q = liq.quote(aliceAcc);
        vm.warp(block.timestamp + 12); // the bid lands a block later
        _bid(q.maxFraction, type(int256).max);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        assertLt(equity, int256(mm + mm / 10), "short of the bid target");
        liq.endAuction(aliceAcc);
        assertFalse(ch.inAuction(aliceAcc));
    }

    function test_bid_RevertWhen_FractionAboveMax() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        Quote memory q = liq.quote(aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationModule.Liquidation_FractionTooLarge.selector,
                q.maxFraction + 1,
                q.maxFraction
            )
        );
        _bid(q.maxFraction + 1, type(int256).max);
    }

    function test_bid_RevertWhen_CostAboveLimit() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        (int256 cost, , , ) = liq.costOf(aliceAcc, 0.1e18);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_CostAboveLimit.selector, cost, cost - 1));
        _bid(0.1e18, cost - 1);
    }

    function test_bid_RevertWhen_DustResidue() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 3 hours); // price 0: any fraction up to all
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        uint256 size = mm + uint256(equity);
        // leave a residue of ~50 (dust 100)
        uint256 f = 1e18 - (50e18 * 1e18) / size;
        uint256 residue = (size * (1e18 - f)) / 1e18;
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationModule.Liquidation_DustResidue.selector, f, residue, 100e18)
        );
        _bid(f, type(int256).max);
    }

    function test_bid_RevertWhen_NotAuthorizedForBidderAccount() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_Unauthorized.selector, carolAcc, bob));
        liq.bid(aliceAcc, carolAcc, 0.1e18, type(int256).max);
    }

    function test_bid_RevertWhen_BidderWouldEndBelowInitialMargin() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        AccountId poor = ch.createAccount();
        uint256 f = liq.quote(aliceAcc).maxFraction;
        vm.expectRevert(); // ClearingHouse_BelowInitialMargin(poor, margin): it cannot pay for what it takes
        liq.bid(aliceAcc, poor, f, type(int256).max);
        assertEq(ch.positionOf(poor, call2200), 0);
    }

    function test_bid_RevertWhen_BidderIsInsuranceOrAuctionedAccount() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.prank(insuranceFund);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_SystemAccount.selector, fundAcc));
        liq.bid(aliceAcc, fundAcc, 0.1e18, type(int256).max);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_SelfTrade.selector, aliceAcc));
        liq.bid(aliceAcc, aliceAcc, 0.1e18, type(int256).max);
    }

    function test_bid_WholeAccountEndsAuction() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 3 hours);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        vm.expectEmit(address(liq));
        emit ILiquidationModule.AuctionEnded(aliceAcc, 1, equity, mm);
        _bid(1e18, type(int256).max);
        assertFalse(ch.inAuction(aliceAcc));
        assertEq(ch.positionOf(aliceAcc, call2200), 0);
        assertEq(ch.cashOf(aliceAcc), 0, "everything taken");
        assertEq(ch.positionOf(carolAcc, call2200), -10e18);
    }

    // Regression (a leading options protocol's post-launch bug): the solvent timer ran out while the account sat
    // between MM and the buffer, and the auction could neither be bid on nor ended.
    function test_auction_NotStuckBetweenMaintenanceAndBuffer() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        // the owner tops up to just above MM, below the end threshold MM + 5%
        uint256 topUp = uint256(int256(mm) - equity) + mm / 40;
        _depositCash(aliceAcc, topUp / 1e12 + 1);
        (equity, mm, ) = ch.accountHealth(aliceAcc);
        assertGt(equity, int256(mm));
        assertLt(equity, int256(mm + mm / 20));
        vm.warp(block.timestamp + 1 days); // long past the solvent curve
        (equity, mm, ) = ch.accountHealth(aliceAcc);
        assertGt(equity, int256(mm), "still between MM and the buffer");
        assertLt(equity, int256(mm + mm / 20));
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationModule.Liquidation_NotRestored.selector, aliceAcc, equity, mm)
        );
        liq.endAuction(aliceAcc);
        Quote memory q = liq.quote(aliceAcc);
        assertEq(q.pricePerUnit, equity - int256(mm), "floor price: mark less one MM");
        assertLt(q.maxFraction, 1e18);
        _bid(q.maxFraction, type(int256).max);
        liq.endAuction(aliceAcc); // restored
        assertFalse(ch.inAuction(aliceAcc));
    }

    function test_endAuction_ByOwnerAfterDeposit() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        _depositCash(aliceAcc, 100_000e6);
        vm.prank(alice);
        liq.endAuction(aliceAcc);
        vm.prank(alice);
        ch.withdraw(aliceAcc, address(usdc), 1e6, alice); // free again
    }

    // Regression (same protocol): an auction on an already healthy account must not pay anybody from the fund.
    function test_bid_RevertWhen_AccountRecovered() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        _setPrice(ETH, 2000e18);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        vm.expectRevert(
            abi.encodeWithSelector(ILiquidationModule.Liquidation_AccountHealthy.selector, aliceAcc, equity, mm)
        );
        _bid(0.1e18, type(int256).max);
        liq.endAuction(aliceAcc);
    }

    // ----------------------------------------------------------------------------------------- insolvent phase

    function _aliceInsolvent() internal {
        _aliceShort(10e18, 10e18);
        _setPrice(ETH, 3200e18);
        (int256 equity, , ) = ch.accountHealth(aliceAcc);
        assertLt(equity, 0, "insolvent");
    }

    function test_insolvent_FundPaymentRisesToCap() public {
        _aliceInsolvent();
        _start(aliceAcc);
        assertEq(liq.auctionOf(aliceAcc).insolventSince, block.timestamp);
        Quote memory q = liq.quote(aliceAcc);
        assertTrue(q.insolvent);
        assertEq(q.pricePerUnit, 0, "the fund pays nothing at first");
        assertEq(q.maxFraction, 1e18);
        vm.warp(block.timestamp + 30 minutes);
        q = liq.quote(aliceAcc);
        uint256 gap = q.mm + uint256(-q.equity);
        assertEq(q.pricePerUnit, -int256((gap * 0.5e18) / 1e18), "half way: half the cap");
        vm.warp(block.timestamp + 2 hours);
        q = liq.quote(aliceAcc);
        gap = q.mm + uint256(-q.equity); // time moved the marks
        assertEq(q.pricePerUnit, -int256(gap), "capped at MM + |E|");
    }

    function test_insolvent_BidPaidByFund() public {
        _aliceInsolvent();
        _start(aliceAcc);
        vm.warp(block.timestamp + 45 minutes);
        (int256 cost, uint256 toAccount, uint256 toFund, uint256 fromFund) = liq.costOf(aliceAcc, 1e18);
        assertEq(toAccount + toFund, 0);
        assertEq(cost, -int256(fromFund));
        int256 fund = ch.cashOf(fundAcc);
        int256 carolCash = ch.cashOf(carolAcc);
        int256 aliceCash = ch.cashOf(aliceAcc);
        _bid(1e18, cost);
        assertEq(ch.cashOf(fundAcc), fund - int256(fromFund));
        assertEq(ch.cashOf(carolAcc), carolCash + aliceCash + int256(fromFund));
        assertEq(ch.cashOf(aliceAcc), 0);
        assertFalse(ch.inAuction(aliceAcc));
    }

    // Last resort: the fund cannot pay -> its cash goes negative (the realised loss) and every cash claim is worth
    // backing / (backing + deficit) tokens at the boundary until fees and proceeds refill it.
    function test_insolvent_FundDeficitHaircutsCashClaimsAtTheBoundary() public {
        _aliceInsolvent();
        _start(aliceAcc);
        // the admin empties the fund first (floor 0)
        uint256 fundTokens = uint256(ch.cashOf(fundAcc)) / 1e12;
        vm.prank(admin);
        ch.withdraw(fundAcc, address(usdc), fundTokens, admin);
        assertEq(ch.cashOf(fundAcc), 0);
        vm.warp(block.timestamp + 2 hours);
        (int256 cost, , , uint256 fromFund) = liq.costOf(aliceAcc, 1e18);
        _bid(1e18, cost);
        int256 deficit = -ch.cashOf(fundAcc);
        assertEq(deficit, int256(fromFund), "the fund's negative cash is the realised loss");

        // Bob withdraws 1,000 tokens: he is debited the claims they are worth now
        uint256 backing = usdc.balanceOf(address(ch)) * 1e12;
        uint256 claims = (1000e18 * (backing + uint256(deficit)) + backing - 1) / backing;
        int256 bobCash = ch.cashOf(bobAcc);
        vm.expectEmit(address(ch));
        emit IClearingHouse.DeficitConversion(bobAcc, 1000e18, claims);
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), 1000e6, bob);
        assertEq(ch.cashOf(bobAcc), bobCash - int256(claims));
        assertEq(-ch.cashOf(fundAcc), deficit - int256(claims - 1000e18), "the haircut refills the fund");
        // a depositor neither pays for the loss nor dilutes it: credited the claims its tokens are worth
        backing = usdc.balanceOf(address(ch)) * 1e12;
        deficit = -ch.cashOf(fundAcc);
        AccountId fresh = ch.createAccount();
        _depositCash(fresh, 1000e6);
        uint256 credited = (1000e18 * (backing + uint256(deficit))) / backing;
        assertEq(ch.cashOf(fresh), int256(credited));
        // and withdrawing it all at once returns (up to rounding) the tokens deposited
        uint256 before = usdc.balanceOf(address(this));
        ch.withdraw(fresh, address(usdc), 999_999_999, address(this));
        assertEq(usdc.balanceOf(address(this)) - before, 999_999_999);
    }

    function test_realiseLoss_FundTakesOverAfterWindow() public {
        _aliceInsolvent();
        _start(aliceAcc);
        uint256 since = block.timestamp;
        vm.expectRevert(
            abi.encodeWithSelector(
                ILiquidationModule.Liquidation_InsolventWindowOpen.selector,
                aliceAcc,
                since + 1 hours
            )
        );
        liq.realiseLoss(aliceAcc);
        vm.warp(since + 1 hours);
        (int256 equity, uint256 mm, ) = ch.accountHealth(aliceAcc);
        int256 fundCash = ch.cashOf(fundAcc);
        int256 aliceCash = ch.cashOf(aliceAcc);
        uint256 oi = ch.openInterest(call2200);
        vm.expectEmit(address(liq));
        emit ILiquidationModule.LossRealised(aliceAcc, equity, mm);
        liq.realiseLoss(aliceAcc);
        assertEq(ch.positionOf(fundAcc, call2200), -10e18, "the fund holds the portfolio to expiry");
        assertEq(ch.cashOf(fundAcc), fundCash + aliceCash);
        assertEq(ch.openInterest(call2200), oi);
        assertFalse(ch.inAuction(aliceAcc));
        // the fund never trades its positions away
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, fundAcc, address(exchange))
        );
        _applyOne(_trade(fundAcc, bobAcc, call2200, 1e18, 0));
    }

    function test_realiseLoss_RevertWhen_Solvent() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 1 days);
        (int256 equity, , ) = ch.accountHealth(aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_NotInsolvent.selector, aliceAcc, equity));
        liq.realiseLoss(aliceAcc);
    }

    function test_markInsolvency_StartsAndResetsTheClock() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        _setPrice(ETH, 3200e18);
        vm.warp(block.timestamp + 5 minutes);
        liq.markInsolvency(aliceAcc);
        assertEq(liq.auctionOf(aliceAcc).insolventSince, block.timestamp);
        _setPrice(ETH, 2300e18);
        liq.markInsolvency(aliceAcc);
        assertEq(liq.auctionOf(aliceAcc).insolventSince, 0, "solvent again: the fund pays nothing");
    }

    // ------------------------------------------------------------------------------------------ a scripted crash

    /// A one-day crash through every stage: a solvent auction restored by a bid, an insolvent account the fund pays a
    /// bidder to take, and an insolvent account when the fund is empty: its loss is realised as the fund's negative
    /// cash and shared by every cash claim at the boundary. Nothing is created or lost on the way (INV-1).
    function test_crash_SolventThenFundPaysThenLossRealisedWhenFundEmpty() public {
        // three writers of 10 calls 2200 each, all just above IM at 2000
        _aliceShort(10e18, 10e18);
        AccountId dave = _writer(makeAddr("dave"));
        AccountId erin = _writer(makeAddr("erin"));
        uint256 held = usdc.balanceOf(address(ch));

        // 1) +15%: everyone below maintenance but solvent; Alice is auctioned and bought back to health
        _setPrice(ETH, 2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 10 minutes);
        _bid(liq.quote(aliceAcc).maxFraction, type(int256).max);
        liq.endAuction(aliceAcc);

        // 2) +60% by the evening: Dave is insolvent; half way up its curve the fund pays Carol to take him whole
        vm.warp(block.timestamp + 6 hours);
        _setPrice(ETH, 3200e18);
        liq.startAuction(dave);
        assertLt(liq.quote(dave).equity, 0);
        vm.warp(block.timestamp + 30 minutes);
        int256 fundBefore = ch.cashOf(fundAcc);
        (int256 cost, , , uint256 fromFund) = liq.costOf(dave, 1e18);
        vm.prank(carol);
        liq.bid(dave, carolAcc, 1e18, cost);
        assertEq(ch.cashOf(fundAcc), fundBefore - int256(fromFund), "the fund paid");
        assertGt(ch.cashOf(fundAcc), 0, "and could afford it");

        // 3) the admin had drained the fund to its floor (0); Erin is insolvent; nobody bids until the window has
        // passed, then anyone realises the loss: the fund takes the portfolio, its equity goes negative
        uint256 fundTokens = uint256(ch.cashOf(fundAcc)) / 1e12;
        vm.prank(admin);
        ch.withdraw(fundAcc, address(usdc), fundTokens, admin);
        liq.startAuction(erin);
        vm.warp(block.timestamp + 1 hours);
        (int256 erinEquity, , ) = ch.accountHealth(erin);
        liq.realiseLoss(erin);
        (int256 fundEquity, , ) = ch.accountHealth(fundAcc);
        assertLt(fundEquity, 0, "the fund carries the unrealised loss");
        // at expiry the loss hits the fund's cash: every cash claim is then haircut at the boundary
        _settleAt(ETH, exp30, 3200e18);
        AccountId[] memory all = new AccountId[](1);
        all[0] = fundAcc;
        ch.settleAccounts(all);
        int256 deficit = -ch.cashOf(fundAcc);
        assertGt(deficit, 0, "the realised loss");
        assertLe(deficit, -erinEquity + 1e18, "at most Erin's hole (plus time decay to expiry)");
        uint256 backing = usdc.balanceOf(address(ch)) * 1e12;
        uint256 bobCash = uint256(ch.cashOf(bobAcc));
        // Bob can take out all his claims are worth now, not their face value
        uint256 tokens = (bobCash * backing) / (backing + uint256(deficit)) / 1e12 - 1;
        uint256 bobBefore = usdc.balanceOf(bob);
        vm.prank(bob);
        ch.withdraw(bobAcc, address(usdc), tokens, bob);
        assertEq(usdc.balanceOf(bob) - bobBefore, tokens);
        assertLt(tokens * 1e12, bobCash, "haircut");
        // INV-1: the tokens held cover the sum of all cash claims (the fund's negative cash included)
        int256 claims;
        for (uint256 id = 1; id <= ch.accountCount(); ++id) claims += ch.cashOf(AccountId.wrap(id));
        assertGe(int256(usdc.balanceOf(address(ch)) * 1e12), claims, "INV-1");
        assertLt(usdc.balanceOf(address(ch)), held, "the loss left the system through nobody's pocket but the fund's");
    }

    function _writer(address owner) internal returns (AccountId account) {
        vm.prank(owner);
        account = ch.createAccount();
        _depositCash(account, 1_000_000e6);
        _applyOne(_trade(bobAcc, account, call2200, 10e18, 1000e18));
        (int256 equity, uint256 im, ) = ch.accountMargin(account);
        vm.prank(owner);
        ch.withdraw(account, address(usdc), (uint256(equity - int256(im)) - 10e18) / 1e12, owner);
    }

    // ------------------------------------------------------------------------------------------ hooks and fund

    function test_hooks_RevertWhen_NotLiquidationModule() public {
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyLiquidationModule.selector, bob));
        vm.prank(bob);
        ch.setInAuction(aliceAcc, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyLiquidationModule.selector, bob));
        vm.prank(bob);
        ch.liquidationTransfer(aliceAcc, bobAcc, 1e18, 0, 0);
    }

    function test_hook_RevertWhen_AccountNotInAuction() public {
        vm.prank(address(liq));
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_NotInAuction.selector, aliceAcc));
        ch.liquidationTransfer(aliceAcc, bobAcc, 1e18, 0, 0);
    }

    function test_fund_WithdrawOnlyByAdminAboveFloor() public {
        vm.prank(insuranceFund);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_Unauthorized.selector, fundAcc, insuranceFund)
        );
        ch.withdraw(fundAcc, address(usdc), 1e6, insuranceFund);
        vm.prank(admin);
        risk.setInsuranceFloor(40_000e18);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_InsuranceFloor.selector, int256(39_999e18), 40_000e18)
        );
        ch.withdraw(fundAcc, address(usdc), 10_001e6, admin);
        vm.prank(admin);
        ch.withdraw(fundAcc, address(usdc), 10_000e6, admin);
        assertEq(ch.cashOf(fundAcc), 40_000e18);
    }

    function test_params_BoundedAndRiskAdminOnly() public {
        AuctionParams memory p = _defaultParams();
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                bob,
                keccak256("RISK_ADMIN_ROLE")
            )
        );
        liq.setAuctionParams(p);
        AuctionParams[7] memory bad;
        for (uint256 i; i < bad.length; ++i) bad[i] = _defaultParams();
        bad[0].fastDuration = 59;
        bad[1].slowDuration = 2 days + 1;
        bad[2].fastDiscount = 0.5e18 + 1;
        bad[3].buffer = 0.01e18 - 1;
        bad[4].insolventCap = 0;
        bad[5].fundFeeShare = 0.5e18 + 1;
        bad[6].dustSize = 1e24 + 1;
        for (uint256 i; i < bad.length; ++i) {
            vm.prank(admin);
            vm.expectRevert(ILiquidationModule.Liquidation_InvalidParams.selector);
            liq.setAuctionParams(bad[i]);
        }
        p.buffer = 0.2e18;
        vm.expectEmit(address(liq));
        emit ILiquidationModule.AuctionParamsSet(p);
        vm.prank(admin);
        liq.setAuctionParams(p);
        assertEq(liq.auctionParams().buffer, 0.2e18);
    }
}
