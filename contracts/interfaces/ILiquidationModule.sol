// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId} from "../types/Types.sol";

/// @notice Bounded auction parameters (WAD fractions, seconds). See docs/liquidation.md for the curve.
/// @param fastDuration Length of the fast leg of the solvent price curve.
/// @param slowDuration Length of the slow leg that follows it.
/// @param fastDiscount Discount (fraction of the account's MM, per unit of portfolio) reached at the end of the fast
/// leg; the slow leg then runs to a discount of 1 (the whole MM), where a below-MM portfolio costs nothing.
/// @param buffer Bids are capped at the fraction that brings the account to `equity >= (1 + buffer) * MM`; the auction
/// may be ended from `(1 + buffer / 2) * MM` (so a bid sized from a slightly stale quote still ends it).
/// @param insolventDuration Time for the insurance fund's payment to an insolvent portfolio's bidder to rise from 0 to
/// its cap; once it has passed without a bid, the loss may be realised.
/// @param insolventCap The fund pays at most `insolventCap * (MM + |equity|)` per unit of an insolvent portfolio.
/// @param fundFeeShare Share of a solvent bid's discount (mark value minus price) that the bidder pays the fund.
/// @param deepRatio While the sequencer is down or in its grace period, an auction starts only if
/// `equity < deepRatio * MM`.
/// @param dustSize A bid leaving a residue with `MM + |equity|` below this (WAD cash) must take the whole account.
struct AuctionParams {
    uint32 fastDuration;
    uint32 slowDuration;
    uint32 insolventDuration;
    uint64 fastDiscount;
    uint64 buffer;
    uint64 insolventCap;
    uint64 fundFeeShare;
    uint64 deepRatio;
    uint128 dustSize;
}

/// @notice State of one account's auction.
/// @param startedAt Start time (0 when no auction is live).
/// @param insolventSince When the account was first seen insolvent in this auction (0 while solvent); the fund's
/// payment curve runs from it.
/// @param startEquity Equity at the start (WAD), for bidders to see what changed since.
/// @param startMM Maintenance requirement at the start (WAD).
struct Auction {
    uint64 startedAt;
    uint64 insolventSince;
    int256 startEquity;
    uint256 startMM;
}

/// @notice What a bid on an auction costs right now.
/// @param insolvent Whether the account's equity is negative (the fund pays bidders).
/// @param equity Current equity (WAD). @param mm Current maintenance requirement (WAD).
/// @param pricePerUnit Cash a bidder pays per whole portfolio (WAD, 1e18 = all of it); negative: the fund pays.
/// @param maxFraction The largest fraction a bid may take now (WAD).
/// @param halted Groups or collaterals without a live price or vol: bids pause while non-zero.
struct Quote {
    bool insolvent;
    int256 equity;
    uint256 mm;
    int256 pricePerUnit;
    uint256 maxFraction;
    uint256 halted;
}

/// @title ILiquidationModule
/// @notice Permissionless Dutch auctions of accounts below maintenance margin (docs/liquidation.md). A bidder takes a
/// fraction of every position, collateral and cash balance of the account into its own account through the clearing
/// house's transfer hook and pays (solvent phase) or is paid by the insurance fund (insolvent phase); it must end at
/// or above initial margin itself. Every auction ends: restored above the buffer, fully taken, or its loss realised
/// by the insurance account taking the portfolio over (INV-11).
interface ILiquidationModule {
    error Liquidation_ZeroAddress();
    error Liquidation_NotLiquidatable(AccountId account, int256 equity, uint256 mm);
    error Liquidation_AuctionLive(AccountId account);
    error Liquidation_NoAuction(AccountId account);
    error Liquidation_SystemAccount(AccountId account);
    error Liquidation_MarketHalted(AccountId account, uint256 halted);
    error Liquidation_SequencerDown(AccountId account, int256 equity, uint256 mm);
    error Liquidation_Unauthorized(AccountId bidderAccount, address caller);
    error Liquidation_FractionTooLarge(uint256 fraction, uint256 maxFraction);
    error Liquidation_ZeroFraction();
    error Liquidation_DustResidue(uint256 fraction, uint256 residueSize, uint256 dustSize);
    error Liquidation_CostAboveLimit(int256 cost, int256 maxCost);
    error Liquidation_NotRestored(AccountId account, int256 equity, uint256 mm);
    error Liquidation_AccountHealthy(AccountId account, int256 equity, uint256 mm);
    error Liquidation_NotInsolvent(AccountId account, int256 equity);
    error Liquidation_InsolventWindowOpen(AccountId account, uint256 realisableAt);
    error Liquidation_InvalidParams();

