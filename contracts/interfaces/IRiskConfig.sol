// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SeriesId} from "../types/Types.sol";
import {IChainlinkOracle} from "./IChainlinkOracle.sol";

/// @notice Listing grid and margin parameters of one underlying (a uint16 market id shared with the oracles).
/// All fractions are WAD (1e18 = 100%).
/// @param imBase Initial margin base term `a` of a short: `max(a*S - OTM, b*S)`, fraction of spot.
/// @param imFloor Initial margin floor term `b`, fraction of spot.
/// @param mmBase Maintenance margin base term, fraction of spot; strictly below `imBase`.
/// @param mmFloor Maintenance margin floor term, fraction of spot; strictly below `imFloor`.
/// @param rate Risk-free rate for Black-Scholes marks, WAD per year, in [0, MAX_RATE] (a negative rate would break
/// the defined-risk cap, see docs/margin.md).
/// @param expiryPeriod Listed expiries satisfy `expiry % expiryPeriod == expiryOffset`, seconds.
/// @param expiryOffset See `expiryPeriod`, seconds; below `expiryPeriod`.
/// @param maxHorizon A new series may expire at most `maxHorizon` seconds from now.
/// @param strikeStep Listed strikes are multiples of `strikeStep`, WAD quote per underlying.
/// @param minStrike Lowest listed strike, WAD.
/// @param maxStrike Highest listed strike, WAD.
struct UnderlyingParams {
    uint64 imBase;
    uint64 imFloor;
    uint64 mmBase;
    uint64 mmFloor;
    int64 rate;
    uint32 expiryPeriod;
    uint32 expiryOffset;
    uint32 maxHorizon;
    uint96 strikeStep;
    uint96 minStrike;
    uint96 maxStrike;
}

/// @notice Stress and degraded-market parameters of one underlying (docs/margin.md §2–3). All WAD.
/// @param imVegaSlope, imVegaCap The relative vol shock an IM requirement covers is
/// min(imVegaCap, imVegaSlope·√(σ√τ));
/// each short leg adds that shock times S·φ(d1)·σ√τ.
/// @param mmVegaSlope, mmVegaCap The same for MM; each at most its IM counterpart.
/// @param mmLongHaircut Fraction of a group's positive value (value − MM requirement) NOT credited for MM; 1e18 gives
/// longs no maintenance credit. IM never credits it.
/// @param haltShock Relative shock on the last reported price used while the market gives no trustworthy price: an
/// unbounded group counts at its worst payoff up to lastPrice·(1 + haltShock); collateral it prices counts at
/// lastPrice·(1 − haltShock) for MM and 0 for IM.
/// @param minTradeSize Smallest trade size, WAD contracts, unless the trade opens no new position on either side.
struct RiskParams {
    uint64 imVegaSlope;
    uint64 imVegaCap;
    uint64 mmVegaSlope;
    uint64 mmVegaCap;
    uint64 mmLongHaircut;
    uint64 haltShock;
    uint128 minTradeSize;
}

/// @notice Margin, stress and degraded-market parameters of one underlying in one read (`IRiskConfig.engineParams`).
struct EngineParams {
    uint256 imBase;
    uint256 imFloor;
    uint256 mmBase;
    uint256 mmFloor;
    int256 rate;
    uint256 imVegaSlope;
    uint256 imVegaCap;
    uint256 mmVegaSlope;
    uint256 mmVegaCap;
    uint256 mmLongHaircut;
    uint256 haltShock;
}

/// @notice What every live group's valuation needs of one underlying (`IRiskConfig.pricingParams`): the
/// `EngineParams` without `mmLongHaircut` and `haltShock`, which only groups worth more than their MM requirement and
/// degraded groups use (three storage slots instead of four). Fields as in `UnderlyingParams` and `RiskParams`.
struct PricingParams {
    uint256 imBase;
    uint256 imFloor;
    uint256 mmBase;
    uint256 mmFloor;
    int256 rate;
    uint256 imVegaSlope;
    uint256 imVegaCap;
    uint256 mmVegaSlope;
    uint256 mmVegaCap;
}

/// @notice A listed collateral asset (anything deposited besides the cash token).
/// @param priceUnderlying Market id whose `ChainlinkOracle.marketState` price values one unit of the asset.
/// @param decimals Token decimals read at listing (at most 36).
/// @param index Bit of the asset in an account's collateral mask (0..15).
/// @param listed Whether the asset is listed. Listing is permanent; a 100% haircut winds an asset down.
/// @param haircut Fraction of the oracle value NOT counted for initial margin, WAD.
/// @param mmHaircut Fraction NOT counted for maintenance margin, WAD; strictly below `haircut`.
/// @param depositCapWad Cap on the total credited amount across all accounts, WAD token units.
struct CollateralConfig {
    uint16 priceUnderlying;
    uint8 decimals;
    uint8 index;
    bool listed;
    uint64 haircut;
    uint64 mmHaircut;
    uint128 depositCapWad;
}

