/** The trading measurements of `trading.ts` on an L2 deployment (sequencer uptime feed read with every price). */
import type { Scenario } from "../lib.js";
import { tradingScenario } from "./trading.js";

const scenario: Scenario = async (ctx) => tradingScenario(ctx, true);
export default scenario;
