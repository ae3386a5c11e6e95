// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketMode} from "../types/Types.sol";

/// @title IVolatilityOracle
/// @notice Implied volatility for option marks. CORE-FACING SIGNATURE (vol) IS FIXED.
/// A trusted updater (VOL_UPDATER_ROLE) pushes a default vol per underlying and optionally a vol per expiry; the
/// per-expiry value wins when it exists. When the value in use is older than `maxAge`, `vol` returns a
/// conservative (high) fallback and ReduceOnly. Warning: a high vol is conservative for short-option requirements
/// but inflates long-option marks; consumers must not credit long option value for risk-increasing actions or
/// withdrawals while the mode is not Active.
interface IVolatilityOracle {
    /// @notice Per-underlying parameters.
    /// @param maxAgeSec Seconds after an update at which the vol is stale.
    /// @param staleVolWad Floor of the vol returned while stale (1e18 = 100%).
    /// @param maxMoveWad Largest relative change of what `vol` serves for an (underlying, expiry) in one update, while
    /// it serves a fresh value (1e18 = 100%); applies to pushes (a first per-expiry value is compared with the
    /// default it replaces) and to `clearExpiryVol`; 0 disables the check.
    struct VolParams {
        uint32 maxAgeSec;
        uint64 staleVolWad;
        uint64 maxMoveWad;
    }

    error Vol_ZeroAddress();
    error Vol_UnknownUnderlying(uint16 underlying);
    error Vol_AlreadyListed(uint16 underlying);
    /// @notice Vol outside [MIN_VOL, MAX_VOL] (WAD).
    error Vol_OutOfBounds(uint256 volWad);
    /// @notice The fresh value `vol` serves would move by more than `maxMoveWad` relative to itself (all WAD).
    error Vol_MoveTooLarge(uint256 previousVolWad, uint256 volWad, uint256 maxMoveWad);
    error Vol_MaxAgeOutOfBounds(uint256 maxAgeSec);
    error Vol_StaleVolOutOfBounds(uint256 staleVolWad);
    error Vol_MaxMoveOutOfBounds(uint256 maxMoveWad);
    error Vol_LengthMismatch(uint256 expiries, uint256 vols);

    event VolUnderlyingListed(uint16 indexed underlying, VolParams params);
    event VolParamsSet(uint16 indexed underlying, VolParams params);
    /// @notice `expiry == 0` is the underlying's default vol.
    event VolUpdated(uint16 indexed underlying, uint40 indexed expiry, uint256 volWad, address indexed updater);
    event ExpiryVolCleared(uint16 indexed underlying, uint40 indexed expiry, address indexed updater);

    /// @notice Implied vol (WAD, 1e18 = 100% annualized) for `underlying` options expiring at `expiry`.
    /// @return volWad The fresh vol, or the documented conservative fallback when the source is stale.
    /// @return mode Active when fresh; ReduceOnly when the fallback is in use. Never reverts for a listed underlying.
    function vol(uint16 underlying, uint40 expiry) external view returns (uint256 volWad, MarketMode mode);

    /// @notice Lists `underlying` with its parameters. RISK_ADMIN_ROLE. Until a vol is pushed, `vol` returns
    /// (`staleVolWad`, ReduceOnly).
    function listUnderlying(uint16 underlying, VolParams calldata params) external;

    /// @notice Replaces the parameters of a listed underlying. RISK_ADMIN_ROLE.
    function setVolParams(uint16 underlying, VolParams calldata params) external;

    /// @notice Pushes the default vol (WAD) of `underlying`. VOL_UPDATER_ROLE.
    function setVol(uint16 underlying, uint256 volWad) external;

    /// @notice Pushes vols (WAD) for several expiries (seconds) of `underlying`. VOL_UPDATER_ROLE.
    function setExpiryVols(uint16 underlying, uint40[] calldata expiries, uint256[] calldata volsWad) external;

    /// @notice Deletes the per-expiry vol so the default applies again. VOL_UPDATER_ROLE. Reverts with
    /// `Vol_MoveTooLarge` when both the value served before and the default served after are fresh and differ by
    /// more than `maxMoveWad`.
    function clearExpiryVol(uint16 underlying, uint40 expiry) external;

    /// @notice Parameters of `underlying` (reverts when unknown).
    function volParams(uint16 underlying) external view returns (VolParams memory);

    /// @notice Last pushed value (WAD) and its timestamp (seconds) for `expiry` (0 = default); zeros if none.
    function rawVol(uint16 underlying, uint40 expiry) external view returns (uint256 volWad, uint256 updatedAt);
}