/// @title IRiskConfig
/// @notice Bounded risk parameters of the clearing house: underlying listings and their margin parameters, the
/// collateral list, the position cap and the fee split. Setters are restricted to the risk admin role, reject
/// out-of-bound values and emit an event.
interface IRiskConfig {
    error RiskConfig_InvalidMarginParams(uint256 imBase, uint256 imFloor, uint256 mmBase, uint256 mmFloor);
    error RiskConfig_RateOutOfBounds(int256 rate);
    error RiskConfig_InvalidExpiryGrid(uint256 expiryPeriod, uint256 expiryOffset, uint256 maxHorizon);
    error RiskConfig_InvalidStrikeGrid(uint256 strikeStep, uint256 minStrike, uint256 maxStrike);
    error RiskConfig_HaircutOutOfBounds(uint256 haircut, uint256 mmHaircut);
    error RiskConfig_InvalidRiskParams(uint16 underlying);
    error RiskConfig_GroupCapOutOfBounds(uint256 groupCap);
    error RiskConfig_DepositCapOutOfBounds(uint256 depositCapWad);
    error RiskConfig_DecimalsOutOfBounds(uint8 decimals);
    error RiskConfig_PositionCapOutOfBounds(uint256 positionCap);
    error RiskConfig_FeeShareOutOfBounds(uint256 share);
    error RiskConfig_UnderlyingNotListed(uint16 underlying);
    error RiskConfig_CollateralAlreadyListed(address token);
    error RiskConfig_CollateralNotListed(address token);
    error RiskConfig_TooManyCollaterals(uint256 maxCollaterals);
    error RiskConfig_InvalidCollateral(address token);
    error RiskConfig_ZeroAddress();
    error RiskConfig_InsuranceFloorOutOfBounds(uint256 floorWad);

    /// @notice Emitted when an underlying is listed or its parameters change.
    event UnderlyingParamsSet(uint16 indexed underlying, UnderlyingParams params);
    /// @notice Emitted once per asset when it is listed as collateral.
    event CollateralListed(address indexed token, uint16 indexed priceUnderlying, uint8 decimals, uint8 index);
    /// @notice Emitted when a collateral's haircut or deposit cap changes (also at listing).
    event CollateralParamsSet(address indexed token, uint256 haircut, uint256 mmHaircut, uint256 depositCapWad);
    /// @notice Emitted when an underlying's stress and degraded-market parameters change (also at first listing).
    event RiskParamsSet(uint16 indexed underlying, RiskParams params);
    /// @notice Emitted when the per-account cap on distinct (underlying, expiry) groups changes.
    event GroupCapSet(uint256 groupCap);
    /// @notice Emitted when the per-account position cap changes.
    event PositionCapSet(uint256 positionCap);
    /// @notice Emitted when the insurance fund's share of fees changes.
    event InsuranceFeeShareSet(uint256 share);
    /// @notice Emitted when the cash the insurance fund always keeps changes.
    event InsuranceFloorSet(uint256 floorWad);

    /// @notice Lists `underlying` (first call) or updates its parameters. The oracle must already know the market.
    /// @dev Risk admin only. Bounds: `MIN_MM_FLOOR <= mmFloor < imFloor`, `MIN_IM_FLOOR <= imFloor <= imBase`,
    /// `mmFloor <= mmBase`, `MIN_MM_BASE <= mmBase < imBase`, `MIN_IM_BASE <= imBase <= MAX_IM_BASE`,
    /// `0 <= rate <= MAX_RATE`,
    /// `MIN_EXPIRY_PERIOD <= expiryPeriod <= maxHorizon <= MAX_HORIZON`, `expiryOffset < expiryPeriod`,
    /// `0 < strikeStep`, `MIN_STRIKE <= minStrike <= maxStrike` (the Black-Scholes domain).
    /// Warning: open positions keep trading to close even when a new grid no longer contains their series.
    /// The first listing also sets the underlying's `RiskParams` to the stress-tested defaults: the minima of the
    /// stress bounds, `mmLongHaircut` 1e18, `haltShock` 0.5e18, `minTradeSize` 1e15 (event `RiskParamsSet`).
    function setUnderlyingParams(uint16 underlying, UnderlyingParams memory params) external;

    /// @notice Sets the stress and degraded-market parameters of a listed underlying.
    /// @dev Risk admin only. Bounds: `MIN_IM_VEGA_SLOPE <= imVegaSlope <= MAX_VEGA_SLOPE`,
    /// `MIN_IM_VEGA_CAP <= imVegaCap <= MAX_VEGA_CAP`, `MIN_MM_VEGA_SLOPE <= mmVegaSlope <= imVegaSlope`,
    /// `MIN_MM_VEGA_CAP <= mmVegaCap <= imVegaCap`, `MIN_LONG_HAIRCUT <= mmLongHaircut <= 1e18`,
    /// `MIN_HALT_SHOCK <= haltShock <= 1e18`, `0 < minTradeSize <= MAX_MIN_TRADE_SIZE`.
    function setRiskParams(uint16 underlying, RiskParams memory params) external;

