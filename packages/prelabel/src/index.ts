export * from "./agreement";
export * from "./combine";
export * from "./config";
export * from "./evaluate";
export * from "./learn";
export * from "./remote";
export * from "./rules/recognise";
export * from "./types";
