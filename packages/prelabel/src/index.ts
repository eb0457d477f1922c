export * from "./agreement";
export * from "./evaluate";
export * from "./remote";
export * from "./rules/recognise";
export * from "./types";
