export * from "./units.js";
export * from "./series.js";
