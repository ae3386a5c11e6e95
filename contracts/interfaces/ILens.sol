// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccountId, SeriesId, MarketMode} from "../types/Types.sol";
import {IClearingHouse} from "./IClearingHouse.sol";

/// @title ILens
/// @notice Read-only views over the clearing house for dApps and keepers: health, margin ratio, per-position marks
/// and liquidation prices. The core never calls the lens. Every figure comes from the core's own evaluation
/// (`accountMargin`, `accountMarginAtPrice`) or from MarginLib with the same inputs; all amounts WAD.
/// Warning: `liquidationPrices` runs up to 2 x (SCAN_STEPS + BISECTION_STEPS) account evaluations: meant for
/// `eth_call`, not for on-chain use.
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

    error Lens_ZeroAddress();

    /// @notice The clearing house read (immutable).
    function clearingHouse() external view returns (IClearingHouse);

    /// @notice Equity, requirements, margins and margin ratio. Reverts like `accountMargin` (MarketHalted).
    function health(AccountId account) external view returns (Health memory);

    /// @notice equity / MM in WAD (see `Health.marginRatio`).
    function marginRatio(AccountId account) external view returns (uint256);

    /// @notice Every open position with its mark, in storage order.
    function positionMarks(AccountId account) external view returns (PositionMark[] memory marks);

    /// @notice Spot prices of the account's single underlying at which its maintenance margin reaches 0: the nearest
    /// below the current spot (`lowerWad`) and above it (`upperWad`), searched within the oracle's price band by a
    /// geometric scan then bisection on `accountMarginAtPrice` (collateral priced by that underlying moves too).
    /// 0 means none within the band. Both equal the spot when the account is already below maintenance.
    /// Not applicable (0, 0): no positions, positions in several underlyings, or the market Halted.
    /// Precision: the returned price is within max(1e-9 x price, 1 wei) of the crossing, on its liquidatable side.
    function liquidationPrices(AccountId account) external view returns (uint256 lowerWad, uint256 upperWad);
}
