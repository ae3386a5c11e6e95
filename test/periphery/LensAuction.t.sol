// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {ILens} from "../../contracts/interfaces/ILens.sol";
import {ILiquidationModule, Auction, Quote} from "../../contracts/interfaces/ILiquidationModule.sol";
import {ArtifactDeployer} from "../utils/ArtifactDeployer.sol";
import {LiquidationBase} from "../liquidation/utils/LiquidationBase.sol";

/// @notice Issue 8, keeper views: `auctionView` is the module's live state, and `bidPreview` predicts to the wei
/// what the clearing house reports for both accounts after the very bid it previews.
contract LensAuctionTest is LiquidationBase {
    ILens internal lens;

    function setUp() public override {
        super.setUp();
        lens = ILens(ArtifactDeployer.deploy("Lens.sol:Lens", abi.encode(ch)));
    }

    // ------------------------------------------------------------------------------------------------ auctionView

    function test_auctionView_NoAuctionShowsHealth() public {
        _aliceUnderwater(2300e18);
        ILens.AuctionView memory v = lens.auctionView(aliceAcc);
        (int256 equity, uint256 mm, uint256 halted) = ch.accountHealth(aliceAcc);
        assertEq(v.startedAt, 0);
        assertEq(v.insolventSince, 0);
        assertEq(v.equity, equity);
        assertEq(v.mm, mm);
        assertEq(v.halted, halted);
        assertFalse(v.insolvent);
        assertEq(v.pricePerUnit, 0);
        assertEq(v.maxFraction, 0);
    }

    function test_auctionView_MatchesQuote_Solvent() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        uint64 started = uint64(block.timestamp);
        for (uint256 i; i < 4; ++i) {
            _assertViewMatches(aliceAcc);
            assertEq(lens.auctionView(aliceAcc).startedAt, started);
            vm.warp(block.timestamp + 7 minutes);
        }
        assertFalse(lens.auctionView(aliceAcc).insolvent);
    }

    function test_auctionView_MatchesQuote_Insolvent() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        _setPrice(ETH, 3200e18);
        ILens.AuctionView memory v = lens.auctionView(aliceAcc);
        assertTrue(v.insolvent, "equity below zero");
        assertEq(v.insolventSince, 0, "clock not started until a bid or markInsolvency");
        _assertViewMatches(aliceAcc);
        liq.markInsolvency(aliceAcc);
        vm.warp(block.timestamp + 20 minutes);
        v = lens.auctionView(aliceAcc);
        assertEq(v.insolventSince, block.timestamp - 20 minutes);
        assertLt(v.pricePerUnit, 0, "the fund pays");
        _assertViewMatches(aliceAcc);
    }

    function test_auctionView_RevertWhen_NoModule() public {
        ILens bare = ILens(ArtifactDeployer.deploy("Lens.sol:Lens", abi.encode(address(ch))));
        vm.mockCall(address(ch), abi.encodeWithSelector(IClearingHouse.liquidationModule.selector), abi.encode(0));
        vm.expectRevert(ILens.Lens_NoLiquidationModule.selector);
        bare.auctionView(aliceAcc);
    }

    // ------------------------------------------------------------------------------------------------ bidPreview

    /// Solvent phase, largest fraction and a small one; Alice also holds WETH, Carol already holds part of the series
    /// (long, so the short moving in nets against it) and WETH.
    function test_bidPreview_PredictsBidToTheWei_Solvent() public {
        _depositToken(aliceAcc, weth, 0.3e18);
        _applyOne(_trade(carolAcc, bobAcc, call2200, 2e18, 0));
        _depositToken(carolAcc, weth, 1.5e18);
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.warp(block.timestamp + 10 minutes);
        Quote memory q = liq.quote(aliceAcc);
        assertLt(q.maxFraction, 1e18);
        _assertPreviewMatchesBid(0.05e18, true);
        _assertPreviewMatchesBid(q.maxFraction / 3, true);
        _assertPreviewMatchesBid(q.maxFraction, false);
    }

    /// Insolvent phase, whole account: the auctioned account ends empty, the bidder takes the positions and the
    /// fund's payment; the bidder's opposite position is closed out entirely by the transfer.
    function test_bidPreview_PredictsBidToTheWei_InsolventWhole() public {
        _depositToken(aliceAcc, weth, 0.3e18);
        _aliceUnderwater(2300e18);
        (, int256[] memory sizes) = ch.positionsOf(aliceAcc);
        _applyOne(_trade(carolAcc, bobAcc, call2200, uint256(-sizes[0]), 0)); // carol long exactly alice's short
        _start(aliceAcc);
        _setPrice(ETH, 3200e18);
        liq.markInsolvency(aliceAcc);
        vm.warp(block.timestamp + 30 minutes);
        assertTrue(liq.quote(aliceAcc).insolvent);
        ILens.BidPreview memory p = _assertPreviewMatchesBid(1e18, false);
        assertGt(p.fromFund, 0, "the fund pays the bidder");
        assertEq(p.accountMMAfter, 0, "nothing left");
        (, int256[] memory carolSizes) = ch.positionsOf(carolAcc);
        assertEq(carolSizes.length, 0, "carol's long and the short cancel");
    }

    function test_bidPreview_BidderBelowIM() public {
        _aliceUnderwater(2300e18);
        _start(aliceAcc);
        vm.prank(bob);
        AccountId poor = ch.createAccount();
        uint256 f = liq.quote(aliceAcc).maxFraction;
        ILens.BidPreview memory p = lens.bidPreview(aliceAcc, poor, f);
        assertFalse(p.bidderMeetsIM);
        int256 margin = p.bidderEquityAfter - int256(p.bidderIMAfter);
        assertLt(margin, 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_BelowInitialMargin.selector, poor, margin));
        liq.bid(aliceAcc, poor, f, type(int256).max);
    }

    function test_bidPreview_RevertWhen_InvalidFractionOrNoAuction() public {
        _aliceUnderwater(2300e18);
        vm.expectRevert(abi.encodeWithSelector(ILiquidationModule.Liquidation_NoAuction.selector, aliceAcc));
        lens.bidPreview(aliceAcc, carolAcc, 0.1e18);
        _start(aliceAcc);
        vm.expectRevert(abi.encodeWithSelector(ILens.Lens_InvalidFraction.selector, 0));
        lens.bidPreview(aliceAcc, carolAcc, 0);
        vm.expectRevert(abi.encodeWithSelector(ILens.Lens_InvalidFraction.selector, 1e18 + 1));
        lens.bidPreview(aliceAcc, carolAcc, 1e18 + 1);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    function _assertViewMatches(AccountId account) internal view {
        ILens.AuctionView memory v = lens.auctionView(account);
        Quote memory q = liq.quote(account);
        Auction memory a = liq.auctionOf(account);
        assertEq(v.startedAt, a.startedAt, "startedAt");
        assertEq(v.insolventSince, a.insolventSince, "insolventSince");
        assertEq(v.insolvent, q.insolvent, "phase");
        assertEq(v.pricePerUnit, q.pricePerUnit, "price");
        assertEq(v.maxFraction, q.maxFraction, "maxFraction");
        assertEq(v.halted, q.halted, "halted");
        assertEq(v.equity, q.equity, "equity");
        assertEq(v.mm, q.mm, "mm");
    }

    /// @dev Previews Carol's bid of `fraction` on Alice, executes it and compares; restores the state if `restore`.
    function _assertPreviewMatchesBid(uint256 fraction, bool restore) internal returns (ILens.BidPreview memory p) {
        p = lens.bidPreview(aliceAcc, carolAcc, fraction);
        (int256 cost, uint256 toAccount, uint256 toFund, uint256 fromFund) = liq.costOf(aliceAcc, fraction);
        assertEq(p.cost, cost, "cost");
        assertEq(p.toAccount, toAccount, "toAccount");
        assertEq(p.toFund, toFund, "toFund");
        assertEq(p.fromFund, fromFund, "fromFund");
        assertTrue(p.bidderMeetsIM, "carol meets IM");

        uint256 snap = vm.snapshotState();
        assertEq(_bid(fraction, p.cost), p.cost);
        (int256 equity, , uint256 mm) = ch.accountMargin(aliceAcc);
        assertEq(p.accountEquityAfter, equity, "account equity after");
        assertEq(p.accountMMAfter, mm, "account MM after");
        uint256 im;
        (equity, im, ) = ch.accountMargin(carolAcc);
        assertEq(p.bidderEquityAfter, equity, "bidder equity after");
        assertEq(p.bidderIMAfter, im, "bidder IM after");
        if (restore) vm.revertToState(snap);
    }
}
