// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {IClearingHouse} from "./IClearingHouse.sol";

/// @title ILens
/// @notice Read-only views over the clearing house for dApps and keepers: health, margin ratio, per-position marks,
/// liquidation prices, and the state and effect of liquidation auctions and bids. The core never calls the lens. Every
/// figure comes from the core's own evaluation (`accountMargin`, `accountMarginAtPrice`, the margin evaluator), from
/// the liquidation module, or from MarginLib with the same inputs; all amounts WAD.
/// Warning: `liquidationPrices` runs up to 2 x (SCAN_STEPS + BISECTION_STEPS) + (number of positions) account
/// evaluations, and `bidPreview` walks both accounts' positions quadratically: meant for `eth_call`, not for on-chain
/// use.
interface ILens {
    /// @notice Health of one account. `marginRatio` = equity / MM (WAD): below 1e18 the account is liquidatable;
    /// `type(uint256).max` when MM is 0 and equity >= 0; 0 when equity <= 0 and MM > 0.
    struct Health {
        int256 equity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
        int256 initialMargin; // equity - IM: the amount that could be withdrawn (cash permitting)
        int256 maintenanceMargin; // equity - MM: distance to liquidation
        uint256 marginRatio;
        bool liquidatable; // MM margin < 0
    }

    /// @notice One position with its mark. `markWad` is the value of one long contract (rounded down); `valueWad` is
    /// size x mark rounded against the account, as in equity. `mode` is the group's effective mode; under Halted
    /// the mark is 0 and the value is the core's degraded value of the position alone (a bounded leg at minus its
    /// maximum loss, a short call at minus its payoff at the shocked last price plus the IM floor; docs/margin.md §4).
    struct PositionMark {
        SeriesId series;
        int256 size;
        uint256 markWad;
        int256 valueWad;
        MarketMode mode;
        bool expired;
    }

    /// @notice Live state of an account's liquidation auction (`ILiquidationModule.auctionOf` and `quote`).
    /// @param startedAt Auction start (unix seconds); 0 when no auction is live, and then only `equity`, `mm`, `halted`
    /// and `insolvent` are set (an auction may be started when equity < mm and halted == 0).
    /// @param insolventSince Start of the insolvent payment clock as stored (unix seconds); 0 while it is not running.
    /// When `insolvent` and 0, the next bid or `markInsolvency` starts it (the fund pays nothing yet).
    /// @param insolvent Phase: equity < 0 (the fund pays bidders) rather than solvent (bidders pay the account).
    /// @param pricePerUnit Cash a bidder pays per whole portfolio now (WAD, 1e18 = all of it); negative: the fund pays.
    /// @param maxFraction Largest fraction a bid may take now (WAD). 0 on a live solvent auction that is back above its
    /// buffer: no bid, anyone may `endAuction`.
    /// @param halted Groups and collaterals without a live price or vol: bids pause while non-zero.
    /// @param equity Current equity (WAD).
    /// @param mm Current maintenance requirement (WAD).
    struct AuctionView {
        uint64 startedAt;
        uint64 insolventSince;
        bool insolvent;
        int256 pricePerUnit;
        uint256 maxFraction;
        uint256 halted;
        int256 equity;
        uint256 mm;
    }

    /// @notice What a bid would cost and leave behind if executed in this block (`ILiquidationModule.costOf` plus an
    /// evaluation of both accounts' holdings after `ClearingHouse.liquidationTransfer`). All WAD.
    /// @param cost Cash the bidder's account pays in total (negative: it receives from the fund): the `maxCost` to
    /// pass to `bid`.
    /// @param toAccount Paid by the bidder to the auctioned account.
    /// @param toFund Paid by the bidder to the fund.
    /// @param fromFund Paid by the fund to the bidder.
    /// @param accountEquityAfter Equity of the auctioned account after the bid (non-strict, as `accountMargin`).
    /// @param accountMMAfter Its maintenance requirement after the bid.
    /// @param bidderEquityAfter Equity of the bidder's account after the bid (strict: ReduceOnly prices not relied on,
    /// as the clearing house's initial-margin check).
    /// @param bidderIMAfter Its initial requirement after the bid (strict).
    /// @param bidderMeetsIM `bidderEquityAfter >= bidderIMAfter`: the clearing house's IM check on the bidder passes.
    struct BidPreview {
        int256 cost;
        uint256 toAccount;
        uint256 toFund;
        uint256 fromFund;
        int256 accountEquityAfter;
        uint256 accountMMAfter;
        int256 bidderEquityAfter;
        uint256 bidderIMAfter;
        bool bidderMeetsIM;
    }

    error Lens_ZeroAddress();
    error Lens_NoLiquidationModule();
    error Lens_InvalidFraction(uint256 fraction);

    /// @notice The clearing house read (immutable).
    function clearingHouse() external view returns (IClearingHouse);

    /// @notice Equity, requirements, margins and margin ratio. Reverts like `accountMargin` (MarketHalted).
    function health(AccountId account) external view returns (Health memory);

    /// @notice equity / MM in WAD (see `Health.marginRatio`).
    function marginRatio(AccountId account) external view returns (uint256);

    /// @notice Every open position with its mark, in storage order.
    function positionMarks(AccountId account) external view returns (PositionMark[] memory marks);

    /// @notice Spot prices of the account's single underlying at which its maintenance margin turns negative: the
    /// nearest below the current spot (`lowerWad`) and above it (`upperWad`), searched within the oracle's price band
    /// on `accountMarginAtPrice` (collateral priced by that underlying moves too). Each side probes SCAN_STEPS
    /// geometric steps from spot to the band edge together with every strike of the account's positions strictly
    /// between spot and that edge, in order of distance from spot, then bisects between the last healthy probe and the
    /// first liquidatable one. The strikes catch a liquidatable region narrower than a geometric step (the margin
    /// bends at strikes, e.g. long options near expiry against collateral); a region that contains neither a strike
    /// nor a geometric probe can still be missed.
    /// 0 means none found within the band. Both equal the spot when the account is already below maintenance.
    /// Not applicable (0, 0): no positions, positions in several underlyings, or the market Halted.
    /// Precision: the returned price is within max(1e-9 x price, 1 wei) of the crossing, on its liquidatable side.
    function liquidationPrices(AccountId account) external view returns (uint256 lowerWad, uint256 upperWad);

    /// @notice State and current terms of `account`'s liquidation auction in the clearing house's liquidation module.
    /// Reverts `Lens_NoLiquidationModule` when none is set, and like `accountHealth` for an unknown account.
    function auctionView(AccountId account) external view returns (AuctionView memory);

    /// @notice Preview of `bidderAccount` bidding for `fraction` (WAD, 0 < fraction <= 1e18) of `account`'s live
    /// auction now: the cost parts from `costOf`, and the equity and requirements of both accounts after the transfer,
    /// evaluated by the clearing house's margin evaluator on the holdings the transfer hook would leave (every
    /// position toward zero, every collateral balance rounded down, cash toward zero, then the payments).
    /// Reverts `Lens_InvalidFraction`, `Lens_NoLiquidationModule`, or like `costOf` (`Liquidation_NoAuction`).
    /// Warning: the bid's own checks are not repeated: `fraction <= maxFraction`, the dust rule, halted markets, the
    /// bidder's authorization, group cap and position cap; nor is a bid on an account back above its buffer refused.
    function bidPreview(
        AccountId account,
        AccountId bidderAccount,
        uint256 fraction
    ) external view returns (BidPreview memory);
}
