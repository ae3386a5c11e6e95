// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {SeriesId} from "../../contracts/types/Types.sol";
import {IOptionExchange, Order} from "../../contracts/interfaces/IOptionExchange.sol";
import {TradingBase as Base} from "./utils/TradingBase.sol";

/// @notice Per-underlying and per-series open-interest caps.
contract OpenInterestCapTest is Base {
    function _setUnderlyingCap(uint256 cap) internal {
        vm.prank(riskAdmin);
        exchange.setUnderlyingOpenInterestCap(ETH, cap);
    }

    function test_fill_RevertWhen_OpenInterestAboveCap() public {
        _setUnderlyingCap(2e18);
        Order memory o = _order(makerAccount, call3000, false, 5e18, 100e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 2e18)));
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_OpenInterestCap.selector, call3000, 2.5e18, 2e18)
        );
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 0.5e18)));
        assertEq(ch.openInterest(call3000), 2e18);
        assertEq(_filled(o), 2e18, "revert rolled back the fill");
    }

    function test_fill_ClosingTradeAllowedAboveLoweredCap() public {
        Order memory o = _order(makerAccount, call3000, false, 5e18, 100e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, o, 5e18)));
        _setUnderlyingCap(1e18); // cap lowered below current OI
        Order memory close = _order(makerAccount, call3000, true, 1e18, 100e18);
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, close, 1e18)));
        assertEq(ch.openInterest(call3000), 4e18, "OI fell, trade allowed although still above cap");
    }

    function test_fill_SeriesCapOverridesUnderlyingCap() public {
        _setUnderlyingCap(1e18);
        vm.prank(riskAdmin);
        exchange.setSeriesOpenInterestCap(call3000, 10e18);
        assertEq(exchange.openInterestCap(call3000), 10e18);
        assertEq(exchange.openInterestCap(put2500), 1e18);
        _fillAs(
            takerOwner,
            takerAccount,
            _one(_request(makerKey, _order(makerAccount, call3000, false, 5e18, 100e18), 5e18))
        );
        assertEq(ch.openInterest(call3000), 5e18);
        Order memory p = _order(makerAccount, put2500, false, 5e18, 100e18);
        vm.expectRevert(abi.encodeWithSelector(IOptionExchange.Exchange_OpenInterestCap.selector, put2500, 2e18, 1e18));
        _fillAs(takerOwner, takerAccount, _one(_request(makerKey, p, 2e18)));
    }

    function test_matchOrders_RevertWhen_OpenInterestAboveCap() public {
        vm.prank(riskAdmin);
        exchange.setSeriesOpenInterestCap(call3000, 1e18);
        Order memory buy = _order(takerAccount, call3000, true, 2e18, 100e18);
        Order memory sell = _order(makerAccount, call3000, false, 2e18, 100e18);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_OpenInterestCap.selector, call3000, 2e18, 1e18)
        );
        vm.prank(relayer);
        exchange.matchOrders(_signed(takerKey, buy), _signed(makerKey, sell), 2e18);
    }

    function test_setOpenInterestCap_EmitsAndBounds() public {
        uint256 minCap = exchange.MIN_OPEN_INTEREST_CAP();
        uint256 maxCap = exchange.MAX_OPEN_INTEREST_CAP();
        vm.startPrank(riskAdmin);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.UnderlyingOpenInterestCapSet(ETH, 100e18);
        exchange.setUnderlyingOpenInterestCap(ETH, 100e18);
        vm.expectEmit(address(exchange));
        emit IOptionExchange.SeriesOpenInterestCapSet(call3000, 0);
        exchange.setSeriesOpenInterestCap(call3000, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_CapOutOfBounds.selector, minCap - 1, minCap, maxCap)
        );
        exchange.setUnderlyingOpenInterestCap(ETH, minCap - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IOptionExchange.Exchange_CapOutOfBounds.selector, maxCap + 1, minCap, maxCap)
        );
        exchange.setSeriesOpenInterestCap(call3000, maxCap + 1);
        vm.stopPrank();
        assertEq(exchange.openInterestCap(call3000), 100e18);
    }

    function test_setOpenInterestCap_RevertWhen_NotRiskAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                stranger,
                exchange.RISK_ADMIN_ROLE()
            )
        );
        vm.prank(stranger);
        exchange.setSeriesOpenInterestCap(SeriesId.wrap(1), 1e18);
    }
}
