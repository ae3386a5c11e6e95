// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../../../contracts/types/Types.sol";
import {SeriesIdLib} from "../../../contracts/libraries/SeriesIdLib.sol";
import {Trade} from "../../../contracts/interfaces/IClearingHouse.sol";

/// @notice Test double of IClearingHouse for exchange-only unit tests (signatures, fills, fees, caps): accounts with
/// owners and operators, signed positions, cash, open interest and per-underlying market modes. Health is a
/// switch per account (`setHealthy`), checked once per touched account at the end of `applyTrades`, like the real
/// core. Not used where the real ClearingHouse is expected.
/// Does not inherit IClearingHouse (the real interface grows account/custody functions); cast its address.
contract ClearingHouseDouble {
    error Double_OnlyExchange(address caller);
    error Double_Unhealthy(AccountId account);
    error Double_MarketHalted(uint16 underlying);
    error Double_ReduceOnly(uint16 underlying);
    error Double_Expired(SeriesId series);

    address public exchange;
    uint256 public accountCount;
    mapping(AccountId => address) internal _owners;
    mapping(AccountId => mapping(address => bool)) internal _operators;
    mapping(AccountId => mapping(SeriesId => int256)) internal _positions;
    mapping(AccountId => int256) internal _cash;
    mapping(SeriesId => uint256) internal _openInterest;
    mapping(AccountId => bool) public unhealthy;
    mapping(uint16 => MarketMode) public modes;
    int256 public feesCollected;
    uint256 public applyCalls;

    function setExchange(address exchange_) external {
        exchange = exchange_;
    }

    function createAccount(address owner) external returns (AccountId account) {
        account = AccountId.wrap(++accountCount);
        _owners[account] = owner;
    }

    function setOperator(AccountId account, address operator, bool approved) external {
        _operators[account][operator] = approved;
    }

    function setHealthy(AccountId account, bool healthy) external {
        unhealthy[account] = !healthy;
    }

    function setMode(uint16 underlying, MarketMode mode) external {
        modes[underlying] = mode;
    }

    function setPosition(AccountId account, SeriesId series, int256 position) external {
        _positions[account][series] = position;
    }

    function setOpenInterest(SeriesId series, uint256 oi) external {
        _openInterest[series] = oi;
    }

    function applyTrades(Trade[] calldata trades) external {
        if (msg.sender != exchange) revert Double_OnlyExchange(msg.sender);
        ++applyCalls;
        for (uint256 i; i < trades.length; ++i) {
            Trade calldata t = trades[i];
            uint16 u = SeriesIdLib.underlying(t.series);
            if (SeriesIdLib.expiry(t.series) <= block.timestamp) revert Double_Expired(t.series);
            int256 buyerBefore = _positions[t.buyer][t.series];
            int256 sellerBefore = _positions[t.seller][t.series];
            int256 size = int256(t.size);
            int256 buyerAfter = buyerBefore + size;
            int256 sellerAfter = sellerBefore - size;
            if (modes[u] == MarketMode.Halted) revert Double_MarketHalted(u);
            if (modes[u] == MarketMode.ReduceOnly) {
                if (_abs(buyerAfter) > _abs(buyerBefore) || _abs(sellerAfter) > _abs(sellerBefore)) {
                    revert Double_ReduceOnly(u);
                }
            }
            _positions[t.buyer][t.series] = buyerAfter;
            _positions[t.seller][t.series] = sellerAfter;
            // OI = sum of longs
            int256 oi = int256(_openInterest[t.series]);
            oi += _pos(buyerAfter) - _pos(buyerBefore) + _pos(sellerAfter) - _pos(sellerBefore);
            _openInterest[t.series] = uint256(oi);
            _cash[t.buyer] -= int256(t.premium + t.buyerFee);
            _cash[t.seller] += int256(t.premium) - int256(t.sellerFee);
            feesCollected += int256(t.buyerFee + t.sellerFee);
        }
        for (uint256 i; i < trades.length; ++i) {
            if (unhealthy[trades[i].buyer]) revert Double_Unhealthy(trades[i].buyer);
            if (unhealthy[trades[i].seller]) revert Double_Unhealthy(trades[i].seller);
        }
    }

    function settleAccounts(AccountId[] calldata) external pure {}

    function ownerOf(AccountId account) external view returns (address) {
        return _owners[account];
    }

    function isAuthorized(AccountId account, address actor) external view returns (bool) {
        return actor != address(0) && (_owners[account] == actor || _operators[account][actor]);
    }

    function positionOf(AccountId account, SeriesId series) external view returns (int256) {
        return _positions[account][series];
    }

    function cashOf(AccountId account) external view returns (int256) {
        return _cash[account];
    }

    function openInterest(SeriesId series) external view returns (uint256) {
        return _openInterest[series];
    }

    function _abs(int256 x) private pure returns (uint256) {
        return uint256(x >= 0 ? x : -x);
    }

    function _pos(int256 x) private pure returns (int256) {
        return x > 0 ? x : int256(0);
    }
}
