// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../contracts/types/Types.sol";
import {IClearingHouse} from "../../contracts/interfaces/IClearingHouse.sol";
import {CoreBase} from "./utils/CoreBase.sol";

/// @notice settleAccounts: payoff to cash at the recorded price, removal, open interest, zero-sum (INV-3).
contract ClearingHouseSettlementTest is CoreBase {
    uint40 internal expiry;
    uint40 internal laterExpiry;
    SeriesId internal call2000;
    SeriesId internal put1800;
    SeriesId internal laterCall;

    function setUp() public override {
        super.setUp();
        expiry = _expiry(2);
        laterExpiry = _expiry(9);
        call2000 = _series(ETH, expiry, 2000e18, true);
        put1800 = _series(ETH, expiry, 1800e18, false);
        laterCall = _series(ETH, laterExpiry, 2000e18, true);
        _depositCash(aliceAcc, 100_000e6);
        _depositCash(bobAcc, 100_000e6);
        _depositCash(carolAcc, 100_000e6);
    }

    function test_settleAccounts_PaysIntrinsicAndRemovesPositions() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, put1800, 1e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, laterCall, 1e18, 0));
        _settleAt(ETH, expiry, 2150e18);

        vm.expectEmit(address(ch));
        emit IClearingHouse.PositionSettled(aliceAcc, put1800, 1e18, 2150e18, 0);
        vm.expectEmit(address(ch));
        emit IClearingHouse.PositionSettled(aliceAcc, call2000, 2e18, 2150e18, 300e18);
        _settle(aliceAcc);
        assertEq(ch.cashOf(aliceAcc), 100_000e18 + 300e18);
        assertEq(ch.positionOf(aliceAcc, call2000), 0);
        assertEq(ch.positionOf(aliceAcc, put1800), 0);
        assertEq(ch.positionOf(aliceAcc, laterCall), 1e18, "unexpired position untouched");
        (SeriesId[] memory ids, ) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 1);
        assertEq(ch.openInterest(call2000), 0, "long settled");

        _settle(bobAcc);
        assertEq(ch.cashOf(bobAcc), 100_000e18 - 300e18);
        assertEq(ch.positionOf(bobAcc, laterCall), -1e18);
    }

    /// Open interest is frozen at expiry and reads 0 once the settlement price is final, before and after accounts
    /// are settled; settlement itself writes no open interest. Unexpired series keep their open interest (INV-2).
    function test_openInterest_ZeroOnceSettlementRecorded() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 2e18, 0));
        _applyOne(_trade(aliceAcc, bobAcc, laterCall, 1e18, 0));
        vm.warp(expiry + 1);
        assertEq(ch.openInterest(call2000), 2e18, "expired, price not recorded yet: still open");
        _settleAt(ETH, expiry, 2150e18);
        assertEq(ch.openInterest(call2000), 0, "final price recorded: economically closed");
        assertEq(ch.positionOf(aliceAcc, call2000), 2e18, "positions still await settleAccounts");
        _settle(aliceAcc);
        _settle(bobAcc);
        assertEq(ch.openInterest(call2000), 0);
        assertEq(ch.openInterest(laterCall), 1e18, "unexpired series keeps its open interest");
    }

    // INV-3: payoffs are zero-sum up to protocol-favouring dust (at most 1 wei per position).
    function testFuzz_settleAccounts_ZeroSum(uint256 size, uint256 price, uint256 strikeSteps, bool isCall) public {
        size = bound(size, 1, 1_000e18);
        _setMinTradeSize(ETH, 1); // down to 1-wei positions: the rounding is the point here
        price = (bound(price, 100e18, 100_000e18) / 1e10) * 1e10; // 8-decimal feed precision
        uint256 strike = bound(strikeSteps, 1, 5_000) * 1e18;
        SeriesId series = _series(ETH, expiry, strike, isCall);
        _depositCash(aliceAcc, 1e15);
        _depositCash(bobAcc, 1e15);
        _applyOne(_trade(aliceAcc, bobAcc, series, size, 0));
        int256 before = ch.cashOf(aliceAcc) + ch.cashOf(bobAcc);
        _settleAt(ETH, expiry, price);
        AccountId[] memory both = new AccountId[](2);
        (both[0], both[1]) = (aliceAcc, bobAcc);
        ch.settleAccounts(both);
        int256 afterSum = ch.cashOf(aliceAcc) + ch.cashOf(bobAcc);
        assertLe(afterSum, before, "settlement created value");
        assertGe(afterSum, before - 1, "more than 1 wei of dust");
        assertEq(ch.openInterest(series), 0);
    }

    function test_settleAccounts_SkipsUnrecordedAndUnexpired() public {
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        _settle(aliceAcc); // not expired
        assertEq(ch.positionOf(aliceAcc, call2000), 1e18);
        vm.warp(expiry + 1);
        _setPrice(ETH, 2100e18);
        _settle(aliceAcc); // expired, price not recorded
        assertEq(ch.positionOf(aliceAcc, call2000), 1e18);
        assertEq(ch.cashOf(aliceAcc), 100_000e18);
    }

    function test_settleAccounts_ShortRoundsUpLongRoundsDown() public {
        uint256 size = 333_333_333_333_333_333; // 1/3 contract
        _applyOne(_trade(aliceAcc, bobAcc, call2000, size, 0));
        _settleAt(ETH, expiry, 2000.5e18); // intrinsic 0.5: payoff 166666666666666666.5
        AccountId[] memory both = new AccountId[](2);
        (both[0], both[1]) = (aliceAcc, bobAcc);
        ch.settleAccounts(both);
        assertEq(ch.cashOf(aliceAcc) - 100_000e18, 166_666_666_666_666_666, "long credited rounded down");
        assertEq(ch.cashOf(bobAcc) - 100_000e18, -166_666_666_666_666_667, "short debited rounded up");
    }

    function test_settleAccounts_FreesPositionCap() public {
        vm.prank(admin);
        risk.setPositionCap(1);
        _applyOne(_trade(aliceAcc, bobAcc, call2000, 1e18, 0));
        _settleAt(ETH, expiry, 1900e18);
        _settle(aliceAcc);
        _applyOne(_trade(aliceAcc, carolAcc, laterCall, 1e18, 0));
        assertEq(ch.positionOf(aliceAcc, laterCall), 1e18);
    }

    function test_settleAccounts_WorksWhenAccountInsolvent() public {
        AccountId poor = _newAccount(carol, 1_000e6);
        _applyOne(_trade(aliceAcc, poor, call2000, 1e18, 0));
        _settleAt(ETH, expiry, 4000e18); // short loses 2000 with 1000 of cash
        _settle(poor);
        assertEq(ch.cashOf(poor), -1_000e18);
        _settle(aliceAcc);
        assertEq(ch.cashOf(aliceAcc), 102_000e18);
    }

    function test_settleAccounts_RevertWhen_UnknownAccount() public {
        AccountId[] memory list = new AccountId[](1);
        list[0] = AccountId.wrap(1234);
        vm.expectRevert(abi.encodeWithSelector(IClearingHouse.ClearingHouse_UnknownAccount.selector, list[0]));
        ch.settleAccounts(list);
    }

    function test_settleAccounts_ManyPositionsAcrossExpiries() public {
        // interleave two expiries so that swap-and-pop moves kept positions around
        for (uint256 i; i < 6; ++i) {
            uint40 e = i % 2 == 0 ? expiry : laterExpiry;
            _applyOne(_trade(aliceAcc, bobAcc, _series(ETH, e, (1900 + 50 * i) * 1e18, true), 1e18, 0));
        }
        _settleAt(ETH, expiry, 2000e18);
        _settle(aliceAcc);
        (SeriesId[] memory ids, int256[] memory sizes) = ch.positionsOf(aliceAcc);
        assertEq(ids.length, 3);
        for (uint256 i; i < ids.length; ++i) {
            assertEq(uint256(uint40(SeriesId.unwrap(ids[i]) >> 104)), laterExpiry);
            assertEq(ch.positionOf(aliceAcc, ids[i]), sizes[i]);
        }
        // alice: strikes 1900 (+100), 2000 (0), 2100 (0) at 2000
        assertEq(ch.cashOf(aliceAcc), 100_000e18 + 100e18);
    }

    function _settle(AccountId account) internal {
        AccountId[] memory list = new AccountId[](1);
        list[0] = account;
        ch.settleAccounts(list);
    }

    function _newAccount(address owner, uint256 cashNative) internal returns (AccountId account) {
        vm.prank(owner);
        account = ch.createAccount();
        if (cashNative != 0) _depositCash(account, cashNative);
    }
}
