// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Listing grid and margin parameters of one underlying (a uint16 market id shared with the oracles).
/// All fractions are WAD (1e18 = 100%).
/// @param imBase Initial margin base term `a` of a short: `max(a*S - OTM, b*S)`, fraction of spot.
/// @param imFloor Initial margin floor term `b`, fraction of spot.
/// @param mmBase Maintenance margin base term, fraction of spot; strictly below `imBase`.
/// @param mmFloor Maintenance margin floor term, fraction of spot; strictly below `imFloor`.
/// @param rate Risk-free rate for Black-Scholes marks, WAD per year (signed).
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

/// @notice A listed collateral asset (anything deposited besides the cash token).
/// @param priceUnderlying Market id whose `ChainlinkOracle.marketState` price values one unit of the asset.
/// @param decimals Token decimals read at listing (at most 36).
/// @param index Bit of the asset in an account's collateral mask (0..15).
/// @param listed Whether the asset is listed. Listing is permanent; a 100% haircut winds an asset down.
/// @param haircut Fraction of the oracle value NOT counted as equity, WAD.
/// @param depositCapWad Cap on the total credited amount across all accounts, WAD token units.
struct CollateralConfig {
    uint16 priceUnderlying;
    uint8 decimals;
    uint8 index;
    bool listed;
    uint64 haircut;
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
    error RiskConfig_HaircutOutOfBounds(uint256 haircut);
    error RiskConfig_DepositCapOutOfBounds(uint256 depositCapWad);
    error RiskConfig_DecimalsOutOfBounds(uint8 decimals);
    error RiskConfig_PositionCapOutOfBounds(uint256 positionCap);
    error RiskConfig_FeeShareOutOfBounds(uint256 share);
    error RiskConfig_UnderlyingNotListed(uint16 underlying);
    error RiskConfig_CollateralAlreadyListed(address token);
    error RiskConfig_CollateralNotListed(address token);
    error RiskConfig_TooManyCollaterals(uint256 maxCollaterals);
    error RiskConfig_InvalidCollateral(address token);

    /// @notice Emitted when an underlying is listed or its parameters change.
    event UnderlyingParamsSet(uint16 indexed underlying, UnderlyingParams params);
    /// @notice Emitted once per asset when it is listed as collateral.
    event CollateralListed(address indexed token, uint16 indexed priceUnderlying, uint8 decimals, uint8 index);
    /// @notice Emitted when a collateral's haircut or deposit cap changes (also at listing).
    event CollateralParamsSet(address indexed token, uint256 haircut, uint256 depositCapWad);
    /// @notice Emitted when the per-account position cap changes.
    event PositionCapSet(uint256 positionCap);
    /// @notice Emitted when the insurance fund's share of fees changes.
    event InsuranceFeeShareSet(uint256 share);

    /// @notice Lists `underlying` (first call) or updates its parameters. The oracle must already know the market.
    /// @dev Risk admin only. Bounds: `0 < mmFloor < imFloor`, `mmFloor <= mmBase`, `imFloor <= imBase`,
    /// `MIN_MM_BASE <= mmBase < imBase <= MAX_IM_BASE`, `|rate| <= MAX_ABS_RATE`,
    /// `MIN_EXPIRY_PERIOD <= expiryPeriod <= maxHorizon <= MAX_HORIZON`, `expiryOffset < expiryPeriod`,
    /// `0 < strikeStep`, `MIN_STRIKE <= minStrike <= maxStrike` (the Black-Scholes domain).
    /// Warning: open positions keep trading to close even when a new grid no longer contains their series.
    function setUnderlyingParams(uint16 underlying, UnderlyingParams calldata params) external;

    /// @notice Lists `token` as collateral priced by `priceUnderlying`'s oracle price; decimals are read now.
    /// @dev Risk admin only. At most `MAX_COLLATERALS` assets; the cash token cannot be listed.
    /// Warning: the token must be a plain ERC-20: no fee on transfer, no rebasing, no transfer hooks. Fee-on-transfer
    /// is refused at deposit by measuring the balance delta; rebasing cannot be detected and must not be listed.
    /// @param haircut WAD fraction withheld from the oracle value, `MIN_HAIRCUT..1e18`.
    /// @param depositCapWad Total cap, WAD token units, at most `MAX_DEPOSIT_CAP`.
    function listCollateral(address token, uint16 priceUnderlying, uint256 haircut, uint256 depositCapWad) external;

    /// @notice Updates a listed collateral's haircut and deposit cap (same bounds as `listCollateral`).
    /// Warning: a higher haircut lowers equity at once and can make accounts liquidatable.
    function setCollateralParams(address token, uint256 haircut, uint256 depositCapWad) external;

    /// @notice Sets the maximum number of open positions per account, `1..MAX_POSITION_CAP`. Lowering it below an
    /// account's count blocks new series for that account; existing positions are untouched.
    function setPositionCap(uint256 positionCap) external;

    /// @notice Sets the insurance fund's share of every trading fee, WAD `0..1e18`; the fee account gets the rest.
    function setInsuranceFeeShare(uint256 share) external;

    /// @notice Parameters of `underlying`; all zero when not listed.
    function underlyingParams(uint16 underlying) external view returns (UnderlyingParams memory);

    /// @notice The margin inputs of `underlying` (WAD fractions and the signed WAD rate); zeros when not listed.
    function marginParams(
        uint16 underlying
    ) external view returns (uint256 imBase, uint256 imFloor, uint256 mmBase, uint256 mmFloor, int256 rate);

    /// @notice Whether `underlying` is listed.
    function isUnderlyingListed(uint16 underlying) external view returns (bool);

    /// @notice Configuration of collateral `token`; `listed == false` when unknown.
    function collateralConfig(address token) external view returns (CollateralConfig memory);

    /// @notice Listed collateral assets, in mask-bit order.
    function collateralTokens() external view returns (address[] memory);

    /// @notice Total credited amount of collateral `token` across all accounts, WAD token units.
    function totalCollateral(address token) external view returns (uint256);

    /// @notice Maximum number of open positions per account.
    function positionCap() external view returns (uint256);

    /// @notice Insurance fund's share of fees, WAD.
    function insuranceFeeShare() external view returns (uint256);
}
