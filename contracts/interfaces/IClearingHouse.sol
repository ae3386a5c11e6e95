// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId} from "../types/Types.sol";
import {IChainlinkOracle} from "./IChainlinkOracle.sol";
import {IVolatilityOracle} from "./IVolatilityOracle.sol";
import {ISettlementOracle} from "./ISettlementOracle.sol";
import {IMarginEvaluator} from "./IMarginEvaluator.sol";
import {IRiskConfig} from "./IRiskConfig.sol";

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
    // ---------------------------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------------------------

    error ClearingHouse_ZeroAddress();
    error ClearingHouse_ZeroAmount();
    error ClearingHouse_UnknownAccount(AccountId account);
    error ClearingHouse_Unauthorized(AccountId account, address caller);
    error ClearingHouse_OnlyExchange(address caller);
    error ClearingHouse_ModuleAlreadySet(address module);
    error ClearingHouse_AssetNotListed(address token);
    error ClearingHouse_TransferAmountMismatch(uint256 expected, uint256 received);
    error ClearingHouse_DepositCapExceeded(address token, uint256 totalWad, uint256 capWad);
    error ClearingHouse_InsufficientCash(AccountId account, int256 cashWad, uint256 debitWad);
    error ClearingHouse_InsufficientCollateral(AccountId account, address token, uint256 balanceWad, uint256 debitWad);
    error ClearingHouse_BelowInitialMargin(AccountId account, int256 marginWad);
    error ClearingHouse_BelowMaintenanceMargin(AccountId account, int256 marginWad);
    error ClearingHouse_MarketHalted(uint16 underlying);
    error ClearingHouse_ReduceOnly(uint16 underlying);
    error ClearingHouse_SeriesNotTradable(SeriesId series);
    error ClearingHouse_SeriesExpired(SeriesId series, uint256 expiry);
    error ClearingHouse_SelfTrade(AccountId account);
    error ClearingHouse_PositionCapReached(AccountId account, uint256 positionCap);
    error ClearingHouse_PositionOverflow(AccountId account, SeriesId series);
    error ClearingHouse_BelowMinTradeSize(SeriesId series, uint256 size, uint256 minTradeSize);
    error ClearingHouse_GroupCapReached(AccountId account, uint256 groups, uint256 groupCap);
    error ClearingHouse_ConfigMismatch(address riskConfig);
    error ClearingHouse_InAuction(AccountId account);
    error ClearingHouse_NotInAuction(AccountId account);
    error ClearingHouse_OnlyLiquidationModule(address caller);
    error ClearingHouse_InvalidFraction(uint256 fractionWad);
    error ClearingHouse_InsuranceFloor(int256 cashAfterWad, uint256 floorWad);

    // ---------------------------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------------------------

    event AccountCreated(AccountId indexed account, address indexed owner);
    /// @param epoch The operator's approval epoch after the call (incremented by every approval).
    event OperatorSet(AccountId indexed account, address indexed operator, bool approved, uint256 epoch);
    event ExchangeSet(address indexed exchange);
    /// @notice A batch's fees were split between the fee account and the insurance fund.
    event FeesCollected(uint256 toFeeAccountWad, uint256 toInsuranceWad);
    /// @notice While the insurance fund is in deficit, a cash deposit or withdrawal of `tokensWad` converted at
    /// `claimsWad` cash claims; the difference went to (withdrawal) or came from (deposit) the insurance fund.
    event DeficitConversion(AccountId indexed account, uint256 tokensWad, uint256 claimsWad);
    /// @notice A liquidation bid moved `fractionWad` of every position, collateral and cash balance (`cashMovedWad`)
    /// of `from` to `to`; `to` paid `bidderPaysWad` cash to `from` and the insurance fund paid `fundPaysWad` to `to`
    /// (negative: `to` paid the fund).
    event LiquidationTransfer(
        AccountId indexed from,
        AccountId indexed to,
        uint256 fractionWad,
        int256 cashMovedWad,
        int256 bidderPaysWad,
        int256 fundPaysWad
    );
    event LiquidationModuleSet(address indexed liquidationModule);
    /// @param amountNative Token units moved; `amountWad` is what the account was credited (rounded down).
    event Deposited(
        AccountId indexed account,
        address indexed token,
        address indexed from,
        uint256 amountNative,
        uint256 amountWad
    );
    /// @param amountNative Token units sent to `to`; `amountWad` is what the account was debited (rounded up).
    event Withdrawn(
        AccountId indexed account,
        address indexed token,
        address indexed to,
        uint256 amountNative,
        uint256 amountWad
    );
    /// @notice One leg of `applyTrades`: `size` (WAD) moved from `seller` to `buyer` for `premium` (WAD cash).
    event TradeApplied(
        SeriesId indexed series,
        AccountId indexed buyer,
        AccountId indexed seller,
        uint256 size,
        uint256 premium,
        uint256 buyerFee,
        uint256 sellerFee
    );
    /// @notice An expired position of `size` (WAD, signed) became `cashDelta` (WAD, signed) at `settlementPrice`.
    event PositionSettled(
        AccountId indexed account,
        SeriesId indexed series,
        int256 size,
        uint256 settlementPrice,
        int256 cashDelta
    );

    // ---------------------------------------------------------------------------------------------------------------
    // Wiring (admin, write once)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets the exchange module, the only caller of `applyTrades`. Admin only, once; frozen afterwards.
    function setExchange(address exchange) external;

    /// @notice Reserves the liquidation module slot. Admin only, once; frozen afterwards.
    function setLiquidationModule(address liquidationModule) external;

    /// @notice The exchange module; address(0) until set.
    function exchange() external view returns (address);

    /// @notice The liquidation module; address(0) until set.
    function liquidationModule() external view returns (address);

    // ---------------------------------------------------------------------------------------------------------------
    // Accounts
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates an account owned by the caller. Ids are sequential; 1 and 2 are the fee and insurance accounts.
    function createAccount() external returns (AccountId account);

    /// @notice Creates an account owned by `owner` (e.g. a router creating accounts for users).
    function createAccountFor(address owner) external returns (AccountId account);

    /// @notice Approves or revokes `operator` for `account`. Operators trade and withdraw for the account.
    /// @dev Account owner only. Every approval (also of an already approved operator) starts a new approval epoch;
    /// orders an operator signed under an earlier epoch never fill again (`OptionExchange`), so a revoke followed by a
    /// re-approval does not revive them, and re-approving kills an operator's resting orders without a revoke.
    function setOperator(AccountId account, address operator, bool approved) external;

    /// @notice Whether `operator` is approved for `account` now, and its approval epoch (0 before the first approval;
    /// the epoch of the current or, after a revoke, the last approval).
    function operatorApproval(AccountId account, address operator) external view returns (bool approved, uint256 epoch);

    /// @notice Total credited amount of collateral `token` across all accounts, WAD token units.
    function totalCollateral(address token) external view returns (uint256);

    /// @notice Marks `account` as being auctioned: while set it neither trades nor withdraws (deposits still work).
    /// @dev Liquidation module only.
    function setInAuction(AccountId account, bool live) external;

    /// @notice Whether a liquidation auction of `account` is live.
    function inAuction(AccountId account) external view returns (bool);

    /// @notice Moves `fractionWad` (0 < f <= 1e18) of every position, every collateral balance and the cash balance of
    /// the auctioned account `from` into `to` (rounded toward zero: `from` keeps the rounding; everything at 1e18),
    /// then `to` pays `bidderPaysWad` cash to `from` and the insurance fund pays `fundPaysWad` cash to `to` (either may
    /// be negative). `to` must be able to trade and ends at or above initial margin (strict, group cap, position
    /// cap); the insurance account may be `to` only for free (last-resort takeover), and is not margin-checked.
    /// @dev Liquidation module only; `from` must be marked in auction. Open interest stays the sum of longs (INV-2).
    function liquidationTransfer(
        AccountId from,
        AccountId to,
        uint256 fractionWad,
        int256 bidderPaysWad,
        int256 fundPaysWad
    ) external;

    /// @notice Equity and maintenance requirement of `account` (as `accountMargin`), and how many of its groups and
    /// collaterals are valued without a live price or vol (market or vol Halted): the liquidation module's inputs.
    function accountHealth(AccountId account) external view returns (int256 equity, uint256 mm, uint256 halted);

    /// @notice Number of accounts created so far (the last id).
    function accountCount() external view returns (uint256);

    /// @notice The fee collector's account (id 1).
    function feeAccount() external view returns (AccountId);

    /// @notice The insurance fund's account (id 2).
    function insuranceAccount() external view returns (AccountId);

    // ---------------------------------------------------------------------------------------------------------------
    // Custody
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Deposits `amountNative` of `token` (the cash token or a listed collateral) into an existing `account`.
    /// Permissionless. The credit is `amountNative` scaled to WAD, rounded down (exact for decimals <= 18).
    /// @dev Reverts `ClearingHouse_TransferAmountMismatch` when the balance delta differs from `amountNative`
    /// (fee-on-transfer tokens), and on a collateral deposit cap overflow.
    /// @param amountNative Token units (the token's own decimals).
    function deposit(AccountId account, address token, uint256 amountNative) external;

    /// @notice Withdraws `amountNative` of `token` to `to`. The debit is `amountNative` scaled to WAD rounded up.
    /// Cash cannot go negative by withdrawal, and the account needs initial margin >= 0 afterwards (INV-4).
    /// @dev Owner or operator only (INV-6).
    /// @param amountNative Token units (the token's own decimals).
    function withdraw(AccountId account, address token, uint256 amountNative, address to) external;

    /// @notice Credited collateral of `account` in `token`, WAD token units (0 for the cash token: see `cashOf`).
    function collateralOf(AccountId account, address token) external view returns (uint256);

    /// @notice The cash token (quote stablecoin).
    function cashToken() external view returns (address);

    // ---------------------------------------------------------------------------------------------------------------
    // Positions and margin
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice All open positions of `account`, in storage order (unsorted). Sizes are WAD, positive = long.
    function positionsOf(AccountId account) external view returns (SeriesId[] memory series, int256[] memory sizes);

    /// @notice Whether a new position may be opened in `series` now: canonical id, listed underlying, on the grid,
    /// not expired, within the horizon. Series with open interest also accept closing trades off the grid.
    function isTradable(SeriesId series) external view returns (bool);

    /// @notice Equity and what it must cover for initial (`im`) and maintenance (`mm`) margin, computed by the very
    /// code of the health check (non-strict: ReduceOnly prices are used). All WAD. Initial margin = equity − im,
    /// maintenance margin = equity − mm; an account is liquidatable when equity < mm.
    /// @dev Equity = cash + collateral at price + Σ group values; im = collateral × IM haircut + Σ max(value, imReq)
    /// (a long's value is held, never credited); mm = collateral × MM haircut + Σ (mmReq + h·max(0, value − mmReq)).
    /// Halted markets never revert: their groups count at minus their worst payoff up to a shocked last price and
    /// collateral they price at a shocked last price (0 for IM). See docs/margin.md §4.
    function accountMargin(AccountId account) external view returns (int256 equity, uint256 im, uint256 mm);

    /// @notice `accountMargin` with the price of `underlying` replaced by `priceWad` (positions, unsettled expired
    /// groups and collateral priced by it). For lenses (liquidation price); reverts `MarketHalted` when that market
    /// is halted.
    function accountMarginAtPrice(
        AccountId account,
        uint16 underlying,
        uint256 priceWad
    ) external view returns (int256 equity, uint256 im, uint256 mm);

    /// @notice Spot prices and market modes (immutable).
    function chainlinkOracle() external view returns (IChainlinkOracle);

    /// @notice Implied vols for marks (immutable).
    function volatilityOracle() external view returns (IVolatilityOracle);

    /// @notice Recorded settlement prices (immutable).
    function settlementOracle() external view returns (ISettlementOracle);

    /// @notice The stateless evaluator behind `accountMargin` and every health check, created at construction.
    function marginEvaluator() external view returns (IMarginEvaluator);

    /// @notice The bounded risk parameters (listings, margin and engine parameters, collateral, caps) (immutable).
    function riskConfig() external view returns (IRiskConfig);

    // ---------------------------------------------------------------------------------------------------------------
    // Module-facing (fixed)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Applies all legs, then runs one health check per touched account: the account must be at or above
    /// initial margin (strict evaluation), or the batch must have reduced its risk on the whole account — at the same
    /// prices its IM need did not rise and its initial margin did not fall, and it is not left with negative equity (an
    /// insolvent account pays nobody; liquidation handles it). Legs in a ReduceOnly market must not add
    /// exposure to the series on either side; Halted markets accept no legs; a leg below the underlying's minimum
    /// trade size may not open a position; an account that opens a position may hold at most `groupCap` expiry
    /// groups. Fees are credited to the fee collector and insurance fund. Atomic: any failure reverts the whole call.
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
    /// short positions (INV-2). Updated by trades and liquidation transfers. Once the series has expired and its
    /// settlement price is recorded it is 0: every position is then economically closed at a final price, whether or
    /// not `settleAccounts` has moved it to cash yet (settlement itself does not write open interest, to save gas).
    function openInterest(SeriesId series) external view returns (uint256);
}
