// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../contracts/libraries/SeriesIdLib.sol";
import {IClearingHouse, Trade} from "../../contracts/interfaces/IClearingHouse.sol";
import {UnderlyingParams} from "../../contracts/interfaces/IRiskConfig.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice applyTrades: validation, modes, positions, open interest, cash moves, fees and the health checks.
contract ClearingHouseTradesTest is CoreBase {
    SeriesId internal call2000;
    SeriesId internal put1800;
    uint40 internal expiry;

    function setUp() public override {
        super.setUp();
        expiry = _expiry(7);
        call2000 = _series(ETH, expiry, 2000e18, true);
        put1800 = _series(ETH, expiry, 1800e18, false);
        _depositCash(aliceAcc, 100_000e6);
        _depositCash(bobAcc, 100_000e6);
        _depositCash(carolAcc, 100_000e6);
    }

    // ------------------------------------------------------------------ effects

    function test_applyTrades_MovesPositionsCashAndOpenInterest() public {
        vm.expectEmit(address(ch));
        emit IClearingHouse.TradeApplied(call2000, aliceAcc, bobAcc, 3e18, 300e18, 0, 0);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 3e18, 300e18));
        assertEq(ch.positionOf(aliceAcc, call2000), 3e18);
        assertEq(ch.positionOf(bobAcc, call2000), -3e18);
        assertEq(ch.openInterest(call2000), 3e18);
        assertEq(ch.cashOf(aliceAcc), 100_000e18 - 300e18);
        assertEq(ch.cashOf(bobAcc), 100_000e18 + 300e18);

        // carol buys 1 from alice: alice reduces her long, OI unchanged (long moves from alice to carol)
        _applyOne(_trade(carolAcc, aliceAcc, call2000, 1e18, 120e18));
        assertEq(ch.positionOf(aliceAcc, call2000), 2e18);
        assertEq(ch.positionOf(carolAcc, call2000), 1e18);
        assertEq(ch.openInterest(call2000), 3e18);

        // bob buys back 2 from alice: both reduce, OI shrinks
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 2e18, 200e18));
        assertEq(ch.positionOf(aliceAcc, call2000), 0);
        assertEq(ch.positionOf(bobAcc, call2000), -1e18);
        assertEq(ch.openInterest(call2000), 1e18);
        (SeriesId[] memory ids, ) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 0, "closed position is removed");
    }

    function test_applyTrades_FlipThroughZeroKeepsOpenInterestEqualToLongs() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 5e18, 0)); // alice +2 -> -3, bob -2 -> +3
        assertEq(ch.positionOf(aliceAcc, call2000), -3e18);
        assertEq(ch.positionOf(bobAcc, call2000), 3e18);
        assertEq(ch.openInterest(call2000), 3e18);
    }

    function test_applyTrades_FeesSplitBetweenFeeAndInsuranceAccounts() public {
        vm.prank(admin);
        risk.setInsuranceFeeShare(0.25e18);
        Trade memory t = _trade(aliceAcc, bobAcc, call2000, 1e18, 100e18);
        t.buyerFee = 3e18;
        t.sellerFee = 1e18 + 1;
        _applyOne(t);
        assertEq(ch.cashOf(aliceAcc), 100_000e18 - 103e18);
        assertEq(ch.cashOf(bobAcc), 100_000e18 + 99e18 - 1);
        uint256 fees = 4e18 + 1;
        uint256 insurancePart = fees / 4; // rounded down
        assertEq(ch.cashOf(ch.insuranceAccount()), int256(insurancePart));
        assertEq(ch.cashOf(ch.feeAccount()), int256(fees - insurancePart));
    }

    function test_applyTrades_MultiLegBatchChecksEachAccountOnce() public {
        Trade[] memory trades = new Trade[](3);
        trades[0] = _trade(aliceAcc, bobAcc, call2000, 1e18, 100e18);
        trades[1] = _trade(aliceAcc, carolAcc, put1800, 2e18, 50e18);
        trades[2] = _trade(carolAcc, bobAcc, call2000, 1e18, 90e18);
        exchange.applyTrades(trades);
        assertEq(ch.positionOf(aliceAcc, call2000), 1e18);
        assertEq(ch.positionOf(aliceAcc, put1800), 2e18);
        assertEq(ch.positionOf(bobAcc, call2000), -2e18);
        assertEq(ch.positionOf(carolAcc, put1800), -2e18);
        assertEq(ch.positionOf(carolAcc, call2000), 1e18);
        assertEq(ch.openInterest(call2000), 2e18);
        assertEq(ch.openInterest(put1800), 2e18);
        (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 2);
        assertEq(sizes[0] + sizes[1], 3e18);
    }

    function test_applyTrades_SwapAndPopKeepsIndexConsistent() public {
        SeriesId[4] memory s = [
            _series(ETH, expiry, 1900e18, true),
            _series(ETH, expiry, 2000e18, true),
            _series(ETH, expiry, 2100e18, true),
            _series(ETH, expiry, 2200e18, true)
        ];
        for (uint256 i; i < 4; ++i) {
            _applyOne(_trade(aliceAcc, bobAcc, s[i], (i + 1) * 1e18, 0));
        }
        _applyOne(_trade(bobAcc, aliceAcc, s[0], 1e18, 0)); // removes the first slot: the last moves into it
        assertEq(ch.positionOf(aliceAcc, s[0]), 0);
        assertEq(ch.positionOf(aliceAcc, s[3]), 4e18);
        _applyOne(_trade(bobAcc, aliceAcc, s[3], 1e18, 0)); // the moved position is still addressable
        assertEq(ch.positionOf(aliceAcc, s[3]), 3e18);
        (SeriesId[] memory ids, ) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 3);
    }

    // ------------------------------------------------------------------ validation

    function test_applyTrades_RevertWhen_NotExchange() public {
        Trade[] memory trades = new Trade[](1);
        trades[0] = _trade(aliceAcc, bobAcc, call2000, 1e18, 0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_OnlyExchange.selector, alice));
        ch.applyTrades(trades);
    }

    function test_applyTrades_RevertWhen_UnknownAccount() public {
        AccountId unknown = AccountId.wrap(99);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        _applyOne(_trade(unknown, bobAcc, call2000, 1e18, 0));
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, unknown));
        _applyOne(_trade(aliceAcc, unknown, call2000, 1e18, 0));
    }

    function test_applyTrades_RevertWhen_SelfTrade() public {
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_SelfTrade.selector, aliceAcc));
        _applyOne(_trade(aliceAcc, aliceAcc, call2000, 1e18, 0));
    }

    function test_applyTrades_RevertWhen_ZeroSize() public {
        vm.expectRevert(IClearingHouse.ClearingHouse_ZeroAmount.selector);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 0, 0));
    }

    function test_applyTrades_RevertWhen_SeriesOffGrid() public {
        SeriesId[6] memory bad = [
            _series(ETH, expiry + 1 hours, 2000e18, true), // not 08:00
            _series(ETH, expiry, 2000.5e18, true), // not a strike multiple
            _series(ETH, _expiry(366), 2000e18, true), // beyond the horizon
            _series(7, expiry, 2000e18, true), // underlying not listed
            SeriesId.wrap(SeriesId.unwrap(call2000) | 2), // malformed kind byte
            _series(ETH, expiry, 1_000_001e18, true) // above max strike
        ];
        for (uint256 i; i < bad.length; ++i) {
            assertFalse(ch.isTradable(bad[i]));
            vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_SeriesNotTradable.selector, bad[i]));
            _applyOne(_trade(aliceAcc, bobAcc, bad[i], 1e18, 0));
        }
        assertTrue(ch.isTradable(call2000));
    }

    function test_applyTrades_RevertWhen_SeriesExpired() public {
        vm.warp(expiry);
        assertFalse(ch.isTradable(call2000));
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_SeriesExpired.selector, call2000, expiry));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
    }

    function test_applyTrades_OpenSeriesStaysTradableAfterGridChange() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.strikeStep = 300e18; // 2000 is no longer on the grid
        p.minStrike = 300e18;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
        assertTrue(ch.isTradable(call2000));
        assertFalse(ch.isTradable(_series(ETH, expiry, 2000e18, false)));
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 2e18, 0)); // closing works
        assertEq(ch.openInterest(call2000), 0);
        assertFalse(ch.isTradable(call2000));
    }

    function test_applyTrades_RevertWhen_PositionCapReached() public {
        vm.prank(admin);
        risk.setPositionCap(2);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, put1800, 1e18, 0));
        SeriesId third = _series(ETH, expiry, 2100e18, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_PositionCapReached.selector, aliceAcc, 2));
        _applyOne(_trade(aliceAcc, carolAcc, third, 1e18, 0));
        // existing positions still trade
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, call2000), 2e18);
    }

    function test_applyTrades_RevertWhen_PositionOverflow() public {
        uint256 huge = uint256(uint96(type(int96).max)); // the largest size a slot can hold
        _depositCash(bobAcc, 1e30);
        _depositCash(aliceAcc, 1e30);
        SeriesId farPut = _series(ETH, expiry, 100e18, false);
        _applyOne(_trade(aliceAcc, bobAcc, farPut, huge, 0));
        vm.expectRevert(
            abi.encodeWithSelector(IClearingHouse.ClearingHouse_PositionOverflow.selector, aliceAcc, farPut)
        );
        _applyOne(_trade(aliceAcc, carolAcc, farPut, 1, 0));
    }

    // ------------------------------------------------------------------ modes

    function test_applyTrades_RevertWhen_MarketHalted() public {
        _halt(ETH);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, ETH));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
    }

    function test_applyTrades_ReduceOnlyAcceptsOnlyShrinkingLegs() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 3e18, 0));
        _reduceOnly(ETH);
        // opening for a new account
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        _applyOne(_trade(carolAcc, bobAcc, call2000, 1e18, 0));
        // flipping alice from +3 to -1
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 4e18, 0));
        // both sides shrink: allowed
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 2e18, 0));
        assertEq(ch.positionOf(aliceAcc, call2000), 1e18);
        assertEq(ch.positionOf(bobAcc, call2000), -1e18);
    }

    function test_applyTrades_StaleVolMakesGroupReduceOnly() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        vm.warp(block.timestamp + 7 days + 1); // vol stale; keep the price fresh
        _setPrice(ETH, 2000e18);
        SeriesId later = _series(ETH, _expiry(3), 2000e18, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_ReduceOnly.selector, ETH));
        _applyOne(_trade(aliceAcc, bobAcc, later, 1e18, 0));
    }

    // INV-10: a halted market blocks nothing in another market.
    function test_applyTrades_OtherMarketUnaffectedByHalt() public {
        _halt(BTC);
        SeriesId btcCall = _series(BTC, expiry, 60_000e18, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_MarketHalted.selector, BTC));
        _applyOne(_trade(aliceAcc, bobAcc, btcCall, 1e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, call2000), 1e18);
    }

    // ------------------------------------------------------------------ health checks

    // INV-4: a risk-adding leg needs IM >= 0 afterwards.
    function test_applyTrades_RevertWhen_BelowInitialMargin() public {
        AccountId poor = _newAccount(carol, 50e6); // 50 USDC
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _applyOne(_trade(aliceAcc, poor, call2000, 10e18, 0));
    }

    function test_applyTrades_RevertWhen_BuyerCannotPayPremium() public {
        AccountId poor = _newAccount(carol, 50e6);
        SeriesId farCall = _series(ETH, expiry, 4000e18, true); // worth almost nothing: no equity to lean on
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _applyOne(_trade(poor, bobAcc, farCall, 1e18, 100e18));
        _applyOne(_trade(poor, bobAcc, farCall, 1e18, 40e18));
        assertEq(ch.cashOf(poor), 10e18);
    }

    /// Below IM, a batch passes only when it reduced the account's risk as a whole (IM need not up, equity − IM not
    /// down, same prices): buying back one short call at a price near its mark passes, selling another does not.
    function test_applyTrades_BelowInitialMarginAcceptsWholeAccountReduction() public {
        AccountId trader = _newAccount(carol, 0);
        _depositCash(trader, 2_000e6);
        _applyOne(_trade(aliceAcc, trader, call2000, 5e18, 500e18));
        _tightenInitialMargin();
        (int256 equity, uint256 im, uint256 mm) = ch.accountMargin(trader);
        assertLt(equity, int256(im), "setup: below IM");
        assertGe(equity, int256(mm), "setup: above MM");

        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowInitialMargin.selector);
        _applyOne(_trade(aliceAcc, trader, call2000, 1e18, 100e18)); // adds risk
        _applyOne(_trade(trader, aliceAcc, call2000, 1e18, 100e18)); // reduces the whole account's risk
        assertEq(ch.positionOf(trader, call2000), -4e18);
        (int256 equityAfter, uint256 imAfter, ) = ch.accountMargin(trader);
        assertLt(imAfter, im, "IM need fell");
        assertGe(equityAfter - int256(imAfter), equity - int256(im), "initial margin did not fall");
    }

    /// A buyback below IM that pays more than the IM it releases lowers equity − IM: refused whatever its size. The
    /// same buyback at the mark is accepted and raises the initial margin by what it releases.
    function test_applyTrades_RevertWhen_ReductionLowersInitialMargin() public {
        AccountId trader = _newAccount(carol, 0);
        _depositCash(trader, 3_000e6);
        _applyOne(_trade(aliceAcc, trader, call2000, 5e18, 0));
        _tightenInitialMargin();
        (int256 equity, uint256 im, ) = ch.accountMargin(trader);
        assertLt(equity, int256(im), "setup: below IM");
        // IM released by one call: its requirement share; paying that plus 1 wei above the mark lowers equity − IM
        Trade memory t = _trade(trader, aliceAcc, call2000, 1e18, 0);
        (uint256 release, uint256 mark) = _buybackRelease(trader, t);
        t.premium = mark + release + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_BelowInitialMargin.selector,
                trader,
                equity - int256(im) - 1
            )
        );
        _applyOne(t);
        t.premium = mark;
        _applyOne(t);
        (int256 equityAfter, uint256 imAfter, ) = ch.accountMargin(trader);
        assertEq(equityAfter, equity, "fair price: equity unchanged");
        assertEq(equityAfter - int256(imAfter), equity - int256(im) + int256(release));
    }

    // ------------------------------------------------------------------ min trade size and group cap

    function test_applyTrades_RevertWhen_BelowMinTradeSizeOpens() public {
        uint256 minSize = risk.riskParams(ETH).minTradeSize;
        assertEq(minSize, 1e15, "first-listing default");
        vm.expectRevert(
            abi.encodeWithSelector(
                IClearingHouse.ClearingHouse_BelowMinTradeSize.selector,
                call2000,
                minSize - 1,
                minSize
            )
        );
        _applyOne(_trade(aliceAcc, bobAcc, call2000, minSize - 1, 0));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, minSize, 0)); // at the minimum: fine
        assertEq(ch.positionOf(aliceAcc, call2000), int256(minSize));
    }

    /// Dust is refused only when it opens a position on either side: adding to or closing existing ones is fine.
    function test_applyTrades_DustThatOpensNothingAccepted() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1, 0)); // both sides already hold the series
        assertEq(ch.positionOf(aliceAcc, call2000), 2e18 + 1);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1, 0)); // dust close
        assertEq(ch.positionOf(aliceAcc, call2000), 2e18);
        // one side opening is enough to refuse it
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_BelowMinTradeSize.selector);
        _applyOne(_trade(carolAcc, bobAcc, call2000, 1, 0));
    }

    function test_applyTrades_RevertWhen_GroupCapReached() public {
        vm.prank(admin);
        risk.setGroupCap(2);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0)); // group 1
        _applyOne(_trade(aliceAcc, bobAcc, put1800, 1e18, 0)); // same group
        SeriesId second = _series(ETH, _expiry(14), 2000e18, true);
        _applyOne(_trade(aliceAcc, bobAcc, second, 1e18, 0)); // group 2
        SeriesId third = _series(BTC, expiry, 60_000e18, true);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_GroupCapReached.selector, aliceAcc, 3, 2));
        _applyOne(_trade(aliceAcc, carolAcc, third, 0.01e18, 0));
        // more of a held series, or a new series in a held group, is fine
        _applyOne(_trade(aliceAcc, carolAcc, second, 1e18, 0));
        _applyOne(_trade(aliceAcc, carolAcc, _series(ETH, expiry, 2100e18, true), 1e18, 0));
    }

    /// Lowering the cap below an account's group count blocks only trades that open positions for it.
    function test_applyTrades_GroupCapBlocksOnlyOpening() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, _series(ETH, _expiry(14), 2000e18, true), 2e18, 0));
        vm.prank(admin);
        risk.setGroupCap(1);
        _applyOne(_trade(bobAcc, aliceAcc, call2000, 1e18, 0)); // reduces: no cap check
        _applyOne(_trade(aliceAcc, carolAcc, call2000, 1e18, 0)); // adds to a held series: no cap check
        vm.expectPartialRevert(IClearingHouse.ClearingHouse_GroupCapReached.selector);
        _applyOne(_trade(aliceAcc, carolAcc, put1800, 1e18, 0)); // opens (in a held group): 2 groups > 1
    }

    function test_applyTrades_AtomicWhenALaterLegFails() public {
        Trade[] memory trades = new Trade[](2);
        trades[0] = _trade(aliceAcc, bobAcc, call2000, 1e18, 100e18);
        trades[1] = _trade(aliceAcc, aliceAcc, put1800, 1e18, 0);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_SelfTrade.selector, aliceAcc));
        exchange.applyTrades(trades);
        assertEq(ch.positionOf(aliceAcc, call2000), 0);
        assertEq(ch.cashOf(aliceAcc), 100_000e18);
    }

    /// @dev IM base and floor at 100% of spot: short accounts funded for the default IM fall below it.
    function _tightenInitialMargin() internal {
        UnderlyingParams memory p = _underlyingParams(1e18);
        p.imBase = 1e18;
        p.imFloor = 1e18;
        vm.prank(admin);
        risk.setUnderlyingParams(ETH, p);
    }

    /// @dev The IM need a one-leg buyback `t` releases for `buyer`, and the series' mark (per contract), both at
    /// current prices: measured on the account with `vm.snapshotState` around a zero-premium trade.
    function _buybackRelease(AccountId buyer, Trade memory t) internal returns (uint256 release, uint256 mark) {
        (int256 equity, uint256 im, ) = ch.accountMargin(buyer);
        uint256 snap = vm.snapshotState();
        _applyOne(t); // zero premium: accepted (equity up by the mark, IM need down)
        (int256 equityAfter, uint256 imAfter, ) = ch.accountMargin(buyer);
        vm.revertToState(snap);
        release = im - imAfter;
        mark = uint256(equityAfter - equity);
    }

    function _newAccount(address owner, uint256 cashNative) internal returns (AccountId account) {
        vm.prank(owner);
        account = ch.createAccount();
        if (cashNative != 0) _depositCash(account, cashNative);
    }
}