    /// @notice Sets the maximum number of distinct (underlying, expiry) groups an account may hold, `1..MAX_GROUP_CAP`.
    /// A trade that opens a position is refused when the account then holds more groups; nothing else is affected.
    function setGroupCap(uint256 groupCap) external;

    /// @notice Lists `token` as collateral priced by `priceUnderlying`'s oracle price; decimals are read now.
    /// @dev Risk admin only. At most `MAX_COLLATERALS` assets; the cash token cannot be listed.
    /// Warning: the token must be a plain ERC-20: no fee on transfer, no rebasing, no transfer hooks. Fee-on-transfer
    /// is refused at deposit by measuring the balance delta; rebasing cannot be detected and must not be listed.
    /// @param haircut IM haircut: WAD fraction withheld from the oracle value, `MIN_HAIRCUT..1e18`.
    /// @param mmHaircut MM haircut, `MIN_MM_HAIRCUT <= mmHaircut < haircut`.
    /// @param depositCapWad Total cap, WAD token units, at most `MAX_DEPOSIT_CAP`.
    function listCollateral(
        address token,
        uint16 priceUnderlying,
        uint256 haircut,
        uint256 mmHaircut,
        uint256 depositCapWad
    ) external;

    /// @notice Updates a listed collateral's haircuts and deposit cap (same bounds as `listCollateral`).
    /// Warning: a higher haircut lowers margin at once and can make accounts liquidatable.
    function setCollateralParams(address token, uint256 haircut, uint256 mmHaircut, uint256 depositCapWad) external;

    /// @notice Sets the maximum number of open positions per account, `1..MAX_POSITION_CAP`. Lowering it below an
    /// account's count blocks new series for that account; existing positions are untouched.
    function setPositionCap(uint256 positionCap) external;

    /// @notice Sets the insurance fund's share of every trading fee, WAD `0..1e18`; the fee account gets the rest.
    function setInsuranceFeeShare(uint256 share) external;

    /// @notice Parameters of `underlying`; all zero when not listed.
    function underlyingParams(uint16 underlying) external view returns (UnderlyingParams memory);

    /// @notice Margin and stress parameters of `underlying` as the evaluator reads them; zeros when not listed.
    function engineParams(uint16 underlying) external view returns (EngineParams memory);

    /// @notice Margin and stress parameters of `underlying` that the evaluator reads for every live group; zeros when
    /// not listed. The evaluator reads `mmLongHaircut(underlying)` and `riskParams(underlying).haltShock` only when a
    /// group needs them.
    function pricingParams(uint16 underlying) external view returns (PricingParams memory);

    /// @notice `riskParams(underlying).mmLongHaircut` alone (one storage slot), WAD; 0 when not listed.
    function mmLongHaircut(uint16 underlying) external view returns (uint256);

    /// @notice Stress and degraded-market parameters of `underlying`; zeros when not listed.
    function riskParams(uint16 underlying) external view returns (RiskParams memory);

    /// @notice Maximum number of distinct (underlying, expiry) groups per account.
    function groupCap() external view returns (uint256);

    /// @notice Whether `underlying` is listed.
    function isUnderlyingListed(uint16 underlying) external view returns (bool);

    /// @notice Configuration of collateral `token`; `listed == false` when unknown.
    function collateralConfig(address token) external view returns (CollateralConfig memory);

    /// @notice Listed collateral assets, in mask-bit order.
    function collateralTokens() external view returns (address[] memory);

    /// @notice Sets the cash (WAD) the insurance fund keeps: the admin's withdrawals from it stop at this floor.
    /// @dev Risk admin only; at most `MAX_DEPOSIT_CAP`.
    function setInsuranceFloor(uint256 floorWad) external;

    /// @notice Cash (WAD) below which the insurance fund is never withdrawn (0 until set).
    function insuranceFloor() external view returns (uint256);

    /// @notice The oracle whose markets may be listed (fixed at construction).
    function chainlinkOracle() external view returns (IChainlinkOracle);

    /// @notice The clearing house's cash token, which can never be listed as collateral (fixed at construction).
    function cashToken() external view returns (address);

    /// @notice Whether `series` may trade now, and the minimum size of a trade that opens a position in it.
    /// @param traded Whether the series has open interest: a series that traded stays tradable until expiry even
    /// when a later grid no longer contains it.
    /// @return status 0 = tradable, 1 = not listed, off the grid or malformed, 2 = expired.
    /// @return minTradeSize The underlying's `RiskParams.minTradeSize` when `status` is 0, else 0.
    function tradability(SeriesId series, bool traded) external view returns (uint256 status, uint256 minTradeSize);

    /// @notice The listed collaterals whose bits are set in `mask` (bit i = `collateralTokens()[i]`), in index
    /// order, with their packed parameters `priceUnderlying << 240 | haircut << 176 | mmHaircut << 112`.
    function collateralSlots(uint256 mask) external view returns (address[] memory tokens, uint256[] memory words);

    /// @notice Maximum number of open positions per account.
    function positionCap() external view returns (uint256);

    /// @notice Insurance fund's share of fees, WAD.
    function insuranceFeeShare() external view returns (uint256);
}
