// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Benchmark helper: measures the execution gas of one call to `target`, net of the probe's own overhead
/// (the cost of an identical call to a contract that returns immediately is subtracted by the bench runner).
/// Never deployed outside local/test networks.
contract GasProbe {
    error GasProbe_CallFailed(bytes reason);

    /// @return gasUsed Gas consumed between just before and just after the call, including the call's own overhead.
    function measure(address target, bytes calldata data) external returns (uint256 gasUsed) {
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = target.call(data);
        gasUsed = before - gasleft();
        if (!ok) revert GasProbe_CallFailed(ret);
    }
}

/// @notice Baseline target for `GasProbe`: accepts any call and does nothing.
contract GasProbeNoop {
    fallback() external {}
}