    event AuctionStarted(AccountId indexed account, int256 equity, uint256 mm, bool insolvent, address indexed keeper);
    /// @param cost Cash the bidder's account paid in total (negative: it received from the fund).
    event Bid(
        AccountId indexed account,
        AccountId indexed bidderAccount,
        uint256 fraction,
        int256 cost,
        uint256 paidToAccount,
        uint256 paidToFund,
        uint256 paidByFund
    );
    event InsolvencyMarked(AccountId indexed account, uint64 insolventSince);
    /// @param reason 0 = restored above the buffer, 1 = fully taken by a bid, 2 = loss realised (fund takeover).
    event AuctionEnded(AccountId indexed account, uint8 reason, int256 equity, uint256 mm);
    event LossRealised(AccountId indexed account, int256 equity, uint256 mm);
    event AuctionParamsSet(AuctionParams params);

    /// @notice Starts an auction of `account`: its equity is below its maintenance requirement (INV-5: never when
    /// equity − MM >= 0). While the sequencer is down or in its grace period only accounts with
    /// `equity < deepRatio * MM` qualify; never while one of its markets or vols is Halted; never the insurance account.
    /// The account then neither trades nor withdraws until the auction ends. Permissionless.
    function startAuction(AccountId account) external;

    /// @notice Takes `fraction` (WAD, <= `quote(account).maxFraction`) of the auctioned account into `bidderAccount`
    /// (caller must be its owner or operator). Solvent phase: the bidder pays `fraction * pricePerUnit` to the account
    /// plus `fundFeeShare` of its discount to the fund. Insolvent phase: the fund pays the bidder
    /// `fraction * pricePerUnit`. Reverts when the total cost to the bidder exceeds `maxCost` (negative: at least that
    /// much must be received), when the bidder ends below initial margin, or while a market is Halted.
    /// @return cost Cash the bidder's account paid (negative: received).
    function bid(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction,
        int256 maxCost
    ) external returns (int256 cost);

    /// @notice Ends the auction of an account that is back at `equity >= (1 + buffer / 2) * MM`. Permissionless (the
    /// owner calls it after a deposit, the keeper after its bid).
    function endAuction(AccountId account) external;

    /// @notice Starts (or resets, when it recovered) the insolvent payment clock of an auctioned account.
    function markInsolvency(AccountId account) external;

    /// @notice Realises the loss of an insolvent account nobody took during `insolventDuration`: the insurance account
    /// takes over the whole portfolio as it is (positions it holds settle at expiry). Permissionless.
    function realiseLoss(AccountId account) external;

    /// @notice Sets the auction parameters. Risk admin only; bounds in docs/parameters.md.
    function setAuctionParams(AuctionParams calldata params) external;

    function auctionParams() external view returns (AuctionParams memory);

    function auctionOf(AccountId account) external view returns (Auction memory);

    /// @notice The current terms of `account`'s live auction.
    function quote(AccountId account) external view returns (Quote memory);

    /// @notice Total cost to a bidder of taking `fraction` now (negative: the fund pays it), and the parts: paid to the
    /// account, to the fund, by the fund.
    function costOf(
        AccountId account,
        uint256 fraction
    ) external view returns (int256 cost, uint256 toAccount, uint256 toFund, uint256 fromFund);
}
