// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../../../contracts/types/Types.sol";
import {Trade} from "../../../contracts/interfaces/IClearingHouse.sol";
import {CoreBase} from "./CoreBase.sol";

/// @notice Shared setup and measuring helpers of the issue-7 risk engine tests (RiskEngine.t.sol,
/// RiskEngineMarkets.t.sol; two files because one compile job holding both exhausts solc-js). ETH spot 2000, vol 80%,
/// the shared test config (IM 15%/10%, MM 10%/7.5% of spot, the first-listing stress defaults).
abstract contract RiskEngineBase is CoreBase {
    uint256 internal constant SPOT = 2000e18;
    uint256 internal constant VOL = 0.8e18;

    /// @dev A second account of alice's (issue cases 1 and 3: one person, two accounts).
    AccountId internal aliceAcc2;

    function setUp() public virtual override {
        super.setUp();
        _depositCash(bobAcc, 100_000_000e6); // the market: deep pockets on the other side of every trade
        vm.prank(alice);
        aliceAcc2 = ch.createAccount();
    }

    function _setVol(uint16 underlying, uint256 volWad) internal {
        vm.prank(volUpdater);
        volOracle.setVol(underlying, volWad);
    }

    /// @dev Value of `size` long contracts of `series` at current marks (what the buyer's equity gains at zero
    /// premium), measured on a scratch trade that is rolled back.
    function _longValue(SeriesId series, uint256 size) internal returns (uint256 value) {
        uint256 snap = vm.snapshotState();
        vm.prank(carol);
        AccountId probe = ch.createAccount();
        _applyOne(_trade(probe, bobAcc, series, size, 0));
        (int256 equity, , ) = ch.accountMargin(probe);
        vm.revertToState(snap);
        value = uint256(equity);
    }

    /// @dev The IM need a buyback `t` releases for its buyer, and the liability it removes (the fair premium),
    /// measured on a zero-premium copy of the trade that is rolled back.
    function _buybackRelease(AccountId buyer, Trade memory t) internal returns (uint256 release, uint256 mark) {
        (int256 equity, uint256 im, ) = ch.accountMargin(buyer);
        uint256 snap = vm.snapshotState();
        uint256 premium = t.premium;
        t.premium = 0;
        _applyOne(t);
        t.premium = premium;
        (int256 equityAfter, uint256 imAfter, ) = ch.accountMargin(buyer);
        vm.revertToState(snap);
        release = im - imAfter;
        mark = uint256(equityAfter - equity);
    }

    /// @dev Applies `legs` (every leg sold by `account`, which holds no cash) with the first leg's premium chosen so
    /// that `account` ends exactly at IM: equity − im == 0 to the wei.
    function _openAtExactInitialMargin(AccountId account, Trade[] memory legs) internal {
        assertEq(ch.cashOf(account), 0, "starts without cash");
        uint256 snap = vm.snapshotState();
        _depositCash(account, 100_000_000e6);
        exchange.applyTrades(legs);
        (int256 equity, uint256 im, ) = ch.accountMargin(account);
        vm.revertToState(snap);
        int256 need = int256(im) - (equity - 100_000_000e18);
        assertGt(need, 0);
        legs[0].premium = uint256(need);
        exchange.applyTrades(legs);
        (equity, im, ) = ch.accountMargin(account);
        assertEq(equity, int256(im), "exactly at IM");
    }
}
