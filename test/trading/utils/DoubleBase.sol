// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, MarketMode} from "../../../contracts/types/Types.sol";
import {IClearingHouse} from "../../../contracts/interfaces/IClearingHouse.sol";
import {OptionExchange} from "../../../contracts/trading/OptionExchange.sol";
import {ExchangeTestBase} from "./ExchangeTestBase.sol";
import {ClearingHouseDouble} from "./ClearingHouseDouble.sol";

/// @notice Exchange tests against the clearing-house test double (exchange-only logic).
abstract contract DoubleBase is ExchangeTestBase {
    ClearingHouseDouble internal double;

    function setUp() public virtual {
        _setUpActors();
        vm.warp(1_700_000_000);
        expiry = uint40(block.timestamp + 30 days);
        call3000 = _series(3000e18, true);
        put2500 = _series(2500e18, false);
        double = new ClearingHouseDouble();
        ch = IClearingHouse(address(double));
        exchange = new OptionExchange(ch, admin, riskAdmin);
        double.setExchange(address(exchange));
        makerAccount = _openAccount(makerOwner, 100_000e18);
        takerAccount = _openAccount(takerOwner, 100_000e18);
    }

    function _openAccount(address owner, uint256) internal override returns (AccountId) {
        return double.createAccount(owner);
    }

    function _approveOperator(AccountId account, address, address op, bool approved) internal override {
        double.setOperator(account, op, approved);
    }

    function _openUnderfundedAccount(address owner) internal override returns (AccountId account) {
        account = double.createAccount(owner);
        double.setHealthy(account, false);
    }

    function _protocolFeeCash() internal view override returns (int256) {
        return double.feesCollected();
    }

    function _setMarketMode(uint16 underlying, MarketMode mode) internal override {
        double.setMode(underlying, mode);
    }
}
