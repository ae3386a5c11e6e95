// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../types/Types.sol";

/// @notice One leg of a trade between two accounts, as handed to the clearing house by the exchange module.
/// @param buyer Account that goes long `size` (its position increases by `size`).
/// @param seller Account that goes short `size`.
/// @param series The option series traded (must be listed and not expired).
/// @param size Contracts traded, WAD (1e18 = one contract on one unit of the underlying); > 0.
/// @param premium Total cash the buyer pays the seller for the leg, WAD quote units.
/// @param buyerFee Cash fee taken from the buyer, WAD.
/// @param sellerFee Cash fee taken from the seller, WAD.
struct Trade {
    AccountId buyer;
    AccountId seller;
    SeriesId series;
    uint256 size;
    uint256 premium;
    uint256 buyerFee;
    uint256 sellerFee;
}

/// @title IClearingHouse
/// @notice Margin accounts, custody of collateral, positions and the single health check per touched account.
/// MODULE-FACING SIGNATURES BELOW (applyTrades, settleAccounts, and the views) ARE FIXED: the exchange, settlement
/// keeper and lens call them. The implementation adds account, custody and admin functions, errors and events.
interface IClearingHouse {
    /// @notice Applies all legs, then runs one health check per touched account: an account whose risk grew in any
    /// leg needs initial margin >= 0; an account whose every leg reduced |position| needs maintenance margin >= 0.
    /// Legs in a ReduceOnly market must reduce both sides; Halted markets accept no legs. Fees are credited to the
    /// fee collector and insurance fund. Atomic: any failure reverts the whole call.
    /// @dev Only the exchange module.
    function applyTrades(Trade[] calldata trades) external;

    /// @notice Moves every expired position of each account whose settlement price is recorded into cash:
    /// long receives, short pays, size x intrinsic value (zero-sum up to rounding in the protocol's favour, INV-3).
    /// Settled positions are removed and free the position cap. Permissionless.
    function settleAccounts(AccountId[] calldata accounts) external;

    /// @notice Owner of `account`; address(0) if it does not exist.
    function ownerOf(AccountId account) external view returns (address);

    /// @notice Whether `actor` is the owner or an approved operator of `account`.
    function isAuthorized(AccountId account, address actor) external view returns (bool);

    /// @notice Signed position size (WAD) of `account` in `series`; positive = long.
    function positionOf(AccountId account, SeriesId series) external view returns (int256);

    /// @notice Cash balance (WAD quote units); may be negative through premium, fees or settlement, never by withdrawal.
    function cashOf(AccountId account) external view returns (int256);

    /// @notice Open interest of `series`: the sum of all long positions (WAD), which always equals the sum of all
    /// short positions (INV-2). Updated by trades, settlement and liquidation transfers.
    function openInterest(SeriesId series) external view returns (uint256);
}
