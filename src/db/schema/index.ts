export * from "./reference";
export * from "./unit";
export * from "./officer";
export * from "./auth";
export * from "./audit";
export * from "./complaint";
export * from "./commendation";
export * from "./review";
