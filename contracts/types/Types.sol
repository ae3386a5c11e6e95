// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Margin account id. Ids start at 1; 0 is never a valid account.
type AccountId is uint256;

/// @notice Option series id. Only the low 160 bits are used; the packing lives in `SeriesIdLib`:
/// `underlying (16) | expiry (40) | strike WAD (96) | isCall (8)`, most significant first, so that sorting ids
/// groups positions by underlying, then expiry, then strike.
type SeriesId is uint256;

/// @notice Trading mode of one market (one underlying). Ordered by severity: a larger value is more restrictive.
/// - Active: everything allowed.
/// - ReduceOnly: only actions that shrink risk (closing trades, deposits, settlement, liquidation).
/// - Halted: no trades and no withdrawal that relies on this market's value; deposits and settlement still work.
enum MarketMode {
    Active,
    ReduceOnly,
    Halted
}

using {eqAccount as ==} for AccountId global;
using {eqSeries as ==} for SeriesId global;

function eqAccount(AccountId a, AccountId b) pure returns (bool) {
    return AccountId.unwrap(a) == AccountId.unwrap(b);
}

function eqSeries(SeriesId a, SeriesId b) pure returns (bool) {
    return SeriesId.unwrap(a) == SeriesId.unwrap(b);
}
